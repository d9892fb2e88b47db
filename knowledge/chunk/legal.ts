import type { GivenArticle } from "../document.js";
import { pack } from "./sentences.js";

/** A chunk before it gets its id. */
export interface ChunkDraft {
  readonly text: string;
  readonly headings: readonly string[];
  readonly article?: string;
  readonly clause?: string;
  /** Lines at the start of `text` repeated from earlier in the article (see `Chunk.lead`). */
  readonly lead?: string;
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

/** A line that opens a list and is short enough to repeat before each part of the list. */
const leadLine = (line: string | undefined, limit: number): line is string =>
  line !== undefined && /:$/.test(line) && line.length <= limit;

interface Unit {
  readonly text: string;
  readonly clauses: readonly string[];
  /** The clause's lead line, repeated at the start of `text` (a later part of a long clause). */
  readonly lead?: string;
  /** Whether this unit is the article's text before its first clause (or holds it). */
  readonly opening: boolean;
}

/**
 * Splits one article into chunks. Short articles stay whole; long ones are split between
 * clauses (khoản), and a clause longer than `max` between its points (điểm a, b …), each part
 * starting again with the clause's lead line ("2. Phạt tiền từ … đối với … sau đây:") so that a
 * point about helmets still carries its fine. Parts of an article after the first also repeat
 * the article's own lead line ("… khi đạt đủ các tiêu chí sau:"). Repeated lines are recorded
 * in `lead` (see `joinArticle`). Every chunk carries the article heading in its heading path.
 */
export function chunkArticle(
  article: string,
  heading: string,
  bodyLines: readonly string[],
  path: readonly string[],
  max: number,
): ChunkDraft[] {
  const headings = [...path, heading];
  const lines = bodyLines.map((l) => l.trim()).filter(Boolean);
  const body = lines.join("\n");
  if (!body) return [{ text: heading, headings, article }];
  if (body.length <= max) return [{ text: body, headings, article }];

  // Group lines into clauses: a clause starts at "1.", "2." … and runs to the next one.
  const clauses: Array<{ no?: string; lines: string[] }> = [];
  for (const line of lines) {
    const m = CLAUSE.exec(line);
    if (m || clauses.length === 0) clauses.push({ ...(m?.[1] && { no: m[1] }), lines: [line] });
    else clauses.at(-1)?.lines.push(line);
  }
  const opening = clauses[0];
  const articleLead =
    opening && opening.no === undefined && opening.lines.length === 1 && leadLine(opening.lines[0], max / 4)
      ? opening.lines[0]
      : undefined;

  const units: Unit[] = [];
  clauses.forEach((c, i) => {
    const text = c.lines.join("\n");
    const clauseNos = c.no ? [c.no] : [];
    if (text.length <= max) {
      units.push({ text, clauses: clauseNos, opening: i === 0 });
      return;
    }
    const [first, ...rest] = c.lines;
    const lead = leadLine(first, max / 3) ? first : undefined;
    const parts = lead ? pack(rest, max - lead.length - 1) : pack(c.lines, max);
    parts.forEach((part, j) => {
      if (!lead) units.push({ text: part, clauses: clauseNos, opening: i === 0 && j === 0 });
      else if (j === 0) units.push({ text: `${lead}\n${part}`, clauses: clauseNos, opening: i === 0 });
      else units.push({ text: `${lead}\n${part}`, clauses: clauseNos, lead, opening: false });
    });
  });

  // Whole clauses are packed together up to `max`; a part of a long clause stands alone.
  const groups: Unit[][] = [];
  let size = 0;
  for (const u of units) {
    const last = groups.at(-1);
    const joinable = last !== undefined && !u.lead && !last.some((x) => x.lead) && size + u.text.length < max;
    if (joinable) {
      last.push(u);
      size += u.text.length + 1;
    } else {
      groups.push([u]);
      size = u.text.length;
    }
  }
  return groups.map((g) => {
    const numbers = [...new Set(g.flatMap((u) => u.clauses))];
    const clause =
      numbers.length === 0
        ? undefined
        : numbers.length === 1
          ? numbers[0]
          : `${numbers[0]}-${numbers.at(-1)}`;
    const repeated = [
      ...(articleLead && !g.some((u) => u.opening) ? [articleLead] : []),
      ...(g[0]?.lead ? [g[0].lead] : []),
    ];
    const own = g.map((u) => (u.lead ? u.text.slice(u.lead.length + 1) : u.text)).join("\n");
    const text = [...repeated, own].join("\n");
    return {
      text,
      headings,
      article,
      ...(clause && { clause }),
      ...(repeated.length > 0 && { lead: repeated.join("\n") }),
    };
  });
}

/**
 * The whole article again from its chunks (in order): the heading, then each chunk's text
 * without the lines it repeats (`lead`). What "Xem nguồn" shows behind a cited article.
 */
export function joinArticle(
  chunks: ReadonlyArray<{ text: string; lead?: string; headings: readonly string[] }>,
): string {
  const heading = chunks[0]?.headings.at(-1);
  const parts = chunks.map((c) =>
    c.lead && c.text.startsWith(c.lead) ? c.text.slice(c.lead.length).replace(/^\n/, "") : c.text,
  );
  return [...(heading ? [heading] : []), ...parts].join("\n");
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
