import { type Lang, tl } from "../../i18n.js";
import { lifeNote, lifeOf } from "../life.js";
import type { Passage } from "../retrieve/hybrid-search.js";

/**
 * The language of an answer's framing words ("Căn cứ:", "Điều 7", "ngày 27/04/2012"): the
 * documents are Vietnamese and the answer quotes them, so the words that cite them are too, for
 * every reader.
 */
export const ANSWER_LANG: Lang = "vi";

const say = (key: string, vars?: Record<string, string | number>) => tl(ANSWER_LANG, key, vars);

/** One source of an answer, in the shape `ask --json` prints. */
export interface Citation {
  readonly docId: string;
  readonly symbol: string | null;
  readonly title: string;
  /** luật, thông tư, báo cáo, tài liệu hướng dẫn … as the document's metadata says. */
  readonly kind: string | null;
  /** Article number for legal texts (for a fact sheet: of the text it explains). */
  readonly article: string | null;
  /** Heading path or clause, e.g. "II. Kết quả … › 2. Kết quả triển khai" or "khoản 2". */
  readonly section: string | null;
  readonly date: string | null;
  /** Symbol of the document that replaced this one, when it has been replaced. */
  readonly replacedBy: string | null;
  /**
   * What the reader must know about the document's life as of the answer's day (`lifeNote`):
   * replaced, or replaced from a known day, or not yet in force; null when simply in force.
   * Absent in citations made before it existed: then `replacedBy` alone is shown.
   */
  readonly life?: string | null;
  readonly score: number;
}

/** A passage as a citation, its document's life judged as of now (see `citationAsOf`). */
export function citationOf(p: Passage): Citation {
  return citationAsOf(new Date())(p);
}

/**
 * Citations as of a day (an instant, or an ISO day such as "2026-07-01"): a law replaced from
 * 01/7/2026 is cited with its successor named from that day, and with the coming change before.
 */
export const citationAsOf =
  (asOf: Date | string) =>
  (p: Passage): Citation => {
    const { chunk, meta } = p;
    const section = chunk.article
      ? chunk.clause
        ? say("answer.clause", { n: chunk.clause })
        : null
      : chunk.headings.length > 0
        ? chunk.headings.join(" › ")
        : null;
    const life = lifeOf(meta, asOf);
    const replaced = life.state === "replaced" ? (life.successor ?? meta.status) : undefined;
    return {
      docId: meta.docId,
      symbol: meta.symbol ?? null,
      title: meta.title,
      kind: meta.kind ?? null,
      article: chunk.article ?? null,
      section,
      date: meta.date ?? null,
      replacedBy: replaced ?? null,
      life: lifeNote(meta, asOf),
      score: Number(p.score.toFixed(5)),
    };
  };

/** "2012-04-27" → "27/04/2012"; "2024-06" → "06/2024"; "2024" stays. */
export function vnDate(iso: string): string {
  const [y, m, d] = iso.split("-");
  return d && m ? `${d}/${m}/${y}` : m ? `${m}/${y}` : (y ?? iso);
}

/** Kinds of document that are named by kind and symbol ("Thông tư 124/2021/TT-BCA"). */
const LEGAL_KIND =
  /^(bộ luật|luật|nghị định|thông tư liên tịch|thông tư|chỉ thị|kết luận|quyết định|nghị quyết|hướng dẫn|kế hoạch)(?![\p{L}])/iu;

const capitalised = (s: string) => `${s.charAt(0).toLocaleUpperCase("vi")}${s.slice(1)}`;

/**
 * How a document is named to a reader. An official text with a symbol is named by kind and
 * symbol ("Thông tư 124/2021/TT-BCA", never its 25-word title). Anything else goes by its title,
 * followed by its kind when the title does not say it ("Tóm tắt Luật 36/2024/QH15 … (tài liệu
 * hướng dẫn)"), so that a fact sheet is never taken for the law it explains.
 */
export function shortName(c: Pick<Citation, "symbol" | "title" | "kind">): string {
  const legal = c.kind ? LEGAL_KIND.exec(c.kind.trim()) : null;
  if (c.symbol && legal) return `${capitalised((legal[1] as string).toLocaleLowerCase("vi"))} ${c.symbol}`;
  if (c.symbol) return c.title.includes(c.symbol) ? c.title : `${c.title} (${c.symbol})`;
  const kind = c.kind?.trim();
  const saysKind = kind && c.title.toLocaleLowerCase("vi").startsWith(kind.toLocaleLowerCase("vi"));
  return kind && !saysKind ? `${c.title} (${kind})` : c.title;
}

