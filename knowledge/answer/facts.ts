import { accentKey, foldKey, hasDiacritics, normalizeText, words } from "../../text/normalize.js";

/**
 * The checkable facts of a text, in comparable form: what a model must not invent when it
 * rephrases an answer (see `grounded.ts`). Vietnamese and English forms of one fact get the same
 * key: "4.000.000 đồng", "4000000", "4 triệu", "bốn triệu" and "4 million" are all the number
 * 4000000; "Điều 7" and "Article 7" the reference "dieu 7"; "168/2024/NĐ-CP" the document
 * "168/2024/ND-CP".
 */
export interface Facts {
  /**
   * Numbers, each as the values it may stand for: itself, and multiplied when a range shares one
   * multiplier ("4 đến 6 triệu": the 4 may be 4 or 4 000 000). Values are canonical strings.
   */
  readonly numbers: ReadonlyArray<{ readonly text: string; readonly values: readonly string[] }>;
  /** Phone numbers, digits only ("0912 345 678" → "0912345678"). */
  readonly phones: ReadonlyArray<{ readonly text: string; readonly digits: string }>;
  /** Article, clause, point, chapter and section references ("dieu 7", "khoan 2", "diem a"). */
  readonly references: ReadonlyArray<{ readonly text: string; readonly key: string }>;
  /** Document numbers, folded and upper-cased ("168/2024/ND-CP"). */
  readonly documents: ReadonlyArray<{ readonly text: string; readonly key: string }>;
  /** Dates, as "d/m/y" without leading zeros. */
  readonly dates: ReadonlyArray<{ readonly text: string; readonly key: string }>;
  /** Phrases in quotation marks (“…”, "…", «…»). */
  readonly quotes: readonly string[];
}

// Regular expressions match the documents' words; they are never shown.
const QUOTE = /“([^”\n]{2,400})”|"([^"\n]{2,400})"|«([^»\n]{2,400})»/gu;
const CITATION_MARK = /\[\s*\d+(?:\s*[,;–-]\s*\d+)*\s*\]/gu;
const DOCUMENT = /(?<![\p{L}\d/])\d+[a-z]?(?:\/\d{4})?\/[\p{L}][\p{L}\d]*(?:-[\p{L}\d]+)*/giu;
const DATE_NUMERIC = /(?<![\d/.])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?![\d])/gu;
const DATE_WORDS = /ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})/giu;
const REFERENCE_WORD =
  /(?<![\p{L}])(điều|khoản|điểm|chương|mục|article|clause|point|chapter|section)\s+(?=[\dIVXLCivxlc]|[a-zđ](?![\p{L}\d]))/giu;
/** One item of a reference list: "7", "7a", "a", "II"; then maybe ", 8", " và 9", " đến 12". */
const REFERENCE_ITEM = /(\d+[a-zđ]?|[ivxlc]+(?![\p{L}])|[a-zđ])(?![\p{L}\d])/iuy;
const REFERENCE_JOIN = /\s*(?:,|và|hoặc|đến|tới|and|or|to|–|-)\s*/iuy;
const PHONE = /(?<![\d.,])(?:0\d{2,4}|1[89]00)(?:[ .-]?\d{2,4}){1,3}(?![\d])/gu;
const NUMBER = /(?<![\p{L}\d])(\d{1,3}(?:([., ])\d{3})(?:\2\d{3})*|\d+(?:[.,]\d+)?)(?![\d])/gu;
const MULTIPLIER_AFTER =
  /^\s*(nghìn|ngàn|ngan|nghin|triệu|trieu|tr|tỷ|tỉ|ty|ti|trăm|k|hundred|thousand|million|billion)(?![\p{L}])/iu;
const RANGE_GAP = /^\s*(?:-|–|—|đến|tới|den|toi|to|hoặc|hoac|or|và|va|and|,)\s*$/iu;

const MULTIPLIERS: Readonly<Record<string, number>> = {
  trăm: 100,
  hundred: 100,
  nghìn: 1e3,
  ngàn: 1e3,
  nghin: 1e3,
  ngan: 1e3,
  k: 1e3,
  thousand: 1e3,
  triệu: 1e6,
  trieu: 1e6,
  tr: 1e6,
  million: 1e6,
  tỷ: 1e9,
  tỉ: 1e9,
  ty: 1e9,
  ti: 1e9,
  billion: 1e9,
};

