/**
 * npm run ingest -- [--rebuild] [--index <dir>] [<path>...]
 * Builds or updates the index from files and folders (default: KNOWLEDGE_DIR).
 */
import { parseArgs } from "node:util";
import { parseConfig } from "../../config.js";
import { embeddingProviderFor, ingest } from "../engine.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rebuild: { type: "boolean", default: false }, index: { type: "string" } },
});
const config = parseConfig(process.env);
const indexDir = values.index ?? config.knowledge.indexDir;
const paths = positionals.length > 0 ? positionals : [config.knowledge.corpusDir];
const started = performance.now();
const report = await ingest(paths, indexDir, embeddingProviderFor(config.knowledge), {
  rebuild: values.rebuild,
});
const seconds = ((performance.now() - started) / 1000).toFixed(1);

for (const p of report.added) console.log(`+ ${p}`);
for (const p of report.updated) console.log(`~ ${p}`);
for (const p of report.removed) console.log(`- ${p}`);
for (const e of [...report.discoveryErrors, ...report.failed]) console.error(`! ${e.message}`);
console.log(
  `${report.chunks} chunks in ${indexDir} (${report.added.length} added, ${report.updated.length} updated, ` +
    `${report.removed.length} removed, ${report.unchanged.length} unchanged, ` +
    `${report.failed.length + report.discoveryErrors.length} failed) in ${seconds}s`,
);
// The index is saved with every good file; a non-zero exit still tells scripts that some failed.
if (report.failed.length + report.discoveryErrors.length > 0) process.exitCode = 1;
