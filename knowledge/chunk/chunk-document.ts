import type { Chunk, LoadedDocument } from "../document.js";
import { chunkGivenArticles, chunkLegalText, looksLegal } from "./legal.js";
import { chunkByHeadings } from "./report.js";

/** Default chunk size in characters: a few paragraphs, one screen of a phone. */
export const DEFAULT_MAX_CHUNK = 1200;

/**
 * Splits a loaded document into chunks, choosing the structure it has: given articles, a
 * legal text with "Điều N." lines, or headed sections.
 */
export function chunkDocument(doc: LoadedDocument, max = DEFAULT_MAX_CHUNK): Chunk[] {
  const drafts = doc.articles
    ? chunkGivenArticles(doc.articles, max)
    : looksLegal(doc.text)
      ? chunkLegalText(doc.text, max)
      : chunkByHeadings(doc.text, max);
  return drafts.map((d, n) => ({
    id: `${doc.meta.docId}#${n}`,
    docId: doc.meta.docId,
    text: d.text,
    headings: d.headings,
    ...(d.article !== undefined && { article: d.article }),
    ...(d.clause !== undefined && { clause: d.clause }),
  }));
}
