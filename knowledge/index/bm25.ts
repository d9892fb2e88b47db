/**
 * Okapi BM25 over arbitrary string features (here: syllable unigrams and bigrams).
 * Documents are integer slots; a removed slot is skipped at once and dropped from the postings
 * on the next `compact()`, so incremental re-ingest does not rebuild the whole index.
 */
export interface Bm25Params {
  /** Term-frequency saturation. Default 1.2. */
  readonly k1: number;
  /** Length normalisation, 0..1. Default 0.75. */
  readonly b: number;
}

export interface ScoredSlot {
  readonly slot: number;
  readonly score: number;
}

interface Posting {
  docs: number[];
  tfs: number[];
}

/** Serialised form, written next to the chunk store. */
export interface Bm25Json {
  readonly version: 1;
  readonly params: Bm25Params;
  readonly lengths: Record<string, number>;
  readonly postings: Array<[string, number[], number[]]>;
}

export class Bm25Index {
  private readonly postings = new Map<string, Posting>();
  private readonly lengths = new Map<number, number>();
  private totalLength = 0;
  private stale = 0;
  private maxSlot = -1;

  constructor(readonly params: Bm25Params = { k1: 1.2, b: 0.75 }) {}

  get size(): number {
    return this.lengths.size;
  }

  add(slot: number, features: readonly string[]): void {
    if (this.lengths.has(slot)) throw new Error(`BM25 slot ${slot} is already in use`);
    // A slot removed but not yet compacted still has postings; drop them before reuse.
    if (this.stale > 0 && slot <= this.maxSlot) this.compact();
    const counts = new Map<string, number>();
    for (const f of features) counts.set(f, (counts.get(f) ?? 0) + 1);
    for (const [term, tf] of counts) {
      let p = this.postings.get(term);
      if (!p) {
        p = { docs: [], tfs: [] };
        this.postings.set(term, p);
      }
      p.docs.push(slot);
      p.tfs.push(tf);
    }
    this.lengths.set(slot, features.length);
    this.totalLength += features.length;
    if (slot > this.maxSlot) this.maxSlot = slot;
  }

  remove(slot: number): void {
    const len = this.lengths.get(slot);
    if (len === undefined) return;
    this.lengths.delete(slot);
    this.totalLength -= len;
    this.stale++;
  }

  /** Drops removed slots from the postings. Cheap when nothing was removed. */
  compact(): void {
    if (this.stale === 0) return;
    for (const [term, p] of this.postings) {
      const docs: number[] = [];
      const tfs: number[] = [];
      for (let i = 0; i < p.docs.length; i++) {
        const d = p.docs[i] as number;
        if (this.lengths.has(d)) {
          docs.push(d);
          tfs.push(p.tfs[i] as number);
        }
      }
      if (docs.length === 0) this.postings.delete(term);
      else this.postings.set(term, { docs, tfs });
    }
    this.stale = 0;
  }

  /** Inverse document frequency of a feature (0 when unknown). */
  idf(term: string): number {
    const p = this.postings.get(term);
    if (!p) return 0;
    const n = this.lengths.size;
    const df = this.stale === 0 ? p.docs.length : p.docs.filter((d) => this.lengths.has(d)).length;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /**
   * Scores every slot that shares a feature with the query. Repeated query features count
   * once per repetition, as in the original BM25 query-term weighting.
   */
  search(query: readonly string[], limit: number): ScoredSlot[] {
    const n = this.lengths.size;
    if (n === 0 || query.length === 0) return [];
    const avg = this.totalLength / n;
    const { k1, b } = this.params;
    const qtf = new Map<string, number>();
    for (const f of query) qtf.set(f, (qtf.get(f) ?? 0) + 1);
    const scores = new Float64Array(this.maxSlot + 1);
    const touched: number[] = [];
    for (const [term, weight] of qtf) {
      const p = this.postings.get(term);
      if (!p) continue;
      const idf = this.idf(term);
      for (let i = 0; i < p.docs.length; i++) {
        const d = p.docs[i] as number;
        const len = this.lengths.get(d);
        if (len === undefined) continue;
        const tf = p.tfs[i] as number;
        if (scores[d] === 0) touched.push(d);
        scores[d] =
          (scores[d] as number) + (weight * idf * (tf * (k1 + 1))) / (tf + k1 * (1 - b + (b * len) / avg));
      }
    }
    return topK(touched, scores, limit);
  }

  toJSON(): Bm25Json {
    this.compact();
    return {
      version: 1,
      params: this.params,
      lengths: Object.fromEntries(this.lengths),
      postings: [...this.postings].map(([t, p]) => [t, p.docs, p.tfs]),
    };
  }

  static fromJSON(json: Bm25Json): Bm25Index {
    const index = new Bm25Index(json.params);
    for (const [slot, len] of Object.entries(json.lengths)) {
      const s = Number(slot);
      index.lengths.set(s, len);
      index.totalLength += len;
      if (s > index.maxSlot) index.maxSlot = s;
    }
    for (const [term, docs, tfs] of json.postings) index.postings.set(term, { docs, tfs });
    return index;
  }
}

/** The `limit` best slots by score, best first; ties broken by slot for stable output. */
export function topK(slots: readonly number[], scores: Float64Array, limit: number): ScoredSlot[] {
  const all = slots.map((slot) => ({ slot, score: scores[slot] as number }));
  all.sort((a, b) => b.score - a.score || a.slot - b.slot);
  return all.slice(0, limit);
}
