/**
 * npm run ingest -- [--rebuild] [--index <dir>] [<path>...]
 * npm run ingest -- --rollback [--index <dir>]
 *
 * Builds a new version of the index from files and folders (default: KNOWLEDGE_DIR and, once
 * it exists, the document library KNOWLEDGE_UPLOADS_DIR) beside the live one, makes it current
 * once it reads back and answers, and tells the running processes
 * (Redis at REDIS_URL, key prefix QUEUE_PREFIX); those it cannot reach read the pointer within
 * 30 s anyway. A file that fails to load, an empty or unreadable build publishes nothing (exit 1)
 * and the running processes keep the index they have. `--rollback` makes the previous version
 * current again.
 */
import { parseArgs } from "node:util";
import { parseConfig } from "../../config.js";
import { announceIndexVersion, defaultSourcePaths, embeddingProviderFor, ingestVersion } from "../engine.js";
import { rollbackVersion } from "../index/index-versions.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rebuild: { type: "boolean", default: false },
    rollback: { type: "boolean", default: false },
    index: { type: "string" },
  },
});
const config = parseConfig(process.env);
const indexDir = values.index ?? config.knowledge.indexDir;

/** Tells the running processes; best effort, as the processes also poll the pointer. */
async function announce(version: string): Promise<void> {
  try {
    await announceIndexVersion(config.redisUrl, config.tips.prefix, version);
    console.log(`announced ${version} to the running processes (key prefix "${config.tips.prefix}")`);
  } catch (e) {
    console.error(
      `! could not announce it on Redis (${(e as Error).message}): the running processes load it within 30 s`,
    );
  }
}

try {
  if (values.rollback) {
    const { version, previous } = await rollbackVersion(indexDir);
    console.log(`${indexDir}: back to ${version} (from ${previous})`);
    await announce(version);
  } else {
    const paths = positionals.length > 0 ? positionals : defaultSourcePaths(config.knowledge);
    const started = performance.now();
    const report = await ingestVersion(paths, indexDir, embeddingProviderFor(config.knowledge), {
      rebuild: values.rebuild,
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    for (const p of report.added) console.log(`+ ${p}`);
    for (const p of report.updated) console.log(`~ ${p}`);
    for (const p of report.removed) console.log(`- ${p}`);
    console.log(
      `${report.chunks} chunks in ${indexDir} (${report.added.length} added, ${report.updated.length} updated, ` +
        `${report.removed.length} removed, ${report.unchanged.length} unchanged) in ${seconds}s`,
    );
    if (report.published) {
      console.log(
        `version ${report.version} is current${report.previous ? ` (was ${report.previous})` : ""}`,
      );
      await announce(report.version);
    } else console.log(`nothing changed: version ${report.version} stays current`);
  }
} catch (e) {
  const name = (e as Error).name;
  if (name === "IndexBuildRefusedError") {
    for (const reason of (e as { reasons: string[] }).reasons) console.error(`! ${reason}`);
    console.error("! nothing was published: the running processes keep the index they have");
  } else if (name === "IndexMismatchError") console.error(`! ${(e as Error).message}`);
  else throw e;
  process.exitCode = 1;
}
