import { describe, expect, it } from "vitest";
import { answerQuestion, DEFAULT_ANSWER } from "../../knowledge/answer/compose.js";
import { corpusEmbeddingProvider, KnowledgeIndex } from "../../knowledge/index/knowledge-index.js";
import type { SourceFile } from "../../knowledge/load/sources.js";
import { hybridSearch } from "../../knowledge/retrieve/hybrid-search.js";
import { fillerRules } from "./small-corpus.js";

const doc = (path: string, front: string, body: string): SourceFile => ({
  path,
  hash: path,
  bytes: Buffer.from(`---\n${front}\n---\n${body}\n`),
});

const RULE =
  "Điều 5. Trách nhiệm phòng cháy của cơ sở giáo dục\nNgười đứng đầu cơ sở giáo dục tổ chức kiểm tra an toàn phòng cháy, chữa cháy định kỳ mỗi quý một lần.";

// The replaced decree comes first, so that on equal scores it would rank first.
const files = [
  doc(
    "nd-136.md",
    "id: nd-136\nsymbol: 136/2020/NĐ-CP\ntitle: Nghị định quy định chi tiết Luật Phòng cháy và chữa cháy\nkind: nghị định\nstatus: replaced\nreplaced_by: 105/2025/NĐ-CP\nreplaced_on: 2025-07-01",
    `${RULE}\n\nĐiều 9. Hồ sơ quản lý\nHồ sơ quản lý công tác phòng cháy của kho xăng dầu gồm sổ theo dõi bồn chứa.`,
  ),
  doc(
    "nd-105.md",
    "id: nd-105\nsymbol: 105/2025/NĐ-CP\ntitle: Nghị định quy định chi tiết Luật Phòng cháy và chữa cháy\nkind: nghị định\neffective: 2025-07-01",
    RULE,
  ),
];

describe("replaced documents", () => {
  it("rank the in-force successor first when both match, and are cited with it named", async () => {
    const index = KnowledgeIndex.create(corpusEmbeddingProvider());
    await index.update(files);
    const question = "Cơ sở giáo dục phải kiểm tra an toàn phòng cháy định kỳ mấy lần?";
    const asOf = "2026-01-15";
    const [first, second] = await hybridSearch(index, question, 2, { ...DEFAULT_ANSWER.search, asOf });
    expect(first?.meta.docId).toBe("nd-105");
    expect(second?.meta.docId).toBe("nd-136");
    // Without the penalty both match about as well (within 10%): the penalty is what decides.
    const plain = await hybridSearch(index, question, 2, {
      ...DEFAULT_ANSWER.search,
      asOf,
      replacedFactor: 1,
    });
    const score = (id: string) => plain.find((p) => p.meta.docId === id)?.score ?? 0;
    expect(score("nd-136")).toBeGreaterThan(0.9 * score("nd-105"));
    expect(second?.score).toBeCloseTo(0.9 * score("nd-136"), 10);

    // Only the replaced decree has the answer: it is quoted, and its successor named.
    const answer = await answerQuestion(
      index,
      "Hồ sơ quản lý phòng cháy của kho xăng dầu gồm sổ theo dõi gì?",
    );
    expect(answer.abstained).toBe(false);
    expect(answer.basis).toContain("136/2020/NĐ-CP");
    expect(answer.basis).toContain("105/2025/NĐ-CP");
  });
});

describe("a replaced document that alone answers", () => {
  it("is not ranked behind weak matches when its successor is not among them", async () => {
    const filler = Object.entries(fillerRules()).map(
      ([id, text]): SourceFile => ({ path: `${id}.txt`, hash: id, bytes: Buffer.from(text) }),
    );
    const index = KnowledgeIndex.create(corpusEmbeddingProvider(64));
    await index.update([
      ...filler,
      doc(
        "qd-15.md",
        "id: qd-15\nsymbol: 15/2025/QĐ-UBND\ntitle: Quyết định về điểm dừng xe đưa đón học sinh\nkind: quyết định\nstatus: replaced\nreplaced_by: 20/2026/QĐ-UBND",
        "## Điểm dừng xe đưa đón học sinh (Điều 1)\nPhụ huynh dừng xe đưa đón học sinh cách cổng trường ít nhất 20 mét và không quá 5 phút.",
      ),
    ]);
    const question = "Phụ huynh dừng xe đưa đón học sinh cách cổng trường bao nhiêu mét?";
    const [first] = await hybridSearch(index, question, 5, { ...DEFAULT_ANSWER.search, asOf: "2026-06-01" });
    expect(first?.meta.docId).toBe("qd-15");
    const answer = await answerQuestion(index, question);
    expect(answer.abstained).toBe(false);
    expect(answer.citations[0]).toMatchObject({ docId: "qd-15", replacedBy: "20/2026/QĐ-UBND" });
    expect(answer.basis).toContain("20/2026/QĐ-UBND");
  });
});
