/**
 * npm run ask -- [--json] [--index <dir>] "<question>"
 * Prints a cited answer from the index (built from KNOWLEDGE_DIR first if there is none).
 */
import { parseArgs } from "node:util";
import { parseConfig } from "../../config.js";
import { tl } from "../../i18n.js";
import { ANSWER_LANG, sourceLines } from "../answer/citation.js";
import { answerQuestion, DEFAULT_ANSWER } from "../answer/compose.js";
import { openOrBuildIndex } from "../engine.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { json: { type: "boolean", default: false }, index: { type: "string" } },
});
const question = positionals.join(" ").trim();
if (!question) {
  console.error('usage: npm run ask -- [--json] "<question>"');
  process.exit(2);
}
const config = parseConfig(process.env);
const knowledge = values.index ? { ...config.knowledge, indexDir: values.index } : config.knowledge;
const index = await openOrBuildIndex(knowledge, (r) =>
  console.error(`(built the index from ${knowledge.corpusDir}: ${r.chunks} chunks)`),
);
const result = await answerQuestion(index, question, {
  ...DEFAULT_ANSWER,
  minCoverage: knowledge.minCoverage,
});
if (values.json) {
  const { answer, body, basis, abstained, citations } = result;
  console.log(JSON.stringify({ answer, body, basis, abstained, citations }, null, 2));
} else {
  console.log(result.answer);
  const sources = sourceLines(result.citations);
  if (sources.length > 0)
    console.log(
      ["", tl(ANSWER_LANG, "ask.cliSources"), ...sources.map((x, i) => `[${i + 1}] ${x}`)].join("\n"),
    );
}
