/**
 * npm run report -- --from 2026-01-01 --to 2026-05-10 [--csv] [--commune <id>...]
 * Prints tip statistics for a period (dates inclusive, Vietnam time): closed tips from the
 * directory database's `tip_outcomes` (DATABASE_URL, else PGlite in PG_DATA_DIR), open ones
 * from Redis. Exit 2 on bad arguments, 69 when the database is unavailable or held by `npm start`.
 */
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { parseConfig } from "../../config.js";
import { type DatabaseHandle, openDatabase } from "../../db/client.js";
import { OutcomeStatistics } from "../outcomes/statistics.js";
import { loadRoutingTable } from "../routing/load.js";
import { tipDataKeys } from "../runtime.js";
import { statisticsCsv, statisticsTable } from "../stats.js";
import { ContentSealer } from "../tip/content-sealer.js";
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
let database: DatabaseHandle;
try {
  database = await openDatabase(config);
} catch (e) {
  console.error((e as Error).message);
  process.exit(69);
}
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
try {
  // Days are Vietnam days (UTC+7, no daylight saving).
  const from = Date.parse(`${values.from}T00:00:00+07:00`);
  const to = Date.parse(`${values.to}T00:00:00+07:00`) + 86_400_000;
  const content = new ContentSealer(await tipDataKeys(config));
  const store = new TipStore(redis, config.tips.prefix, content);
  const stats = await new OutcomeStatistics({ db: database.db, store, routing }).statistics({
    from,
    to,
    label: { from: values.from, to: values.to },
    ...(values.commune && { communes: new Set(values.commune) }),
  });
  process.stdout.write(values.csv ? statisticsCsv(stats) : `${statisticsTable(stats)}\n`);
} finally {
  redis.disconnect();
  await database.close();
}
