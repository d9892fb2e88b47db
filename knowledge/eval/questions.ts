import { readFile } from "node:fs/promises";
import { z } from "zod";

/** ALQAC item: relevant articles given by law id and article id. */
const alqacSchema = z.object({
  text: z.string().min(1),
  relevant_articles: z.array(z.object({ law_id: z.string(), article_id: z.coerce.string() })).min(1),
});

/**
 * Our own item: acceptable documents, strings the answer's text must hold (as whole words, without
 * case or diacritics; the cited sources do not count, see `hasWords`), or abstention.
 */
const chatSchema = z.object({
  question: z.string().min(1),
  expect: z.array(z.string()).default([]),
  answer_has: z.array(z.string()).default([]),
  abstain: z.boolean().default(false),
});

export type EvalItem =
  | { kind: "alqac"; question: string; relevant: Array<{ docId: string; article: string }> }
  | { kind: "chat"; question: string; expect: string[]; answerHas: string[]; abstain: boolean };

/** Reads a JSON array or JSONL file of ALQAC or chat items; names the line of a bad item. */
export async function readEvalItems(path: string): Promise<EvalItem[]> {
  const raw = (await readFile(path, "utf8")).trim();
  const rows: unknown[] = raw.startsWith("[")
    ? (JSON.parse(raw) as unknown[])
    : raw
        .split("\n")
        .filter((l) => l.trim())
        .map((l, i) => {
          try {
            return JSON.parse(l) as unknown;
          } catch {
            throw new Error(`${path}:${i + 1}: not valid JSON`);
          }
        });
  return rows.map((row, i) => {
    const a = alqacSchema.safeParse(row);
    if (a.success)
      return {
        kind: "alqac",
        question: a.data.text,
        relevant: a.data.relevant_articles.map((r) => ({ docId: r.law_id, article: r.article_id })),
      };
    const c = chatSchema.safeParse(row);
    if (c.success)
      return {
        kind: "chat",
        question: c.data.question,
        expect: c.data.expect,
        answerHas: c.data.answer_has,
        abstain: c.data.abstain,
      };
    throw new Error(`${path}: item ${i + 1} is neither {text, relevant_articles} nor {question, expect}`);
  });
}
