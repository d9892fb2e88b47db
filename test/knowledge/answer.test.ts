import { describe, expect, it } from "vitest";
import { answerQuestion, DEFAULT_ANSWER } from "../../knowledge/answer/compose.js";
import { fillerRules, indexOf } from "./small-corpus.js";

const DOCS: Record<string, string> = {
  "den-xe":
    "Điều 20. Sử dụng đèn\nNgười lái xe phải bật đèn chiếu sáng phía trước từ 18 giờ ngày hôm trước đến 06 giờ ngày hôm sau hoặc khi có sương mù, trời mưa, thời tiết xấu làm hạn chế tầm nhìn; không được dùng đèn chiếu xa trong khu dân cư.",
  "bao-cao-ha-noi":
    "Báo cáo của trường tại Hà Nội\nNăm học này trường tổ chức ngày hội an toàn giao thông cho học sinh; đội cờ đỏ trực trước cổng trường.",
  "ke-hoach":
    "Kế hoạch phòng cháy\nNhà trường tổ chức diễn tập phòng cháy chữa cháy mỗi học kỳ; ban giám hiệu kiểm tra bình chữa cháy hằng tháng.",
  "ma-tuy":
    "Phòng chống ma túy\nHọc sinh không nhận đồ uống lạ; giáo viên báo ngay cho công an xã khi phát hiện người lạ mời chào trước cổng trường.",
};
Object.assign(DOCS, fillerRules());
DOCS.tet = "Nghỉ Tết\nHọc sinh trang trí cành mai, cành đào trong lớp trước kỳ nghỉ.";

describe("abstention", () => {
  it("abstains when the passage shares common words but not what the question is about", async () => {
    const index = await indexOf(DOCS);
    const off = await answerQuestion(index, "Thời tiết Hà Nội ngày mai có mưa không?");
    expect(off.abstained).toBe(true);
    expect(off.citations).toEqual([]);
    // The same passage answers a question about what it does say.
    const on = await answerQuestion(index, "Khi trời mưa, thời tiết xấu thì người lái xe phải bật đèn gì?");
    expect(on.abstained).toBe(false);
    expect(on.citations[0]?.docId).toBe("den-xe");
  });

  it("keeps the old rule when the key-concept test is switched off (the test above can fail)", async () => {
    const index = await indexOf(DOCS);
    const r = await answerQuestion(index, "Thời tiết Hà Nội ngày mai có mưa không?", {
      ...DEFAULT_ANSWER,
      keyShare: 1,
    });
    expect(r.abstained).toBe(false);
  });
});
