import { beforeAll, describe, expect, it } from "vitest";
import { answerQuestion } from "../../knowledge/answer/compose.js";
import type { KnowledgeIndex } from "../../knowledge/index/knowledge-index.js";
import { officialIndex } from "./official-corpus.js";

describe("the age rules of the traffic law", () => {
  let index: KnowledgeIndex;
  beforeAll(async () => {
    index = await officialIndex();
  }, 60_000);

  it("answer for the age of a child who drives", async () => {
    const a = await answerQuestion(index, "Con tôi 15 tuổi đi xe máy điện có phải đội mũ bảo hiểm không?");
    expect(a.body).toMatch(/^Có\./u);
    expect(a.body).toContain("Ở tuổi 15: chưa được điều khiển xe gắn máy (phải đủ 16 tuổi)");
  });

  it("not for a passenger, nor for 'dưới N tuổi'", async () => {
    for (const q of [
      "Trẻ em dưới 6 tuổi ngồi xe máy có phải đội mũ bảo hiểm không?",
      "Con 10 tuoi ngoi sau xe may co phai doi mu bao hiem khong",
    ]) {
      const a = await answerQuestion(index, q);
      expect(a.body).toMatch(/^Có\. .*mũ bảo hiểm/u);
      expect(a.body).not.toContain("chưa được điều khiển");
    }
  });
});
