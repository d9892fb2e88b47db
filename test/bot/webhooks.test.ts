import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    tg = await new FakeTelegramApi(TG_TOKEN).start();
    zalo = await new FakeZaloApi(ZALO_TOKEN).start();
    rt = await testRuntime();
    const built = await testDialogue(rt);
    dispose = built.dispose;
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

  it("answers 401 and changes nothing when the secret is missing or wrong", async () => {
    for (const headers of [
      {},
      { "x-telegram-bot-api-secret-token": "wrong" },
      { "x-telegram-bot-api-secret-token": `${SECRET}x` },
    ]) {
      const r = await app.inject({ method: "POST", url: "/webhook/telegram", payload: tgUpdate, headers });
      expect(r.statusCode).toBe(401);
    }
    for (const headers of [{}, { "x-bot-api-secret-token": "nope-nope" }]) {
      const r = await app.inject({
        method: "POST",
        url: "/webhook/zalo",
        payload: { ok: true, result: zaloTextUpdate("z1", "/start") },
        headers,
      });
      expect(r.statusCode).toBe(401);
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
});
