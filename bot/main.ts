/**
 * `npm start`: the bot on every configured channel plus the tip workers.
 * So far: Telegram (runner + per-chat sequentialize) and Zalo by long polling. Webhooks and the
 * web chat come with the rest of the channels issue.
 */
import { run } from "@grammyjs/runner";
import { configFromEnvOrExit } from "../config.js";
import { answerQuestion, DEFAULT_ANSWER } from "../knowledge/answer/compose.js";
import { openOrBuildIndex } from "../knowledge/engine.js";
import { createLogger } from "../logger.js";
import { createTipRuntime, developmentSecret } from "../workers/runtime.js";
import { messengersFor } from "./channels.js";
import { Dialogue } from "./dialogue/dialogue.js";
import { RedisSessionStore } from "./dialogue/session-store.js";
import { createTelegramBot } from "./telegram/bot.js";
import { ZaloClient } from "./zalo/zalo-client.js";
import { pollZalo } from "./zalo/zalo-polling.js";

const config = configFromEnvOrExit(process.env);
const logger = createLogger(config.logLevel);
const index = await openOrBuildIndex(config.knowledge, (r) =>
  logger.info({ chunks: r.chunks, failed: r.failed.length }, "built the knowledge index"),
);
const runtime = await createTipRuntime(config, {
  logger,
  workers: { messenger: messengersFor(config).router },
});
await runtime.intake.reconcile();
const salt = config.tips.senderSalt ?? (await developmentSecret(config.tips.secretsDir, "sender.salt", 32));
const dialogue = new Dialogue({
  sessions: new RedisSessionStore(runtime.redis, config.tips.prefix),
  routing: runtime.routing,
  intake: runtime.intake,
  triage: runtime.triage,
  ask: (q) => answerQuestion(index, q, { ...DEFAULT_ANSWER, minCoverage: config.knowledge.minCoverage }),
  salt,
});

const stops: Array<() => Promise<void>> = [];
if (config.telegram) {
  const bot = createTelegramBot({ dialogue, logger, ...config.telegram });
  const runner = run(bot);
  stops.push(async () => {
    if (runner.isRunning()) await runner.stop();
  });
  logger.info("telegram: long polling");
} else {
  if (!config.zalo)
    logger.warn(
      "no TELEGRAM_BOT_TOKEN or ZALO_BOT_TOKEN: no chat is answered yet (workers and knowledge are up)",
    );
}

if (config.zalo) {
  const zalo = pollZalo(
    new ZaloClient(config.zalo.token, { apiRoot: config.zalo.apiRoot }),
    dialogue,
    logger,
  );
  stops.push(zalo.stop);
  logger.info("zalo: long polling");
}

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "stopping: no new updates, finishing active work");
  for (const s of stops) await s();
  await runtime.close();
  process.exit(0);
}
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
