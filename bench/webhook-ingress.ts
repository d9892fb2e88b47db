/**
 * Webhook ingress: Telegram updates per second handled by one `npm start` process in webhook
 * mode (secret check, grammY, dialogue, Redis session, reply to a local fake Bot API), driven by
 * a closed-loop load generator over loopback in this process. Two kinds of update: "/start"
 * (menu; no retrieval) and a question (retrieval + answer).
 * Usage: npx tsx bench/webhook-ingress.ts [seconds per kind=10] [connections=32]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";
import { Pool } from "undici";
import { freePort } from "../bot/local-redis.js";
import { parseConfig } from "../config.js";
import { FakeTelegramApi } from "../test/fakes/telegram-bot-api.js";
import { latency, type Row, report } from "./measure.js";

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 32);
const TOKEN = "123456:BENCH-token-for-the-fake-bot-api";
const SECRET = "bench-webhook-secret";
const ROOT = resolve(import.meta.dirname, "..");

/** Peak RSS of another process (Linux), in MiB. */
function peakRssOf(pid: number): number | undefined {
  const line = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return line ? Math.round(Number(line[1]) / 1024) : undefined;
}

const api = await new FakeTelegramApi(TOKEN).start();
const prefix = `bench-${randomUUID()}`;
const dir = await mkdtemp(join(tmpdir(), "ssg-bench-webhook-"));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
let server: ChildProcess | undefined;
try {
  server = spawn(process.execPath, ["--import", "tsx", "app/main.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      BOT_MODE: "webhook",
      PUBLIC_URL: base,
      WEBHOOK_SECRET: SECRET,
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: api.apiRoot,
      QUEUE_PREFIX: prefix,
      INDEX_DIR: join(dir, "index"),
      SECRETS_DIR: join(dir, "secrets"),
      LOG_LEVEL: "warn",
      PORT: String(port),
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (let i = 0; ; i++) {
    if (server.exitCode !== null || i > 600) throw new Error("the bot did not start");
    if (
      await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 200));
  }

  const pool = new Pool(base, { connections, pipelining: 1 });
  let updateId = 0;
  async function drive(kind: string, text: string): Promise<Row> {
    const samples: number[] = [];
    let errors = 0;
    const end = performance.now() + seconds * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < end) {
          const id = ++updateId;
          // A different chat each time: the per-chat flood limit must not drop updates here.
          const chat = { id: 1_000_000 + id, type: "private", first_name: "B" };
          const body = JSON.stringify({
            update_id: id,
            message: {
              message_id: id,
              date: 1,
              chat,
              from: { id: chat.id, is_bot: false, first_name: "B" },
              text,
              ...(text.startsWith("/") && {
                entities: [{ type: "bot_command", offset: 0, length: text.length }],
              }),
            },
          });
          const t = performance.now();
          const res = await pool.request({
            path: "/webhook/telegram",
            method: "POST",
            headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
            body,
          });
          await res.body.dump();
          if (res.statusCode === 200) samples.push(performance.now() - t);
          else errors++;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    return {
      scenario: "webhook ingress",
      variant: `${kind} (${connections} connections)`,
      latencyMs: latency(samples),
      throughput: Math.round((samples.length / elapsed) * 10) / 10,
      errors,
    };
  }
  const before = api.messages.length;
  const rows = [
    await drive("/start → menu", "/start"),
    await drive("question → cited answer", "di xe may khong doi mu bao hiem bi phat bao nhieu"),
  ];
  const replies = api.messages.length - before;
  const rss = server.pid ? peakRssOf(server.pid) : undefined;
  await pool.close();
  report(
    rows.map((r) => ({ ...r, ...(rss && { peakRssMb: rss }) })),
    { repliesSent: replies },
  );
} finally {
  if (server && server.exitCode === null) server.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 1000));
  if (server && server.exitCode === null) server.kill("SIGKILL");
  const redis = new Redis(parseConfig(process.env).redisUrl);
  const keys = await redis.keys(`${prefix}*`);
  for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  redis.disconnect();
  await api.close();
  await rm(dir, { recursive: true, force: true });
}
