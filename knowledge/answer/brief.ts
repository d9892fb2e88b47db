import { foldKey, words } from "../../text/normalize.js";
import { splitSentences } from "../chunk/sentences.js";
import type { QuestionWeights } from "../index/knowledge-index.js";
import type { QuestionShape } from "./question-kind.js";

/** How short the quoted answer is when no shape applies (see `briefQuote`). */
export interface BriefOptions {
  /** Words of the quote, all units together. Default 45 (the "Căn cứ:" line follows). */
  readonly maxWords: number;
  /**
   * Share of the question's weight a further unit must add (syllables the quote does not have
   * yet) to be quoted too. Default 0.1.
   */
  readonly minGain: number;
}

export const DEFAULT_BRIEF: BriefOptions = { maxWords: 45, minGain: 0.1 };

/**
 * How a question asks rather than what it asks about ("… là bao lâu?", "khi nào", "có … hay
 * không"): words a passage's answer does not repeat, so they must not choose its sentence.
 */
const ASKING = ["là bao lâu", "bao lâu", "khi nào", "bao giờ", "lúc nào", "hay không", "hay chưa", "là"];
const ASKING_FOLDED = ASKING.map((p) => p.split(" ").map(foldKey));

/**
 * The question without how it asks (see ASKING), to weigh sentences with. "là" is dropped only
 * as written with its mark: "la" may be "lá" (thuốc lá). A final "không" or "chưa" goes too.
 */
export function withoutAsking(question: string): string {
  const ws = words(question);
  const folded = ws.map(foldKey);
  const out: string[] = [];
  for (let i = 0; i < ws.length; ) {
    const phrase = ASKING_FOLDED.find(
      (p) => p.every((f, j) => folded[i + j] === f) && (p.length > 1 || ws[i] === "là"),
    );
    if (phrase) {
      i += phrase.length;
      continue;
    }
    out.push(ws[i] as string);
    i++;
  }
  if (out.length > 1 && /^(?:không|khong|chưa|chua)$/iu.test(out.at(-1) ?? "")) out.pop();
  return out.join(" ");
}

const LIST_ITEM = /^(?:[a-zđ][.)]|\d+(?:\.\d+)*[.)]|[-+•–])\s/u;
const wordsOf = (s: string) => s.split(/\s+/).filter(Boolean);

interface Unit {
  /** The sentence, without parentheticals. */
  readonly text: string;
  /** Its position in the passage. */
  readonly at: number;
  /** Whether it starts a list line ("a)", "2.", "-"). */
  readonly item: boolean;
  /** Whether it introduces a list (ends with ":"). */
  readonly lead: boolean;
  readonly words: number;
}

/**
 * A passage's sentences (a list line may hold several), cleaned of what a phone does not need
 * first: parentheticals (a reference or an aside; the "Căn cứ:" line cites) and a "Theo quy
 * định tại …," lead-in.
 */
function unitsOf(text: string): Unit[] {
  const out: Unit[] = [];
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    splitSentences(trimmed).forEach((raw, i) => {
      const clean = raw
        .replace(/\s*\([^()]{0,120}\)/gu, "")
        .replace(/^Theo (?:quy định (?:tại|của) )?[^,]{0,80},\s*/u, "")
        .trim();
      if (!clean) return;
      out.push({
        text: clean,
        at: out.length,
        item: i === 0 && LIST_ITEM.test(trimmed),
        lead: clean.endsWith(":"),
        words: wordsOf(clean).length,
      });
    });
  }
  return out;
}

/**
 * Weight of a key that the passage's context (document title, headings) already says: the
 * "Căn cứ:" line names the document, so its words repeated in a sentence tell little — though
 * they still part equals ("cơ sở giáo dục" among the units a title lists).
 */
const KNOWN_WEIGHT = 0.3;

/** Keys of a text found in the question, and their share of the question's weight. */
interface Weigher {
  /** Share of the question's weight held by the keys, those the context says discounted. */
  share(keys: Iterable<string>): number;
  keysOf(text: string): Set<string>;
}

function weigher(q: QuestionWeights, context: string): Weigher {
  const known = new Set(q.key(context));
  const weight = (k: string) => (q.weights.get(k) ?? 0) * (known.has(k) ? KNOWN_WEIGHT : 1);
  let total = 0;
  for (const k of q.weights.keys()) total += weight(k);
  return {
    share: (keys) => {
      let s = 0;
      for (const k of keys) s += weight(k);
      return total > 0 ? s / total : 0;
    },
    keysOf: (text) => new Set(q.key(text).filter((k) => q.weights.has(k))),
  };
}

/** A date or a time limit: "ngày 01 tháng 01 năm 2025", "10/02/2022", "20 ngày", "24 giờ". */
const DATE = /\d{1,2}\/\d{1,2}|(?:ngày|tháng|năm) \d|\d+\s*(?:ngày|tháng|năm|giờ|phút|tuần)(?![\p{L}])/iu;

