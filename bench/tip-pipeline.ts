/**
 * Tip pipeline throughput and tip → first officer message latency, against a local fake
 * Telegram Bot API and the Redis at REDIS_URL (default 127.0.0.1:6379), under a throw-away
 * prefix. Usage: npx tsx bench/tip-pipeline.ts [tips=300] [concurrency=16]
 */
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { TelegramMessenger } from "../bot/telegram/telegram-messenger.js";
import { parseConfig } from "../config.js";
import { createLogger } from "../logger.js";
import { FakeTelegramApi } from "../test/fakes/telegram-bot-api.js";
import { createTipRuntime } from "../workers/runtime.js";
import { quantile } from "../workers/stats.js";

const tips = Number(process.argv[2] ?? 300);
const submitters = Number(process.argv[3] ?? 16);
const TOKEN = "123456:BENCH-token-for-the-fake-bot-api";
const api = await new FakeTelegramApi(TOKEN).start();
const prefix = `bench-${randomUUID()}`;
const config = parseConfig({
  ...process.env,
  QUEUE_PREFIX: prefix,
  TIP_REPLY_KEY: randomUUID().replaceAll("-", "").repeat(2),
  TIP_SENDER_SALT: randomUUID(),
  TIPS_PER_SENDER_PER_HOUR: "1000",
  CHAT_MIN_INTERVAL_MS: "0",
  WORKER_CONCURRENCY: "16",
});
const quiet = new Writable({ write: (_c, _e, done) => done() });
const rt = await createTipRuntime(config, {
  logger: createLogger("warn", quiet),
  workers: { messenger: new TelegramMessenger(TOKEN, api.apiRoot) },
});
const schools = ["thcs-an-hoa", "th-an-hoa", "thcs-le-quy-don", "thpt-tran-phu", "th-thcs-hon-ngoc"];
const submittedAt = new Map<string, number>();
const acceptedAt = new Map<string, number>();
const started = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: submitters }, async () => {
    while (next < tips) {
      const i = next++;
      const t0 = Date.now();
      const r = await rt.intake.submit(
        {
          category: i % 2 ? "ma-tuy" : "bao-luc-hoc-duong",
          urgency: "binh-thuong",
          place: { schoolId: schools[i % schools.length] },
          description: `Tin báo đo hiệu năng số ${i}.`,
        },
        { channel: "telegram", chatId: `bench-${i}` },
      );
      submittedAt.set(r.caseCode, t0);
      acceptedAt.set(r.caseCode, Date.now());
    }
  }),
);
const intakeSeconds = (performance.now() - started) / 1000;
const deadline = Date.now() + 120_000;
const firstSeen = new Map<string, number>();
while (firstSeen.size < tips && Date.now() < deadline) {
  for (const m of api.messages) {
    const code = /mã (AT-[A-Z0-9-]+)/.exec(m.text)?.[1];
    if (code && !firstSeen.has(code)) firstSeen.set(code, m.at);
  }
  await new Promise((r) => setTimeout(r, 20));
}
const totalSeconds = (performance.now() - started) / 1000;
const since = (from: Map<string, number>) =>
  [...firstSeen].map(([code, t]) => t - (from.get(code) ?? t)).sort((a, b) => a - b);
const latencies = since(submittedAt);
const queued = since(acceptedAt);
console.log(
  JSON.stringify({
    tips,
    delivered: firstSeen.size,
    intake_tips_per_s: Math.round(tips / intakeSeconds),
    end_to_end_tips_per_s: Math.round(firstSeen.size / totalSeconds),
    // From the tipster pressing send (includes the PIN's scrypt hash) …
    latency_ms: {
      p50: quantile(latencies, 0.5),
      p95: quantile(latencies, 0.95),
      p99: quantile(latencies, 0.99),
    },
    // … and from the case code being returned (queues, routing, delivery only).
    after_accept_ms: { p50: quantile(queued, 0.5), p95: quantile(queued, 0.95), p99: quantile(queued, 0.99) },
  }),
);
for (const q of [rt.queues.intake, rt.queues.notify, rt.queues.escalate, rt.queues.deadLetter])
  await q.obliterate({ force: true });
const keys = await rt.redis.keys(`${prefix}:*`);
if (keys.length) await rt.redis.del(...keys);
await rt.close();
await api.close();
