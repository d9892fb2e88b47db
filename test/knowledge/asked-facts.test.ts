import { describe, expect, it } from "vitest";
import { lacksAmount, lacksSanction } from "../../knowledge/text/asked-facts.js";
import { missingConcepts } from "../../knowledge/text/concepts.js";

describe("facts a question asks for", () => {
  it("a sum of money is answered only by a passage that states one", () => {
    const q = "Bao hiem y te hoc sinh nam nay phai dong bao nhieu tien?";
    expect(lacksAmount(q, "Nhà nước đóng, hỗ trợ đóng bảo hiểm y tế cho trẻ em theo quy định.")).toBe(true);
    expect(lacksAmount(q, "Mức đóng bảo hiểm y tế học sinh là 4,5% mức lương cơ sở.")).toBe(false);
    expect(lacksAmount("Phạt bao nhiêu tiền?", "Phạt tiền từ 400.000 đồng đến 600.000 đồng.")).toBe(false);
    // Not asked: a count is not a sum of money.
    expect(lacksAmount("Trường có bao nhiêu học sinh?", "Trường có 25 lớp học.")).toBe(false);
  });

  it("a sanction only by a passage that sets one", () => {
    expect(lacksSanction("Học sinh đánh nhau bị xử lý thế nào?", "Học sinh không được đánh nhau.")).toBe(
      true,
    );
    expect(lacksSanction("Học sinh đánh nhau bị xử lý thế nào?", "Học sinh bị kỷ luật khiển trách.")).toBe(
      false,
    );
  });

  it("a class size only by a passage about class sizes, not a school's pupils", () => {
    const passage = "Trường hiện có 25 lớp học, với hơn 800 học sinh.";
    expect(
      missingConcepts("Si so toi da cua mot lop tieu hoc la bao nhieu hoc sinh?", passage).map((c) => c.id),
    ).toEqual(["si-so"]);
  });
});
