import { tl } from "../../i18n.js";
import { foldKey, words } from "../../text/normalize.js";
import { splitSentences } from "../chunk/sentences.js";
import type { DocumentMeta } from "../document.js";
import {
  coverage,
  type IndexedChunk,
  type KnowledgeIndex,
  type QuestionWeights,
} from "../index/knowledge-index.js";
import type { Passage } from "../retrieve/hybrid-search.js";
import { type Concept, findConcepts, mentions } from "../text/concepts.js";
import { ANSWER_LANG } from "./citation.js";
import { polarity } from "./polarity.js";
import type { QuestionShape } from "./question-kind.js";

const say = (key: string, vars?: Record<string, string | number>) => tl(ANSWER_LANG, key, vars);

/** The first bubble's direct answer and the passages it quotes (cited in its "Căn cứ:" line). */
export interface ShapedAnswer {
  /** Lines of the direct answer, each ending with the [n] of its passage's document. */
  readonly lines: ReadonlyArray<{ readonly text: string; readonly passage: Passage }>;
}

export interface ShapeOptions {
  /** Words of the direct answer, list items apart. Default 60. */
  readonly maxWords: number;
  /** Words of one list item. Default 14. */
  readonly itemWords: number;
  /** Items of a list shown; the rest stay behind "Xem nguồn". Default 8. */
  readonly maxItems: number;
}

export const DEFAULT_SHAPE: ShapeOptions = { maxWords: 60, itemWords: 14, maxItems: 8 };

const LIST_ITEM = /^(?:[a-zđ][.)]|\d+(?:\.\d+)*[.)]|[-+•–])\s+/u;
const wordCount = (s: string) => s.split(/\s+/).filter(Boolean).length;

/** An official text (a law, a decree…), not a guidance card or a report. */
export function isOfficial(meta: DocumentMeta): boolean {
  return (
    meta.symbol !== undefined &&
    !/tài liệu hướng dẫn|tóm tắt|báo cáo/iu.test(meta.kind ?? "") &&
    (meta.explains?.length ?? 0) === 0
  );
}

/**
 * Cuts a text to about `max` words at a clause boundary (";", ",", ":"), or at a word with "…".
 * References in brackets ("(Điều 7 khoản 2 điểm i)") are dropped first: the answer's "Căn cứ:"
 * line is what cites, and a fact sheet's own references would contradict it.
 */
export function compact(text: string, max: number): string {
  const s = text
    .replace(LIST_ITEM, "")
    .replace(/\s*\((?:theo\s+)?(?:Điều|khoản|điểm)\s[^()]*\)/giu, "")
    .replace(/\s+/g, " ")
    .trim();
  const ws = s.split(" ");
  if (ws.length <= max) return s;
  const head = ws.slice(0, max).join(" ");
  const cut = Math.max(head.lastIndexOf("; "), head.lastIndexOf(", "), head.lastIndexOf(": "));
  if (cut > head.length * 0.5) return `${head.slice(0, cut)} …`;
  return `${head.replace(/[,;:]$/, "")} …`;
}

/** A chunk's text without the lines repeated from earlier in its article. */
function ownText(chunk: IndexedChunk): string {
  const lead = (chunk as { lead?: string }).lead;
  return lead && chunk.text.startsWith(lead) ? chunk.text.slice(lead.length) : chunk.text;
}

function passageOf(index: KnowledgeIndex, chunk: IndexedChunk, passages: readonly Passage[]): Passage | null {
  const found = passages.find((p) => p.chunk.slot === chunk.slot);
  if (found) return found;
  const meta = index.docs.get(chunk.docId);
  return meta ? { chunk, meta, score: 0 } : null;
}

/** Sentences and list lines of a passage, each a unit an answer may quote. */
function units(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .flatMap((line) => (LIST_ITEM.test(line) ? [line] : splitSentences(line)));
}

/**
 * For a question asking for a list: the article whose heading matches the question best (among
 * every article, a little ahead when its document was retrieved), and its items, compactly.
 */
