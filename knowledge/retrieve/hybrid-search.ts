import { removeDiacritics } from "../../text/normalize.js";
import type { DocumentMeta } from "../document.js";
import type { IndexedChunk, KnowledgeIndex } from "../index/knowledge-index.js";
import { lifeOf } from "../life.js";

/** A passage found for a question, with the evidence behind its rank. */
export interface Passage {
  readonly chunk: IndexedChunk;
  readonly meta: DocumentMeta;
  /** Fused score (weighted reciprocal ranks); only comparable within one search. */
  readonly score: number;
  /** BM25 score, when the lexical index found it. */
  readonly lexical?: number;
  /** Cosine similarity, when the vector index found it. */
  readonly dense?: number;
}

export interface HybridSearchOptions {
  /** Candidates taken from each index before fusion. Default 60. */
  readonly candidates: number;
  /** Reciprocal-rank-fusion constant. Default 60. */
  readonly rrfK: number;
  /** Weight of the lexical ranking. Default 1. */
  readonly lexicalWeight: number;
  /**
   * Weight of the dense ranking. Default 0.1: the offline embedding mostly repeats what BM25
   * knows (measured on the ALQAC dev set, higher weights lower MRR); raise it with a real model.
   */
  readonly denseWeight: number;
  /**
   * Factor on the fused score of a passage whose document is replaced as of `asOf` (see
   * `lifeOf`), applied only when a passage of its successor matches as well (scores at least
   * this factor of it): the successor then ranks first. A replaced text whose successor does not
   * match keeps its score — fused scores of neighbouring ranks differ by under 2%, so a penalty
   * there would put it behind weak matches — and is cited with its successor named. Default 0.9.
   */
  readonly replacedFactor: number;
  /** The day documents' lives are judged on. Default: now. */
  readonly asOf?: Date | string;
}

export const DEFAULT_HYBRID: HybridSearchOptions = {
  candidates: 60,
  rrfK: 60,
  lexicalWeight: 1,
  denseWeight: 0.1,
  replacedFactor: 0.9,
};

/** Letters and digits only, without diacritics: "Thông tư 23/2012" → "thongtu232012". */
const loose = (s: string) =>
  removeDiacritics(s)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");

/**
 * Whether a question names a document (its symbol or an alias): a question about a replaced
 * text ("Thông tư 23/2012/TT-BCA còn hiệu lực không?") is asked about it, and it is not ranked
 * behind its successor.
 */
function namedIn(asked: string, meta: DocumentMeta): boolean {
  return [meta.symbol, ...(meta.aliases ?? [])].some((name) => {
    const key = name ? loose(name) : "";
    return key.length >= 5 && asked.includes(key);
  });
}

/**
 * Hybrid retrieval: BM25 and dense vectors each rank candidates, and weighted reciprocal rank
 * fusion merges the two lists (robust to their incomparable score scales).
 */
export async function hybridSearch(
  index: KnowledgeIndex,
  question: string,
  limit: number,
  options: HybridSearchOptions = DEFAULT_HYBRID,
): Promise<Passage[]> {
  const { candidates, rrfK, lexicalWeight, denseWeight, replacedFactor } = options;
  const asOf = options.asOf ?? new Date();
  const asked = loose(question);
  const lexical = index.searchLexical(question, candidates);
  const dense = denseWeight > 0 ? await index.searchDense(question, candidates) : [];
  const fused = new Map<number, { score: number; lexical?: number; dense?: number }>();
  lexical.forEach((hit, rank) => {
    fused.set(hit.slot, { score: lexicalWeight / (rrfK + rank + 1), lexical: hit.score });
  });
  dense.forEach((hit, rank) => {
    const entry = fused.get(hit.slot) ?? { score: 0 };
    entry.score += denseWeight / (rrfK + rank + 1);
    entry.dense = hit.score;
    fused.set(hit.slot, entry);
  });
  const found: Passage[] = [];
  /** The best fused score of each document found, under its symbol and aliases (loose). */
  const bestByName = new Map<string, number>();
  for (const [slot, e] of fused) {
    const chunk = index.chunks.get(slot);
    const meta = chunk && index.docs.get(chunk.docId);
    if (!chunk || !meta) continue;
    found.push({ chunk, meta, ...e });
    for (const name of [meta.symbol, ...(meta.aliases ?? [])]) {
      const key = name ? loose(name) : "";
      if (key.length >= 5) bestByName.set(key, Math.max(bestByName.get(key) ?? 0, e.score));
    }
  }
  const out = found.map((p) => {
    const life = lifeOf(p.meta, asOf);
    if (life.state !== "replaced" || !life.successor || namedIn(asked, p.meta)) return p;
    const successor = bestByName.get(loose(life.successor)) ?? 0;
    return successor >= p.score * replacedFactor ? { ...p, score: p.score * replacedFactor } : p;
  });
  out.sort((a, b) => b.score - a.score || a.chunk.slot - b.chunk.slot);
  return out.slice(0, limit);
}
