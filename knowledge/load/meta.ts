import { basename, extname } from "node:path";
import { z } from "zod";
import { removeDiacritics } from "../../text/normalize.js";
import type { DocumentMeta, GivenArticle } from "../document.js";

/** YAML turns `2021-12-28` into a Date; documents want the ISO day back. */
const isoDay = z.preprocess(
  (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v === null ? undefined : v),
  z
    .string()
    .regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, "expected a date like 2021-12-28")
    .optional(),
);
const optionalText = z.preprocess((v) => (v === null ? undefined : v), z.string().trim().min(1).optional());
// YAML reads `aliases: [111, 113]` as numbers; they are names all the same.
const names = z.preprocess((v) => (v === null ? undefined : v), z.array(z.coerce.string()).optional());

/** Metadata fields a Markdown front matter or a manifest entry may carry. */
export const metaFieldsSchema = z.object({
  id: optionalText,
  symbol: optionalText,
  title: optionalText,
  kind: optionalText,
  issuer: optionalText,
  date: isoDay,
  effective: isoDay,
  status: optionalText,
  replaced_by: optionalText,
  /** The day `replaced_by` applies from; before it the document is still in force. */
  replaced_on: isoDay,
  /** What this document replaced: one symbol or a list. */
  replaces: z.preprocess((v) => (typeof v === "string" || typeof v === "number" ? [v] : v), names),
  aliases: names,
  /**
   * For a guidance card: what it explains — articles of shipped texts ("tt-124-2021-tt-bca#dieu-7"),
   * whole shipped texts (their id), or the symbols of documents the corpus has no text of
   * ("07/CT-BCA-V28"). The card has no `symbol` of its own (it is not those texts); it is found
   * under the symbols it names, and a question naming a shipped text finds that text itself.
   */
  explains: names,
  /**
   * What the document says about itself ("tài liệu hướng dẫn tổng hợp, không phải văn bản pháp
   * luật"): kept here, out of the text, so that it is never indexed or quoted in an answer.
   * Any YAML value is accepted: a note never makes a file fail to load.
   */
  note: z.unknown().optional(),
  /**
   * Split the text at its "Điều N." lines even though it has fewer than the three the chunker
   * needs to read it as a legal text, so that a short decision's one or two articles are cited
   * as articles, not as sections. The text before the first article is then not indexed (the
   * metadata is still read from it). Read from a folder's `manifest.json`, where the document
   * library sets it for such uploads; default off.
   */
  split_articles: z.boolean().optional(),
});
export type MetaFields = z.infer<typeof metaFieldsSchema>;

/** A file name turned into an id: "Thông tư 124.docx" → "thong-tu-124". */
export function slugFromPath(path: string): string {
  const stem = basename(path, extname(path));
  return (
    removeDiacritics(stem)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "document"
  );
}

/** Official symbol written in the text ("Số: 124/2021/TT-BCA", "Luật số: 36/2024/QH15"). */
export function detectSymbol(text: string): string | undefined {
  const m =
    /(?:^|\n)\s*(?:Luật\s+)?[Ss]ố:?\s*([0-9]+\/(?:[0-9]{4}\/)?[A-ZĐ][A-ZĐ0-9-]*(?:\/[A-ZĐ0-9-]+)?)/u.exec(
      text.slice(0, 3000),
    );
  return m?.[1];
}

/** An article heading found in a text: "Điều 1. Phạm vi điều chỉnh" → {number: "1", title: "Phạm vi điều chỉnh"}. */
export interface DetectedArticle {
  readonly number: string;
  readonly title: string;
}

/** "Điều 7." at the start of a line (Markdown marks stripped), as the legal chunker reads it. */
const ARTICLE_LINE = /^Điều\s+(\d+[a-zđ]?)\s*[.:]?\s*(.*)$/u;
const articleLine = (line: string) => ARTICLE_LINE.exec(line.replace(/^#{1,6}\s+|[*_]/g, "").trim());

/** The article headings of a text, in order. */
export function detectArticles(text: string): DetectedArticle[] {
  const found: DetectedArticle[] = [];
  for (const line of text.split("\n")) {
    const m = articleLine(line);
    if (m) found.push({ number: m[1] as string, title: (m[2] as string).trim() });
  }
  return found;
}

/**
 * The text cut at its article headings (see `split_articles`): each piece is the heading line
 * and the lines up to the next one; the text before the first heading is left out.
 */
export function splitArticles(text: string): GivenArticle[] {
  const articles: Array<{ id: string; lines: string[] }> = [];
  for (const line of text.split("\n")) {
    const m = articleLine(line);
    if (m) articles.push({ id: m[1] as string, lines: [line.trim()] });
    else articles.at(-1)?.lines.push(line);
  }
  return articles.map((a) => ({ id: a.id, text: a.lines.join("\n").trim() }));
}

/** First meaningful line, as a fallback title. */
export function detectTitle(text: string): string | undefined {
  for (const line of text.split("\n")) {
    const t = line.replace(/[#*_]/g, "").trim();
    if (t.length >= 4) return t.length > 200 ? `${t.slice(0, 197)}…` : t;
  }
  return undefined;
}

/** Builds a document's metadata from what the file says and what its manifest entry says. */
export function buildMeta(
  source: string,
  text: string,
  ...layers: Array<MetaFields | undefined>
): DocumentMeta {
  const merged: MetaFields = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer))
      if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
  }
  // A card that explains other texts quotes their "Số: …" lines; none of them is its own.
  const card = merged.explains !== undefined;
  const symbol = card ? undefined : (merged.symbol ?? detectSymbol(text));
  // The symbols it names join its aliases (a question naming Chỉ thị 07 finds the card about
  // it); references to shipped texts ("tt-124-2021-tt-bca#dieu-7") do not: the text answers.
  const named = (merged.explains ?? []).filter((e) => e.includes("/"));
  const aliases = [...new Set([...(merged.aliases ?? []), ...named])];
  return {
    docId: merged.id ?? slugFromPath(source),
    title: merged.title ?? detectTitle(text) ?? slugFromPath(source),
    source,
    ...(symbol && { symbol }),
    ...(merged.kind && { kind: merged.kind }),
    ...(merged.issuer && { issuer: merged.issuer }),
    ...(merged.date && { date: merged.date }),
    ...(merged.effective && { effective: merged.effective }),
    ...(merged.status && { status: merged.status }),
    ...(merged.replaced_by && { replacedBy: merged.replaced_by }),
    ...(merged.replaced_on && { replacedOn: merged.replaced_on }),
    ...(merged.replaces && merged.replaces.length > 0 && { replaces: merged.replaces }),
    ...(merged.explains && { explains: merged.explains }),
    ...(aliases.length > 0 && { aliases }),
  };
}