/**
 * Whether a text states a figure the question does not already hold ("cấp 2 - 3" in the
 * question is not an answer), in digits or words — not a reference ("khoản 1, 2 Điều 89") nor a
 * document's symbol ("23/2008/QH12"). For a date (`when`), only a date or a time limit counts.
 */
function holdsFigure(text: string, asked: ReadonlySet<string>, when: boolean): boolean {
  const plain = text
    .replace(LIST_ITEM, "")
    .replace(/(?:các )?(?:Điều|khoản|điểm|mục)\s+[\d\p{L}]{1,3}(?:(?:,\s*|\s+và\s+)\d+)*/gu, "")
    .replace(/\d+\/\d{4}\/[\p{L}\d-]+/gu, "");
  if (when) return DATE.test(plain);
  const figures = plain.match(/\d+(?:[.,/]\d+)*/gu) ?? [];
  if (figures.some((f) => !asked.has(f))) return true;
  // "chở một người", not "một số", "một trong các hành vi".
  return /(?:^|\s)(?:một|hai|ba|bốn|sáu|bảy|tám|chín|mười)\s(?!số|trong|cách|phần|khi|lúc|hoặc|và|,)/iu.test(
    plain,
  );
}

/** A rule's exception or special case: the question is rarely about it unless it names it. */
const EXCEPTION = /^(?:(?:\d+(?:\.\d+)*[.)]|[a-zđ][.)]|[-+•–])\s+)?(?:trường hợp|trừ|nếu)\s/iu;

/**
 * Cuts a sentence to about `max` words keeping what carries the question: its clauses ("; ")
 * are kept from the start through the last `useful` one (naming the question's words, or the
 * figure asked); clauses that carry nothing are dropped, from the end first, then from the
 * middle ("…"); what is still too long is cut after a comma near `max` words, with "…" — or,
 * when the `essential` part (the figure asked: "trước ngày 15 tháng 11") lies beyond, the start
 * is kept to half of `max` and the part that holds it follows.
 */
export function clip(
  text: string,
  max: number,
  useful: (clause: string) => boolean,
  essential: (part: string) => boolean = () => false,
): string {
  // A sentence a little over is kept whole: cutting it saves little and may cut the fact.
  const slack = Math.round(max * 1.3);
  if (wordsOf(text).length <= slack) return text;
  const clauses = text.split(/(?<=;)\s+/u);
  const keep = clauses.map((c, i) => i === 0 || useful(c));
  const last = Math.max(0, keep.lastIndexOf(true));
  const parts: Array<string | null> = clauses.slice(0, last + 1);
  const count = () => parts.reduce((n, c) => n + (c ? wordsOf(c).length : 0), 0);
  for (let i = parts.length - 1; i > 0 && count() > max; i--) if (!keep[i]) parts[i] = null;
  let out = "";
  parts.forEach((c, i) => {
    if (c === null) return;
    out += out ? (parts[i - 1] === null ? ` … ${c}` : ` ${c}`) : c;
  });
  out = out.replace(/[,;:]$/u, "");
  const ws = wordsOf(out);
  if (ws.length <= slack) return last < clauses.length - 1 ? `${out} …` : out;
  const cutAt = (head: string) => {
    const comma = Math.max(head.lastIndexOf(", "), head.lastIndexOf("; "));
    return comma > head.length * 0.6 ? head.slice(0, comma) : head.replace(/[,;:]$/u, "");
  };
  const head = ws.slice(0, max).join(" ");
  if (essential(out) && !essential(head)) {
    // From the last comma before the figure, half of `max` words.
    const tail = ws.slice(Math.floor(max / 2)).join(" ");
    const comma = tail.lastIndexOf(", ", Math.max(0, tail.search(/\d/u)));
    const from = comma < 0 ? 0 : comma + 2;
    const rest = wordsOf(tail.slice(from));
    const part = rest
      .slice(0, Math.ceil(max / 2))
      .join(" ")
      .replace(/[,;:]$/u, "");
    const more = rest.length > Math.ceil(max / 2) ? " …" : "";
    if (essential(part)) return `${cutAt(ws.slice(0, Math.floor(max / 2)).join(" "))} … ${part}${more}`;
  }
  return `${cutAt(head)} …`;
}

/**
 * A passage's quote and how well it answers, 0..1: the share of the question's weight its
 * context and best unit hold, less when that unit lacks the figure asked or is an exception.
 */
export interface Brief {
  readonly text: string;
  readonly score: number;
}

/**
 * The quote of a passage that answers, short for a phone. Units (sentences, list lines) are
 * weighed by the question's words that the passage's `context` (document title, headings) does
 * not already say — "Luật … có hiệu lực từ ngày nào?" is answered by the line with the date,
 * not the one that repeats the law's name. The best unit (a figure preferred for a number or a
 * date, a rule before its exceptions, the earlier among equals) is quoted, with the list items
 * it introduces when it ends with ":"; then, while they add `minGain` of the question's weight
 * and fit `maxWords`, the units that add most, in the passage's order.
 */
