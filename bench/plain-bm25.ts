import { Bm25Index, type Bm25Json, type ScoredSlot } from "../knowledge/index/bm25.js";

/**
 * The baseline: textbook BM25 (k1 1.2, b 0.75) over lower-cased words split on anything that is
 * not a letter or digit — no diacritic folding, no bigrams, no abbreviations, no headings, no
 * vectors. The same BM25 core as ours, so the difference is what our text processing and fusion
 * add (and cost).
 */
export class PlainBm25 {
  private readonly bm25 = new Bm25Index();

  static tokens(text: string): string[] {
    return text
      .normalize("NFC")
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean);
  }

  add(slot: number, text: string): void {
    this.bm25.add(slot, PlainBm25.tokens(text));
  }

  search(question: string, limit: number): ScoredSlot[] {
    return this.bm25.search(PlainBm25.tokens(question), limit);
  }

  toJSON(): Bm25Json {
    return this.bm25.toJSON();
  }
}
