/**
 * npm run report -- --from 2026-01-01 --to 2026-05-10 [--csv] [--commune <id>...]
 * Prints tip statistics for a period (dates inclusive, Vietnam time).
 */
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { parseConfig } from "../../config.js";
import { loadRoutingTable } from "../routing/load.js";
import { statisticsCsv, statisticsTable, tipStatistics } from "../stats.js";
import { TipStore } from "../tip/tip-store.js";

const { values } = parseArgs({
  options: {
    from: { type: "string" },
    to: { type: "string" },
    csv: { type: "boolean", default: false },
    commune: { type: "string", multiple: true },
  },
});
const day = /^\d{4}-\d{2}-\d{2}$/;
if (!values.from || !values.to || !day.test(values.from) || !day.test(values.to) || values.from > values.to) {
  console.error("usage: npm run report -- --from YYYY-MM-DD --to YYYY-MM-DD [--csv] [--commune <id>...]");
  process.exit(2);
}
const config = parseConfig(process.env);
const routing = await loadRoutingTable(config.tips.routingFile);
for (const c of values.commune ?? [])
  if (!routing.communes.some((x) => x.id === c)) {
    console.error(`unknown commune "${c}" (see ${config.tips.routingFile})`);
    process.exit(2);
  }
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
try {
  // Days are Vietnam days (UTC+7, no daylight saving).
  const from = Date.parse(`${values.from}T00:00:00+07:00`);
  const to = Date.parse(`${values.to}T00:00:00+07:00`) + 86_400_000;
  const tips = await new TipStore(redis, config.tips.prefix).createdBetween(from, to);
  const stats = tipStatistics(
    tips,
    routing,
    { from: values.from, to: values.to },
    values.commune ? new Set(values.commune) : undefined,
  );
  process.stdout.write(values.csv ? statisticsCsv(stats) : `${statisticsTable(stats)}\n`);
} finally {
  redis.disconnect();
}
