/**
 * `npm run worker`: runs the tip pipeline's workers only, to scale them out beside the bot.
 * Delivers through every configured channel; stops gracefully on SIGTERM/SIGINT.
 *
 * The directory: with DATABASE_URL it reads the database like `npm start`; on the embedded
 * default (PGlite, held by `npm start`) it reads the snapshot `npm start` leaves in Redis and
 * follows its changes the same way.
 */

import { configFromEnvOrExit } from "../config.js";
import { createLogger } from "../logger.js";
import { createTipRuntime } from "../workers/runtime.js";
import { chatStreamsFor, mediaSignerFor, messengersFor, senderSaltFor } from "./channels.js";
import { type DirectoryRuntime, openDirectoryRuntime } from "./directory-runtime.js";

const config = configFromEnvOrExit(process.env);
const logger = createLogger(config.logLevel);
const media = await mediaSignerFor(config);
const salt = await senderSaltFor(config);
let channels: string[] = [];
if (!config.telegram && !config.zalo && !config.web?.demoOfficers)
  logger.warn("no Telegram or Zalo token: officers cannot be reached; deliveries will fail and be retried");

let directory: DirectoryRuntime;
try {
  directory = await openDirectoryRuntime(config, { logger, withDatabase: config.database.url !== undefined });
} catch (e) {
  const known = ["DatabaseOpenError", "DirectoryUnavailableError", "RoutingTableError"];
  if (!known.includes((e as Error).name)) throw e;
  console.error((e as Error).message);
  process.exit(69);
}
const runtime = await createTipRuntime(config, {
  logger,
  routing: directory.directory,
  // Closed tips' statistics rows are drained into it; /thongke reads them from there.
  ...(directory.database && { database: directory.database.db }),
  workers: {
    messenger: (redis) => {
      const made = messengersFor(config, { media, ...chatStreamsFor(config, redis, salt) });
      channels = made.channels;
      return made.router;
    },
  },
});
// Tips stored by a process that died before queueing them are queued now, and every minute.
const requeued = await runtime.intake.reconcile();
if (requeued > 0) logger.warn({ requeued }, "re-queued tips that were stored but not queued");
const timer = setInterval(() => {
  runtime.intake.reconcile().catch((err: Error) => logger.error({ err: err.message }, "reconcile failed"));
}, 60_000);
logger.info({ prefix: config.tips.prefix, channels }, "workers started");

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "stopping: finishing active jobs");
  clearInterval(timer);
  await runtime.close();
  await directory.close();
  process.exit(0);
}
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