function listAnswer(
  index: KnowledgeIndex,
  qx: QuestionWeights,
  passages: readonly Passage[],
  options: ShapeOptions,
): ShapedAnswer | null {
  const retrieved = new Set(passages.map((p) => p.meta.docId));
  const symbols = new Set(passages.map((p) => p.meta.symbol).filter(Boolean));
  let best: { chunk: IndexedChunk; score: number; base: number } | null = null;
  for (const chunk of index.chunks.values()) {
    const heading = chunk.headings.at(-1);
    if (!heading || !chunk.article) continue;
    const meta = index.docs.get(chunk.docId);
    if (!meta) continue;
    const related = retrieved.has(meta.docId) || (meta.symbol !== undefined && symbols.has(meta.symbol));
    const base = coverage(qx, heading) + (related ? 0.1 : 0) + (isOfficial(meta) ? 0.05 : 0);
    // Many laws have an article "Các hành vi bị nghiêm cấm": the one whose title the question
    // names ("… trong phòng, chống ma túy") is the one asked about.
    const score = base + 0.3 * coverage(qx, meta.title);
    if (!best || score > best.score || (score === best.score && chunk.slot < best.chunk.slot))
      best = { chunk, score, base };
  }
  if (!best || best.base < 0.5) return null;
  const { chunk } = best;
  const parts = [...index.chunks.values()]
    .filter((c) => c.docId === chunk.docId && c.article === chunk.article)
    .sort((a, b) => a.slot - b.slot);
  const lines = parts.flatMap((c) =>
    ownText(c)
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean),
  );
  // Items of the article's first level: "1.", "2." (or "a)" when it has no numbered clauses).
  const numbered = lines.filter((l) => /^\d+[.)]\s/u.test(l));
  const items = numbered.length >= 2 ? numbered : lines.filter((l) => /^[a-zđ][.)]\s/u.test(l));
  if (items.length < 2) return null;
  const passage = passageOf(index, chunk, passages);
  if (!passage) return null;
  const intro = lines.find((l) => !LIST_ITEM.test(l) && l !== chunk.headings.at(-1) && !/^Điều \d/u.test(l));
  const shown = items.slice(0, options.maxItems).map((l, i) => {
    const marker = /^(\d+|[a-zđ])/u.exec(l)?.[1] ?? String(i + 1);
    const sep = /^\d/u.test(marker) ? "." : ")";
    return `${marker}${sep} ${compact(l.replace(LIST_ITEM, ""), options.itemWords)}`;
  });
  if (items.length > options.maxItems)
    shown.push(say("answer.moreItems", { n: items.length - options.maxItems }));
  const head = intro ? compact(intro, 25) : compact(chunk.headings.at(-1) ?? "", 25);
  return { lines: [{ text: [head, ...shown].join("\n"), passage }] };
}

interface Candidate {
  readonly text: string;
  readonly passage: Passage;
  readonly score: number;
}

/** Units of the top passages that name every required concept of the question, best first. */
function candidates(
  qx: QuestionWeights,
  passages: readonly Passage[],
  concepts: readonly Concept[],
  accept: (unit: string) => boolean,
): Candidate[] {
  const out: Candidate[] = [];
  passages.forEach((passage, rank) => {
    for (const unit of units(ownText(passage.chunk))) {
      if (!accept(unit) || concepts.some((c) => !mentions(c, unit))) continue;
      const official = isOfficial(passage.meta) ? 0.05 : 0;
      // Short units first among equals: the answer is the number, not the paragraph around it.
      const length = wordCount(unit) * 0.002;
      out.push({ text: unit, passage, score: coverage(qx, unit) + official - rank * 0.01 - length });
    }
  });
  return out.sort((a, b) => b.score - a.score);
}

/** An age rule of the traffic law: "Người đủ 16 tuổi trở lên được điều khiển xe gắn máy". */
const RULE = /(?:người\s+)?đủ\s+(\d{1,2})\s+tuổi\s+trở\s+lên\s+được\s+([^;.]+)/iu;

/**
 * For a question asking from what age a vehicle may be driven ("Bao nhiêu tuổi thì được điều
 * khiển xe gắn máy?"): the lowest age rule of the law whose permission names the vehicle.
 */
function minimumAge(
  index: KnowledgeIndex,
  vehicles: readonly Concept[],
  passages: readonly Passage[],
): ShapedAnswer | null {
  if (vehicles.length === 0) return null;
  let best: { min: number; line: string; chunk: IndexedChunk } | null = null;
  for (const chunk of index.chunks.values()) {
    const meta = index.docs.get(chunk.docId);
    if (!meta || !isOfficial(meta) || !/tuổi/u.test(chunk.text)) continue;
    for (const raw of chunk.text.split("\n")) {
      const m = RULE.exec(raw);
      // The vehicle must be what the rule permits, not a word elsewhere on the line.
      if (!m || !vehicles.some((v) => mentions(v, m[2] as string))) continue;
      const min = Number(m[1]);
      if (!best || min < best.min) best = { min, line: raw.trim().replace(LIST_ITEM, ""), chunk };
    }
  }
  const passage = best && passageOf(index, best.chunk, passages);
  return best && passage ? { lines: [{ text: compact(best.line, 40), passage }] } : null;
}

