import { describe, expect, it } from "vitest";
import { askedAct, forbidden, permits, polarity } from "../../knowledge/answer/polarity.js";
import { questionShape } from "../../knowledge/answer/question-kind.js";

const yesNo = (question: string, sentence: string) => polarity(questionShape(question), sentence, question);

describe("yes or no", () => {
  it("reads the act a 'có được … không?' question asks to be allowed", () => {
    expect(askedAct("Trẻ em có được tham gia hoạt động trên mạng không?")).toEqual(["tham", "gia"]);
    expect(askedAct("hoc sinh co duoc phep lai xe may khong")).toEqual(["lai", "xe"]);
    expect(askedAct("Mang điện thoại vào lớp được không?")).toBeNull();
  });

  it("says yes when 'được' grants that act, in the question's words or the law's", () => {
    const q = "Người 16 tuổi có được lái xe gắn máy không?";
    expect(questionShape(q).modal).toBe("may");
    expect(yesNo(q, "Người đủ 16 tuổi trở lên được điều khiển xe gắn máy.")).toBe("yes");
    expect(
      yesNo(
        "Trẻ em có được tham gia hoạt động trên không gian mạng không?",
        "Trẻ em có quyền được bảo vệ, tiếp cận thông tin, tham gia hoạt động xã hội, vui chơi, giải trí.",
      ),
    ).toBe("yes");
  });

  it("says no only when what is forbidden is the act asked", () => {
    const q = "Học sinh có được sử dụng điện thoại trong giờ học không?";
    expect(yesNo(q, "Học sinh không được sử dụng điện thoại trong giờ học.")).toBe("no");
    expect(forbidden("Tin báo nặc danh không được thụ lý như một đơn tố cáo.", q)).toBe(false);
    expect(yesNo(q, "Tin báo nặc danh không được thụ lý như một đơn tố cáo.")).toBeNull();
    // Refusing it forbidden is an obligation to do it.
    const tip = "Tin báo nặc danh có được tiếp nhận không?";
    expect(
      forbidden("Cơ quan có trách nhiệm tiếp nhận không được từ chối tiếp nhận tố giác, tin báo.", tip),
    ).toBe(false);
    expect(
      yesNo(tip, "Mọi tố giác, tin báo về tội phạm phải được tiếp nhận đầy đủ, giải quyết kịp thời."),
    ).toBe("yes");
  });

  it("does not read a passive 'được' ('được bảo vệ', 'được công nhận') as a permission", () => {
    const q = "Học sinh có được mang điện thoại vào lớp không?";
    expect(yesNo(q, "Trẻ em có quyền được bảo vệ khi tham gia trên không gian mạng.")).toBeNull();
    // Without an act named, any 'được' that is not passive.
    const bare = "Mang điện thoại vào lớp được không?";
    expect(permits("Trẻ em có quyền được bảo vệ, được chăm sóc và giáo dục.", bare)).toBe(false);
    expect(permits("Cơ sở giáo dục được công nhận đạt tiêu chuẩn khi đạt đủ các tiêu chí.", bare)).toBe(
      false,
    );
    expect(permits("Người được chở trên xe đạp máy phải đội mũ bảo hiểm.", bare)).toBe(false);
    expect(permits("Học sinh được sử dụng điện thoại khi giáo viên cho phép.", bare)).toBe(true);
  });

  it("answers yes to a question about that very passive ('có được bảo vệ … không?')", () => {
    const q = "Trẻ em có được bảo vệ khi tham gia không gian mạng không?";
    expect(yesNo(q, "Trẻ em có quyền được bảo vệ khi tham gia trên không gian mạng.")).toBe("yes");
    const unmarked = "tre em co duoc bao ve tren khong gian mang khong";
    expect(permits("Trẻ em có quyền được bảo vệ khi tham gia trên không gian mạng.", unmarked)).toBe(true);
  });
});
