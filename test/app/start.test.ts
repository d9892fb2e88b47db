import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../bot/local-redis.js";
import { freshDatabase, type TestDatabase } from "../db/engines.js";
import { FakeTelegramApi } from "../fakes/telegram-bot-api.js";
import { FakeZaloApi, zaloTextUpdate } from "../fakes/zalo-bot-api.js";

const ROOT = resolve(import.meta.dirname, "../..");
const TOKEN = "123456:TEST-token-for-the-fake-bot-api";

describe("npm start with Telegram and Zalo tokens (long polling against fake Bot APIs)", () => {
  let child: ChildProcess | undefined;
  let api: FakeTelegramApi | undefined;
  let zalo: FakeZaloApi | undefined;
  let dir: string | undefined;
  let database: TestDatabase | undefined;
  const prefix = `test-${randomUUID()}`;
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    await api?.close();
    await zalo?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    await database?.drop();
    const redis = new Redis();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it("builds its index, prints where everything is, answers /start and a question, and stops cleanly on SIGTERM", {
    timeout: 60_000,
  }, async () => {
    api = await new FakeTelegramApi(TOKEN).start();
    zalo = await new FakeZaloApi("zalo-test-token-1234567890").start();
    dir = await mkdtemp(join(tmpdir(), "ssg-start-"));
    // The embedded default: PGlite, with the demo province imported into it at start.
    database = await freshDatabase("pglite");
    const port = await freePort();
    child = spawn(process.execPath, ["--import", "tsx", "app/main.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...database.env,
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: api.apiRoot,
        ZALO_BOT_TOKEN: "zalo-test-token-1234567890",
        ZALO_API_ROOT: zalo.apiRoot,
        QUEUE_PREFIX: prefix,
        INDEX_DIR: join(dir, "index"),
        SECRETS_DIR: join(dir, "secrets"),
        LOG_LEVEL: "warn",
        PORT: String(port),
        ADMIN_USER: "admin",
        ADMIN_PASSWORD: "a-long-admin-password",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let printed = "";
    child.stdout?.on("data", (d: Buffer) => {
      printed += d.toString();
    });
    const chat = { id: 4242, type: "private", first_name: "P" };
    const from = { id: 4242, is_bot: false, first_name: "P" };
    api.updates.push(
      {
        update_id: 1,
        message: {
          message_id: 1,
          date: 1,
          chat,
          from,
          text: "/start",
          entities: [{ type: "bot_command", offset: 0, length: 6 }],
        },
      },
      {
        update_id: 2,
        message: { message_id: 2, date: 1, chat, from, text: "tre em may tuoi duoc di xe gan may" },
      },
    );
    zalo.queueUpdate(zaloTextUpdate("zalo-parent-1", "Mấy tuổi thì được lái xe gắn máy?"));
    const until = Date.now() + 45_000;
    while (
      (api.messagesTo("4242").length < 2 || zalo.messagesTo("zalo-parent-1").length < 1) &&
      Date.now() < until
    )
      await new Promise((r) => setTimeout(r, 100));
    const [menu, answer] = api.messagesTo("4242");
    expect(menu?.text).toContain("Cổng trường an toàn");
    expect(answer?.text).toMatch(/(Nguồn|Căn cứ): /);
    expect(zalo.messagesTo("zalo-parent-1")[0]?.text).toMatch(/(Nguồn|Căn cứ): /);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    // What a newcomer needs to open, and where the data is (the logs are on stderr).
    const base = `http://127.0.0.1:${port}`;
    expect(printed).toContain(`Web chat:        ${base}/\n`);
    expect(printed).toContain(`Console:         ${base}/console/ (sign in: /dangnhap to the bot`);
    expect(printed).toContain(`Queues, metrics: ${base}/admin/queues, ${base}/metrics (as ADMIN_USER)`);
    const metrics = `${base}/metrics`;
    expect((await fetch(metrics)).status).toBe(401);
    const auth = `Basic ${Buffer.from("admin:a-long-admin-password").toString("base64")}`;
    expect((await fetch(metrics, { headers: { authorization: auth } })).status).toBe(200);
    expect(printed).toContain(`Health:          ${base}/healthz\n`);
    expect(printed).toContain(
      `Redis:           redis://127.0.0.1:6379, key prefix "${prefix}" (QUEUE_PREFIX)`,
    );
    expect(printed).toContain(`Directory:       ${database.env.PG_DATA_DIR} (embedded PGlite;`);
    expect(printed).toContain("Channels:        Telegram (polling), Zalo (polling), web");
    expect(printed).not.toContain("Warning");
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => child?.once("exit", (c) => r(c)));
    expect(code).toBe(0);
  });
});

describe("npm start in webhook mode while the Telegram API cannot be reached", () => {
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  let database: TestDatabase | undefined;
  const prefix = `test-${randomUUID()}`;
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    if (dir) await rm(dir, { recursive: true, force: true });
    await database?.drop();
    const redis = new Redis();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it("serves the web chat, says so in /healthz (503), and still stops cleanly on SIGTERM", {
    timeout: 60_000,
  }, async () => {
    dir = await mkdtemp(join(tmpdir(), "ssg-start-"));
    const [port, nobody] = [await freePort(), await freePort()];
    // The directory on the PostgreSQL server (DATABASE_URL).
    database = await freshDatabase("postgres");
    child = spawn(process.execPath, ["--import", "tsx", "app/main.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...database.env,
        TELEGRAM_BOT_TOKEN: TOKEN,
        // Nothing listens there: every call to the Bot API fails.
        TELEGRAM_API_ROOT: `http://127.0.0.1:${nobody}`,
        BOT_MODE: "webhook",
        PUBLIC_URL: "https://truong.example.vn",
        WEBHOOK_SECRET: "a-webhook-secret-of-enough-length",
        QUEUE_PREFIX: prefix,
        INDEX_DIR: join(dir, "index"),
        SECRETS_DIR: join(dir, "secrets"),
        LOG_LEVEL: "warn",
        PORT: String(port),
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let printed = "";
    await new Promise<void>((ready, failed) => {
      child?.stdout?.on("data", (d: Buffer) => {
        printed += d.toString();
        if (printed.includes("Channels:")) ready();
      });
      child?.once("exit", (code) => failed(new Error(`npm start exited (${code}) before it was ready`)));
    });
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/`)).status).toBe(200);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(503);
    expect(JSON.stringify(await health.json())).toContain('"telegram":false');
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => child?.once("exit", (c) => r(c)));
    expect(code).toBe(0);
  });
});
