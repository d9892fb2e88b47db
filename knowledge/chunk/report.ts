import type { ChunkDraft } from "./legal.js";
import { pack } from "./sentences.js";

interface Heading {
  readonly level: number;
  readonly text: string;
}

const MAX_HEADING = 140;

/**
 * Recognises a heading line of a report, plan or fact sheet and its depth:
 * Markdown "#", Roman "I.", "1.", "2.1.", "2.1.3." — numbered lines only when short and not a
 * full sentence, since "1. Nhà trường đã …;" is a list item, not a heading.
 */
export function headingOf(line: string): Heading | undefined {
  const md = /^(#{1,6})\s+(.+)$/.exec(line);
  if (md) return { level: (md[1] as string).length, text: (md[2] as string).replace(/[*_]/g, "").trim() };
  if (line.length > MAX_HEADING || /[;:,]$/.test(line)) return undefined;
  const plain = line.replace(/[*_]/g, "").trim();
  if (/^[IVXLC]+[.)]\s+\S/.test(plain)) return { level: 1, text: plain };
  // "3.000 học sinh" is a number, not heading 3.0: parts after the first have at most 2 digits.
  const numbered = /^(\d+(?:\.\d{1,2}){0,3})[.)]?\s+(\S.*)$/.exec(plain);
  if (numbered && !/\.$/.test(plain)) {
    const depth = (numbered[1] as string).split(".").length;
    // "1 Thuận lợi" without a dot is too weak a sign; "2.1 Thuận lợi" is fine.
    if (depth > 1 || /^\d+[.)]/.test(plain)) return { level: 1 + depth, text: plain };
  }
  return undefined;
}

/**
 * Chunks a report, plan, article or fact sheet by its headings: each section's paragraphs are
 * packed into chunks of at most `max` characters, and each chunk carries its heading path.
 */
export function chunkByHeadings(text: string, max: number): ChunkDraft[] {
  const drafts: ChunkDraft[] = [];
  const stack: Heading[] = [];
  let paragraphs: string[] = [];

  const flush = () => {
    const headings = stack.map((h) => h.text);
    // A fact sheet's section about one article says so in its heading: "Sáu tiêu chí (Điều 7)".
    const named = [...(stack.at(-1)?.text ?? "").matchAll(/Điều\s+(\d+[a-zđ]?)\b/gu)].map(
      (m) => m[1] as string,
    );
    const article = named.length === 1 ? named[0] : undefined;
    for (const t of pack(paragraphs, max)) drafts.push({ text: t, headings, ...(article && { article }) });
    paragraphs = [];
  };

  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const h = headingOf(line);
    if (h) {
      flush();
      while (stack.length > 0 && (stack.at(-1) as Heading).level >= h.level) stack.pop();
      stack.push(h);
      continue;
    }
    paragraphs.push(line);
  }
  flush();
  return drafts;
}
