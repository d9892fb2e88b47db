import { beforeAll, describe, expect, it } from "vitest";
import { answerQuestion } from "../../knowledge/answer/compose.js";
import type { KnowledgeIndex } from "../../knowledge/index/knowledge-index.js";
import { missingData } from "../requirements.js";
import { officialIndex, SHARED_LEGAL } from "./official-corpus.js";

/** The five questions of issue 13, over the shipped corpus and the official texts. */
describe.skipIf(missingData(SHARED_LEGAL, "the official legal texts"))("the issue's five questions", () => {
  let index: KnowledgeIndex;
  beforeAll(async () => {
    index = await officialIndex();
  }, 120_000);

  const words = (s: string) => s.split(/\s+/).filter(Boolean);

  it("e-cigarettes at school: abstains and says whom to ask", async () => {
    const a = await answerQuestion(
      index,
      "Nếu phát hiện học sinh dùng thuốc lá điện tử thì nhà trường phải làm gì?",
    );
    expect(a.abstained).toBe(true);
    expect(a.citations).toEqual([]);
    expect(a.answer).toMatch(/ban giám hiệu|nhà trường/u);
    expect(a.answer).toMatch(/Công an xã\/phường/u);
  });

  it("the school's safety standard: the criteria of Điều 7 TT 124, cited as such", async () => {
    const a = await answerQuestion(index, "Tiêu chuẩn trường học an toàn về an ninh trật tự gồm những gì?");
    expect(a.abstained).toBe(false);
    expect(a.basis).toMatch(/^Căn cứ: (\[\d+\] )?Điều 7 Thông tư 124\/2021\/TT-BCA/u);
    const items = a.body.split("\n").filter((l) => /^\d\. /u.test(l));
    expect(items).toHaveLength(6);
    expect(a.body).toContain("bạo lực học đường");
    expect(a.body).not.toMatch(/Tô Lâm|có hiệu lực/u);
  });

  it("a 15-year-old on an e-motorbike: 'Có', and the age rule for 15", async () => {
    const a = await answerQuestion(index, "Con tôi 15 tuổi đi xe máy điện có phải đội mũ bảo hiểm không?");
    expect(a.body).toMatch(/^Có\. /u);
    expect(a.body).toContain("mũ bảo hiểm");
    expect(a.body).toMatch(/Ở tuổi 15: chưa được điều khiển xe gắn máy \(phải đủ 16 tuổi\)/u);
    expect(a.basis).toMatch(/Điều 33, Điều 59 Luật 36\/2024\/QH15/u);
    expect(words(a.body).length).toBeLessThanOrEqual(70);
  });

  it("the fire number: 114 within a few words", async () => {
    const a = await answerQuestion(index, "Số điện thoại báo cháy là gì?");
    expect(a.abstained).toBe(false);
    expect(words(a.body).slice(0, 10).join(" ")).toMatch(/\b114\b/u);
    expect(words(a.answer).length).toBeLessThanOrEqual(40);
  });

  it("a helmet fine, asked without diacritics: the amount of the fines decree first, not the rule", async () => {
    for (const [q, article] of [
      ["di xe may khong doi mu bao hiem bi phat bao nhieu", "Điều 7"],
      ["Đi xe đạp điện không đội mũ bảo hiểm bị phạt bao nhiêu tiền?", "Điều 9"],
    ] as const) {
      const a = await answerQuestion(index, q);
      expect(a.body, q).toMatch(/^Phạt tiền từ 400\.000 đồng đến 600\.000 đồng: .*mũ bảo hiểm/u);
      expect(a.basis, q).toContain(`${article} Nghị định 168/2024/NĐ-CP`);
    }
    // A question naming only a vehicle is not answered with whichever point shares the vehicle.
    const other = await answerQuestion(index, "Giao xe máy cho con 14 tuổi chạy thì bị phạt bao nhiêu?");
    expect(other.body).not.toMatch(/^Phạt tiền từ 400\.000 đồng/u);
  });

  it("from what age a motorbike may be driven: the law's age rule, not another rule on motorbikes", async () => {
    for (const q of ["Bao nhiêu tuổi thì được điều khiển xe gắn máy?", "may tuoi thi duoc lai xe may dien"]) {
      const a = await answerQuestion(index, q);
      expect(a.body, q).toMatch(/^Người đủ 16 tuổi trở lên được điều khiển xe gắn máy/u);
      expect(a.basis, q).toMatch(/Điều 59 Luật 36\/2024\/QH15/u);
    }
  });

  it("what a term is: the law's own definition, from the article that defines it", async () => {
    const moped = await answerQuestion(index, "Xe gắn máy là xe như thế nào?");
    expect(moped.body).toMatch(/^Xe gắn máy là xe có hai hoặc ba bánh .*50 km\/h/u);
    expect(moped.basis).toMatch(/Điều 34 Luật 36\/2024\/QH15/u);
    const violence = await answerQuestion(index, "bao luc hoc duong la gi");
    expect(violence.body).toMatch(/^Bạo lực học đường là hành vi/u);
    expect(violence.basis).toMatch(/Nghị định 80\/2017\/NĐ-CP/u);
  });

  it("a list asked of a named law comes from that law, though other laws have an article of that name", async () => {
    const drugs = await answerQuestion(index, "Những hành vi nào bị nghiêm cấm trong phòng, chống ma túy?");
    expect(drugs.basis).toMatch(/Điều 5 Luật 73\/2021\/QH14/u);
    expect(drugs.body).toContain("chất ma túy");
    const children = await answerQuestion(index, "Những hành vi nào bị nghiêm cấm trong Luật Trẻ em?");
    expect(children.basis).toMatch(/Điều 6 Luật 102\/2016\/QH13/u);
  });

  it("no fact-sheet disclaimer, and every article the text names is the one it cites", async () => {
    for (const q of [
      "Tiêu chuẩn trường học an toàn về an ninh trật tự gồm những gì?",
      "Con tôi 15 tuổi đi xe máy điện có phải đội mũ bảo hiểm không?",
      "Số điện thoại báo cháy là gì?",
    ]) {
      const a = await answerQuestion(index, q);
      expect(a.answer, q).not.toMatch(
        /tài liệu hướng dẫn tổng hợp|đây là tài liệu|bản tóm tắt này|không phải văn bản pháp luật/iu,
      );
      expect(a.answer, q).not.toMatch(/Hướng dẫn 36\/2024/u);
      const cited = new Set([...(a.basis ?? "").matchAll(/Điều (\d+)/gu)].map((m) => m[1]));
      for (const m of a.body.matchAll(/Điều (\d+)/gu)) expect(cited, `${q}: Điều ${m[1]}`).toContain(m[1]);
    }
  });
});