/**
 * For a question naming an age and a vehicle: the age rules of the law ("Người đủ 16 tuổi trở
 * lên được điều khiển xe gắn máy") read for that age — the highest one reached and the next one
 * ahead — and whether the age allows the vehicle at all.
 */
function ageLines(
  index: KnowledgeIndex,
  age: number,
  vehicles: readonly Concept[],
  passages: readonly Passage[],
): { lines: Array<{ text: string; passage: Passage }>; allowed: boolean } | null {
  if (vehicles.length === 0) return null;
  let reached: { min: number; what: string; chunk: IndexedChunk } | null = null;
  let ahead: { min: number; what: string; chunk: IndexedChunk } | null = null;
  for (const chunk of index.chunks.values()) {
    const meta = index.docs.get(chunk.docId);
    if (!meta || !isOfficial(meta) || !/tuổi/u.test(chunk.text)) continue;
    for (const line of chunk.text.split("\n")) {
      const m = RULE.exec(line);
      if (!m || !vehicles.some((v) => mentions(v, line))) continue;
      const rule = { min: Number(m[1]), what: (m[2] as string).split(/,\s+được\s/u)[0]?.trim() ?? "", chunk };
      if (rule.min <= age && (!reached || rule.min > reached.min)) reached = rule;
      if (rule.min > age && (!ahead || rule.min < ahead.min)) ahead = rule;
    }
  }
  const lines: Array<{ text: string; passage: Passage }> = [];
  for (const [rule, key] of [
    [reached, "answer.ageOver"],
    [ahead, "answer.ageUnder"],
  ] as const) {
    const passage = rule && passageOf(index, rule.chunk, passages);
    if (rule && passage) lines.push({ text: say(key, { age, min: rule.min, what: rule.what }), passage });
  }
  return lines.length > 0 ? { lines, allowed: reached !== null } : null;
}

/**
 * The direct answer a careful person gives first, by the kind of question: the list of the
 * article that matches, "Có."/"Không." and the rule, the number, else the most relevant
 * sentences. `qx` weighs the question with the law's names for its concepts. Null when no
 * shaping applies (the caller quotes the best passage as before).
 */
export function shapeAnswer(
  index: KnowledgeIndex,
  question: string,
  qx: QuestionWeights,
  shape: QuestionShape,
  passages: readonly Passage[],
  options: ShapeOptions = DEFAULT_SHAPE,
): ShapedAnswer | null {
  const concepts = findConcepts(question)
    .map((f) => f.concept)
    .filter((c) => c.required !== false);
  if (shape.kind === "list") {
    const list = listAnswer(index, qx, passages, options);
    if (list) return list;
  }
  // A hotline for a named concept ("báo cháy"): the shortest unit naming it with a number.
  // Other numbers (amounts, counts) are quoted with their sentence: measured on the chat sets,
  // a unit picked alone too often held another figure than the one asked.
  if (shape.kind === "number" && shape.phone && concepts.length > 0) {
    const clauses = passages.map((p) => ({
      ...p,
      chunk: {
        ...p.chunk,
        text: units(ownText(p.chunk))
          .flatMap((u) => u.split(/;\s+/u))
          .join("\n"),
      },
    }));
    const [best] = candidates(qx, clauses, concepts, (u) => /\b\d{3,}\b/u.test(u.replace(/Điều \d+/gu, "")));
    if (best) {
      const text = compact(best.text, 35);
      const number = /\b\d{3,}\b/u.exec(text)?.[0];
      // The number first: it is the answer, the rest says when to call it.
      const lead = number && text.split(" ").indexOf(number) > 5 ? `${number} — ${text}` : text;
      const passage = passages.find((p) => p.chunk.slot === best.passage.chunk.slot) ?? best.passage;
      return { lines: [{ text: lead, passage }] };
    }
  }
  // "… bị phạt bao nhiêu?": the violation's point, under the fine its clause sets — when the
  // question names the violation (a helmet), not only a vehicle every point of the article shares.
  const defined = definition(index, question, passages);
  if (defined) return defined;
  // "Bao nhiêu tuổi / mấy tuổi thì được lái …": the youngest age the law allows it at.
  if (
    shape.kind === "number" &&
    shape.age === null &&
    / (?:bao nhieu|may) tuoi /u.test(foldedLine(question))
  ) {
    const youngest = minimumAge(
      index,
      concepts.filter((c) => c.kind === "vehicle"),
      passages,
    );
    if (youngest) return youngest;
  }
  if (shape.modal === "penalty" && concepts.some((c) => c.kind !== "vehicle" && c.kind !== "place")) {
    const fine = fineAnswer(qx, passages, concepts);
    if (fine) return fine;
  }
  if (shape.kind === "yes-no" && shape.modal) {
    const vehicles = concepts.filter((c) => c.kind === "vehicle");
    // The age rules say who may drive: not for a passenger, nor for "dưới 6 tuổi" (any age under).
    const rider = / (?:ngoi|duoc cho|cho con|cho be|cho tre|duoi \d+ tuoi) /u.test(foldedLine(question));
    const age = shape.age === null || rider ? null : ageLines(index, shape.age, vehicles, passages);
    // "Có được lái … không?" with an age: the age rules are the answer.
    if (age && shape.modal === "may") {
      const [first, ...rest] = age.lines;
      if (first) {
        const word = say(age.allowed ? "answer.yes" : "answer.no");
        return { lines: [{ text: `${word} ${first.text}`, passage: first.passage }, ...rest] };
      }
    }
    const best = candidates(qx, passages, concepts, (u) => polarity(shape, u, question) !== null)[0];
    if (best) {
      const word = say(polarity(shape, best.text, question) === "yes" ? "answer.yes" : "answer.no");
      return {
        lines: [{ text: `${word} ${compact(best.text, 40)}`, passage: best.passage }, ...(age?.lines ?? [])],
      };
    }
  }
  return null;
}

