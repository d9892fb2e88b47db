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
import { lacksAmount, lacksSanction } from "../text/asked-facts.js";
import { conceptCredit, expandConcepts, missingConcepts, offTopic } from "../text/concepts.js";
import { type BriefOptions, briefQuote, DEFAULT_BRIEF, withoutAsking } from "./brief.js";
import { basisLine, type Citation, citationOf } from "./citation.js";
import { type QuestionShape, questionShape } from "./question-kind.js";
import { referralsFor } from "./referral.js";
import { byRole } from "./roles.js";
import { DEFAULT_SHAPE, type ShapeOptions, shapeAnswer } from "./shape.js";

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
  /** The full text of the article the answer quotes first, shown under "Xem nguồn"; null when abstained. */
  readonly detail: string | null;
}

export interface AnswerOptions {
  /** Passages retrieved (and cited, at most). Default 5. */
  readonly k: number;
  /** Passages quoted in the answer text when it is not shaped. Default 1. */
  readonly quoted: number;
  /** Characters of quoted text per passage (about 80 words) when `brief` is null. Default 450. */
  readonly maxQuote: number;
  /** How short a quote is when no shape applies (see `briefQuote`); null quotes up to `maxQuote`. */
  readonly brief: BriefOptions | null;
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
  /** See `strongCoverage`. Default 0.15 (0.2 let "Sĩ số tối đa của một lớp…" be answered by a school-bus rule). */
  readonly keyShare: number;
  /**
   * Passages, from the top, tried as the one that answers (the first good enough is quoted).
   * Default 5.
   */
  readonly candidates: number;
  /**
   * Whether the answering passage must name the question's concepts (`missingConcepts`), and
   * their law names are searched too. Default true.
   */
  readonly conceptTest: boolean;
  /** How the direct answer is shaped; null quotes the best sentences only. */
  readonly shape: ShapeOptions | null;
  /** Characters of the article under "Xem nguồn". Default 3000. */
  readonly maxDetail: number;
  readonly search: HybridSearchOptions;
}

