import { readFile } from "node:fs/promises";
import { LANGS, type Lang, tl } from "../../i18n.js";
import { foldKey, words } from "../../text/normalize.js";
import type { Passage } from "../retrieve/hybrid-search.js";
import { ANSWER_LANG, BASIS_PREFIX, citationOf, shortName } from "./citation.js";
import type { Answer } from "./compose.js";
import { containsPhrase, type Facts, factsOf } from "./facts.js";
import {
  type ChatClient,
  type ChatEndpoint,
  type ChatFailure,
  ChatModelError,
  OpenAIChatClient,
} from "./llm-client.js";

/**
 * The optional grounded language model: it rephrases an extractive answer from the passages
 * that answer quoted — the direct answer first, short enough for a phone — and a checker stands
 * between it and the user. Every number, date, phone number, article/clause/point reference,
 * document number and quoted phrase of the model's text must be in the passages it cites, and
 * it may cite only the passages it was given (numbered as the extractive answer numbers its
 * documents). Anything else — an invention, a timeout, an error — and the user gets the
 * extractive answer unchanged. The phrased answer keeps the extractive answer's "Căn cứ:" line
 * and citations: the sources shown are always the retrieved ones.
 */

/** The model's instructions per language, from `locales/prompts/grounded-answer.<lang>.md`. */
export interface GroundedPrompts {
  readonly system: Readonly<Record<Lang, string>>;
  /** With `{{passages}}` and `{{question}}` to fill in. */
  readonly user: Readonly<Record<Lang, string>>;
}

/** A chat client and its instructions: what `phrase` needs. */
export interface GroundedModel {
  readonly client: ChatClient;
  readonly prompts: GroundedPrompts;
}

const PROMPTS_DIR = new URL("../../locales/prompts/", import.meta.url);

/**
 * Reads the prompt templates (once, at start-up). They are files, not catalogue keys: they are
 * instructions to a model, not text a person reads, and are long enough to want line breaks.
 */
export async function loadGroundedPrompts(dir: URL = PROMPTS_DIR): Promise<GroundedPrompts> {
  const system: Partial<Record<Lang, string>> = {};
  const user: Partial<Record<Lang, string>> = {};
  for (const lang of LANGS) {
    const file = new URL(`grounded-answer.${lang}.md`, dir);
    const text = await readFile(file, "utf8");
    const parts = /<!--\s*system\s*-->([\s\S]*?)<!--\s*user\s*-->([\s\S]*)$/.exec(text);
    const [s, u] = [parts?.[1]?.trim(), parts?.[2]?.trim()];
    if (!s || !u?.includes("{{passages}}") || !u.includes("{{question}}"))
      throw new Error(
        `${file.pathname}: needs a "<!-- system -->" part, then a "<!-- user -->" part with {{passages}} and {{question}}`,
      );
    system[lang] = s;
    user[lang] = u;
  }
  return { system: system as Record<Lang, string>, user: user as Record<Lang, string> };
}

/** The client for `LLM_*` settings with the shipped prompts. */
export async function createGroundedModel(endpoint: ChatEndpoint): Promise<GroundedModel> {
  return { client: new OpenAIChatClient(endpoint), prompts: await loadGroundedPrompts() };
}

/** A passage as the model sees it: its number (the [n] of its document), a header and its text. */
export interface NumberedPassage {
  readonly n: number;
  /** Where it comes from: "Điều 7, khoản 2 — Nghị định 168/2024/NĐ-CP — <headings>". */
  readonly header: string;
  readonly text: string;
}

/**
 * The passages the extractive answer quoted, numbered as its [n] markers number their documents
 * (the order of `answer.citations`, as "Xem nguồn" lists them). Only these go to the model: the
 * "Căn cứ:" line names them, so whatever the model cites agrees with it. Each body line "… [n]"
 * is matched to the passage of document n among `passages` that shares most of its words (the
 * line may be cut or shaped); failing that, the best ranked passage of each document the basis
 * line names.
 */
