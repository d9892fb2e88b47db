import type { GivenArticle } from "../document.js";
import { pack } from "./sentences.js";

/** A chunk before it gets its id. */
export interface ChunkDraft {
  readonly text: string;
  readonly headings: readonly string[];
  readonly article?: string;
  readonly clause?: string;
}

const clean = (line: string) =>
  line
    .replace(/^#{1,6}\s+/, "")
    .replace(/^[*_]+|[*_]+$/g, "")
    .trim();

const PART = /^(Phần\s+(?:thứ\s+\S+|[IVXLC\d]+))(?=[\s.:]|$)/iu;
const CHAPTER = /^(Chương\s+[IVXLC\d]+)(?=[\s.:]|$)/iu;
const SECTION = /^(Mục\s+\d+)(?=[\s.:]|$)/iu;
const ARTICLE = /^Điều\s+(\d+[a-zđ]?)\s*[.:]?\s*(.*)$/u;
const CLAUSE = /^(\d+)\s*[.)]\s+\S/u;

/** True when the text reads like a legal document: several lines start with "Điều N.". */
export function looksLegal(text: string): boolean {
  let n = 0;
  for (const line of text.split("\n")) if (ARTICLE.test(clean(line)) && ++n >= 3) return true;
  return false;
}

/**
 * Splits one article into chunks. Short articles stay whole; long ones are split between
 * clauses (khoản), and a clause longer than `max` between its lines (points) and sentences. Every chunk
 * carries the article heading in its heading path.
 */
export function chunkArticle(
  article: string,
  heading: string,
  bodyLines: readonly string[],
  path: readonly string[],
  max: number,
): ChunkDraft[] {
  const headings = [...path, heading];
  const body = bodyLines.join("\n").trim();
  if (!body) return [{ text: heading, headings, article }];
  if (body.length <= max) return [{ text: body, headings, article }];

  // Group lines into clauses: a clause starts at "1.", "2." … and runs to the next one.
  const clauses: Array<{ no?: string; text: string }> = [];
  for (const line of bodyLines) {
    const m = CLAUSE.exec(line.trim());
    if (m || clauses.length === 0) clauses.push({ ...(m?.[1] && { no: m[1] }), text: line.trim() });
    else (clauses.at(-1) as { text: string }).text += `\n${line.trim()}`;
  }
  const drafts: ChunkDraft[] = [];
  let group: typeof clauses = [];
  let size = 0;
  const flush = () => {
    if (group.length === 0) return;
    const numbers = group.map((c) => c.no).filter((n): n is string => n !== undefined);
    const clause =
      numbers.length === 0
        ? undefined
        : numbers.length === 1
          ? numbers[0]
          : `${numbers[0]}-${numbers.at(-1)}`;
    for (const text of pack(
      group.map((c) => c.text),
      max,
    ))
      drafts.push({ text, headings, article, ...(clause && { clause }) });
    group = [];
    size = 0;
  };
  for (const c of clauses) {
    if (size > 0 && size + c.text.length > max) flush();
    group.push(c);
    size += c.text.length + 1;
  }
  flush();
  return drafts;
}

/** Chunks a legal text written as lines: Phần / Chương / Mục / Điều / Khoản. */
export function chunkLegalText(text: string, max: number): ChunkDraft[] {
  const drafts: ChunkDraft[] = [];
  let part: string | undefined;
  let chapter: string | undefined;
  let section: string | undefined;
  let current: { no: string; heading: string; lines: string[]; path: string[] } | undefined;
  const preamble: string[] = [];
  const lines = text.split("\n");

  const close = () => {
    if (current) drafts.push(...chunkArticle(current.no, current.heading, current.lines, current.path, max));
    current = undefined;
  };
  const pathNow = () => [part, chapter, section].filter((h): h is string => h !== undefined);

  for (let i = 0; i < lines.length; i++) {
    const line = clean(lines[i] as string);
    if (!line) continue;
    // Headings of parts, chapters and sections are often on two lines: "Chương II" then its name.
    const structural = PART.exec(line) ?? CHAPTER.exec(line) ?? SECTION.exec(line);
    if (structural && line.length < 200) {
      close();
      let name = line;
      const next = clean(lines[i + 1] ?? "");
      if (/^(Chương|Mục|Phần)\s+\S+\.?$/iu.test(line) && next && !ARTICLE.test(next) && next.length < 200) {
        name = `${line}. ${next}`;
        i++;
      }
      if (PART.test(line)) [part, chapter, section] = [name, undefined, undefined];
      else if (CHAPTER.test(line)) [chapter, section] = [name, undefined];
      else section = name;
      continue;
    }
    const article = ARTICLE.exec(line);
    if (article) {
      close();
      current = { no: article[1] as string, heading: line, lines: [], path: pathNow() };
      continue;
    }
    if (current) current.lines.push(line);
    else preamble.push(line);
  }
  close();
  const intro = preamble.join("\n").trim();
  if (intro) for (const t of pack(preamble, max)) drafts.unshift({ text: t, headings: [] });
  return drafts;
}

/** Chunks articles given already split (legal-articles JSON): the first line is the title. */
export function chunkGivenArticles(articles: readonly GivenArticle[], max: number): ChunkDraft[] {
  return articles.flatMap((a) => {
    const [first = "", ...rest] = a.text.split("\n");
    const title = first.trim();
    const heading = ARTICLE.test(title) ? title : `Điều ${a.id}. ${title}`;
    return chunkArticle(a.id, heading, rest.map((l) => l.trim()).filter(Boolean), [], max);
  });
}