export function briefQuote(
  q: QuestionWeights,
  text: string,
  context: string,
  shape: QuestionShape,
  options: BriefOptions = DEFAULT_BRIEF,
): Brief {
  const units = unitsOf(text);
  if (units.length === 0) return { text: "", score: 0 };
  const w = weigher(q, context);
  const keys = new Map(units.map((u) => [u, w.keysOf(u.text)]));
  const keysOf = (u: Unit) => keys.get(u) ?? new Set<string>();
  const wantsNumber = shape.kind === "number" || shape.kind === "when";
  const asked = new Set(q.weights.keys());
  const figure = (text: string) => wantsNumber && holdsFigure(text, asked, shape.kind === "when");
  const itemsOf = (lead: Unit) => {
    const items: Unit[] = [];
    for (const u of units.slice(lead.at + 1)) {
      if (!u.item && items.length > 0) break;
      if (u.item) items.push(u);
    }
    return items;
  };
  // A line that introduces a list holds the figures of its items.
  const hasFigure = (u: Unit) => figure(u.text) || (u.lead && itemsOf(u).some((i) => figure(i.text)));
  // What the question asks beyond the document's names decides.
  const relevance = (u: Unit) => w.share(keysOf(u));
  // A number is answered by a figure; a rule comes before its exceptions; who or what is
  // asked, by the line that introduces the list of them ("… gồm:").
  const kindFit = (u: Unit) =>
    (wantsNumber && !hasFigure(u) ? 0.4 : 1) *
    (EXCEPTION.test(u.text) ? 0.7 : 1) *
    (u.lead && (shape.kind === "who" || shape.kind === "list") ? 1.1 : 1);
  const score = (u: Unit) => relevance(u) * kindFit(u) - u.at * 0.002;
  const first = [...units].sort((a, b) => score(b) - score(a) || a.at - b.at)[0] as Unit;
  // A clause carries the question when it names a twentieth of its weight, or the figure asked.
  const useful = (clause: string) => w.share(w.keysOf(clause)) >= 0.05 || figure(clause);
  const chosen = new Map<Unit, string>();
  const covered = new Set<string>();
  let used = 0;
  let figured = false;
  const take = (u: Unit, max: number) => {
    // The figure asked is kept through a cut, unless an earlier line (the list's lead) gave it.
    const quoted = clip(u.text, max, useful, figured ? undefined : figure);
    figured ||= figure(quoted);
    chosen.set(u, quoted);
    for (const k of w.keysOf(quoted)) covered.add(k);
    used += wordsOf(quoted).length;
  };
  const leadOf = (item: Unit) =>
    units
      .slice(0, item.at)
      .reverse()
      .find((u) => u.lead && itemsOf(u).includes(item));
  if (first.lead) {
    // A line ending with ":" says nothing without its items: they follow in order, one that
    // carries clearly more of the question first.
    take(first, Math.ceil(options.maxWords / 2));
    const items = itemsOf(first);
    const adds = (u: Unit) =>
      Math.floor(w.share([...keysOf(u)].filter((k) => !covered.has(k))) / options.minGain);
    const top = Math.max(...items.map(adds));
    const ranked = [...items.filter((u) => adds(u) === top), ...items.filter((u) => adds(u) !== top)];
    for (const [i, u] of ranked.entries())
      if (i === 0 || used + u.words <= options.maxWords) take(u, options.maxWords - used);
  } else {
    // An item is read under the line that introduces it ("Phạt tiền từ … đối với … sau đây:").
    const lead = first.item ? leadOf(first) : undefined;
    if (lead) take(lead, Math.floor(options.maxWords / 3));
    take(first, options.maxWords - used);
  }
  for (;;) {
    let next: { unit: Unit; gain: number } | null = null;
    for (const u of units) {
      if (chosen.has(u) || u.lead || used + u.words > options.maxWords) continue;
      const gain = w.share([...keysOf(u)].filter((k) => !covered.has(k)));
      if (gain >= options.minGain && (!next || gain > next.gain)) next = { unit: u, gain };
    }
    if (!next) break;
    take(next.unit, options.maxWords - used);
  }
  const ordered = [...chosen.entries()].sort(([a], [b]) => a.at - b.at);
  let out = "";
  ordered.forEach(([u, quoted], j) => {
    const prev = ordered[j - 1];
    const joint = prev === undefined ? "" : prev[0].at + 1 === u.at || prev[1].endsWith("…") ? " " : " … ";
    out += `${joint}${quoted}`;
  });
  // Across passages, the question's words count wherever the passage says them.
  const inContext = new Set([...w.keysOf(context), ...keysOf(first)]);
  let found = 0;
  let total = 0;
  for (const [k, weight] of q.weights) {
    total += weight;
    if (inContext.has(k)) found += weight;
  }
  out = out.replace(/[,;:]?\s*…(?:\s*…)+/gu, " …").replace(/[,;:]\s+…/gu, " …");
  return { text: out, score: total > 0 ? (found / total) * kindFit(first) : 0 };
}
