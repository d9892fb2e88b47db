import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/client.js";
import { importDirectory } from "../../workers/directory/import.js";
import { CATEGORIES } from "../../workers/tip/tip.js";
import { freshDatabase, type TestDatabase } from "../db/engines.js";
import { FakeTelegramApi } from "../fakes/telegram-bot-api.js";
import { drained, EXAMPLE_ROUTING, type TestRuntime, testRuntime } from "./harness.js";

const ROOT = resolve(import.meta.dirname, "../..");
const TOKEN = "123456:TEST-token-for-the-fake-bot-api";
const TIPS = 200;

/** Starts `npm run worker` as a child process against the fake Telegram API. */
function startWorker(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "app/worker.ts"], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((r) =>
    child.exitCode !== null || child.signalCode !== null ? r() : child.once("exit", () => r()),
  );
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("worker killed with SIGKILL in the middle of 200 deliveries", () => {
  let rt: TestRuntime;
  let api: FakeTelegramApi;
  let env: Record<string, string>;
  let database: TestDatabase;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    api = await new FakeTelegramApi(TOKEN).start();
    // The workers read the directory from the PostgreSQL server (DATABASE_URL), as deployed.
    database = await freshDatabase("postgres");
    const handle = await openDatabase(database.config);
    await importDirectory(handle.db, EXAMPLE_ROUTING, { actor: "test" });
    await handle.close();
    const secretEnv = {
      TIP_REPLY_KEY: randomUUID().replaceAll("-", "").repeat(2),
      TIP_SENDER_SALT: randomUUID(),
      TIP_DATA_KEY: randomUUID().replaceAll("-", "").repeat(2),
      TIPS_PER_SENDER_PER_HOUR: "1000",
      TIPS_PER_PLACE_PER_HOUR: "100000",
      TIPS_PER_MINUTE: "100000",
    };
    rt = await testRuntime(undefined, {}, secretEnv);
    env = {
      ...secretEnv,
      ...database.env,
      QUEUE_PREFIX: rt.prefix,
      ROUTING_FILE: EXAMPLE_ROUTING,
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: api.apiRoot,
      CHAT_MIN_INTERVAL_MS: "0",
      WORKER_CONCURRENCY: "8",
      WORKER_LOCK_MS: "2000",
      WORKER_STALLED_INTERVAL_MS: "1000",
      NOTIFY_BACKOFF_MS: "100",
    };
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await rt.dispose();
    await api.close();
    await database?.drop();
  });

  it("delivers every tip exactly once after a restart", { timeout: 240_000 }, async () => {
    // Telegram contacts only (Zalo has no messenger here): schools of communes whose routes
    // for these categories end at Telegram chats.
    const schools = ["thcs-an-hoa", "th-an-hoa", "thcs-le-quy-don", "thpt-tran-phu", "th-thcs-hon-ngoc"];
    const categories = CATEGORIES.filter(
      (c) => c === "ma-tuy" || c === "bao-luc-hoc-duong" || c === "chay-no",
    );
    const codes: string[] = [];
    for (let i = 0; i < TIPS; i++) {
      const r = await rt.intake.submit(
        {
          category: categories[i % categories.length],
          urgency: "binh-thuong",
          place: { schoolId: schools[i % schools.length] },
          description: `Tin báo thử số ${i} về một việc cần kiểm tra.`,
        },
        { channel: "telegram", chatId: `sender-${i % 7}` },
      );
      codes.push(r.caseCode);
    }

    // Hold the API once 60 messages went through: the worker is then killed with requests in
    // flight and jobs locked, the worst moment for it.
    api.onRecord = (n) => {
      if (n === 60) api.hold();
    };
    const first = startWorker(env);
    children.push(first);
    await until(() => api.messages.length >= 60, 60_000, "first deliveries");
    await new Promise((r) => setTimeout(r, 300));
    first.kill("SIGKILL");
    await exited(first);
    api.dropHeld();
    expect(api.messages.length).toBeLessThan(TIPS);

    const second = startWorker(env);
    children.push(second);
    const delivered = () => codes.filter((c) => api.messages.some((m) => m.text.includes(c))).length;
    await until(() => delivered() === TIPS, 90_000, "all tips delivered after restart").catch((e: Error) => {
      throw new Error(`${e.message}: ${delivered()} of ${TIPS}, ${api.messages.length} messages`);
    });
    // Count once no job is left that could send anything (a duplicate would come from one).
    await drained([rt.queues.intake, rt.queues.notify]);
    second.kill("SIGTERM");
    await exited(second);

    for (const code of codes) {
      const copies = api.messages.filter((m) => m.text.includes(code) && m.text.includes("TIN BÁO MỚI"));
      expect(copies, code).toHaveLength(1);
    }
    for (const code of codes.slice(0, 20)) {
      const id = await rt.store.idForCaseCode(code);
      expect((await rt.store.get(id ?? ""))?.status).toBe("delivered");
    }
  });
});
