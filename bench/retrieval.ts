/**
 * Retrieval at a given corpus size: build time, index size on disk, answer latency (retrieve +
 * compose, no LLM) and peak memory, beside a plain BM25 over the same chunks in the same run.
 * Usage: npx tsx bench/retrieval.ts <chunks> — one size per process, so peak RSS is its own.
 *
 * The corpus grows from ../shared/eval/alqac/laws.json and the seed documents: below their size
 * whole laws are taken in order; above it, generated variants of the laws are added (numbers
 * shifted, sentences rotated), which are near-duplicates — the hard case for a lexical index.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../config.js";
import { answerQuestion, DEFAULT_ANSWER } from "../knowledge/answer/compose.js";
import { embeddingProviderFor } from "../knowledge/engine.js";
import { readEvalItems } from "../knowledge/eval/questions.js";
import { KnowledgeIndex } from "../knowledge/index/knowledge-index.js";
import { discoverSources } from "../knowledge/load/sources.js";
import { latency, peakRssMb, report, requireShared, SHARED } from "./measure.js";
import { PlainBm25 } from "./plain-bm25.js";

requireShared("retrieval");
const target = Number(process.argv[2] ?? 2000);
if (!Number.isInteger(target) || target < 100) throw new RangeError("usage: retrieval.ts <chunks ≥ 100>");

type Law = { id: string; articles: { id: string; text: string }[] };
const laws = JSON.parse(await readFile(join(SHARED, "eval/alqac/laws.json"), "utf8")) as Law[];
const questions = (await readEvalItems(join(SHARED, "eval/alqac/dev-questions.json"))).map((i) => i.question);

/** A variant of a law: its own id, numbers shifted by k, each article's sentences rotated. */
function variant(law: Law, k: number): Law {
  return {
    id: `${law.id}~v${k}`,
    articles: law.articles.map((a) => {
      const shifted = a.text.replace(/\d+/g, (n) => String(Number(n) + k));
      const sentences = shifted.split(/(?<=\.)\s+/);
      const r = k % Math.max(1, sentences.length);
      return { id: a.id, text: [...sentences.slice(r), ...sentences.slice(0, r)].join(" ") };
    }),
  };
}

const dir = await mkdtemp(join(tmpdir(), "ssg-bench-retrieval-"));
try {
  // Articles ≈ chunks (long articles split); the real count is reported.
  const baseArticles = laws.reduce((s, l) => s + l.articles.length, 0);
  const chosen: Law[] = [];
  if (target <= baseArticles) {
    let n = 0;
    for (const law of laws) {
      if (n >= target) break;
      chosen.push(law);
      n += law.articles.length;
    }
  } else {
    chosen.push(...laws);
    for (let k = 1, n = baseArticles; n < target; k++)
      for (const law of laws) {
        if (n >= target) break;
        chosen.push(variant(law, k));
        n += law.articles.length;
      }
  }
  await writeFile(join(dir, "laws.json"), JSON.stringify(chosen));
  const paths = [join(dir, "laws.json"), ...(target > baseArticles ? [join(SHARED, "corpus/seeds")] : [])];
  const { files } = await discoverSources(paths);

  const provider = embeddingProviderFor(parseConfig(process.env).knowledge);
  const index = KnowledgeIndex.create(provider);
  let t0 = performance.now();
  await index.update(files);
  const buildS = (performance.now() - t0) / 1000;
  t0 = performance.now();
  await index.save(join(dir, "index"));
  const saveS = (performance.now() - t0) / 1000;
  const chunks = [...index.chunks.values()];

  const plain = new PlainBm25();
  t0 = performance.now();
  for (const c of chunks) plain.add(c.slot, c.text);
  const plainBuildS = (performance.now() - t0) / 1000;

  const options = { ...DEFAULT_ANSWER, minCoverage: 0.45 };
  for (const q of questions.slice(0, 10)) {
    await answerQuestion(index, q, options);
    plain.search(q, 10);
  }
  const ours: number[] = [];
  const base: number[] = [];
  const rounds = 3;
  let s0 = performance.now();
  for (let r = 0; r < rounds; r++)
    for (const q of questions) {
      const t = performance.now();
      await answerQuestion(index, q, options);
      ours.push(performance.now() - t);
    }
  const oursS = (performance.now() - s0) / 1000;
  s0 = performance.now();
  for (let r = 0; r < rounds; r++)
    for (const q of questions) {
      const t = performance.now();
      plain.search(q, 10);
      base.push(performance.now() - t);
    }
  const baseS = (performance.now() - s0) / 1000;
  const rss = peakRssMb();
  const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
  report([
    {
      scenario: "retrieval",
      variant: `hybrid (ours) @ ${chunks.length} chunks`,
      chunks: chunks.length,
      latencyMs: latency(ours),
      throughput: round(ours.length / oursS),
      peakRssMb: rss,
      buildS: round(buildS),
      saveS: round(saveS),
      indexMb: round((await du(join(dir, "index"))) / 2 ** 20),
    },
    {
      scenario: "retrieval",
      variant: `plain BM25 @ ${chunks.length} chunks`,
      chunks: chunks.length,
      latencyMs: latency(base),
      throughput: round(base.length / baseS),
      buildS: round(plainBuildS, 2),
      indexMb: round(Buffer.byteLength(JSON.stringify(plain.toJSON())) / 2 ** 20),
    },
  ]);
} finally {
  await rm(dir, { recursive: true, force: true });
}

async function du(path: string): Promise<number> {
  const s = await stat(path);
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const name of await readdir(path)) total += await du(join(path, name));
  return total;
}
