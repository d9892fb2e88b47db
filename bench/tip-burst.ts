/**
 * A burst of tips at a fixed rate (open loop: the next tip is sent on time whether or not the
 * last one was answered) through intake → route → notify, delivered to a local fake Telegram Bot
 * API; then the same number of jobs through bare BullMQ (add + no-op worker) at the same rate, as
 * the floor our pipeline is compared with. Redis at REDIS_URL (default 127.0.0.1:6379), under
 * throw-away prefixes. Usage: npx tsx bench/tip-burst.ts [rate=200] [seconds=30]
 */
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { TelegramMessenger } from "../bot/telegram/telegram-messenger.js";
import { parseConfig } from "../config.js";
import { createLogger } from "../logger.js";
import { FakeTelegramApi } from "../test/fakes/telegram-bot-api.js";
import { createTipRuntime } from "../workers/runtime.js";
import { latency, peakRssMb, report } from "./measure.js";

const rate = Number(process.argv[2] ?? 200);
const seconds = Number(process.argv[3] ?? 30);
const total = Math.round(rate * seconds);
const DRAIN_MS = 300_000;
const schools = [
  "thcs-an-hoa",
  "th-an-hoa",
  "thcs-le-quy-don",
  "thpt-tran-phu",
  "th-thcs-hon-ngoc",
  "mn-hoa-binh",
];
const categories = ["ma-tuy", "bao-luc-hoc-duong", "chay-no", "an-ninh-mang", "khac"] as const;
const env = parseConfig(process.env);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls `fire(i)` `total` times at `rate` per second, on schedule; resolves when all settled. */
async function openLoop(fire: (i: number) => Promise<unknown>): Promise<{ sentS: number; failures: number }> {
  const start = performance.now();
  const pending: Promise<unknown>[] = [];
  let failures = 0;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(
      fire(i).catch(() => {
        failures++;
      }),
    );
  }
  const sentS = (performance.now() - start) / 1000;
  await Promise.all(pending);
  return { sentS, failures };
}

async function ourPipeline() {
  const TOKEN = "123456:BENCH-token-for-the-fake-bot-api";
  const api = await new FakeTelegramApi(TOKEN).start();
  const prefix = `bench-${randomUUID()}`;
  const config = parseConfig({
    ...process.env,
    QUEUE_PREFIX: prefix,
    TIP_REPLY_KEY: randomUUID().replaceAll("-", "").repeat(2),
    TIP_SENDER_SALT: randomUUID(),
    TIPS_PER_SENDER_PER_HOUR: "1000",
    // The burst is the load being measured, not a flood to refuse.
    TIPS_PER_PLACE_PER_HOUR: "1000000",
    TIPS_PER_MINUTE: "100000",
    // Telegram allows about one message a second per chat; the fake has no such limit and the
    // bench measures our pipeline, so pacing is off here (a real burst is paced per officer).
    CHAT_MIN_INTERVAL_MS: "0",
    WORKER_CONCURRENCY: "32",
  });
  const rt = await createTipRuntime(config, {
    logger: createLogger("warn", new Writable({ write: (_c, _e, done) => done() })),
    workers: { messenger: new TelegramMessenger(TOKEN, api.apiRoot) },
  });
  const sentAt = new Map<string, number>();
  const intakeMs: number[] = [];
  const firstSeen = new Map<string, number>();
  let scanned = 0;
  const scan = () => {
    for (; scanned < api.messages.length; scanned++) {
      const m = api.messages[scanned];
      const code = m && /mã (AT-[A-Z0-9]{4}-[A-Z0-9]{2})/.exec(m.text)?.[1];
      if (m && code && !firstSeen.has(code)) firstSeen.set(code, m.at);
    }
  };
  const started = Date.now();
  const { sentS, failures } = await openLoop(async (i) => {
    const t0 = Date.now();
    const r = await rt.intake.submit(
      {
        category: categories[i % categories.length] ?? "khac",
        urgency: "binh-thuong",
        place: { schoolId: schools[i % schools.length] },
        description: `Tin báo đo hiệu năng số ${i}: có người lạ lảng vảng ở cổng trường.`,
      },
      { channel: "telegram", chatId: `bench-${i}` },
    );
    intakeMs.push(Date.now() - t0);
    sentAt.set(r.caseCode, t0);
  });
  const deadline = Date.now() + DRAIN_MS;
  while (firstSeen.size < sentAt.size && Date.now() < deadline) {
    scan();
    await sleep(20);
  }
  scan();
  const lastAt = Math.max(...firstSeen.values());
  const endToEnd = [...firstSeen].map(([code, at]) => at - (sentAt.get(code) ?? at));
  const rss = peakRssMb();
  for (const q of [rt.queues.intake, rt.queues.notify, rt.queues.escalate, rt.queues.deadLetter])
    await q.obliterate({ force: true });
  const keys = await rt.redis.keys(`${prefix}:*`);
  for (let i = 0; i < keys.length; i += 1000) await rt.redis.del(...keys.slice(i, i + 1000));
  await rt.close();
  await api.close();
  return {
    delivered: firstSeen.size,
    failures,
    offeredRate: Math.round(total / sentS),
    intake: latency(intakeMs),
    endToEnd: latency(endToEnd),
    throughput: Math.round((firstSeen.size / (lastAt - started)) * 1000 * 10) / 10,
    rss,
  };
}

async function bareBullmq() {
  const prefix = `bench-bare-${randomUUID()}`;
  const connection = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue("bare", { connection, prefix });
  const done: number[] = [];
  let last = 0;
  const worker = new Worker(
    "bare",
    async (job) => {
      last = Date.now();
      done.push(last - (job.data as { t0: number }).t0);
    },
    { connection: connection.duplicate(), prefix, concurrency: 32 },
  );
  const started = Date.now();
  const { sentS, failures } = await openLoop((i) =>
    queue.add("tip", { t0: Date.now(), i }, { jobId: `j-${i}` }),
  );
  const deadline = Date.now() + DRAIN_MS;
  while (done.length < total && Date.now() < deadline) await sleep(20);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return {
    delivered: done.length,
    failures,
    offeredRate: Math.round(total / sentS),
    endToEnd: latency(done),
    throughput: Math.round((done.length / (last - started)) * 1000 * 10) / 10,
  };
}

const ours = await ourPipeline();
const bare = await bareBullmq();
const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 100) / 100);
report(
  [
    {
      scenario: "tip burst",
      variant: `ours: tip → first officer message (${rate}/s × ${seconds} s)`,
      latencyMs: ours.endToEnd,
      throughput: ours.throughput,
      peakRssMb: ours.rss,
      delivered: `${ours.delivered}/${total}`,
      offeredRate: ours.offeredRate,
      intakeMs: ours.intake,
      failures: ours.failures,
    },
    {
      scenario: "tip burst",
      variant: "bare BullMQ: add → no-op processed",
      latencyMs: bare.endToEnd,
      throughput: bare.throughput,
      peakRssMb: peakRssMb(),
      delivered: `${bare.delivered}/${total}`,
      offeredRate: bare.offeredRate,
      failures: bare.failures,
    },
  ],
  {
    p50Ratio: ratio(ours.endToEnd.p50, bare.endToEnd.p50),
    p99Ratio: ratio(ours.endToEnd.p99, bare.endToEnd.p99),
    throughputRatio: ratio(ours.throughput, bare.throughput),
  },
);
process.exit(0);