/** Number words: digits (0–9), tens and teens, and multipliers. */
const DIGIT_WORDS: Readonly<Record<string, number>> = {
  không: 0,
  một: 1,
  mốt: 1,
  hai: 2,
  ba: 3,
  bốn: 4,
  tư: 4,
  năm: 5,
  lăm: 5,
  nhăm: 5,
  sáu: 6,
  bảy: 7,
  bẩy: 7,
  tám: 8,
  chín: 9,
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
};
const TENS_WORDS: Readonly<Record<string, number>> = {
  mười: 10,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
/** Words after which a lone number word is a number ("ba năm", "hai lần", "một triệu"). */
const UNIT_WORDS = new Set([
  "tuổi",
  "lần",
  "năm",
  "tháng",
  "ngày",
  "tuần",
  "giờ",
  "phút",
  "người",
  "đồng",
  "phần",
  "km",
  "mét",
  "years",
  "year",
  "times",
  "months",
  "days",
  "hours",
  "minutes",
  "people",
  "percent",
  "dong",
  "vnd",
]);

/** A canonical string for a number: integers as they are, others to 6 decimals without trailing zeros. */
function canonical(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(6)));
}

/** "4.000.000" / "4,000,000" / "4 000 000" → 4000000; "1,5" / "1.5" → 1.5; "007" → 7. */
export function parseNumber(token: string): number {
  if (/^\d{1,3}([., ])\d{3}(\1\d{3})*$/.test(token)) return Number(token.replace(/[., ]/g, ""));
  return Number(token.replace(",", "."));
}

/** Replaces a match with spaces, so that later patterns neither see it nor join across it. */
const blank = (s: string, start: number, length: number) =>
  s.slice(0, start) + " ".repeat(length) + s.slice(start + length);

function referenceKey(word: string, item: string): string {
  const kind = foldKey(word.toLocaleLowerCase("vi"));
  const canonicalKind =
    { article: "dieu", clause: "khoan", point: "diem", chapter: "chuong", section: "muc" }[kind] ?? kind;
  const value = foldKey(item.toLocaleLowerCase("vi"));
  return `${canonicalKind} ${/^\d/.test(value) ? value.replace(/^0+(?=\d)/, "") : value}`;
}

/** Numbers written in words ("năm triệu", "mười lăm tuổi", "twenty five"). */
function wordNumbers(text: string): Array<{ text: string; value: number }> {
  // Digit tokens stay in the list: they end a run and are no unit ("năm 2024" is a year).
  const tokens = [...text.toLocaleLowerCase("vi").matchAll(/[\p{L}\d]+/gu)].map((m) => m[0]);
  const out: Array<{ text: string; value: number }> = [];
  let i = 0;
  while (i < tokens.length) {
    const start = i;
    let total = 0;
    let current = 0;
    let last: "digit" | "tens" | "joiner" | "multiplier" | undefined;
    let strong = false; // a tens word or a multiplier: a number on its own
    for (; i < tokens.length; i++) {
      const w = tokens[i] as string;
      const digit = DIGIT_WORDS[w];
      const tens = TENS_WORDS[w];
      const multiplier = MULTIPLIERS[w];
      if (digit !== undefined && last !== "digit") {
        current += digit;
        last = "digit";
      } else if (tens !== undefined && last !== "digit" && last !== "tens") {
        current += tens;
        last = "tens";
        strong = true;
      } else if ((w === "mươi" || w === "muoi") && last === "digit") {
        current = Math.floor(current / 10) * 10 + (current % 10) * 10;
        last = "tens";
        strong = true;
      } else if ((w === "linh" || w === "lẻ") && last === "multiplier") {
        last = "joiner";
      } else if (
        multiplier !== undefined &&
        w !== "k" &&
        (last === "digit" || last === "tens" || (last === "multiplier" && multiplier > 100 && current > 0))
      ) {
        if (multiplier === 100) current *= 100;
        else {
          total += current * multiplier;
          current = 0;
        }
        last = "multiplier";
        strong = true;
      } else break;
    }
    if (i === start) {
      i++;
      continue;
    }
    const next = tokens[i];
    if (strong || (next !== undefined && UNIT_WORDS.has(next)))
      out.push({ text: tokens.slice(start, i).join(" "), value: total + current });
  }
  return out;
}

