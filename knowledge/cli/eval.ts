/**
 * npm run eval -- --corpus <path> [--corpus <path>...] --questions <file> [--questions <file>...] [--k 10] [--strip-diacritics]
 * Builds an index of the corpus in memory, asks every question and prints a table, then the
 * metrics as one JSON object per questions file (with `out_of_scope_answered` when the file has
 * questions that must abstain, and `median_words`, the first bubble's median length), the last
 * line for all the files together.
 */
import { parseArgs } from "node:util";
import { parseConfig } from "../../config.js";
import { DEFAULT_ANSWER } from "../answer/compose.js";
import { embeddingProviderFor } from "../engine.js";
import { evaluateItem, summarise } from "../eval/evaluate.js";
import { readEvalItems } from "../eval/questions.js";
import { KnowledgeIndex } from "../index/knowledge-index.js";
import { discoverSources } from "../load/sources.js";

const { values } = parseArgs({
  options: {
    corpus: { type: "string", multiple: true },
    questions: { type: "string", multiple: true },
    k: { type: "string", default: "10" },
    "strip-diacritics": { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
  },
});
const k = Number(values.k);
if (!values.corpus?.length || !values.questions?.length || !Number.isInteger(k) || k < 1) {
  console.error("usage: npm run eval -- --corpus <path> [--corpus <path>...] --questions <file> [--k 10]");
  process.exit(2);
}
const config = parseConfig(process.env);
const { files, errors } = await discoverSources(values.corpus);
for (const e of errors) console.error(`! ${e.message}`);
const index = KnowledgeIndex.create(embeddingProviderFor(config.knowledge));
const report = await index.update(files);
for (const e of report.failed) console.error(`! ${e.message}`);
const options = { ...DEFAULT_ANSWER, minCoverage: config.knowledge.minCoverage };
const items = [];
const results = [];
const perFile: string[] = [];
for (const file of values.questions) {
  const fileItems = await readEvalItems(file);
  const fileResults = [];
  for (const item of fileItems)
    fileResults.push(await evaluateItem(index, item, k, options, values["strip-diacritics"]));
  items.push(...fileItems);
  results.push(...fileResults);
  if (values.questions.length > 1)
    perFile.push(`${file}: ${JSON.stringify(summarise(fileResults, fileItems))}`);
}

const rows = results.map((r) => ({
  rank: r.judged ? (r.rank ?? "-") : "",
  abstain: r.abstained ? (r.abstainCorrect ? "yes" : "YES (wrong)") : r.abstainCorrect ? "" : "no (wrong)",
  answer: r.answerOk ? "" : "missing",
  top: r.top ?? "",
  question: r.question.length > 70 ? `${r.question.slice(0, 69)}…` : r.question,
}));
if (values.verbose) console.table(rows);
else console.table(rows.filter((r) => r.rank !== 1 && r.rank !== ""));
console.log(
  `${report.chunks} chunks, ${items.length} questions, k=${k}${values["strip-diacritics"] ? ", diacritics removed" : ""}`,
);
for (const line of perFile) console.log(line);
console.log(JSON.stringify(summarise(results, items)));