interface DocumentCitations {
  readonly first: Citation;
  readonly articles: string[];
  readonly sections: string[];
}

/** Citations grouped by document, in the order the documents first appear. */
function byDocument(citations: readonly Citation[]): DocumentCitations[] {
  const docs = new Map<string, DocumentCitations>();
  for (const c of citations) {
    let d = docs.get(c.docId);
    if (!d) {
      d = { first: c, articles: [], sections: [] };
      docs.set(c.docId, d);
    }
    if (c.article) {
      if (!d.articles.includes(c.article)) d.articles.push(c.article);
    } else {
      // The innermost heading is enough to find the passage again.
      const heading = c.section?.split(" › ").at(-1);
      if (heading && !d.sections.includes(heading)) d.sections.push(heading);
    }
  }
  for (const d of docs.values())
    d.articles.sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10) || a.localeCompare(b));
  return [...docs.values()];
}

const articleList = (articles: readonly string[]) =>
  articles.map((a) => say("answer.article", { n: a })).join(", ");

function replacement(c: Citation): string | null {
  if (c.life !== undefined) return c.life;
  if (!c.replacedBy) return null;
  // `replacedBy` is a symbol, or the status text when the metadata named no successor.
  const symbol = /\d+\/[\p{L}\d/-]+/u.exec(c.replacedBy)?.[0];
  return symbol ? say("answer.replacedBy", { symbol }) : say("answer.replaced");
}

/** Headings named per document in a source line; the rest are counted. */
const MAX_SECTIONS = 2;

/**
 * The sources of an answer for "Xem nguồn": one line per document, in the order the answer's
 * [n] markers number them, e.g.
 * "Nghị định 168/2024/NĐ-CP, ngày 26/12/2024: Điều 7, Điều 12" or
 * "Thông tư 23/2012/TT-BCA, ngày 27/04/2012: mục “Nội dung chính …” — đã được thay thế bởi 124/2021/TT-BCA".
 */
export function sourceLines(citations: readonly Citation[]): string[] {
  return byDocument(citations).map(({ first, articles, sections }) => {
    const date = first.date ? `, ${say("answer.date", { date: vnDate(first.date) })}` : "";
    const shown = sections.slice(0, MAX_SECTIONS).map((name) => say("answer.section", { name }));
    if (sections.length > MAX_SECTIONS)
      shown.push(say("answer.moreSections", { n: sections.length - MAX_SECTIONS }));
    const places = [...(articles.length > 0 ? [articleList(articles)] : []), ...shown];
    const where = places.length > 0 ? `: ${places.join("; ")}` : "";
    const replaced = replacement(first);
    return `${shortName(first)}${date}${where}${replaced ? ` — ${replaced}` : ""}`;
  });
}

/** Starts the one line of an answer that names what its quotes come from. */
export const BASIS_PREFIX = say("answer.basis");

/**
 * The compact citation under an answer's quotes: the documents quoted, each with the [n] that
 * numbers it in `sourceLines(all)`, e.g. "Căn cứ: [1] Điều 7 Thông tư 124/2021/TT-BCA". An
 * official text is cited the legal way (article, then kind and symbol); anything else by name.
 * A replaced document says so here too: the warning must not hide behind "Xem nguồn".
 */
export function basisLine(quoted: readonly Citation[], all: readonly Citation[]): string {
  const order = [...new Set(all.map((c) => c.docId))];
  const parts = byDocument(quoted).map(({ first, articles }) => {
    const name = shortName(first);
    const official = first.symbol !== null && name.endsWith(first.symbol);
    const cited =
      articles.length === 0
        ? name
        : official
          ? `${articleList(articles)} ${name}`
          : `${name}, ${articleList(articles)}`;
    const replaced = replacement(first);
    return `[${order.indexOf(first.docId) + 1}] ${cited}${replaced ? ` (${replaced})` : ""}`;
  });
  return `${BASIS_PREFIX} ${parts.join("; ")}`;
}
