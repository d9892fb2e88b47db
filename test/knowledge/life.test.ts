import { describe, expect, it } from "vitest";
import { citationAsOf, sourceLines } from "../../knowledge/answer/citation.js";
import { chunkDocument } from "../../knowledge/chunk/chunk-document.js";
import { joinArticle } from "../../knowledge/chunk/legal.js";
import type { DocumentMeta } from "../../knowledge/document.js";
import type { IndexedChunk } from "../../knowledge/index/knowledge-index.js";
import { isReplaced, lifeNote, lifeOf } from "../../knowledge/life.js";

const drugs: DocumentMeta = {
  docId: "luat-73-2021-qh14",
  title: "Luật Phòng, chống ma túy",
  symbol: "73/2021/QH14",
  kind: "luật",
  effective: "2022-01-01",
  replacedBy: "120/2025/QH15",
  replacedOn: "2026-07-01",
  source: "x.md",
};

describe("a document's life", () => {
  it("says a rule changes on a known day before it, and that it changed after", () => {
    expect(lifeOf(drugs, "2026-06-30").state).toBe("changing");
    expect(lifeNote(drugs, "2026-06-30")).toBe(
      "còn hiệu lực đến hết ngày 30/06/2026; từ ngày 01/07/2026 được thay thế bởi 120/2025/QH15",
    );
    expect(isReplaced(drugs, "2026-07-01")).toBe(true);
    expect(lifeNote(drugs, "2026-07-01")).toBe("đã được thay thế bởi 120/2025/QH15 từ ngày 01/07/2026");
    expect(lifeNote(drugs, "2026-07-01", "en")).toBe("replaced by 120/2025/QH15 from 01/07/2026");
    expect(lifeNote({ effective: "2022-01-01" }, "2021-12-31")).toBe(
      "chưa có hiệu lực (có hiệu lực từ ngày 01/01/2022)",
    );
    expect(lifeNote({ effective: "2022-01-01", status: "in force" }, "2024-01-01")).toBeNull();
    // Vietnam's day: 17:30 UTC on 30 June is already 1 July in Hà Nội.
    expect(isReplaced(drugs, new Date("2026-06-30T17:30:00Z"))).toBe(true);
  });

  it("cites a replaced text with its successor, and the article of the passage's own heading", () => {
    const [chunk] = chunkDocument({
      meta: drugs,
      text: "Điều 8. Trách nhiệm của cơ sở giáo dục\nCơ sở giáo dục có trách nhiệm theo Điều 6.\nĐiều 9. Khác\nx\nĐiều 10. Khác\ny",
    });
    const passage = { chunk: { ...(chunk as IndexedChunk), slot: 0 }, meta: drugs, score: 0.5 };
    const before = citationAsOf("2026-01-01")(passage);
    const after = citationAsOf("2026-12-02")(passage);
    expect(after).toMatchObject({ article: "8", replacedBy: "120/2025/QH15" });
    expect(before.replacedBy).toBeNull();
    expect(sourceLines([after])).toEqual([
      "Luật 73/2021/QH14: Điều 8 — đã được thay thế bởi 120/2025/QH15 từ ngày 01/07/2026",
    ]);
  });
});

describe("long articles", () => {
  it("repeat the clause's lead before each part of its points, and join back into the article", () => {
    const points = Array.from(
      { length: 12 },
      (_, i) => `${"abcdeghiklmn"[i]}. Hành vi số ${i} ${"x".repeat(120)};`,
    );
    const text = [
      "Điều 7. Xử phạt người điều khiển xe",
      "1. Phạt tiền từ 200.000 đồng đến 400.000 đồng đối với một trong các hành vi sau đây:",
      ...points,
      "Điều 8. Khác",
      "a",
      "Điều 9. Khác",
      "b",
    ].join("\n");
    const chunks = chunkDocument({ meta: { ...drugs, replacedBy: undefined }, text }).filter(
      (c) => c.article === "7",
    );
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.text.startsWith("1. Phạt tiền từ 200.000 đồng")).toBe(true);
    expect(chunks.slice(1).every((c) => c.lead !== undefined)).toBe(true);
    expect(joinArticle(chunks)).toBe(text.split("\nĐiều 8.")[0]);
  });
});
