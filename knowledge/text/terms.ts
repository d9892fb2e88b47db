import { accentKey, foldKey, rawWords } from "../../text/normalize.js";
import { expandAbbreviation } from "./abbreviations.js";

/** One word of a text in its two matching forms. */
export interface Term {
  readonly accented: string;
  readonly folded: string;
}

/** Lexical features of a text: syllable unigrams and bigrams, accented and folded. */
export interface TermFeatures {
  readonly accented: string[];
  readonly folded: string[];
}

// Texts repeat a small vocabulary (a few thousand syllables), and NFD/NFC normalisation of each
// occurrence was a quarter of index build time: terms are computed once per distinct word.
const TERM_CACHE_LIMIT = 100_000;
const termCache = new Map<string, Term>();

function toTerm(word: string): Term {
  const cached = termCache.get(word);
  if (cached) return cached;
  let lower = word.toLocaleLowerCase("vi");
  if (/^\d+$/.test(lower)) lower = lower.replace(/^0+(?=\d)/, "");
  const term: Term = Object.freeze({ accented: accentKey(lower), folded: foldKey(lower) });
  // Numbers and rare words could grow it without bound: start again when it is full.
  if (termCache.size >= TERM_CACHE_LIMIT) termCache.clear();
  termCache.set(word, term);
  return term;
}

/**
 * Question boilerplate that says nothing about the subject ("đúng hay sai", "là gì", the
 * multiple-choice "đâu không phải là …", "chọn câu trả lời đúng nhất"). Removed from questions
 * only. Phrases of two or more words are compared folded, so that they are found without
 * diacritics too; single particles only with their diacritics ("ạ", not "a"), except those in
 * FOLDED_PARTICLES.
 */
const QUESTION_NOISE = [
  "chọn câu trả lời đúng nhất",
  "chọn câu trả lời đúng",
  "chọn đáp án đúng nhất",
  "chọn đáp án đúng",
  "đâu không phải là",
  "không phải là",
  "đâu là",
  "theo quy định của pháp luật",
  "theo quy định pháp luật",
  "theo quy định",
  "đúng hay sai",
  "có đúng không",
  "đúng không",
  "có phải",
  "cho tôi hỏi",
  "cho em hỏi",
  "xin hỏi",
  "là gì",
  "như thế nào",
  "thế nào",
  "bao gồm những gì",
  "những gì",
  "những trường hợp nào",
  "trường hợp nào",
  "ra sao",
  "là bao nhiêu",
  "bao nhiêu",
  "nói về việc gì",
  "sau đây",
  "dưới đây",
  "gì",
  "nào",
  "mấy",
  "ai",
  "đâu",
  "ạ",
  "vậy",
  "nhỉ",
].map((phrase) => phrase.split(" ").map(toTerm));

/**
 * Particles that are dropped from a word written without any diacritics too: "nao" and "gi"
 * in a question typed without marks are "nào" and "gì" far more often than "não" or "gỉ"
 * (unlike "vay", "may", "a" or "dau" — đầu, dầu — which are words of their own).
 */
const FOLDED_PARTICLES = new Set(["gì", "nào"].map((w) => toTerm(w).folded));

/** Whether a word is the one-word noise `p`: with its diacritics, or without any if allowed. */
const isParticle = (t: Term | undefined, p: Term) =>
  t !== undefined &&
  (t.accented === p.accented ||
    (t.accented === t.folded && t.folded === p.folded && FOLDED_PARTICLES.has(p.folded)));

/**
 * Splits a text into terms, expanding abbreviations ("ANTT" → an ninh trật tự). The
 * abbreviation itself is kept too, so that documents that use it still match it.
 */
export function terms(text: string): Term[] {
  const raw = rawWords(text);
  const out: Term[] = [];
  for (let i = 0; i < raw.length; i++) {
    const word = raw[i] as string;
    const term = toTerm(word);
    const expansion = expandAbbreviation(word, term.folded, raw[i + 1]);
    out.push(term);
    if (expansion) for (const w of rawWords(expansion)) out.push(toTerm(w));
  }
  return out;
}

/** Drops question boilerplate (see QUESTION_NOISE) from a question's terms. */
export function dropQuestionNoise(input: readonly Term[]): Term[] {
  const out: Term[] = [];
  let i = 0;
  while (i < input.length) {
    const phrase = QUESTION_NOISE.find((p) =>
      p.every((w, j) => (p.length > 1 ? input[i + j]?.folded === w.folded : isParticle(input[i + j], w))),
    );
    if (phrase) {
      i += phrase.length;
      continue;
    }
    out.push(input[i] as Term);
    i++;
  }
  return out;
}

/** Unigram and bigram features of a list of terms. */
export function features(list: readonly Term[]): TermFeatures {
  const accented: string[] = [];
  const folded: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const t = list[i] as Term;
    accented.push(t.accented);
    folded.push(t.folded);
    const next = list[i + 1];
    if (next) {
      accented.push(`${t.accented} ${next.accented}`);
      folded.push(`${t.folded} ${next.folded}`);
    }
  }
  return { accented, folded };
}
