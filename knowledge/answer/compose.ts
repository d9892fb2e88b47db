import { splitSentences } from "../chunk/sentences.js";
import { coverage, type KnowledgeIndex, type QuestionWeights } from "../index/knowledge-index.js";
import {
  DEFAULT_HYBRID,
  type HybridSearchOptions,
  hybridSearch,
  type Passage,
} from "../retrieve/hybrid-search.js";
import { type Citation, citationOf, formatCitation } from "./citation.js";
import { referralsFor } from "./referral.js";

/** An answer as `ask --json` prints it. */
export interface Answer {
  readonly answer: string;
  readonly abstained: boolean;
  readonly citations: Citation[];
}

export interface AnswerOptions {
  /** Passages retrieved (and cited, at most). Default 5. */
  readonly k: number;
  /** Passages quoted in the answer text. Default 2. */
  readonly quoted: number;
  /** Characters of quoted text per passage. Default 450. */
  readonly maxQuote: number;
  /**
   * Minimum share of the question's weight found in the best passage; below it the answer
   * abstains. Default 0.5.
   */
  readonly minCoverage: number;
  readonly search: HybridSearchOptions;
}

export const DEFAULT_ANSWER: AnswerOptions = {
  k: 5,
  quoted: 2,
  maxQuote: 450,
  minCoverage: 0.5,
  search: DEFAULT_HYBRID,
};

/**
 * Picks the sentences of a passage that carry most of the question, keeping their order, up to
 * `max` characters (always at least one whole sentence).
 */
export function bestSentences(q: QuestionWeights, text: string, max: number): string {
  const sentences = text
    .split("\n")
    .flatMap((line) => splitSentences(line))
    .map((s, i) => ({ s, i, score: coverage(q, s) }));
  const ranked = [...sentences].sort((a, b) => b.score - a.score || a.i - b.i);
  const chosen: typeof sentences = [];
  let length = 0;
  for (const c of ranked) {
    if (chosen.length > 0 && (c.score === 0 || length + c.s.length > max)) continue;
    chosen.push(c);
    length += c.s.length + 1;
  }
  chosen.sort((a, b) => a.i - b.i);
  let out = "";
  for (let j = 0; j < chosen.length; j++) {
    const c = chosen[j] as (typeof chosen)[number];
    const prev = chosen[j - 1];
    out += prev === undefined ? c.s : prev.i + 1 === c.i ? ` ${c.s}` : ` … ${c.s}`;
  }
  return out;
}

/** The evidence strength of a passage for a question, 0..1. */
export function evidence(index: KnowledgeIndex, q: QuestionWeights, p: Passage): number {
  return coverage(q, index.contextText(p.chunk));
}

/**
 * Answers a question extractively: the best passages, trimmed to their most relevant
 * sentences, each with its source. When the best passage covers too little of the question
 * the answer says that the documents do not cover it and where to turn instead.
 */
export async function answerQuestion(
  index: KnowledgeIndex,
  question: string,
  options: AnswerOptions = DEFAULT_ANSWER,
): Promise<Answer & { passages: Passage[] }> {
  const passages = await hybridSearch(index, question, options.k, options.search);
  const q = index.questionWeights(question);
  const best = passages[0];
  if (!best || evidence(index, q, best) < options.minCoverage) {
    const lines = [
      "Xin lỗi, tài liệu của bot chưa có thông tin để trả lời câu hỏi này, nên bot không đoán.",
      ...referralsFor(question),
    ];
    return { answer: lines.join("\n"), abstained: true, citations: [], passages };
  }
  // Quote the best passage and the next ones that are nearly as strong.
  const quoted = passages
    .filter(
      (p, i) =>
        i === 0 || evidence(index, q, p) >= Math.max(options.minCoverage, 0.8 * evidence(index, q, best)),
    )
    .slice(0, options.quoted);
  const citations = passages.map(citationOf);
  const parts = quoted.map((p) => {
    const n = passages.indexOf(p) + 1;
    return `${bestSentences(q, p.chunk.text, options.maxQuote)} [${n}]`;
  });
  const sources = citations.map((c, i) => `[${i + 1}] ${formatCitation(c)}`);
  const answer = [...parts, "", "Nguồn:", ...sources].join("\n");
  return { answer, abstained: false, citations, passages };
}