export function quotedPassages(answer: Answer, passages: readonly Passage[]): NumberedPassage[] {
  const docOrder = [...new Set(answer.citations.map((c) => c.docId))];
  const chosen: Array<{ n: number; passage: Passage }> = [];
  const add = (n: number, passage: Passage | undefined) => {
    if (passage && !chosen.some((c) => c.passage === passage)) chosen.push({ n, passage });
  };
  for (const line of answer.body.split("\n")) {
    const ns = citedNumbers(line);
    const lineWords = words(line.replace(/\[[^\]]*\]/g, " "));
    for (const n of ns) {
      const candidates = passages.filter((p) => p.meta.docId === docOrder[n - 1]);
      const shared = (p: Passage) => {
        const own = new Set(words(p.chunk.text));
        return lineWords.filter((w) => own.has(w)).length;
      };
      add(
        n,
        candidates.reduce<Passage | undefined>(
          (b, p) => (b === undefined || shared(p) > shared(b) ? p : b),
          undefined,
        ),
      );
    }
  }
  if (chosen.length === 0)
    for (const n of new Set(citedNumbers(answer.basis ?? "")))
      add(
        n,
        passages.find((p) => p.meta.docId === docOrder[n - 1]),
      );
  return chosen.map(({ n, passage }) => {
    const c = citationOf(passage);
    const where = [
      c.article ? tl(ANSWER_LANG, "answer.article", { n: c.article }) : null,
      c.article ? c.section : null,
    ]
      .filter(Boolean)
      .join(", ");
    const headings = passage.chunk.headings.join(" › ");
    const header = [where, shortName(c), headings].filter(Boolean).join(" — ");
    return { n, header, text: passage.chunk.text };
  });
}

/** What the checker found wrong with a model's text. */
export type GroundingProblem =
  | { readonly kind: "no-citation" }
  | { readonly kind: "unknown-citation"; readonly n: number }
  | {
      readonly kind: "number" | "phone" | "date" | "reference" | "document" | "quote";
      readonly text: string;
    };

const CITATIONS = /\[\s*(\d+(?:\s*[,;–-]\s*\d+)*)\s*\]/gu;
const LIST_CLAUSE = /^\s*(\d+)\.\s/gmu;
const LIST_POINT = /^\s*([a-zđ])\)\s/gmu;

/** The [n] numbers a text cites ("[1]", "[1, 2]", "[1][3]"). */
export function citedNumbers(text: string): number[] {
  return [...text.matchAll(CITATIONS)].flatMap((m) => (m[1] as string).split(/[^\d]+/).map(Number));
}

/** Everything a set of passages can vouch for, as sets of keys. */
function evidenceOf(sources: readonly NumberedPassage[]) {
  const text = sources.map((s) => `${s.header}\n${s.text}`).join("\n\n");
  const facts: Facts = factsOf(text);
  const numbers = new Set(facts.numbers.flatMap((n) => n.values));
  // Any digit run of the passages vouches for that number, whatever its role there: the year of
  // a date, the 168 of "168/2024/NĐ-CP", the 7 of "Điều 7".
  for (const m of text.matchAll(/\d+/g)) numbers.add(String(Number(m[0])));
  const phones = new Set(facts.phones.map((p) => p.digits));
  for (const m of text.matchAll(/\d[\d .-]{6,}\d/g)) phones.add(m[0].replace(/\D/g, ""));
  const references = new Set(facts.references.map((r) => r.key));
  // A legal text numbers its clauses "1." and its points "a)" without the words.
  for (const s of sources) {
    for (const m of s.text.matchAll(LIST_CLAUSE)) references.add(`khoan ${Number(m[1])}`);
    for (const m of s.text.matchAll(LIST_POINT)) references.add(`diem ${foldKey(m[1] as string)}`);
  }
  return {
    text,
    numbers,
    phones,
    references,
    documents: new Set(facts.documents.map((d) => d.key)),
    dates: new Set(facts.dates.map((d) => d.key)),
  };
}

/**
 * Checks a model's text against the passages it was given: it must cite at least one, cite only
 * those, and every number, phone number, date, reference, document number and quoted phrase in
 * it must be in the passages it cites. With the answer's `basis` line, an article the text names
 * must also be one the basis names ("Điều 59" in the text and "Điều 33" under it would
 * contradict each other). Returns the problems; none means grounded.
 */
