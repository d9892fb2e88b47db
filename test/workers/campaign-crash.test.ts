import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../db/client.js";
import { createLogger } from "../../logger.js";
import { CampaignStore } from "../../workers/campaign/campaign-store.js";
import { CampaignFanOut } from "../../workers/campaign/fan-out.js";
import { freshDatabase, type TestDatabase } from "../db/engines.js";
import { FakeTelegramApi } from "../fakes/telegram-bot-api.js";
import { addSubscribers, busiestWindow, chatOf, dropKeys } from "./campaign-fake.js";
import { eventually } from "./harness.js";

const ROOT = resolve(import.meta.dirname, "../..");
const TOKEN = "123456:TEST-token-for-the-fake-bot-api";
const N = 10_000;
const RATE = 2000;
/** The worker is killed once this many messages went out. */
const KILL_AT = 3000;

function exited(child: ChildProcess): Promise<void> {
  return new Promise((r) =>
    child.exitCode !== null || child.signalCode !== null ? r() : child.once("exit", () => r()),
  );
}

describe("campaign worker killed with SIGKILL in the middle of 10,000 sends", () => {
  let api: FakeTelegramApi;
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let redis: Redis;
  let store: CampaignStore;
  const prefix = `test-${randomUUID()}`;
  const salt = randomBytes(32);
  const children: ChildProcess[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    api = await new FakeTelegramApi(TOKEN).start();
    // Two processes share the subscribers: the PostgreSQL server, as deployed.
    database = await freshDatabase("postgres");
    handle = await openDatabase(database.config);
    redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
    store = new CampaignStore(handle.db);
    env = {
      ...database.env,
      REDIS_URL: "redis://127.0.0.1:6379",
      QUEUE_PREFIX: prefix,
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: api.apiRoot,
      CAMPAIGN_RATE: String(RATE),
      // Both workers name chats in the ledger alike.
      CAMPAIGN_SALT: salt.toString("hex"),
    };
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await dropKeys(redis, prefix);
    redis.disconnect();
    await handle.close();
    await api.close();
    await database.drop();
  });

  function startWorker(): ChildProcess {
    const child = spawn(process.execPath, ["--import", "tsx", "test/workers/campaign-worker-run.ts"], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "inherit"],
    });
    children.push(child);
    return child;
  }

  it("still reaches every subscriber exactly once after a restart", { timeout: 180_000 }, async () => {
    await addSubscribers(handle.db, N);
    const campaign = await store.createCampaign({
      author: "person:test",
      audience: { roles: ["parent"], communes: ["xa-an-hoa"] },
      text: "Công an xã nhắc: cảnh giác với lừa đảo qua mạng.",
      sendAt: new Date(),
    });
    // Requests arriving after the KILL_AT-th message are held unanswered: the worker dies with
    // sends in flight and its batch locked, the worst moment for it.
    api.onRecord = (n) => {
      if (n === KILL_AT) api.hold();
    };
    const first = startWorker();
    const t0 = Date.now();
    const starter = new CampaignFanOut({ redis, prefix, salt, store, logger: createLogger("warn") });
    await starter.start(campaign);
    await eventually(async () => api.messages.length >= KILL_AT, 60_000);
    first.kill("SIGKILL");
    await exited(first);
    api.dropHeld();
    const beforeRestart = api.messages.length;
    expect(beforeRestart).toBeLessThan(N);

    startWorker();
    const done = await eventually(async () => {
      const c = await store.campaign(campaign.id);
      return c?.status === "done" && c;
    }, 120_000);
    const ms = Date.now() - t0;
    await starter.close();

    const perChat = new Map<string, number>();
    for (const m of api.messages) perChat.set(m.chatId, (perChat.get(m.chatId) ?? 0) + 1);
    const twice = [...perChat].filter(([, n]) => n > 1);
    expect(twice).toEqual([]);
    for (let n = 1; n <= N; n++) expect(perChat.get(chatOf(n)), chatOf(n)).toBe(1);
    expect({ sent: done.sent, failed: done.failed, blocked: done.blocked }).toEqual({
      sent: N,
      failed: 0,
      blocked: 0,
    });
    // No faster than the rate over the whole run (arrivals in one second can bunch after a stall
    // of a busy machine; the slots themselves are checked in campaign-fanout.test).
    const arrivals = api.messages.map((m) => m.at).sort((a, b) => a - b);
    const span = (arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0);
    // (A burst of 30 goes at once; the first send may arrive late by its connection's set-up.)
    expect(span).toBeGreaterThanOrEqual(((N - 1 - 30) / RATE) * 1000 - 1000);
    const busiest = busiestWindow(arrivals, 1000);
    console.info(
      `10k fan-out with a kill -9 at ${beforeRestart}: ${ms} ms including the restart and lock expiry, busiest second ${busiest} (limit ${RATE}/s)`,
    );
  });
});
