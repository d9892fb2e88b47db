/**
 * `npm run worker`: runs the tip pipeline's workers only, to scale them out beside the bot.
 * Delivers through every configured channel; stops gracefully on SIGTERM/SIGINT.
 */
import { TelegramMessenger } from "../bot/telegram/telegram-messenger.js";
import { ConfigError, parseConfig } from "../config.js";
import { createLogger } from "../logger.js";
import { ChannelRouter, type Messenger } from "./messenger.js";
import { createTipRuntime } from "./runtime.js";

let config: ReturnType<typeof parseConfig>;
try {
  config = parseConfig(process.env);
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(78);
}
const logger = createLogger(config.logLevel);
const channels: Record<string, Messenger> = {};
if (config.telegram)
  channels.telegram = new TelegramMessenger(config.telegram.token, config.telegram.apiRoot);
if (Object.keys(channels).length === 0)
  logger.warn("no messaging channel configured: deliveries will fail and be retried");

const runtime = await createTipRuntime(config, {
  logger,
  workers: { messenger: new ChannelRouter(channels) },
});
// Tips stored by a process that died before queueing them are queued now, and every minute.
const requeued = await runtime.intake.reconcile();
if (requeued > 0) logger.warn({ requeued }, "re-queued tips that were stored but not queued");
const timer = setInterval(() => {
  runtime.intake.reconcile().catch((err: Error) => logger.error({ err: err.message }, "reconcile failed"));
}, 60_000);
logger.info({ prefix: config.tips.prefix, channels: Object.keys(channels) }, "workers started");

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "stopping: finishing active jobs");
  clearInterval(timer);
  await runtime.close();
  process.exit(0);
}
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
