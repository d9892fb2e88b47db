import { tl } from "../../i18n.js";
import { foldKey, removeDiacritics, words } from "../../text/normalize.js";
import { ANSWER_LANG } from "../answer/citation.js";
import { type Answer, type AnswerOptions, answerQuestion, DEFAULT_ANSWER } from "../answer/compose.js";
import type { Chunk } from "../document.js";
import type { KnowledgeIndex } from "../index/knowledge-index.js";
import type { Passage } from "../retrieve/hybrid-search.js";
import type { EvalItem } from "./questions.js";

export interface ItemResult {
  readonly question: string;
  /**
   * 1-based rank of the first acceptable source within k, or null — also null when the answer
   * abstained on a question it should have answered: the user got no answer, whatever was found.
   */
  readonly rank: number | null;
  /** Whether the item is judged on retrieval (has relevant articles or expected documents). */
  readonly judged: boolean;
  readonly abstained: boolean;
  readonly abstainCorrect: boolean;
  /** answer_has satisfied (true when there is nothing to check). */
  readonly answerOk: boolean;
  readonly top: string | null;
  /** Words of the first bubble (the answer with its "Căn cứ:" line, or the abstention). */
  readonly words: number;
}

export interface Metrics {
  readonly n: number;
  readonly "recall@1": number;
  readonly "recall@5": number;
  readonly "recall@10": number;
  readonly "mrr@10": number;
  readonly abstain_accuracy: number;
  readonly answer_has_accuracy?: number;
  /** Questions marked `abstain: true` that were answered anyway (present when there are any). */
  readonly out_of_scope_answered?: number;
  /** Median words of the first bubble over the answered questions. */
  readonly median_words?: number;
}

/** Compared without case, spaces, punctuation or diacritics ("124/2021/TT-BCA" = "124/2021/tt bca"). */
export const loose = (s: string) =>
  removeDiacritics(s)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");

/**
 * The text an answer gives, as `answer_has` is judged on: the quoted sentences (`body`) without
 * their [n] markers; never the "Căn cứ:" line or the sources, which name documents ("12" is not
 * answered by "Công văn 1281/VP…" being cited).
 */
export function answerText(answer: Pick<Answer, "body">): string {
  return answer.body.replace(/\[\d+\]/g, " ");
}

/**
 * Words as the index folds them (lower case, no diacritics, no leading zeros: "02" = "2"), with
 * digit groups joined first so that an amount stays one word: "400.000" is 400000 and is not
 * found in "400.000.000".
 */
function foldedWords(text: string): string[] {
  return words(text.replace(/(\d)[.,](?=\d{3}(?!\d))/g, "$1")).map(foldKey);
}

/**
 * Whether `expected` occurs in `text` as whole words, compared without case or diacritics and
 * whatever separates the words: "10/02/2022" is in "từ ngày 10/2/2022", "12" is not in "1281",
 * "công an" is in "Công An". An expected string without any word is always found.
 */
export function hasWords(text: string, expected: string): boolean {
  const want = foldedWords(expected);
  const have = foldedWords(text);
  for (let i = 0; i + want.length <= have.length; i++)
    if (want.every((w, j) => have[i + j] === w)) return true;
  return false;
}

/** The ids and symbols of the documents the index holds, compared `loose`ly. */
function heldNames(index: KnowledgeIndex): Set<string> {
  const names = new Set<string>();
  for (const d of index.docs.values()) {
    names.add(loose(d.docId));
    if (d.symbol) names.add(loose(d.symbol));
  }
  return names;
}

/** A citation unit: an article of a law, otherwise a single chunk. */
export const citationUnit = (c: Chunk) => `${c.docId}\u0000${c.article ?? c.id}`;

/**
 * Ranked citation units: passages of the same article count once, at the rank of the best.
 * This is what a hit is judged on, so that splitting long articles neither helps nor hurts.
 */
function units(passages: readonly Passage[]): Passage[] {
  const seen = new Set<string>();
  return passages.filter((p) => {
    const u = citationUnit(p.chunk);
    if (seen.has(u)) return false;
    seen.add(u);
    return true;
  });
}

