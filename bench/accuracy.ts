/**
 * Accuracy beside speed: MRR@10 and recall on the ALQAC dev set (../shared/eval/alqac), with and
 * without diacritics, for our retrieval and for the plain BM25 baseline over the same chunks.
 * Usage: npx tsx bench/accuracy.ts
 */
import { join } from "node:path";
import { parseConfig } from "../config.js";
import { DEFAULT_ANSWER } from "../knowledge/answer/compose.js";
import { embeddingProviderFor } from "../knowledge/engine.js";
import { citationUnit, evaluateItem, summarise } from "../knowledge/eval/evaluate.js";
import { type EvalItem, readEvalItems } from "../knowledge/eval/questions.js";
import { KnowledgeIndex } from "../knowledge/index/knowledge-index.js";
import { discoverSources } from "../knowledge/load/sources.js";
import { removeDiacritics } from "../text/normalize.js";
import { latency, peakRssMb, report, requireShared, SHARED } from "./measure.js";
import { PlainBm25 } from "./plain-bm25.js";

requireShared("accuracy");
const K = 10;
const { files } = await discoverSources([join(SHARED, "eval/alqac/laws.json")]);
const index = KnowledgeIndex.create(embeddingProviderFor(parseConfig(process.env).knowledge));
await index.update(files);
const items = (await readEvalItems(join(SHARED, "eval/alqac/dev-questions.json"))).filter(
  (i): i is Extract<EvalItem, { kind: "alqac" }> => i.kind === "alqac",
);
const plain = new PlainBm25();
for (const c of index.chunks.values()) plain.add(c.slot, c.text);

/** MRR@10 and recall of the baseline, judged on (law, article) units like ours. */
function baseline(strip: boolean) {
  const ranks: (number | null)[] = [];
  const times: number[] = [];
  for (const item of items) {
    const q = strip ? removeDiacritics(item.question) : item.question;
    const t = performance.now();
    const hits = plain.search(q, K * 3);
    times.push(performance.now() - t);
    const seen = new Set<string>();
    const units = hits.flatMap((h) => {
      const c = index.chunks.get(h.slot);
      const unit = c && citationUnit(c);
      if (!c || !unit || seen.has(unit)) return [];
      seen.add(unit);
      return [c];
    });
    const at = units
      .slice(0, K)
      .findIndex((c) => item.relevant.some((r) => r.docId === c.docId && r.article === c.article));
    ranks.push(at >= 0 ? at + 1 : null);
  }
  const share = (f: (r: number | null) => boolean) =>
    Math.round((ranks.filter(f).length / ranks.length) * 1000) / 1000;
  return {
    "recall@1": share((r) => r === 1),
    "recall@10": share((r) => r !== null),
    "mrr@10":
      Math.round((ranks.reduce<number>((s, r) => s + (r ? 1 / r : 0), 0) / ranks.length) * 1000) / 1000,
    latencyMs: latency(times),
  };
}

async function ours(strip: boolean) {
  const results = [];
  const times: number[] = [];
  for (const item of items) {
    const t = performance.now();
    results.push(await evaluateItem(index, item, K, DEFAULT_ANSWER, strip));
    times.push(performance.now() - t);
  }
  const m = summarise(results, items);
  return {
    "recall@1": m["recall@1"],
    "recall@10": m["recall@10"],
    "mrr@10": m["mrr@10"],
    latencyMs: latency(times),
  };
}

const rows = [];
for (const strip of [false, true]) {
  const label = strip ? "without diacritics" : "with diacritics";
  rows.push({ scenario: "accuracy (ALQAC dev)", variant: `hybrid (ours), ${label}`, ...(await ours(strip)) });
  rows.push({ scenario: "accuracy (ALQAC dev)", variant: `plain BM25, ${label}`, ...baseline(strip) });
}
report(
  rows.map((r) => ({ ...r, peakRssMb: peakRssMb() })),
  { questions: items.length, chunks: index.chunks.size },
);
