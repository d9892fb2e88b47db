import { describe, expect, it } from "vitest";
import { clip, withoutAsking } from "../../knowledge/answer/brief.js";
import { answerQuestion } from "../../knowledge/answer/compose.js";
import { questionShape } from "../../knowledge/answer/question-kind.js";
import { corpusEmbeddingProvider, KnowledgeIndex } from "../../knowledge/index/knowledge-index.js";
import type { SourceFile } from "../../knowledge/load/sources.js";

const DOCS: Record<string, string> = {
  "luat-gt.md": `---
id: luat-gt
symbol: 36/2024/QH15
title: Luật Trật tự, an toàn giao thông đường bộ
kind: luật
---
Điều 31. Quy tắc đối với người điều khiển xe đạp
1. Người điều khiển xe đạp, xe đạp máy chỉ được chở một người, trừ trường hợp chở thêm một trẻ em dưới 07 tuổi thì được chở tối đa hai người.
2. Người điều khiển xe đạp, xe đạp máy không được buông cả hai tay.
3. Người điều khiển, người được chở trên xe đạp máy phải đội mũ bảo hiểm.
Điều 33. Quy tắc đối với người lái xe mô tô
1. Người lái xe mô tô hai bánh chỉ được chở một người.
Điều 88. Hiệu lực thi hành
1. Luật này có hiệu lực thi hành từ ngày 01 tháng 01 năm 2025, trừ trường hợp quy định tại khoản 2 Điều này.
2. Luật Giao thông đường bộ số 23/2008/QH12 hết hiệu lực kể từ ngày Luật này có hiệu lực thi hành, trừ trường hợp quy định tại các khoản 1, 2, 5 và 6 Điều 89 của Luật này.
`,
  "bltths.md": `---
id: bltths
symbol: 101/2015/QH13
title: Bộ luật Tố tụng hình sự
kind: bộ luật
---
Điều 145. Trách nhiệm tiếp nhận và giải quyết nguồn tin về tội phạm
1. Mọi tố giác, tin báo về tội phạm phải được tiếp nhận đầy đủ, giải quyết kịp thời. Cơ quan, tổ chức có trách nhiệm tiếp nhận không được từ chối tiếp nhận tố giác, tin báo về tội phạm.
2. Cơ quan, tổ chức có trách nhiệm tiếp nhận tố giác, tin báo về tội phạm gồm:
a) Cơ quan điều tra, Viện kiểm sát tiếp nhận tố giác, tin báo về tội phạm;
b) Cơ quan, tổ chức khác tiếp nhận tố giác, tin báo về tội phạm.
`,
  "the-ma-tuy.md": `---
id: the-ma-tuy
title: "Hướng dẫn: Phòng, chống ma túy trong gia đình"
kind: tài liệu hướng dẫn
explains: [73/2021/QH14]
---
## Trách nhiệm của gia đình

Luật Phòng, chống ma túy coi gia đình là nơi đầu tiên phát hiện con em sử dụng ma túy, nên đặt cho gia đình nhiều việc phải làm, từ giáo dục con em về tác hại của ma túy, quản lý chặt chẽ người thân đã từng sử dụng, đến phối hợp với nhà trường và chính quyền địa phương trong việc theo dõi, giúp đỡ người đó. Gia đình có người sử dụng trái phép chất ma túy phải báo thông tin về việc sử dụng cho công an cấp xã nơi người đó cư trú. Cơ quan nơi người đó làm việc và cộng đồng nơi họ sống có trách nhiệm động viên, giúp đỡ và phối hợp đưa người đó đi xét nghiệm khi được yêu cầu.
`,
};

async function indexOf(docs: Record<string, string>): Promise<KnowledgeIndex> {
  const index = KnowledgeIndex.create(corpusEmbeddingProvider(64));
  await index.update(
    Object.entries(docs).map(([path, text]): SourceFile => ({ path, hash: path, bytes: Buffer.from(text) })),
  );
  return index;
}

const wordsIn = (s: string) => s.split(/\s+/).filter(Boolean).length;