export async function evaluateItem(
  index: KnowledgeIndex,
  item: EvalItem,
  k: number,
  options: AnswerOptions = DEFAULT_ANSWER,
  stripDiacritics = false,
): Promise<ItemResult> {
  const question = stripDiacritics ? removeDiacritics(item.question) : item.question;
  // Retrieve deeper than k so that k distinct units remain after merging split articles.
  const result: Answer & { passages: Passage[] } = await answerQuestion(index, question, {
    ...options,
    k: Math.max(options.k, k * 3),
  });
  const ranked = units(result.passages).slice(0, k);
  let hit: (p: Passage) => boolean;
  let judged: boolean;
  if (item.kind === "alqac") {
    hit = (p) => item.relevant.some((r) => r.docId === p.meta.docId && r.article === p.chunk.article);
    judged = true;
  } else {
    const want = new Set(item.expect.map(loose));
    const held = heldNames(index);
    // A guidance card stands in for a document the corpus has no text of (Chỉ thị 07 …); where
    // the text is shipped, only the text itself is a hit.
    const standsIn = (p: Passage) =>
      (p.meta.explains ?? []).some((e) => !e.includes("#") && want.has(loose(e)) && !held.has(loose(e)));
    hit = (p) =>
      want.has(loose(p.meta.docId)) ||
      (p.meta.symbol !== undefined && want.has(loose(p.meta.symbol))) ||
      standsIn(p);
    judged = item.expect.length > 0;
  }
  const shouldAbstain = item.kind === "chat" && item.abstain;
  // An abstention on a question that has an answer is a miss, however well retrieval did.
  const at = result.abstained && !shouldAbstain ? -1 : ranked.findIndex(hit);
  const text = answerText(result);
  const answerOk =
    item.kind === "alqac" || item.answerHas.every((s) => !result.abstained && hasWords(text, s));
  const first = ranked[0];
  return {
    question,
    rank: judged && at >= 0 ? at + 1 : null,
    judged,
    abstained: result.abstained,
    abstainCorrect: result.abstained === shouldAbstain,
    answerOk,
    words: result.answer.split(/\s+/).filter(Boolean).length,
    top: first
      ? `${first.meta.symbol ?? first.meta.docId}${first.chunk.article ? ` ${tl(ANSWER_LANG, "answer.article", { n: first.chunk.article })}` : ""}`
      : null,
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function summarise(results: readonly ItemResult[], items: readonly EvalItem[]): Metrics {
  const judged = results.filter((r) => r.judged);
  const share = (f: (r: ItemResult) => boolean, of: readonly ItemResult[]) =>
    of.length === 0 ? 0 : of.filter(f).length / of.length;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const withAnswerHas = results.filter((_, i) => {
    const it = items[i];
    return it?.kind === "chat" && it.answerHas.length > 0;
  });
  const outOfScope = results.filter((_, i) => {
    const it = items[i];
    return it?.kind === "chat" && it.abstain;
  });
  const answered = results.filter((r) => !r.abstained);
  return {
    n: results.length,
    "recall@1": round(share((r) => r.rank !== null && r.rank <= 1, judged)),
    "recall@5": round(share((r) => r.rank !== null && r.rank <= 5, judged)),
    "recall@10": round(share((r) => r.rank !== null && r.rank <= 10, judged)),
    "mrr@10": round(
      judged.length === 0
        ? 0
        : judged.reduce((s, r) => s + (r.rank && r.rank <= 10 ? 1 / r.rank : 0), 0) / judged.length,
    ),
    abstain_accuracy: round(share((r) => r.abstainCorrect, results)),
    ...(withAnswerHas.length > 0 && { answer_has_accuracy: round(share((r) => r.answerOk, withAnswerHas)) }),
    ...(outOfScope.length > 0 && { out_of_scope_answered: outOfScope.filter((r) => !r.abstained).length }),
    ...(answered.length > 0 && { median_words: median(answered.map((r) => r.words)) }),
  };
}
