import { Embeddings } from "@langchain/core/embeddings";
import { terms } from "../text/terms.js";

/** Saved state of a fitted CorpusEmbeddings model. */
export interface CorpusEmbeddingsState {
  readonly name: typeof CorpusEmbeddings.modelName;
  readonly dimensions: number;
  readonly documents: number;
  /** Document frequency per hash bucket, base64 of a Uint32Array. */
  readonly df: string;
}

const BUCKETS = 1 << 18;

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Offline embeddings built from the corpus itself: a signed feature-hashing projection of
 * TF-IDF over folded syllables, syllable bigrams and character trigrams. Nothing is downloaded;
 * the IDF table is learnt from the indexed chunks and saved with the index.
 *
 * It does not know synonyms the way a trained model does, but it is robust to missing
 * diacritics, spelling variants and word order, and its cosine gives a bounded similarity that
 * the answer step uses to decide when evidence is too weak.
 */
export class CorpusEmbeddings extends Embeddings {
  static readonly modelName = "corpus-hash-tfidf-v1";
  private readonly df: Uint32Array;
  private documents: number;

  constructor(
    readonly dimensions = 768,
    state?: CorpusEmbeddingsState,
  ) {
    super({});
    if (state && state.dimensions !== dimensions)
      throw new Error(`embedding state has ${state.dimensions} dimensions, expected ${dimensions}`);
    this.df = state
      ? new Uint32Array(Buffer.from(state.df, "base64").buffer.slice(0))
      : new Uint32Array(BUCKETS);
    if (this.df.length !== BUCKETS) throw new Error("embedding state has a damaged df table");
    this.documents = state?.documents ?? 0;
  }

  /** Features of a text: folded unigrams, bigrams and in-word character trigrams. */
  static features(text: string): string[] {
    const words = terms(text).map((t) => t.folded);
    const out: string[] = [];
    for (let i = 0; i < words.length; i++) {
      const w = words[i] as string;
      out.push(`w${w}`);
      const next = words[i + 1];
      if (next !== undefined) out.push(`b${w} ${next}`);
      const padded = ` ${w} `;
      if (padded.length > 4)
        for (let j = 0; j + 3 <= padded.length; j++) out.push(`c${padded.slice(j, j + 3)}`);
    }
    return out;
  }

  /** Counts the texts' features into the document frequencies (call before embedding them). */
  observe(texts: readonly string[], sign: 1 | -1 = 1): void {
    for (const text of texts) {
      for (const b of new Set(CorpusEmbeddings.features(text).map((f) => fnv1a(f) % BUCKETS))) {
        this.df[b] = Math.max(0, (this.df[b] as number) + sign);
      }
      this.documents = Math.max(0, this.documents + sign);
    }
  }

  embed(text: string): number[] {
    const counts = new Map<number, number>();
    for (const f of CorpusEmbeddings.features(text)) {
      const h = fnv1a(f);
      counts.set(h, (counts.get(h) ?? 0) + 1);
    }
    const v = new Float64Array(this.dimensions);
    const n = this.documents;
    for (const [h, tf] of counts) {
      const df = this.df[h % BUCKETS] as number;
      const idf = Math.log((n + 1) / (df + 1)) + 1;
      // A second, independent bit of the hash picks the sign, so collisions cancel on average.
      const sign = (fnv1a(String(h)) & 1) === 1 ? 1 : -1;
      const i = h % this.dimensions;
      v[i] = (v[i] as number) + sign * (1 + Math.log(tf)) * idf;
    }
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm);
    return Array.from(v, (x) => (norm > 0 ? x / norm : 0));
  }

  async embedDocuments(documents: string[]): Promise<number[][]> {
    return documents.map((d) => this.embed(d));
  }

  async embedQuery(document: string): Promise<number[]> {
    return this.embed(document);
  }

  toJSON(): CorpusEmbeddingsState {
    return {
      name: CorpusEmbeddings.modelName,
      dimensions: this.dimensions,
      documents: this.documents,
      df: Buffer.from(this.df.buffer, this.df.byteOffset, this.df.byteLength).toString("base64"),
    };
  }
}