/** Extracts the checkable facts of a text (an answer, or the passages it may draw on). */
export function factsOf(input: string): Facts {
  let s = normalizeText(input);
  const quotes = [...s.matchAll(QUOTE)].map((m) => (m[1] ?? m[2] ?? m[3] ?? "").trim()).filter(Boolean);
  const take = (re: RegExp, each: (m: RegExpExecArray) => void) => {
    for (const m of [...s.matchAll(re)]) {
      each(m);
      s = blank(s, m.index, m[0].length);
    }
  };
  take(CITATION_MARK, () => {});
  const documents: Array<{ text: string; key: string }> = [];
  take(DOCUMENT, (m) =>
    documents.push({ text: m[0], key: foldKey(m[0].toLocaleLowerCase("vi")).toUpperCase() }),
  );
  const dates: Array<{ text: string; key: string }> = [];
  const date = (m: RegExpExecArray) =>
    dates.push({ text: m[0], key: [m[1], m[2], m[3]].map((x) => Number(x)).join("/") });
  take(DATE_WORDS, date);
  take(DATE_NUMERIC, date);
  const references: Array<{ text: string; key: string }> = [];
  for (const m of [...s.matchAll(REFERENCE_WORD)]) {
    let at = m.index + m[0].length;
    for (;;) {
      REFERENCE_ITEM.lastIndex = at;
      const item = REFERENCE_ITEM.exec(s);
      if (!item?.[1]) break;
      references.push({ text: `${m[1]} ${item[1]}`, key: referenceKey(m[1] as string, item[1]) });
      at = REFERENCE_ITEM.lastIndex;
      REFERENCE_JOIN.lastIndex = at;
      const join = REFERENCE_JOIN.exec(s);
      if (!join) break;
      at = REFERENCE_JOIN.lastIndex;
    }
    s = blank(s, m.index, at - m.index);
  }
  const phones: Array<{ text: string; digits: string }> = [];
  for (const m of [...s.matchAll(PHONE)]) {
    const digits = m[0].replace(/\D/g, "");
    if (digits.length < 8 || digits.length > 11) continue;
    phones.push({ text: m[0], digits });
    s = blank(s, m.index, m[0].length);
  }
  const found = [...s.matchAll(NUMBER)].map((m) => {
    const after = s.slice(m.index + m[0].length);
    const multiplier = MULTIPLIER_AFTER.exec(after)?.[1]?.toLocaleLowerCase("vi");
    return {
      text: m[0] + (multiplier ? ` ${multiplier}` : ""),
      start: m.index,
      end: m.index + m[0].length,
      value: parseNumber(m[1] as string),
      times: multiplier ? (MULTIPLIERS[multiplier] ?? 1) : 1,
    };
  });
  const numbers = found.map((n, i) => {
    const values = [canonical(n.value * n.times)];
    // "4 đến 6 triệu", "4-6 triệu": the first number shares the second's multiplier.
    const next = found[i + 1];
    if (n.times === 1 && next && next.times !== 1 && RANGE_GAP.test(s.slice(n.end, next.start)))
      values.push(canonical(n.value * next.times));
    return { text: n.text, values };
  });
  for (const w of wordNumbers(s)) numbers.push({ text: w.text, values: [canonical(w.value)] });
  return { numbers, phones, references, documents, dates, quotes };
}

/**
 * A key for comparing phrases: words lower-cased with their tone moved to the end, so that
 * "hoà" = "hòa" and spacing and punctuation do not matter, but "bán" ≠ "bàn". A phrase typed
 * without any diacritic is compared folded (`folded: true` on both sides).
 */
export function phraseKey(text: string, folded = false): string {
  return ` ${words(text)
    .map((w) => (folded ? foldKey(w) : accentKey(w)))
    .join(" ")} `;
}

/** Whether `phrase` occurs in `text` word for word, diacritics compared as `phraseKey` says. */
export function containsPhrase(text: string, phrase: string): boolean {
  const folded = !hasDiacritics(phrase);
  const key = phraseKey(phrase, folded);
  return key.trim() !== "" && phraseKey(text, folded).includes(key);
}
