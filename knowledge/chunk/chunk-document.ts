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
  // A guidance card's "(Điều 7)" headings name the article of the text it explains, not one of
  // its own: the card is cited by its section, so that no answer lends it the law's article.
  const card = doc.meta.explains !== undefined;
  return drafts.map((d, n) => ({
    id: `${doc.meta.docId}#${n}`,
    docId: doc.meta.docId,
    text: d.text,
    headings: d.headings,
    ...(d.article !== undefined && !card && { article: d.article }),
    ...(d.clause !== undefined && !card && { clause: d.clause }),
    ...(d.lead !== undefined && { lead: d.lead }),
  }));
}
