/**
 * Vietnamese text normalisation for matching (never for display).
 *
 * Users type Vietnamese in many ways: precomposed (NFC) or decomposed (NFD, "Unicode tổ hợp")
 * characters, old-style tone placement ("hoà", "thuỷ") or new-style ("hòa", "thủy"), the
 * Icelandic "Ð" instead of "Đ", and very often no diacritics at all. Every syllable is turned
 * into two keys:
 *  - an *accented key*: lower case, vowel marks kept (â ă ê ô ơ ư đ), the tone moved to the end
 *    as a Telex letter — so "hoà" and "hòa" both become "hoaf";
 *  - a *folded key*: plain ASCII — "hòa" becomes "hoa".
 */

/** Combining tone marks (NFD) and the Telex letter that stands for each. */
const TONE_MARKS: Record<string, string> = {
  "\u0300": "f", // huyền
  "\u0301": "s", // sắc
  "\u0303": "x", // ngã
  "\u0309": "r", // hỏi
  "\u0323": "j", // nặng
};

const COMBINING = /[\u0300-\u036f]/g;
const INVISIBLE = /[\u00ad\u200b-\u200f\u2060\ufeff]/g;

/**
 * Canonical display form: NFC, look-alike letters fixed, invisible characters removed, spaces
 * collapsed. Safe to show to users.
 */
export function normalizeText(input: string): string {
  return input
    .normalize("NFC")
    .replace(/[\u00d0]/g, "Đ") // Icelandic Eth, common in old Vietnamese documents
    .replace(/[\u00f0]/g, "đ")
    .replace(INVISIBLE, "")
    .replace(/[\u00a0\u2000-\u200a\u202f\u205f\u3000]/g, " ")
    .replace(/\r\n?/g, "\n");
}

/** Removes every diacritic: "Đường bộ" → "Duong bo". Case is kept. */
export function removeDiacritics(input: string): string {
  return normalizeText(input).normalize("NFD").replace(COMBINING, "").replace(/đ/g, "d").replace(/Đ/g, "D");
}

/** True when the text has at least one Vietnamese diacritic (tone or vowel mark, or đ). */
export function hasDiacritics(input: string): boolean {
  const t = normalizeText(input);
  return /[đĐ]/.test(t) || /[\u0300-\u036f]/.test(t.normalize("NFD"));
}

/**
 * Accented key of one lower-case word: tone moved to the end, so that tone placement does
 * not matter ("hoà" = "hòa" → "hoaf", "quý" = "qúy" → "quys").
 */
export function accentKey(word: string): string {
  const decomposed = word.normalize("NFD");
  let tone = "";
  let base = "";
  for (const ch of decomposed) {
    const t = TONE_MARKS[ch];
    if (t !== undefined) tone = t;
    else base += ch;
  }
  return base.normalize("NFC") + tone;
}

/** Folded key of one lower-case word: ASCII only. */
export function foldKey(word: string): string {
  return word.normalize("NFD").replace(COMBINING, "").replace(/đ/g, "d");
}

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * Splits text into lower-case words (Vietnamese syllables, numbers, abbreviations).
 * Numbers lose leading zeros so that "Chỉ thị 07" matches "chỉ thị 7".
 */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const m of normalizeText(text).toLocaleLowerCase("vi").matchAll(WORD)) {
    let w = m[0];
    if (/^\d+$/.test(w)) w = w.replace(/^0+(?=\d)/, "");
    out.push(w);
  }
  return out;
}

/** Raw-case words, used where upper case carries meaning (abbreviations such as "TT 124"). */
export function rawWords(text: string): string[] {
  return [...normalizeText(text).matchAll(WORD)].map((m) => m[0]);
}
