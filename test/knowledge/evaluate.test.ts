import { beforeAll, describe, expect, it } from "vitest";
import { answerQuestion } from "../../knowledge/answer/compose.js";
import { answerText, evaluateItem, hasWords, summarise } from "../../knowledge/eval/evaluate.js";
import type { EvalItem } from "../../knowledge/eval/questions.js";
import type { KnowledgeIndex } from "../../knowledge/index/knowledge-index.js";
import { fillerRules, indexOf } from "./small-corpus.js";

describe("answer_has is judged on whole words of the answer's own text", () => {
  it("does not find a number inside a longer one, nor an amount inside a larger amount", () => {
    expect(hasWords("theo Công văn 1281/VP-CAT ngày 3/4", "12")).toBe(false);
    expect(hasWords("trẻ dưới 12 tuổi", "12")).toBe(true);
    expect(hasWords("phạt tiền từ 400.000.000 đồng", "400.000")).toBe(false);
    expect(hasWords("phạt tiền từ 400.000 đồng đến 600.000 đồng", "400.000")).toBe(true);
    expect(hasWords("phạt 1.000.000 đồng", "1000000")).toBe(true);
    expect(hasWords("ít nhất 170 học sinh", "70%")).toBe(false);
    expect(hasWords("ít nhất 70% đơn vị", "70%")).toBe(true);
  });

  it("ignores case, diacritics, leading zeros and the separators between words", () => {
    expect(hasWords("Có hiệu lực từ ngày 10/2/2022.", "10/02/2022")).toBe(true);
    expect(hasWords("báo ngay cho CÔNG AN xã", "công an")).toBe(true);
    expect(hasWords("bao ngay cho cong an xa", "công an")).toBe(true);
    expect(hasWords("chiều cao 1,35 m", "1,35")).toBe(true);
    expect(hasWords("thông tư 124/2021/tt bca", "124/2021/TT-BCA")).toBe(true);
    // Whole words: one word is not found as the start of another.
    expect(hasWords("cảnh cáo", "cảnh cáo")).toBe(true);
    expect(hasWords("cảnh sát", "cảnh cáo")).toBe(false);
    expect(hasWords("an toàn", "an toàn giao thông")).toBe(false);
  });

  it("reads the quoted sentences only: neither the [n] markers nor the basis line count", () => {
    const answer = {
      body: "Người lái xe phải bật đèn từ 18 giờ đến 06 giờ sáng. [1] … Phạt cảnh cáo. [2]",
      basis: "Căn cứ: [1] Công văn 1281/VP-CAT; [2] Thông tư 124/2021/TT-BCA",
    };
    const text = answerText(answer);
    expect(hasWords(text, "18 giờ")).toBe(true);
    expect(hasWords(text, "6 giờ")).toBe(true);
    expect(hasWords(text, "1")).toBe(false);
    expect(hasWords(text, "2")).toBe(false);
    expect(hasWords(text, "124/2021/TT-BCA")).toBe(false);
    expect(hasWords(text, "1281")).toBe(false);
  });
});

const DOCS: Record<string, string> = {
  "den-xe":
    "Điều 20. Sử dụng đèn\nNgười lái xe phải bật đèn chiếu sáng phía trước từ 18 giờ ngày hôm trước đến 06 giờ ngày hôm sau hoặc khi có sương mù, trời mưa, thời tiết xấu làm hạn chế tầm nhìn; không được dùng đèn chiếu xa trong khu dân cư.",
  "ma-tuy":
    "Phòng chống ma túy\nHọc sinh không nhận đồ uống lạ; giáo viên báo ngay cho công an xã khi phát hiện người lạ mời chào trước cổng trường.",
};
Object.assign(DOCS, fillerRules());

describe("evaluateItem", () => {
  let index: KnowledgeIndex;
  beforeAll(async () => {
    index = await indexOf(DOCS);
  });

  const chat = (question: string, more: Partial<Extract<EvalItem, { kind: "chat" }>> = {}): EvalItem => ({
    kind: "chat",
    question,
    expect: [],
    answerHas: [],
    abstain: false,
    ...more,
  });

  it("counts an abstained answer as a retrieval miss when the question should be answered", async () => {
    const question = "Thời tiết Hà Nội ngày mai có mưa không?";
    // Retrieval does find the passage about rain; the answer abstains all the same.
    const found = await answerQuestion(index, question);
    expect(found.abstained).toBe(true);
    expect(found.passages.map((p) => p.meta.docId)).toContain("den-xe");

    const should = await evaluateItem(index, chat(question, { expect: ["den-xe"] }), 10);
    expect(should).toMatchObject({ abstained: true, abstainCorrect: false, rank: null, judged: true });
    // The same abstention on a question that should abstain keeps its retrieval rank.
    const shouldNot = await evaluateItem(index, chat(question, { expect: ["den-xe"], abstain: true }), 10);
    expect(shouldNot.abstainCorrect).toBe(true);
    expect(shouldNot.rank).toBeTypeOf("number");

    const m = summarise([should], [chat(question, { expect: ["den-xe"] })]);
    expect(m["recall@10"]).toBe(0);
    expect(m["mrr@10"]).toBe(0);
  });

  it("judges answer_has on the answer, not on its [n] markers", async () => {
    const question = "Khi trời mưa, thời tiết xấu thì người lái xe phải bật đèn từ mấy giờ?";
    const answered = await evaluateItem(
      index,
      chat(question, { expect: ["den-xe"], answerHas: ["18 giờ"] }),
      10,
    );
    expect(answered).toMatchObject({ abstained: false, rank: 1, answerOk: true });
    // "[1]" follows the quote, yet "1" is not in the answer.
    const marker = await evaluateItem(index, chat(question, { expect: ["den-xe"], answerHas: ["1"] }), 10);
    expect(marker.answerOk).toBe(false);
  });
});