describe("the short quote of an answer", () => {
  it("is the sentence with the date asked, not the one that repeats the law's name", async () => {
    const a = await answerQuestion(
      await indexOf(DOCS),
      "Luật Trật tự, an toàn giao thông đường bộ có hiệu lực từ ngày nào?",
    );
    expect(a.body).toContain("01 tháng 01 năm 2025");
    expect(a.body).not.toContain("23/2008/QH12");
  });

  it("answers 'mấy người' with the sentence that gives the count", async () => {
    const a = await answerQuestion(await indexOf(DOCS), "Xe đạp máy được chở mấy người?");
    expect(a.body).toContain("chỉ được chở một người");
    expect(a.body).not.toContain("mũ bảo hiểm");
  });

  it("quotes a line ending with ':' with its items: who is asked is in them", async () => {
    const a = await answerQuestion(
      await indexOf(DOCS),
      "Ai có trách nhiệm tiếp nhận tố giác, tin báo về tội phạm?",
    );
    expect(a.body).toMatch(/gồm: a\) Cơ quan điều tra, Viện kiểm sát/u);
  });

  it("quotes the one sentence that answers from a long paragraph, in about 45 words", async () => {
    const a = await answerQuestion(
      await indexOf(DOCS),
      "Gia đình có người sử dụng ma túy thì phải báo cho ai?",
    );
    expect(a.body).toContain("công an cấp xã");
    expect(a.body).not.toContain("nơi đầu tiên");
    expect(wordsIn(a.body)).toBeLessThanOrEqual(50);
  });
});

describe("cutting a long sentence", () => {
  const long =
    "a) Trưởng khu dân cư chủ trì cuộc họp cùng Bí thư chi bộ, đại diện Ban Công tác Mặt trận, đại diện các tổ chức đoàn thể quần chúng và đại diện Công an cấp cơ sở để kiểm điểm, đánh giá tình hình, kết quả thực hiện khu dân cư và hoàn tất thủ tục hồ sơ gửi về Thường trực Ban Chỉ đạo cấp xã để thẩm định và báo cáo, đề xuất Chủ tịch Ủy ban nhân dân cấp xã xét duyệt, quyết định công nhận khu dân cư đạt tiêu chuẩn trước ngày 15 tháng 11 hằng năm;";
  const date = (s: string) => /\d/u.test(s);

  it("keeps its start, cut after a comma", () => {
    const cut = clip(long, 30, () => true);
    expect(cut.startsWith("a) Trưởng khu dân cư chủ trì cuộc họp")).toBe(true);
    expect(cut.endsWith(" …")).toBe(true);
    expect(wordsIn(cut)).toBeLessThanOrEqual(32);
  });

  it("but not past the figure asked: the part that holds it follows the start", () => {
    const cut = clip(long, 30, () => true, date);
    expect(cut).toMatch(/^a\) Trưởng khu dân cư chủ trì cuộc họp .* … .*trước ngày 15 tháng 11\b/u);
    expect(wordsIn(cut)).toBeLessThanOrEqual(40);
  });
});

describe("how a question asks", () => {
  it("is not what it asks about", () => {
    expect(withoutAsking("Thời hạn giải quyết tố giác là bao lâu?")).toBe("thời hạn giải quyết tố giác");
    expect(withoutAsking("Trường có được thu quỹ lớp không")).toBe("trường có được thu quỹ lớp");
    // "la" without marks may be "lá".
    expect(withoutAsking("thuoc la dien tu")).toBe("thuoc la dien tu");
  });

  it("reads 'mấy' as a count, 'tháng mấy' as a date, and 'xe may' as a motorbike", () => {
    expect(questionShape("Xe đạp điện được chở mấy người?").kind).toBe("number");
    expect(questionShape("xe dap dien duoc cho may nguoi").kind).toBe("number");
    expect(questionShape("Nên chuyển thời gian đăng ký sang tháng mấy?").kind).toBe("when");
    expect(questionShape("Xe máy chở người").kind).toBe("other");
  });
});