/** "Xe gắn máy là gì?", "… là xe như thế nào?", "… được hiểu là gì?": the term asked about. */
const DEFINITION = /^(.+?) (?:duoc hieu )?la (?:gi|xe gi|xe nhu the nao|nhu the nao|the nao)$/u;

/**
 * For a question asking what a term is: the law's own definition ("g. Xe gắn máy là xe có hai
 * hoặc ba bánh …"), from an official text, the line that starts with the term.
 */
function definition(
  index: KnowledgeIndex,
  question: string,
  passages: readonly Passage[],
): ShapedAnswer | null {
  const m = DEFINITION.exec(foldedLine(question).trim());
  const term = m?.[1]?.trim();
  if (!term || term.split(" ").length > 6) return null;
  for (const chunk of index.chunks.values()) {
    const meta = index.docs.get(chunk.docId);
    if (!meta || !isOfficial(meta)) continue;
    for (const raw of chunk.text.split("\n")) {
      const line = raw.trim().replace(LIST_ITEM, "").replaceAll("_", "");
      if (!foldedLine(line).startsWith(` ${term} la `)) continue;
      const passage = passageOf(index, chunk, passages);
      if (passage) return { lines: [{ text: compact(line, 45), passage }] };
    }
  }
  return null;
}

/** The question's words folded, between spaces, for matching phrases. */
function foldedLine(question: string): string {
  return ` ${words(question).map(foldKey).join(" ")} `;
}

/** A clause's fine: "Phạt tiền từ 400.000 đồng đến 600.000 đồng …". */
const FINE = /^(?:\d+\.\s*)?Phạt tiền từ [\d.]+ đồng đến [\d.]+ đồng/u;

/**
 * For a question about a penalty: the point of a fines article that names the question's
 * concepts ("h. Không đội mũ bảo hiểm …"), quoted after the amount of the clause it sits in —
 * the answer is the amount, the point says which violation it is for.
 */
function fineAnswer(
  qx: QuestionWeights,
  passages: readonly Passage[],
  concepts: readonly Concept[],
): ShapedAnswer | null {
  let best: { text: string; passage: Passage; score: number } | null = null;
  passages.forEach((passage, rank) => {
    let amount: string | null = null;
    for (const raw of passage.chunk.text.split("\n")) {
      const line = raw.trim();
      const fine = FINE.exec(line);
      if (fine) {
        amount = fine[0].replace(/^\d+\.\s*/u, "");
        continue;
      }
      // Another clause (deducted points, extra sanctions…) ends the fine's list.
      if (/^\d+\.\s/u.test(line)) amount = null;
      if (!amount || !LIST_ITEM.test(line) || concepts.some((c) => !mentions(c, line))) continue;
      const official = isOfficial(passage.meta) ? 0.05 : 0;
      const score = coverage(qx, line) + official - rank * 0.01;
      if (!best || score > best.score) best = { text: `${amount}: ${compact(line, 40)}`, passage, score };
    }
  });
  const found = best as { text: string; passage: Passage } | null;
  return found ? { lines: [{ text: found.text, passage: found.passage }] } : null;
}

/** Words of a text, as the median answer length counts them. */
export { wordCount };
