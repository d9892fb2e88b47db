/**
 * The knowledge engine's data model: documents as loaded, chunks as indexed.
 */

/** What a citation needs to say about a document. */
export interface DocumentMeta {
  /** Stable id: front-matter `id`, manifest `id`, the law id of a legal JSON file, or the file name. */
  readonly docId: string;
  readonly title: string;
  /** Official symbol, e.g. "124/2021/TT-BCA". */
  readonly symbol?: string;
  /** luật, nghị định, thông tư, báo cáo, kế hoạch, bài báo … */
  readonly kind?: string;
  readonly issuer?: string;
  /** ISO date of signing or publication. */
  readonly date?: string;
  /** ISO day the document takes effect. */
  readonly effective?: string;
  /** "in force", "replaced", … as written in the source. */
  readonly status?: string;
  /** Symbol of the document that replaced (or will replace) this one. */
  readonly replacedBy?: string;
  /**
   * ISO day from which `replacedBy` applies. Before it the document is still in force and its
   * life note says when it changes; without it a `replacedBy` applies already.
   */
  readonly replacedOn?: string;
  /** Symbols of the documents this one replaced ("23/2012/TT-BCA"). */
  readonly replaces?: readonly string[];
  /**
   * For a guidance card: what it explains, each an article of a shipped text
   * ("tt-124-2021-tt-bca#dieu-7"), a whole shipped text ("luat-36-2024-qh15") or the symbol of a
   * document the corpus has no text of ("07/CT-BCA-V28"). A card is never cited as those.
   */
  readonly explains?: readonly string[];
  /** Short names people use for it ("TT 124", "Chỉ thị 07"). */
  readonly aliases?: readonly string[];
  /** Path of the source file, relative to where ingest was run. */
  readonly source: string;
}

/** A legal article given already split (legal-articles JSON). */
export interface GivenArticle {
  readonly id: string;
  readonly text: string;
}

/** One document as a loader returns it, before chunking. */
export interface LoadedDocument {
  readonly meta: DocumentMeta;
  /** Full text (NFC). Empty when `articles` is given. */
  readonly text: string;
  readonly articles?: readonly GivenArticle[];
}

/** A retrievable passage. */
export interface Chunk {
  /** `${docId}#${n}`, stable for the same document content. */
  readonly id: string;
  readonly docId: string;
  readonly text: string;
  /** Article number for legal texts ("32"). */
  readonly article?: string;
  /** Clause numbers covered when an article was split ("1-3"). */
  readonly clause?: string;
  /**
   * Lines at the start of `text` repeated from earlier in the article (its "… sau đây:" lead and
   * the clause's lead line), so that a passage of points still says what they are about. Drop
   * them when joining an article's chunks back into the article (`articleText`).
   */
  readonly lead?: string;
  /** Heading path, outermost first ("Chương II. …", "Điều 7. …"). */
  readonly headings: readonly string[];
}