export const DEFAULT_ANSWER: AnswerOptions = {
  k: 5,
  quoted: 1,
  maxQuote: 450,
  brief: DEFAULT_BRIEF,
  minCoverage: 0.45,
  foldedMargin: 0.15,
  strongCoverage: 0.6,
  keyShare: 0.15,
  candidates: 5,
  conceptTest: true,
  shape: DEFAULT_SHAPE,
  maxDetail: 3000,
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
 * The passage that answers: the first of the top `candidates` whose support is enough (see
 * `answers`) and that names every required concept of the question (see `missingConcepts`:
 * "thuốc lá điện tử" is not answered by a passage about drugs that shares its other words).
 */
export function answeringPassage(
  index: KnowledgeIndex,
  question: string,
  q: QuestionWeights,
  passages: readonly Passage[],
  options: AnswerOptions,
): Passage | null {
  return answeringPassages(index, question, q, passages, options)[0] ?? null;
}

/** Every passage of the top `candidates` that answers (see `answeringPassage`), in rank order. */
export function answeringPassages(
  index: KnowledgeIndex,
  question: string,
  q: QuestionWeights,
  passages: readonly Passage[],
  options: AnswerOptions,
): Passage[] {
  const found: Passage[] = [];
  for (const p of passages.slice(0, options.candidates)) {
    const context = index.contextText(p.chunk);
    // The question's words for a concept the passage names in the law's words count as found.
    const credited = options.conceptTest ? `${context}\n${conceptCredit(question, context)}` : context;
    if (!answers(support(q, credited), question, options)) continue;
    if (
      options.conceptTest &&
      (missingConcepts(question, context).length > 0 ||
        lacksSanction(question, context) ||
        lacksAmount(question, context) ||
        offTopic(question, p.chunk.headings.join("\n")))
    )
      continue;
    found.push(p);
  }
  return found;
}

/** How much a passage's rank below the first answering one costs its quote's score. */
const RANK_COST = 0.05;

/**
 * The short quote (see `briefQuote`) of the answering passage whose best sentence answers
 * best, a rank costing `RANK_COST`: the first passage may share the question's words while
 * the sentence with the figure asked is in the next one.
 */
function briefOf(
  index: KnowledgeIndex,
  asked: string,
  shape: QuestionShape,
  answering: readonly Passage[],
  options: BriefOptions,
): { text: string; passage: Passage } {
  const q = index.questionWeights(asked);
  let chosen: { text: string; passage: Passage; score: number } | null = null;
  answering.forEach((passage, rank) => {
    const quote = briefQuote(q, passage.chunk.text, contextOf(index, passage), shape, options);
    const score = quote.score - rank * RANK_COST;
    if (!chosen || score > chosen.score) chosen = { text: quote.text, passage, score };
  });
  const found = chosen as { text: string; passage: Passage } | null;
  if (!found) throw new Error("briefOf needs an answering passage");
  return found;
}

/** What a passage's chunk is read under: its document's names and its headings. */
function contextOf(index: KnowledgeIndex, p: Passage): string {
  const all = index.contextText(p.chunk);
  return all.slice(0, all.length - p.chunk.text.length);
}

/** The full text of a passage's article (its chunks joined), for "Xem nguồn". */
function articleOf(index: KnowledgeIndex, p: Passage, max: number): string {
  const parts = p.chunk.article
    ? [...index.chunks.values()]
        .filter((c) => c.docId === p.chunk.docId && c.article === p.chunk.article)
        .sort((a, b) => a.slot - b.slot)
    : [p.chunk];
  const text = parts
    .map((c, i) => {
      const lead = (c as { lead?: string }).lead;
      return i > 0 && lead && c.text.startsWith(lead) ? c.text.slice(lead.length).trim() : c.text;
    })
    .join("\n");
  const heading = p.chunk.headings.at(-1);
  const full = heading && !text.startsWith(heading) ? `${heading}\n${text}` : text;
  return full.length > max ? `${full.slice(0, max).replace(/\s+\S*$/u, "")} …` : full;
}

/**
 * Answers a question extractively, shaped for a phone: the direct answer first (the list of
 * the article that matches, "Có."/"Không." and the rule, the number, or the most relevant
 * sentences, about `shape.maxWords` words), each line marked with its document's [n], then one
 * "Căn cứ:" line naming what was quoted (in Vietnamese, the documents' language: see
 * `ANSWER_LANG`); the full article is `detail`, for "Xem nguồn". When no passage answers (too
 * little of the question, or not what it is about) the answer says, in `lang` (the asker's
 * language, default Vietnamese), that the documents do not cover it and where to turn instead.
 */
export async function answerQuestion(
  index: KnowledgeIndex,
  question: string,
  options: AnswerOptions = DEFAULT_ANSWER,
  lang: Lang = "vi",
): Promise<Answer & { passages: Passage[] }> {
  // The law's names for the question's concepts ("xe gắn máy" for "xe máy điện") are searched too.
  const expanded = options.conceptTest ? expandConcepts(question) : question;
  // The direct answer may come from a little deeper than the passages cited by default.
  const pool = await hybridSearch(index, expanded, Math.max(options.k, 10), options.search);
  const passages = pool.slice(0, options.k);
  const q = index.questionWeights(question);
  // What the teacher does towards parents does not answer what parents do towards the teacher.
  const answering = byRole(q, question, answeringPassages(index, question, q, passages, options));
  const best = answering[0];
  if (!best) {
    const body = [tl(lang, "answer.abstain"), ...referralsFor(question, lang)].join("\n");
    return { answer: body, body, basis: null, abstained: true, citations: [], detail: null, passages };
  }
  const shape = questionShape(question);
  const qx = index.questionWeights(expanded);
  const shaped = options.shape ? shapeAnswer(index, question, qx, shape, pool, options.shape) : null;
  const lines: Array<{ text: string; passage: Passage }> = shaped
    ? [...shaped.lines]
    : options.brief
      ? [briefOf(index, withoutAsking(expanded), shape, answering, options.brief)]
      : passages
          // Quote the answering passage and the next ones that are nearly as strong.
          .filter(
            (p) =>
              p === best ||
              (passages.indexOf(p) > passages.indexOf(best) &&
                evidence(index, q, p) >= Math.max(options.minCoverage, 0.8 * evidence(index, q, best))),
          )
          .slice(0, options.quoted)
          .map((p) => ({
            text: bestSentences(q, p.chunk.text, options.maxQuote)
              .replace(/\s*\([^()]{0,120}\)/gu, "")
              .replace(/^Theo (?:quy định (?:tại|của) )?[^,]{0,80},\s*/u, ""),
            passage: p,
          }));
  // Passages quoted that retrieval did not rank (a list's article, an age rule) are cited after it.
  const cited = [...passages];
  for (const { passage } of lines)
    if (!cited.some((p) => p.chunk.slot === passage.chunk.slot)) cited.push(passage);
  const citations = cited.map((p) => citationOf(p));
  // The [n] after a quote numbers its document as sourceLines(citations) lists them.
  const docOrder = [...new Set(cited.map((p) => p.meta.docId))];
  const body = lines.map((l) => `${l.text} [${docOrder.indexOf(l.passage.meta.docId) + 1}]`).join("\n");
  const basis = basisLine(
    lines.map((l) => citationOf(l.passage)),
    citations,
  );
  const detail = articleOf(index, lines[0]?.passage ?? best, options.maxDetail);
  return { answer: `${body}\n\n${basis}`, body, basis, abstained: false, citations, detail, passages };
}
