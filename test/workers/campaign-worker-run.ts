/**
 * A campaign worker as its own process, for `campaign-crash.test.ts` (killed with SIGKILL in the
 * middle of a campaign, then started again). Sends through the real Telegram messenger to the
 * fake Bot API at TELEGRAM_API_ROOT; reads subscribers from DATABASE_URL.
 */
import { Redis } from "ioredis";
import { TelegramMessenger } from "../../bot/telegram/telegram-messenger.js";
import { openDatabase } from "../../db/client.js";
import { createLogger } from "../../logger.js";
import { CampaignStore } from "../../workers/campaign/campaign-store.js";
import { CampaignFanOut } from "../../workers/campaign/fan-out.js";

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
// "error": the resends after the kill are expected and would fill the test output.
const logger = createLogger("error");
const handle = await openDatabase({ database: { url: env("DATABASE_URL"), dataDir: "(unused)" } });
const redis = new Redis(env("REDIS_URL"), { maxRetriesPerRequest: null });
const fanOut = new CampaignFanOut(
  {
    redis,
    prefix: env("QUEUE_PREFIX"),
    salt: Buffer.from(env("CAMPAIGN_SALT"), "hex"),
    store: new CampaignStore(handle.db),
    messenger: new TelegramMessenger(env("TELEGRAM_BOT_TOKEN"), env("TELEGRAM_API_ROOT"), 5),
    logger,
  },
  {
    rates: { telegram: { perSecond: Number(env("CAMPAIGN_RATE")), burst: 50 } },
    batchSize: 500,
    sendConcurrency: 32,
    lockDurationMs: 2000,
    stalledIntervalMs: 1000,
  },
);
fanOut.startWorker();
process.once("SIGTERM", () => {
  void (async () => {
    await fanOut.close();
    redis.disconnect();
    await handle.close();
    process.exit(0);
  })();
});
