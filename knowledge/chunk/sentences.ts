/**
 * Sentence splitting and packing. Chunks are made of whole sentences: a sentence longer than
 * the limit becomes a chunk of its own rather than being cut.
 */

// A sentence ends at . ! ? … (optionally followed by a closing quote or bracket) before a space
// and a capital, digit, quote or bullet, except after common abbreviations ("TP. Hồ Chí Minh").
// A clause number ("1.", "2.1.") or a point letter ("g.") at the start of a line is not a
// sentence of its own.
const BOUNDARY =
  /(?<!(?:^|\n)[ \t]*\d+(?:\.\d+)*\.)(?<!(?:^|\n)[ \t]*[a-zđ]\.)(?<!(?:^|[\s(])(?:TP|Tp|ThS|TS|PGS|GS|BS|TX|Th\.S|St|Q|P|Đ|đ|[A-ZĐ])\.)(?<=[.!?…]["”’)]?)\s+(?=["“‘(\-–•+\d\p{Lu}])/u;

/** Splits a paragraph into sentences; whitespace inside them is kept as written. */
export function splitSentences(paragraph: string): string[] {
  return paragraph
    .split(new RegExp(BOUNDARY.source, "gu"))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Packs text units (paragraphs, clauses) into pieces of at most `max` characters, joining
 * units with `joiner`. A unit that alone exceeds `max` is split into sentences first.
 */
export function pack(units: readonly string[], max: number, joiner = "\n"): string[] {
  const pieces: string[] = [];
  let current = "";
  const flush = () => {
    if (current.trim()) pieces.push(current.trim());
    current = "";
  };
  const push = (unit: string, sep: string) => {
    if (current && current.length + sep.length + unit.length > max) flush();
    current = current ? current + sep + unit : unit;
  };
  for (const unit of units) {
    if (unit.length <= max) {
      push(unit, joiner);
      continue;
    }
    // Too long: continue sentence by sentence, keeping the unit's sentences together.
    const sentences = splitSentences(unit);
    let first = true;
    for (const s of sentences) {
      push(s, first ? joiner : " ");
      first = false;
    }
  }
  flush();
  return pieces;
}
