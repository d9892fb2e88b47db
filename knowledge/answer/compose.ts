import { type Lang, tl } from "../../i18n.js";
import { hasDiacritics } from "../../text/normalize.js";
import { splitSentences } from "../chunk/sentences.js";
import {
  coverage,
  type KnowledgeIndex,
  type QuestionWeights,
  type Support,
  support,
} from "../index/knowledge-index.js";
import {
  DEFAULT_HYBRID,
  type HybridSearchOptions,
  hybridSearch,
  type Passage,
} from "../retrieve/hybrid-search.js";
import { basisLine, type Citation, citationOf } from "./citation.js";
import { referralsFor } from "./referral.js";

/**
 * An answer as `ask --json` prints it. The text users see is `answer`: `body`, then a blank line
 * and `basis` when there is one. The full list of sources is not in it: show
 * `sourceLines(citations)` (one line per document, numbered as the [n] markers) on request.
 */
export interface Answer {
  readonly answer: string;
  /** The quoted sentences, each passage followed by the [n] of its document; or the abstention. */
  readonly body: string;
  /** One line starting with `BASIS_PREFIX` ("Căn cứ: [1] Điều 7 Thông tư 124/2021/TT-BCA"); null when abstained. */
  readonly basis: string | null;
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
   * abstains. Default 0.45.
   */
  readonly minCoverage: number;
  /**
   * Added to `minCoverage` for questions written without diacritics: folded syllables match
   * by accident far more often ("ga" is gà, gã, ga …). Default 0.15.
   */
  readonly foldedMargin: number;
  /**
   * Below this coverage, a passage that lacks one syllable carrying `keyShare` or more of the
   * question's weight does not answer it: the question is about something the passage does
   * not name ("Thời tiết Hà Nội ngày mai…" against a traffic rule about rain). Default 0.6.
   */
  readonly strongCoverage: number;
  /** See `strongCoverage`. Default 0.2. */
  readonly keyShare: number;
  readonly search: HybridSearchOptions;
}

export const DEFAULT_ANSWER: AnswerOptions = {
  k: 5,
  quoted: 2,
  maxQuote: 450,
  minCoverage: 0.45,
  foldedMargin: 0.15,
  strongCoverage: 0.6,
  keyShare: 0.2,
  search: DEFAULT_HYBRID,
};

const LIST_ITEM = /^(?:[a-zđ][.)]|\d+(?:\.\d+)*[.)]|[-+•–])\s/u;

/**
 * Picks the sentences of a passage that carry most of the question, keeping their order, up to
 * `max` characters (always at least one whole sentence). A chosen list item brings the line
 * that introduces its list ("Phạt tiền từ … đối với … sau đây:"), which usually holds the answer.
 */
export function bestSentences(q: QuestionWeights, text: string, max: number): string {
  const lines = text.split("\n").filter((l) => l.trim());
  const sentences: Array<{ s: string; i: number; line: number; score: number }> = [];
  const leadOf: Array<number | undefined> = [];
  lines.forEach((line, n) => {
    const prev = leadOf[n - 1];
    leadOf[n] =
      LIST_ITEM.test(line.trim()) && n > 0 ? (lines[n - 1]?.trim().endsWith(":") ? n - 1 : prev) : undefined;
    for (const sentence of splitSentences(line))
      sentences.push({ s: sentence, i: sentences.length, line: n, score: coverage(q, sentence) });
  });
  const ranked = [...sentences].sort((a, b) => b.score - a.score || a.i - b.i);
  const chosen = new Map<number, (typeof sentences)[number]>();
  let length = 0;
  const take = (c: (typeof sentences)[number]) => {
    if (chosen.has(c.i)) return;
    chosen.set(c.i, c);
    length += c.s.length + 1;
  };
  for (const c of ranked) {
    if (chosen.size > 0 && (c.score === 0 || length + c.s.length > max)) continue;
    const lead = leadOf[c.line];
    const leadSentence = lead === undefined ? undefined : sentences.findLast((x) => x.line === lead);
    take(c);
    if (leadSentence) take(leadSentence);
  }
  const ordered = [...chosen.values()].sort((a, b) => a.i - b.i);
  let out = "";
  ordered.forEach((c, j) => {
    const prev = ordered[j - 1];
    out += prev === undefined ? c.s : prev.i + 1 === c.i ? ` ${c.s}` : ` … ${c.s}`;
  });
  return out;
}

/** The evidence strength of a passage for a question, 0..1. */
export function evidence(index: KnowledgeIndex, q: QuestionWeights, p: Passage): number {
  return coverage(q, index.contextText(p.chunk));
}

/** Whether a passage's support is enough to answer from it (see `AnswerOptions`). */
export function answers(s: Support, question: string, options: AnswerOptions): boolean {
  const threshold = options.minCoverage + (hasDiacritics(question) ? 0 : options.foldedMargin);
  if (s.coverage < threshold) return false;
  return s.coverage >= options.strongCoverage || s.missingKey < options.keyShare;
}

/**
 * Answers a question extractively: the best passages, trimmed to their most relevant
 * sentences, each marked with its document's [n], then one "Căn cứ:" line naming the documents
 * quoted (in Vietnamese, the documents' language: see `ANSWER_LANG`). When the best passage
 * covers too little of the question the answer says, in `lang` (the asker's language, default
 * Vietnamese), that the documents do not cover it and where to turn instead.
 */
export async function answerQuestion(
  index: KnowledgeIndex,
  question: string,
  options: AnswerOptions = DEFAULT_ANSWER,
  lang: Lang = "vi",
): Promise<Answer & { passages: Passage[] }> {
  const passages = await hybridSearch(index, question, options.k, options.search);
  const q = index.questionWeights(question);
  const best = passages[0];
  if (!best || !answers(support(q, index.contextText(best.chunk)), question, options)) {
    const body = [tl(lang, "answer.abstain"), ...referralsFor(question, lang)].join("\n");
    return { answer: body, body, basis: null, abstained: true, citations: [], passages };
  }
  // Quote the best passage and the next ones that are nearly as strong.
  const quoted = passages
    .filter(
      (p, i) =>
        i === 0 || evidence(index, q, p) >= Math.max(options.minCoverage, 0.8 * evidence(index, q, best)),
    )
    .slice(0, options.quoted);
  const citations = passages.map(citationOf);
  // The [n] after a quote numbers its document as sourceLines(citations) lists them.
  const docOrder = [...new Set(passages.map((p) => p.meta.docId))];
  const body = quoted
    .map((p) => `${bestSentences(q, p.chunk.text, options.maxQuote)} [${docOrder.indexOf(p.meta.docId) + 1}]`)
    .join("\n");
  const basis = basisLine(quoted.map(citationOf), citations);
  return { answer: `${body}\n\n${basis}`, body, basis, abstained: false, citations, passages };
}
