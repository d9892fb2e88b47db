import { tl } from "../../i18n.js";
import { joinArticle } from "../chunk/legal.js";
import type { KnowledgeIndex } from "../index/knowledge-index.js";
import { ANSWER_LANG, type Citation, shortName } from "./citation.js";
import type { Answer } from "./compose.js";

const say = (key: string, vars?: Record<string, string | number>) => tl(ANSWER_LANG, key, vars);

/**
 * Where the text an answer quotes is, to read it again for "Xem nguồn": a document and its
 * article, or, for a text without articles (a guidance card, a report), its heading path. Keys
 * only: nothing of the question or of the person.
 */
export interface ArticleRef {
  readonly docId: string;
  readonly article: string | null;
  /** The heading path of a passage without an article ("Phụ huynh cam kết những gì"). */
  readonly section: string | null;
  /** The clauses the answer's sources name ("khoản 2"): what is shown of a very long article. */
  readonly clauses: readonly string[];
}

/** The full text of a quoted article, with its citation as a title ("Điều 31 Luật 36/2024/QH15"). */
export interface ArticleText {
  readonly title: string;
  readonly text: string;
  /** Whether `text` is the quoted clauses only, the article being longer than `maxChars`. */
  readonly excerpt: boolean;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Articles read again for one answer, at most. */
export const MAX_QUOTED_ARTICLES = 3;

/**
 * The articles an answer quotes, in the order its "Căn cứ:" line names them: for each
 * document marked [n] there, its cited articles that the line names ("Điều 33, Điều 59"), or its
 * first cited passage when it has no articles.
 */
export function quotedArticles(answer: Answer): ArticleRef[] {
  if (answer.abstained || !answer.basis) return [];
  const docs = [...new Set(answer.citations.map((c) => c.docId))];
  const refs: ArticleRef[] = [];
  // "[1] Điều 33, Điều 59 Luật 36/2024/QH15; [2] …": each [n] and what follows it.
  for (const [, n, named = ""] of answer.basis.matchAll(/\[(\d+)\]([^[]*)/g)) {
    const docId = docs[Number(n) - 1];
    if (!docId) continue;
    const cited = answer.citations.filter((c) => c.docId === docId);
    const clausesOf = (article: string | null) =>
      [
        ...new Set(cited.filter((c) => c.article === article && c.section).map((c) => c.section as string)),
      ].sort();
    const articles = [...new Set(cited.map((c) => c.article).filter((a): a is string => a !== null))];
    const namedArticles = articles.filter((a) =>
      new RegExp(`${escapeRegExp(say("answer.article", { n: a }))}(?![\\p{N}])`, "u").test(named),
    );
    if (namedArticles.length > 0)
      for (const article of namedArticles)
        refs.push({ docId, article, section: null, clauses: clausesOf(article) });
    else if (articles.length === 0) {
      const first = cited[0] as Citation;
      refs.push({ docId, article: null, section: first.section, clauses: [] });
    }
  }
  return refs.slice(0, MAX_QUOTED_ARTICLES);
}

/**
 * How a quoted article is titled, the way "Căn cứ:" cites it: "Điều 31 Luật 36/2024/QH15" for an
 * official text, "<title> (tài liệu hướng dẫn), mục “…”" for anything else.
 */
export function articleTitle(doc: Pick<Citation, "symbol" | "title" | "kind">, ref: ArticleRef): string {
  const name = shortName(doc);
  const official = doc.symbol !== null && name.endsWith(doc.symbol);
  const where = ref.article
    ? say("answer.article", { n: ref.article })
    : ref.section
      ? say("answer.section", { name: ref.section.split(" › ").at(-1) as string })
      : null;
  return !where ? name : official ? `${where} ${name}` : `${name}, ${where}`;
}

/** Characters of an article shown whole; a longer one shows the quoted clauses. Default 6000. */
export const MAX_ARTICLE_CHARS = 6000;

/**
 * The text of a quoted article, read again from the index (the version in use): its chunks
 * joined back (`joinArticle`), titled with its citation. An article longer than `maxChars`
 * (Nghị định 168 has articles of 30 000 characters) gives the clauses the answer cited, and says
 * so by `excerpt`. Null when the index no longer has it.
 */
export function articleText(
  index: KnowledgeIndex,
  ref: ArticleRef,
  maxChars = MAX_ARTICLE_CHARS,
): ArticleText | null {
  const meta = index.docs.get(ref.docId);
  if (!meta) return null;
  const chunks = [...index.chunks.values()]
    .filter(
      (c) =>
        c.docId === ref.docId &&
        (ref.article !== null
          ? c.article === ref.article
          : !c.article && c.headings.join(" › ") === (ref.section ?? "")),
    )
    .sort((a, b) => a.slot - b.slot);
  if (chunks.length === 0) return null;
  const title = articleTitle(
    { symbol: meta.symbol ?? null, title: meta.title, kind: meta.kind ?? null },
    ref,
  );
  const text = joinArticle(chunks);
  if (text.length <= maxChars) return { title, text, excerpt: false };
  const quoted = chunks.filter(
    (c) => c.clause && ref.clauses.includes(say("answer.clause", { n: c.clause })),
  );
  const shown = joinArticle(quoted.length > 0 ? quoted : chunks.slice(0, 1));
  return {
    title,
    text: shown.length > maxChars ? `${shown.slice(0, maxChars).replace(/\s+\S*$/u, "")} …` : shown,
    excerpt: true,
  };
}
