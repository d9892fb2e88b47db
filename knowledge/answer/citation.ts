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

const LEGAL_KINDS =
  /^(luật|bộ luật|nghị định|thông tư|thông tư liên tịch|chỉ thị|kết luận|quyết định|nghị quyết|hướng dẫn|kế hoạch)$/iu;

/** How a document is named to a reader: "Thông tư 124/2021/TT-BCA", else its title. */
export function shortName(c: Pick<Citation, "symbol" | "title"> & { kind?: string | null }): string {
  if (c.symbol && c.kind && LEGAL_KINDS.test(c.kind) && !c.title.includes(c.symbol))
    return `${c.kind.charAt(0).toLocaleUpperCase("vi")}${c.kind.slice(1)} ${c.symbol}`;
  return c.symbol && !c.title.includes(c.symbol) ? `${c.title} (${c.symbol})` : c.title;
}

/**
 * The sources of an answer as readable lines, one per document, listing the articles or
 * sections used: "Thông tư 23/2012/TT-BCA (27/04/2012): mục …; đã được thay thế bởi 124/2021/TT-BCA".
 */
export function formatSources(
  citations: readonly Citation[],
  kinds: ReadonlyMap<string, string | undefined>,
): string[] {
  const byDoc = new Map<string, { c: Citation; places: string[] }>();
  for (const c of citations) {
    const entry = byDoc.get(c.docId) ?? { c, places: [] };
    const place = [c.article && `Điều ${c.article}`, c.section].filter(Boolean).join(", ");
    if (place && !entry.places.includes(place)) entry.places.push(place);
    byDoc.set(c.docId, entry);
  }
  return [...byDoc.values()].map(({ c, places }) => {
    const date = c.date ? ` (${vnDate(c.date)})` : "";
    const where = places.length > 0 ? `: ${places.join("; ")}` : "";
    const replaced = c.replacedBy ? ` — lưu ý: văn bản này đã được thay thế bởi ${c.replacedBy}` : "";
    return `${shortName({ ...c, kind: kinds.get(c.docId) ?? null })}${date}${where}${replaced}`;
  });
}
