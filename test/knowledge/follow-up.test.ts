import { describe, expect, it } from "vitest";
import { followUp, topicOf } from "../../knowledge/answer/follow-up.js";

const HELMET = "Đi xe máy điện có phải đội mũ bảo hiểm không?";
const helmet = topicOf(HELMET);
const EBIKE = "Đi xe đạp điện có phải đội mũ bảo hiểm không?";

describe("topicOf", () => {
  it("keeps the question's topic, with its asking words", () => {
    expect(helmet).toBe("Đi xe máy điện có phải đội mũ bảo hiểm không");
  });

  it("keeps nothing about the person: no ages, numbers, names, places or family", () => {
    expect(topicOf("Con tôi 15 tuổi đi xe máy điện có phải đội mũ bảo hiểm không?")).toBe(
      "đi xe máy điện có phải đội mũ bảo hiểm không",
    );
    const topic = topicOf("Cháu Minh nhà tôi học lớp 9 ở Hà Nội, gọi 0912345678 hay 113 được không?");
    expect(topic).toBe("học gọi hay 113 được không");
    expect(topicOf("con toi 15 tuoi di xe dap dien co can doi mu khong")).toBe(
      "di xe dap dien co can doi mu khong",
    );
  });

  it("keeps a law's article and symbol, and abbreviations", () => {
    expect(topicOf("Điều 7 Thông tư 124/2021/TT-BCA quy định tiêu chí ANTT nào?")).toBe(
      "Điều 7 Thông tư 124/2021/TT-BCA quy định tiêu chí ANTT nào",
    );
  });

  it("is null when nothing is left", () => {
    expect(topicOf("Tôi 15 tuổi")).toBeNull();
  });
});

describe("followUp", () => {
  it.each([
    "còn xe đạp điện thì sao?",
    "Còn xe đạp điện thì sao ạ?",
    "thế còn xe đạp điện?",
    "Vậy còn xe đạp điện thì thế nào?",
    "với xe đạp điện thì sao?",
    "xe đạp điện thì sao?",
    "xe đạp điện?",
    "con xe dap dien thi sao",
    "the con xe dap dien",
    "xe dap dien?",
  ])("puts the new vehicle in the topic: %s", (q) => {
    expect(followUp(q, helmet)).toEqual({ question: EBIKE, followUp: true });
  });

  it("stays without diacritics when the topic was typed without them", () => {
    const folded = topicOf("di xe may dien co phai doi mu bao hiem khong");
    expect(followUp("con xe dap dien thi sao", folded)).toEqual({
      question: "di xe dap dien co phai doi mu bao hiem khong?",
      followUp: true,
    });
  });

  it("narrows the topic, or asks its own question about it", () => {
    expect(followUp("vậy còn 16 tuổi thì sao?", helmet).question).toBe(
      "16 tuổi Đi xe máy điện có phải đội mũ bảo hiểm không?",
    );
    expect(followUp("nếu 15 tuổi?", helmet).question).toBe(
      "15 tuổi Đi xe máy điện có phải đội mũ bảo hiểm không?",
    );
    expect(followUp("nếu trời mưa thì sao?", helmet).question).toBe(
      "trời mưa Đi xe máy điện có phải đội mũ bảo hiểm không?",
    );
    expect(followUp("còn phạt bao nhiêu?", helmet).question).toBe(
      "Đi xe máy điện đội mũ bảo hiểm phạt bao nhiêu?",
    );
    expect(followUp("Còn xe đạp điện thì phạt bao nhiêu?", helmet).question).toBe(
      "Đi xe đạp điện đội mũ bảo hiểm phạt bao nhiêu?",
    );
  });

  it("leaves a question of its own as typed", () => {
    for (const q of [
      "Số điện thoại báo cháy là gì?",
      "Nếu phát hiện học sinh dùng thuốc lá điện tử thì nhà trường phải làm gì?",
      "ma túy?",
      "con dao co bi cam khong",
      "con toi di xe may thi bi phat bao nhieu",
      "Con tôi đi xe đạp điện có phải đội mũ không?",
    ])
      expect(followUp(q, helmet)).toEqual({ question: q, followUp: false });
  });

  it("is never a follow-up without a topic (a new chat, or after a while)", () => {
    expect(followUp("còn xe đạp điện thì sao?", undefined)).toEqual({
      question: "còn xe đạp điện thì sao?",
      followUp: false,
    });
    expect(followUp("xe đạp điện?", null).followUp).toBe(false);
  });
});
