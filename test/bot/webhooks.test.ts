import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dialogue } from "../../bot/dialogue/dialogue.js";
import { createHttpServer } from "../../bot/http/server.js";
import { createTelegramBot } from "../../bot/telegram/bot.js";
import { ZaloClient } from "../../bot/zalo/zalo-client.js";
import { createLogger } from "../../logger.js";
import { FAKE_BOT_INFO, FakeTelegramApi } from "../fakes/telegram-bot-api.js";
import { FakeZaloApi, zaloTextUpdate } from "../fakes/zalo-bot-api.js";
import { type TestRuntime, testRuntime } from "../workers/harness.js";
import { testDialogue } from "./dialogue-harness.js";

const TG_TOKEN = "123456:TEST-token-for-the-fake-bot-api";
const ZALO_TOKEN = "zalo-test-token-1234567890";
const SECRET = "webhook-secret-for-tests-123";

describe("webhooks", () => {
  let app: FastifyInstance;
  let tg: FakeTelegramApi;
  let zalo: FakeZaloApi;
  let rt: TestRuntime;
  let dialogue: Dialogue;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    tg = await new FakeTelegramApi(TG_TOKEN).start();
    zalo = await new FakeZaloApi(ZALO_TOKEN).start();
    rt = await testRuntime();
    const built = await testDialogue(rt);
    dispose = built.dispose;
    dialogue = built.dialogue;
    const logger = createLogger("silent");
    const bot = createTelegramBot(
      { dialogue: built.dialogue, logger, token: TG_TOKEN, apiRoot: tg.apiRoot },
      {
        botInfo: FAKE_BOT_INFO,
      },
    );
    app = createHttpServer({
      logger,
      telegram: { bot, secret: SECRET },
      zalo: {
        client: new ZaloClient(ZALO_TOKEN, { apiRoot: zalo.apiRoot }),
        dialogue: built.dialogue,
        secret: SECRET,
        redis: rt.redis,
        prefix: rt.prefix,
      },
    });
  });
  afterAll(async () => {
    await app.close();
    await rt.dispose();
    await dispose();
    await tg.close();
    await zalo.close();
  });

  const tgUpdate = {
    update_id: 10,
    message: {
      message_id: 1,
      date: 1,
      chat: { id: 55, type: "private", first_name: "P" },
      from: { id: 55, is_bot: false, first_name: "P" },
      text: "/start",
      entities: [{ type: "bot_command", offset: 0, length: 6 }],
    },
  };

  /** Wrong secrets that a length-only or prefix-only comparison would take for the right one. */
  const lastCharChanged = `${SECRET.slice(0, -1)}${SECRET.endsWith("4") ? "5" : "4"}`;
  const nearMisses = [lastCharChanged, SECRET.slice(0, -1), SECRET.slice(0, 8), `${SECRET}x`];

  it("answers 401 and changes nothing when the secret is missing or wrong", async () => {
    expect(lastCharChanged).toHaveLength(SECRET.length);
    expect(lastCharChanged).not.toBe(SECRET);
    for (const headers of [
      {},
      { "x-telegram-bot-api-secret-token": "wrong" },
      ...nearMisses.map((s) => ({ "x-telegram-bot-api-secret-token": s })),
    ]) {
      const r = await app.inject({ method: "POST", url: "/webhook/telegram", payload: tgUpdate, headers });
      expect(r.statusCode, JSON.stringify(headers)).toBe(401);
    }
    for (const headers of [
      {},
      { "x-bot-api-secret-token": "nope-nope" },
      ...nearMisses.map((s) => ({ "x-bot-api-secret-token": s })),
    ]) {
      const r = await app.inject({
        method: "POST",
        url: "/webhook/zalo",
        payload: { ok: true, result: zaloTextUpdate("z1", "/start") },
        headers,
      });
      expect(r.statusCode, JSON.stringify(headers)).toBe(401);
    }
    expect(tg.messages).toHaveLength(0);
    expect(zalo.messages).toHaveLength(0);
    expect(await rt.redis.keys(`${rt.prefix}:session:*`)).toEqual([]);
    expect(await rt.redis.keys(`${rt.prefix}:zalo-seen:*`)).toEqual([]);
  });

  it("handles a Telegram update with the right secret and rejects a body that is not an update", async () => {
    const r = await app.inject({
      method: "POST",
      url: "/webhook/telegram",
      payload: tgUpdate,
      headers: { "x-telegram-bot-api-secret-token": SECRET },
    });
    expect(r.statusCode).toBe(200);
    expect(tg.messagesTo("55")[0]?.text).toContain("Cổng trường an toàn");
    const bad = await app.inject({
      method: "POST",
      url: "/webhook/telegram",
      payload: { hello: 1 },
      headers: { "x-telegram-bot-api-secret-token": SECRET },
    });
    expect(bad.statusCode).toBe(400);
  });

  it("handles a Zalo event once even when Zalo delivers it again", async () => {
    const body = { ok: true, result: zaloTextUpdate("z2", "/start", "msg-777") };
    const headers = { "x-bot-api-secret-token": SECRET };
    for (let i = 0; i < 3; i++)
      expect(
        (await app.inject({ method: "POST", url: "/webhook/zalo", payload: body, headers })).statusCode,
      ).toBe(200);
    expect(zalo.messagesTo("z2")).toHaveLength(1);
    const bad = await app.inject({
      method: "POST",
      url: "/webhook/zalo",
      payload: { ok: true, result: { event_name: 5 } },
      headers,
    });
    expect(bad.statusCode).toBe(400);
  });

  it("checks the secret before reading the body: a wrong secret with a broken body is 401, not 400", async () => {
    for (const [url, header] of [
      ["/webhook/telegram", "x-telegram-bot-api-secret-token"],
      ["/webhook/zalo", "x-bot-api-secret-token"],
    ] as const) {
      const broken = {
        method: "POST" as const,
        url,
        payload: "{not json",
        headers: { "content-type": "application/json" },
      };
      for (const secret of [undefined, lastCharChanged]) {
        const r = await app.inject({
          ...broken,
          headers: { ...broken.headers, ...(secret && { [header]: secret }) },
        });
        expect(r.statusCode, `${url} ${secret}`).toBe(401);
      }
      // With the right secret, the same body is refused by the parser.
      const r = await app.inject({ ...broken, headers: { ...broken.headers, [header]: SECRET } });
      expect(r.statusCode).toBe(400);
    }
  });

  it("keeps each channel to its own secret when they differ", async () => {
    const TG_SECRET = "telegram-only-secret-1";
    const ZALO_SECRET = "zalo-only-secret-22222";
    const logger = createLogger("silent");
    const separate = createHttpServer({
      logger,
      telegram: {
        bot: createTelegramBot(
          { dialogue, logger, token: TG_TOKEN, apiRoot: tg.apiRoot },
          { botInfo: FAKE_BOT_INFO },
        ),
        secret: TG_SECRET,
      },
      zalo: {
        client: new ZaloClient(ZALO_TOKEN, { apiRoot: zalo.apiRoot }),
        dialogue,
        secret: ZALO_SECRET,
        redis: rt.redis,
        prefix: rt.prefix,
      },
    });
    try {
      const post = (url: string, header: string, secret: string, payload: Record<string, unknown>) =>
        separate.inject({ method: "POST", url, payload, headers: { [header]: secret } });
      const tgBody = {
        ...tgUpdate,
        update_id: 11,
        message: { ...tgUpdate.message, chat: { id: 56, type: "private" } },
      };
      const zaloBody = { ok: true, result: zaloTextUpdate("z3", "/start", "msg-secret-1") };
      expect(
        (await post("/webhook/telegram", "x-telegram-bot-api-secret-token", ZALO_SECRET, tgBody)).statusCode,
      ).toBe(401);
      expect((await post("/webhook/zalo", "x-bot-api-secret-token", TG_SECRET, zaloBody)).statusCode).toBe(
        401,
      );
      // Nor does the other channel's header name open a webhook.
      expect(
        (await post("/webhook/zalo", "x-telegram-bot-api-secret-token", ZALO_SECRET, zaloBody)).statusCode,
      ).toBe(401);
      expect(tg.messagesTo("56")).toHaveLength(0);
      expect(zalo.messagesTo("z3")).toHaveLength(0);
      expect(
        (await post("/webhook/telegram", "x-telegram-bot-api-secret-token", TG_SECRET, tgBody)).statusCode,
      ).toBe(200);
      expect((await post("/webhook/zalo", "x-bot-api-secret-token", ZALO_SECRET, zaloBody)).statusCode).toBe(
        200,
      );
      expect(tg.messagesTo("56")).toHaveLength(1);
      expect(zalo.messagesTo("z3")).toHaveLength(1);
    } finally {
      await separate.close();
    }
  });

  it("while the Telegram API is unreachable: retries getMe with backoff, says so in /healthz and the logs, then starts", async () => {
    const down = await new FakeTelegramApi(TG_TOKEN).start();
    down.down = true;
    const logs: string[] = [];
    const logger = createLogger(
      "info",
      new Writable({
        write(chunk: Buffer, _enc, done) {
          logs.push(chunk.toString("utf8"));
          done();
        },
      }),
    );
    const sleeps = controlledSleep();
    const bot = createTelegramBot(
      { dialogue, logger, token: TG_TOKEN, apiRoot: down.apiRoot },
      { initRetry: { sleep: sleeps.sleep } },
    );
    const server = createHttpServer({
      logger,
      health: async () => ({ redis: true }),
      telegram: { bot, secret: SECRET },
    });
    const health = async () => {
      const r = await server.inject({ method: "GET", url: "/healthz" });
      return {
        status: r.statusCode,
        body: r.json() as { checks: Record<string, boolean>; reasons?: Record<string, string> },
      };
    };
    const update = (id: number) =>
      server.inject({
        method: "POST",
        url: "/webhook/telegram",
        payload: {
          ...tgUpdate,
          update_id: id,
          message: { ...tgUpdate.message, chat: { id: 57, type: "private" } },
        },
        headers: { "x-telegram-bot-api-secret-token": SECRET },
      });
    try {
      let h = await health();
      expect(h.status).toBe(503);
      expect(h.body.checks).toEqual({ redis: true, telegram: false });
      expect(h.body.reasons?.telegram).toBe("not initialised yet");

      const init = bot.init();
      expect(await sleeps.next()).toBe(1000); // first failure: a network error
      h = await health();
      expect(h.status).toBe(503);
      expect(h.body.reasons?.telegram).toMatch(/unreachable: getMe failed 1 time \(network error\)/);
      // An update now is refused with 503, which Telegram redelivers, not a 500 from grammY.
      const early = await update(100);
      expect(early.statusCode).toBe(503);
      expect(early.headers["retry-after"]).toBeDefined();

      down.down = false;
      down.failNext({ status: 502, description: "Bad Gateway" }, "getMe");
      sleeps.release();
      expect(await sleeps.next()).toBe(2000); // second failure: 502, and the wait doubled
      expect((await health()).body.reasons?.telegram).toMatch(/failed 2 times \(HTTP 502\)/);
      sleeps.release();
      await init;

      h = await health();
      expect(h.status).toBe(200);
      expect(h.body.reasons).toBeUndefined();
      expect(down.calls.filter((c) => c.method === "getMe").map((c) => c.status)).toEqual([0, 502, 200]);
      expect((await update(101)).statusCode).toBe(200);
      expect(down.messagesTo("57")[0]?.text).toContain("Cổng trường an toàn");
      const lines = logs.map((l) => JSON.parse(l) as { level: number; msg: string; attempt?: number });
      expect(
        lines.filter((l) => l.msg.startsWith("Telegram Bot API unreachable")).map((l) => l.attempt),
      ).toEqual([1, 2]);
      expect(lines.some((l) => l.msg === "Telegram bot initialised")).toBe(true);
    } finally {
      await server.close();
      await down.close();
    }
  });
});

/** A `sleep` for the bot's retry loop that waits until the test releases it. */
function controlledSleep() {
  const waiting: Array<{ ms: number; resume: () => void }> = [];
  let wake: (() => void) | undefined;
  return {
    sleep: (ms: number) =>
      new Promise<void>((resume) => {
        waiting.push({ ms, resume });
        wake?.();
      }),
    /** Resolves with the wait asked for, once the loop is waiting. */
    async next(): Promise<number> {
      while (waiting.length === 0) await new Promise<void>((r) => (wake = r));
      return waiting[0]?.ms as number;
    },
    release(): void {
      waiting.shift()?.resume();
    },
  };
}
