import type { Passage } from "../retrieve/hybrid-search.js";

/** One source of an answer, in the shape `ask --json` prints. */
export interface Citation {
  readonly docId: string;
  readonly symbol: string | null;
  readonly title: string;
  /** Article number for legal texts. */
  readonly article: string | null;
  /** Heading path or clause, e.g. "II. Kết quả … › 2. Kết quả triển khai" or "khoản 2". */
  readonly section: string | null;
  readonly date: string | null;
  /** Symbol of the document that replaced this one, when it has been replaced. */
  readonly replacedBy: string | null;
  readonly score: number;
}

const REPLACED = /replaced|thay thế|hết hiệu lực|expired/i;

export function citationOf(p: Passage): Citation {
  const { chunk, meta } = p;
  const section = chunk.article
    ? chunk.clause
      ? `khoản ${chunk.clause}`
      : null
    : chunk.headings.length > 0
      ? chunk.headings.join(" › ")
      : null;
  const replaced = meta.replacedBy ?? (meta.status && REPLACED.test(meta.status) ? meta.status : undefined);
  return {
    docId: meta.docId,
    symbol: meta.symbol ?? null,
    title: meta.title,
    article: chunk.article ?? null,
    section,
    date: meta.date ?? null,
    replacedBy: replaced ?? null,
    score: Number(p.score.toFixed(5)),
  };
}

function vnDate(iso: string): string {
  const [y, m, d] = iso.split("-");
  return d && m ? `${d}/${m}/${y}` : m ? `${m}/${y}` : (y ?? iso);
}

/** A citation as one readable Vietnamese line: "Thông tư 124/2021/TT-BCA, Điều 7 (28/12/2021)". */
export function formatCitation(c: Citation): string {
  const name = c.symbol && !c.title.includes(c.symbol) ? `${c.title} (${c.symbol})` : c.title;
  const where = [c.article && `Điều ${c.article}`, c.section].filter(Boolean).join(", ");
  const date = c.date ? `, ${vnDate(c.date)}` : "";
  const replaced = c.replacedBy ? ` — lưu ý: văn bản này đã được thay thế (${c.replacedBy})` : "";
  return `${name}${where ? ` — ${where}` : ""}${date}${replaced}`;
}