export function checkGrounded(
  text: string,
  sources: readonly NumberedPassage[],
  basis: string | null = null,
): GroundingProblem[] {
  const problems: GroundingProblem[] = [];
  const cited = [...new Set(citedNumbers(text))];
  if (cited.length === 0) return [{ kind: "no-citation" }];
  for (const n of cited) if (!sources.some((s) => s.n === n)) problems.push({ kind: "unknown-citation", n });
  if (problems.length > 0) return problems;
  const evidence = evidenceOf(sources.filter((s) => cited.includes(s.n)));
  const facts = factsOf(text);
  for (const n of facts.numbers)
    if (!n.values.some((v) => evidence.numbers.has(v))) problems.push({ kind: "number", text: n.text });
  for (const p of facts.phones)
    if (!evidence.phones.has(p.digits)) problems.push({ kind: "phone", text: p.text });
  for (const d of facts.dates) if (!evidence.dates.has(d.key)) problems.push({ kind: "date", text: d.text });
  const named = basis === null ? null : new Set(factsOf(basis).references.map((r) => r.key));
  for (const r of facts.references)
    if (!evidence.references.has(r.key) || (named && r.key.startsWith("dieu ") && !named.has(r.key)))
      problems.push({ kind: "reference", text: r.text });
  for (const d of facts.documents)
    if (!evidence.documents.has(d.key)) problems.push({ kind: "document", text: d.text });
  for (const q of facts.quotes)
    if (!containsPhrase(evidence.text, q)) problems.push({ kind: "quote", text: q });
  return problems;
}

/** Why the extractive answer was kept: for a metric label and the log. */
export type FallbackReason = "abstained" | "no-passages" | ChatFailure | GroundingProblem["kind"];

export type PhraseOutcome =
  | { readonly source: "model" }
  | { readonly source: "extractive"; readonly reason: FallbackReason; readonly detail?: string };

/** The model's text as a reply: its own "Căn cứ:" lines dropped (ours is added), markdown emphasis removed. */
function cleaned(text: string): string {
  return text
    .split("\n")
    .filter((line) => !line.trim().startsWith(BASIS_PREFIX))
    .join("\n")
    .replace(/\*\*|__/g, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/**
 * Has the model phrase `answer` (the extractive answer to `question`) from the passages it
 * quoted, in `lang`, and returns the phrased answer when the checker passes it — with the
 * extractive answer's `basis`, `citations` and every other field — else `answer` itself, with
 * the reason. An abstention is returned as it is, without asking the model.
 */
export async function phrase<A extends Answer>(
  question: string,
  answer: A,
  passages: readonly Passage[],
  model: GroundedModel,
  lang: Lang,
): Promise<{ answer: A; outcome: PhraseOutcome }> {
  if (answer.abstained || answer.basis === null) return { answer, outcome: fallback("abstained") };
  const sources = quotedPassages(answer, passages);
  if (sources.length === 0) return { answer, outcome: fallback("no-passages") };
  const block = sources.map((s) => `[${s.n}] ${s.header}\n${s.text}`).join("\n\n");
  const user = model.prompts.user[lang]
    .replace("{{passages}}", () => block)
    .replace("{{question}}", () => question.replace(/\s+/g, " ").trim());
  let text: string;
  try {
    text = cleaned(
      await model.client.complete([
        { role: "system", content: model.prompts.system[lang] },
        { role: "user", content: user },
      ]),
    );
  } catch (err) {
    if ((err as Error).name !== ChatModelError.name) throw err;
    const e = err as ChatModelError;
    return { answer, outcome: fallback(e.failure, e.message) };
  }
  const problems = checkGrounded(text, sources, answer.basis);
  const first = problems[0];
  if (first) {
    const detail = problems.map((p) =>
      "text" in p ? `${p.kind}: ${p.text}` : "n" in p ? `[${p.n}]` : p.kind,
    );
    return { answer, outcome: fallback(first.kind, detail.join("; ")) };
  }
  return {
    answer: { ...answer, body: text, answer: `${text}\n\n${answer.basis}` },
    outcome: { source: "model" },
  };
}

const fallback = (reason: FallbackReason, detail?: string): PhraseOutcome => ({
  source: "extractive",
  reason,
  ...(detail !== undefined && { detail }),
});
