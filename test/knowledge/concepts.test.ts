import { describe, expect, it } from "vitest";
import { conceptCredit, findConcepts, missingConcepts } from "../../knowledge/text/concepts.js";

const ids = (text: string) => findConcepts(text).map((f) => f.concept.id);

describe("findConcepts", () => {
  it("keeps the diacritics a question was typed with: 'tháng mấy' is not 'thang máy'", () => {
    expect(ids("Đề nghị chuyển thời gian đăng ký sang tháng mấy?")).toEqual([]);
    expect(ids("Học sinh bị kẹt trong thang máy thì gọi số nào?")).toEqual(["thang-may"]);
    // Typed without diacritics, either reading is possible.
    expect(ids("bi ket trong thang may goi so nao")).toEqual(["thang-may"]);
  });

  it("finds the longest form first, each word once", () => {
    expect(ids("Học sinh hút thuốc lá điện tử")).toEqual(["thuoc-la-dien-tu"]);
    expect(ids("Con 15 tuổi đi xe máy điện")).toEqual(["xe-may-dien"]);
  });
});

describe("conceptCredit", () => {
  it("credits the question's words when the passage says them the law's way", () => {
    expect(conceptCredit("Có người ngất xỉu thì gọi số nào?", "Gọi 115 khi có người bất tỉnh.")).toBe(
      "ngất xỉu",
    );
    expect(
      conceptCredit("ít nhất bao nhiêu phần trăm đơn vị", "70% trở lên số đầu mối trực thuộc").split(" ; "),
    ).toEqual(["ít nhất", "phần trăm"]);
  });

  it("credits nothing for a broader word: 'dịch bệnh' is not 'tay chân miệng'", () => {
    expect(conceptCredit("Phun thuốc phòng tay chân miệng", "xe đi làm nhiệm vụ phòng dịch bệnh")).toBe("");
    expect(missingConcepts("Có người ngất xỉu", "Gọi 114 khi có cháy")).toHaveLength(1);
    // A phone number is not using a phone in class.
    const phone = "Học sinh có được dùng điện thoại trong lớp không?";
    expect(missingConcepts(phone, "Tin báo ghi tên, số điện thoại của người báo.")).toHaveLength(1);
    expect(missingConcepts(phone, "Học sinh không sử dụng điện thoại di động trong giờ học.")).toEqual([]);
  });
});
