import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_ANSWER } from "../../knowledge/answer/compose.js";
import { evaluateItem, type Metrics, summarise } from "../../knowledge/eval/evaluate.js";
import { type EvalItem, readEvalItems } from "../../knowledge/eval/questions.js";
import { corpusEmbeddingProvider, KnowledgeIndex } from "../../knowledge/index/knowledge-index.js";
import { discoverSources } from "../../knowledge/load/sources.js";
import { missingData } from "../requirements.js";

const shared = resolve(import.meta.dirname, "../../../shared");
const alqac = resolve(shared, "eval/alqac");
const noAlqac = missingData(resolve(alqac, "laws.json"), "the ALQAC dev set");

async function buildIndex(paths: string[]): Promise<KnowledgeIndex> {
  const { files, errors } = await discoverSources(paths);
  expect(errors).toEqual([]);
  const index = KnowledgeIndex.create(corpusEmbeddingProvider());
  const report = await index.update(files);
  expect(report.failed).toEqual([]);
  return index;
}

async function run(index: KnowledgeIndex, items: EvalItem[], strip = false): Promise<Metrics> {
  const results = [];
  for (const item of items) results.push(await evaluateItem(index, item, 10, DEFAULT_ANSWER, strip));
  return summarise(results, items);
}

describe.skipIf(noAlqac)("ALQAC dev set (../shared/eval/alqac)", () => {
  let index: KnowledgeIndex;
  let items: EvalItem[];
  beforeAll(async () => {
    index = await buildIndex([resolve(alqac, "laws.json")]);
    items = await readEvalItems(resolve(alqac, "dev-questions.json"));
  });

  // Plain BM25 over syllables and bigrams scores MRR@10 0.862 here (../shared/eval/README.md).
  it("ranks the relevant article above the plain BM25 baseline, with and without diacritics", async () => {
    const withMarks = await run(index, items);
    const without = await run(index, items, true);
    expect(withMarks.n).toBe(100);
    expect(withMarks["mrr@10"]).toBeGreaterThan(0.862);
    expect(Math.abs(withMarks["mrr@10"] - without["mrr@10"])).toBeLessThanOrEqual(0.05);
    expect(withMarks["recall@10"]).toBeGreaterThanOrEqual(0.95);
  });
});

const project = resolve(import.meta.dirname, "../..");
const seeds = resolve(shared, "corpus/seeds");

describe.skipIf(missingData(seeds, "the chat questions on the seed documents"))(
  "chat questions on the seeds and named documents (../shared/corpus)",
  () => {
    let index: KnowledgeIndex;
    beforeAll(async () => {
      // The official texts are shipped in knowledge/corpus/van-ban (copied from corpus/legal).
      index = await buildIndex([resolve(project, "knowledge/corpus"), seeds]);
    });

    for (const file of [
      resolve(shared, "eval/chat-dev.jsonl"),
      resolve(project, "knowledge/eval/chat-questions.jsonl"),
    ]) {
      it.skipIf(missingData(file, "a chat question set"))(
        `cites the right documents and abstains off-topic: ${file.split("/").slice(-2).join("/")}`,
        async () => {
          const items = await readEvalItems(file);
          const m = await run(index, items);
          expect(m["recall@5"]).toBeGreaterThanOrEqual(0.85);
          expect(m.abstain_accuracy).toBeGreaterThanOrEqual(0.85);
          if (m.answer_has_accuracy !== undefined) expect(m.answer_has_accuracy).toBeGreaterThanOrEqual(0.75);
          // Every off-topic question abstains: a guess there is the failure users notice first.
          const offTopic = items.filter((i) => i.kind === "chat" && i.abstain);
          for (const item of offTopic)
            expect((await evaluateItem(index, item, 10)).abstained, item.question).toBe(true);
        },
      );
    }
  },
);
