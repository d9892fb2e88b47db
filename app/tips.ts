/**
 * `npm run tips -- <command>`: maintenance of the tips kept in Redis.
 *
 *   reseal    seal every stored tip text, answer, photo, stashed answer and queued message text
 *             that is not under TIP_DATA_KEY (sealed under TIP_DATA_KEY_PREVIOUS, or stored in
 *             clear by an older version) again under TIP_DATA_KEY; prints what it did.
 *             Idempotent: a second run finds everything current. See README, "Rotating the data key".
 *
 * Uses the Redis and key prefix of `npm start` (REDIS_URL, QUEUE_PREFIX).
 * Exit codes: 0 done; 1 content that neither key opens (named, not shown); 64 usage;
 * 69 Redis unreachable; 78 bad configuration.
 */
import { Redis } from "ioredis";
import { configFromEnvOrExit } from "../config.js";
import { DEFAULT_POLICY, TipQueues } from "../workers/queues/tip-queues.js";
import { developmentSecret, tipDataKeys } from "../workers/runtime.js";
import { ContentSealer } from "../workers/tip/content-sealer.js";
import { PendingQuestions } from "../workers/tip/pending-questions.js";
import { resealTipContent } from "../workers/tip/reseal.js";
import type { ResealCount } from "../workers/tip/tip-store.js";
import { TipStore } from "../workers/tip/tip-store.js";

const USAGE = "usage: npm run tips -- reseal";

function line(what: string, c: ResealCount): string {
  return `${what}: ${c.resealed} resealed, ${c.current} already under the current key`;
}

async function reseal(redis: Redis, config: ReturnType<typeof configFromEnvOrExit>): Promise<number> {
  const t = config.tips;
  const content = new ContentSealer(await tipDataKeys(config));
  const replyKey = t.replyKey ?? (await developmentSecret(t.secretsDir, "tip-reply.key", 32));
  const queues = new TipQueues(redis, t.prefix, DEFAULT_POLICY, content);
  try {
    const report = await resealTipContent({
      store: new TipStore(redis, t.prefix, content),
      pending: new PendingQuestions(redis, t.prefix, replyKey, content),
      queues,
    });
    console.log(`tips: ${report.tips} (prefix ${t.prefix})`);
    console.log(line("tip fields and audit details", report.fields));
    console.log(line("photos", report.photos));
    console.log(line("stashed answers", report.drafts));
    console.log(line("queued message texts", report.jobTexts));
    return 0;
  } catch (e) {
    if ((e as Error).name !== "ContentSealError") throw e;
    console.error(
      `${(e as Error).message}: some content is sealed under a key that is neither TIP_DATA_KEY nor TIP_DATA_KEY_PREVIOUS`,
    );
    return 1;
  } finally {
    await queues.close();
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv.length !== 1 || argv[0] !== "reseal") {
    console.error(USAGE);
    return 64;
  }
  const config = configFromEnvOrExit(process.env);
  const redis = new Redis(config.redisUrl, {
    maxRetriesPerRequest: null,
    lazyConnect: true,
    retryStrategy: () => null,
  });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
  } catch (e) {
    console.error(`Redis at ${config.redisUrl} is unreachable: ${(e as Error).message}`);
    return 69;
  }
  try {
    return await reseal(redis, config);
  } finally {
    redis.disconnect();
  }
}

process.exitCode = await main(process.argv.slice(2));
