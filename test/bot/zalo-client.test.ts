import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  parseZaloUpdate,
  ZALO_MAX_TEXT,
  ZaloApiError,
  ZaloInvalidRequestError,
  ZaloNetworkError,
  ZaloUpdateError,
} from "../../bot/zalo/zalo-api.js";
import { ZaloClient } from "../../bot/zalo/zalo-client.js";
import {
  actionForReply,
  classifyZaloError,
  renderNumberedActions,
  ZaloMessenger,
} from "../../bot/zalo/zalo-messenger.js";
import {
  MessengerPermanentError,
  MessengerRateLimitedError,
  MessengerTransientError,
} from "../../workers/messenger.js";
import { FakeZaloApi, zaloImageUpdate, zaloTextUpdate } from "../fakes/zalo-bot-api.js";

const TOKEN = "1459232241454765289:TEST-secret-zalo-token-for-the-fake";
const CHAT = "6ede9afa66b88fe6d6a9";
const ACTIONS = [
  { data: "ack", label: "Nhận xử lý" },
  { data: "ask", label: "Hỏi thêm" },
  { data: "close", label: "Đóng tin báo" },
];

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected the promise to reject");
}

describe("ZaloClient against a fake Zalo Bot API", () => {
  let api: FakeZaloApi;
  let client: ZaloClient;
  const start = async () => {
    api = await new FakeZaloApi(TOKEN).start();
    client = new ZaloClient(TOKEN, { apiRoot: api.apiRoot, timeoutMs: 5000 });
  };
  afterEach(async () => {
    await api?.close();
  });

  it("getMe returns the bot account", async () => {
    await start();
    const me = await client.getMe();
    expect(me.id).toBe("1459232241454765289");
    expect(me.account_type).toBe("BASIC");
  });

  it("sendMessage records the text and returns Zalo's message id", async () => {
    await start();
    const sent = await client.sendMessage({ chat_id: CHAT, text: "Xin chào" });
    expect(sent.message_id).toMatch(/^[0-9a-f]{20}$/);
    expect(api.messages).toEqual([
      expect.objectContaining({ method: "sendMessage", chatId: CHAT, text: "Xin chào" }),
    ]);
  });

  it("sendPhoto sends a URL with a caption; sendChatAction shows typing", async () => {
    await start();
    await client.sendPhoto({ chat_id: CHAT, photo: "https://example.test/a.jpg", caption: "Ảnh" });
    await client.sendChatAction({ chat_id: CHAT, action: "typing" });
    expect(api.messages[0]).toMatchObject({
      method: "sendPhoto",
      photo: "https://example.test/a.jpg",
      text: "Ảnh",
    });
    expect(api.chatActions).toEqual([{ chatId: CHAT, action: "typing" }]);
  });

  it("refuses text over 2000 characters without calling the server", async () => {
    await start();
    const err = await rejection(client.sendMessage({ chat_id: CHAT, text: "a".repeat(ZALO_MAX_TEXT + 1) }));
    expect(err).toBeInstanceOf(ZaloInvalidRequestError);
    expect((err as ZaloInvalidRequestError).field).toBe("text");
    expect(api.calls).toEqual([]);
  });

  it("ok:false with HTTP 200 throws ZaloApiError", async () => {
    await start();
    api.failNext({ status: 400, httpStatus: 200, description: "Bad request" }, "sendMessage");
    const err = await rejection(client.sendMessage({ chat_id: CHAT, text: "x" }));
    expect(err).toBeInstanceOf(ZaloApiError);
    expect(err).toMatchObject({
      name: "ZaloApiError",
      errorCode: 400,
      description: "Bad request",
      method: "sendMessage",
    });
    expect(api.calls).toEqual([{ method: "sendMessage", status: 200 }]);
  });

  it("429 gives retryAfterMs from parameters.retry_after, or from the Retry-After header", async () => {
    await start();
    api.failNext({ status: 429, retryAfter: 3 }, "sendMessage");
    api.failNext({ status: 429, retryAfterHeader: 2 }, "sendMessage");
    const first = (await rejection(client.sendMessage({ chat_id: CHAT, text: "x" }))) as ZaloApiError;
    const second = (await rejection(client.sendMessage({ chat_id: CHAT, text: "x" }))) as ZaloApiError;
    expect(first).toMatchObject({ errorCode: 429, retryAfterMs: 3000 });
    expect(second).toMatchObject({ errorCode: 429, retryAfterMs: 2000 });
  });

  it("a wrong token gives ZaloApiError 401 that does not reveal the token", async () => {
    await start();
    const wrong = "999:WRONG-secret-token-nobody-should-see";
    const err = await rejection(new ZaloClient(wrong, { apiRoot: api.apiRoot }).getMe());
    expect(err).toBeInstanceOf(ZaloApiError);
    expect((err as ZaloApiError).errorCode).toBe(401);
    const shown = `${String(err)} ${(err as Error).stack} ${JSON.stringify(err)}`;
    expect(shown).not.toContain(wrong);
    expect(shown).not.toContain("WRONG-secret");
  });

  it("getUpdates returns one update per call and undefined on 408", async () => {
    await start();
    api.queueUpdate(zaloTextUpdate(CHAT, "một"));
    api.queueUpdate(zaloImageUpdate(CHAT, "https://example.test/p.jpg", "hai"));
    const a = await client.getUpdates({ timeout: 1 });
    const b = await client.getUpdates({ timeout: 1 });
    expect(a?.kind === "text" && a.message.text).toBe("một");
    expect(b?.kind === "image" && b.photoUrl).toBe("https://example.test/p.jpg");
    api.maxPollWaitMs = 100;
    expect(await client.getUpdates({ timeout: 1 })).toBeUndefined();
    api.pollTimeoutHttpStatus = 200; // ok:false, error_code 408 inside an HTTP 200
    expect(await client.getUpdates({ timeout: 1 })).toBeUndefined();
    expect(api.calls.map((c) => c.status)).toEqual([200, 200, 408, 200]);
  });

  it("a waiting getUpdates gets an update queued while it waits", async () => {
    await start();
    const pending = client.getUpdates({ timeout: 2 });
    await new Promise((r) => setTimeout(r, 50));
    api.queueUpdate(zaloTextUpdate(CHAT, "muộn"));
    const u = await pending;
    expect(u?.kind).toBe("text");
  });

  it("setWebhook rejects a 5-character secret without calling the server; a good one round-trips", async () => {
    await start();
    const err = await rejection(
      client.setWebhook({ url: "https://example.test/zalo", secret_token: "short" }),
    );
    expect(err).toBeInstanceOf(ZaloInvalidRequestError);
    expect(api.calls).toEqual([]);
    await client.setWebhook({ url: "https://example.test/zalo", secret_token: "a-good-secret" });
    expect((await client.getWebhookInfo()).url).toBe("https://example.test/zalo");
    expect(api.webhook?.secret).toBe("a-good-secret");
    await client.deleteWebhook();
    expect((await client.getWebhookInfo()).url).toBe("");
  });

  it("a closed server gives ZaloNetworkError without the token", async () => {
    await start();
    await api.close();
    const err = await rejection(client.getMe());
    expect(err).toBeInstanceOf(ZaloNetworkError);
    expect((err as Error).name).toBe("ZaloNetworkError");
    expect(String(err)).not.toContain(TOKEN);
  });

  it("a server that never answers gives ZaloNetworkError after the timeout", async () => {
    await start();
    const slow = new ZaloClient(TOKEN, { apiRoot: api.apiRoot, timeoutMs: 200 });
    api.hold();
    const pending = slow.getMe();
    const err = await rejection(pending);
    expect(err).toBeInstanceOf(ZaloNetworkError);
    expect((err as Error).message).toContain("timed out");
  });
});

describe("ZaloMessenger", () => {
  let api: FakeZaloApi;
  afterEach(async () => {
    await api?.close();
  });
  const messenger = async (photoUrl?: (b: Buffer) => Promise<string>) => {
    api = await new FakeZaloApi(TOKEN).start();
    return new ZaloMessenger(new ZaloClient(TOKEN, { apiRoot: api.apiRoot, timeoutMs: 5000 }), {
      ...(photoUrl && { photoUrl }),
    });
  };

  it("splits a 4500-character text into 3 messages of at most 2000", async () => {
    const m = await messenger();
    const text = `${Array.from({ length: 90 }, (_, i) => `Dòng ${String(i).padStart(2, "0")} ${"x".repeat(41)}`).join("\n")}.`;
    expect(text.length).toBe(4500);
    const { messageId } = await m.send({ channel: "zalo", chatId: CHAT }, { text });
    const sent = api.messagesTo(CHAT);
    expect(sent).toHaveLength(3);
    for (const s of sent) expect(s.text.length).toBeLessThanOrEqual(2000);
    expect(messageId).toBe(sent[0]?.messageId);
    expect(sent.map((s) => s.text).join("\n")).toBe(text);
  });

  it("renders actions as a numbered list that maps back to their data", async () => {
    expect(renderNumberedActions(ACTIONS)).toBe(
      "Trả lời bằng số:\n1. Nhận xử lý\n2. Hỏi thêm\n3. Đóng tin báo",
    );
    expect(renderNumberedActions([])).toBe("");
    expect(actionForReply(" 2 ", ACTIONS)?.data).toBe("ask");
    expect(actionForReply("3.", ACTIONS)?.data).toBe("close");
    expect(actionForReply("4", ACTIONS)).toBeUndefined();
    expect(actionForReply("2 cái", ACTIONS)).toBeUndefined();
    const m = await messenger();
    await m.send({ channel: "zalo", chatId: CHAT }, { text: "Tin báo mới", actions: ACTIONS });
    expect(api.messagesTo(CHAT).map((s) => s.text)).toEqual([
      `Tin báo mới\n\n${renderNumberedActions(ACTIONS)}`,
    ]);
  });

  it("keeps the action list whole when the text fills the last piece", async () => {
    const m = await messenger();
    await m.send({ channel: "zalo", chatId: CHAT }, { text: "y".repeat(1990), actions: ACTIONS });
    const texts = api.messagesTo(CHAT).map((s) => s.text);
    expect(texts).toEqual(["y".repeat(1990), renderNumberedActions(ACTIONS)]);
  });

  it("announces photos as text without photoUrl, and sends their URLs with it", async () => {
    const photo = { bytes: Buffer.from([0xff, 0xd8, 0xff]), mime: "image/jpeg" as const };
    const plain = await messenger();
    await plain.send({ channel: "zalo", chatId: CHAT }, { text: "Có ảnh", photos: [photo, photo] });
    expect(api.messagesTo(CHAT).map((s) => s.text)).toEqual([
      "Có ảnh\n\n(Có 2 ảnh kèm theo — xem trên Telegram/web)",
    ]);
    await api.close();

    const published: Buffer[] = [];
    const withUrls = await messenger(async (bytes) => {
      published.push(bytes);
      return `https://example.test/p/${published.length}.jpg`;
    });
    await withUrls.send({ channel: "zalo", chatId: CHAT }, { text: "Có ảnh", photos: [photo] });
    expect(api.messagesTo(CHAT)).toEqual([
      expect.objectContaining({ method: "sendMessage", text: "Có ảnh" }),
      expect.objectContaining({ method: "sendPhoto", photo: "https://example.test/p/1.jpg" }),
    ]);
    expect(published).toEqual([photo.bytes]);
  });

  it("maps Zalo errors to the messenger's error kinds", async () => {
    const m = await messenger();
    const to = { channel: "zalo" as const, chatId: CHAT };
    api.failNext({ status: 429, retryAfter: 2 });
    const limited = await rejection(m.send(to, { text: "a" }));
    expect(limited).toBeInstanceOf(MessengerRateLimitedError);
    expect((limited as MessengerRateLimitedError).retryAfterMs).toBe(2000);
    api.failNext({ status: 429 });
    expect(((await rejection(m.send(to, { text: "a" }))) as MessengerRateLimitedError).retryAfterMs).toBe(
      1000,
    );
    api.failNext({ status: 500 });
    expect(await rejection(m.send(to, { text: "a" }))).toBeInstanceOf(MessengerTransientError);
    api.failNext({ status: 403, description: "Forbidden" });
    expect(await rejection(m.send(to, { text: "a" }))).toBeInstanceOf(MessengerPermanentError);
    expect(await rejection(m.send({ channel: "telegram", chatId: CHAT }, { text: "a" }))).toBeInstanceOf(
      MessengerPermanentError,
    );
    await api.close();
    expect(await rejection(m.send(to, { text: "a" }))).toBeInstanceOf(MessengerTransientError);
    expect(classifyZaloError(new ZaloNetworkError("sendMessage", "boom"))).toBeInstanceOf(
      MessengerTransientError,
    );
    expect(classifyZaloError(new ZaloInvalidRequestError("sendMessage", "text", "bad"))).toBeInstanceOf(
      MessengerPermanentError,
    );
  });
});

describe("parseZaloUpdate", () => {
  const message = {
    message_id: "2d758cb5e222177a4e35",
    date: 1750316131602,
    chat: { id: CHAT, chat_type: "PRIVATE" },
    from: { id: CHAT, display_name: "Ted", is_bot: false },
  };

  it("accepts each event type, bare or in the webhook envelope", () => {
    const text = parseZaloUpdate({
      ok: true,
      result: { event_name: "message.text.received", message: { ...message, text: "Xin chào" } },
    });
    expect(text).toMatchObject({ kind: "text", message: { text: "Xin chào", chat: { id: CHAT } } });
    expect(
      parseZaloUpdate({
        event_name: "message.image.received",
        message: { ...message, photo: "https://p/1.jpg", caption: "c" },
      }),
    ).toMatchObject({
      kind: "image",
      photoUrl: "https://p/1.jpg",
    });
    expect(
      parseZaloUpdate({
        event_name: "message.image.received",
        message: { ...message, photo_url: "https://p/2.jpg" },
      }),
    ).toMatchObject({
      kind: "image",
      photoUrl: "https://p/2.jpg",
    });
    expect(
      parseZaloUpdate({ event_name: "message.sticker.received", message: { ...message, sticker: "0e07" } })
        .kind,
    ).toBe("sticker");
    expect(parseZaloUpdate({ event_name: "message.unsupported.received", message }).kind).toBe("unsupported");
    expect(parseZaloUpdate({ event_name: "message.voice.received", message: { voice_url: "x" } })).toEqual({
      kind: "other",
      event_name: "message.voice.received",
      message: { voice_url: "x" },
    });
  });

  it("rejects malformed payloads with a clear ZaloUpdateError", () => {
    const bad: Array<[unknown, string]> = [
      [null, "expected an object"],
      [{ ok: false, error_code: 1 }, "ok"],
      [{ message }, "event_name"],
      [{ event_name: "message.text.received", message }, "message.text"],
      [
        { event_name: "message.text.received", message: { ...message, text: "x", chat: {} } },
        "message.chat.id",
      ],
      [{ event_name: "message.image.received", message }, "photo or photo_url"],
      [
        { ok: true, result: { event_name: "message.text.received", message: { ...message, text: 1 } } },
        "result.message.text",
      ],
    ];
    for (const [raw, mentions] of bad) {
      let caught: unknown;
      try {
        parseZaloUpdate(raw);
      } catch (err) {
        caught = err;
      }
      expect(caught, JSON.stringify(raw)).toBeInstanceOf(ZaloUpdateError);
      expect((caught as Error).name).toBe("ZaloUpdateError");
      expect((caught as Error).message).toContain(mentions);
    }
  });

  it("never throws anything but ZaloUpdateError on arbitrary JSON", () => {
    const nearlyValid = fc.record({
      event_name: fc.oneof(
        fc.constantFrom(
          "message.text.received",
          "message.image.received",
          "message.sticker.received",
          "message.unsupported.received",
        ),
        fc.string(),
        fc.jsonValue(),
      ),
      message: fc.oneof(
        fc.jsonValue(),
        fc.record(
          {
            message_id: fc.oneof(fc.string(), fc.jsonValue()),
            date: fc.oneof(fc.double(), fc.jsonValue()),
            chat: fc.oneof(fc.record({ id: fc.string() }), fc.jsonValue()),
            from: fc.oneof(fc.record({ id: fc.string(), is_bot: fc.boolean() }), fc.jsonValue()),
            text: fc.oneof(fc.string(), fc.jsonValue()),
            photo: fc.oneof(fc.string(), fc.jsonValue()),
          },
          { requiredKeys: [] },
        ),
      ),
    });
    const input = fc.oneof(
      fc.jsonValue(),
      nearlyValid,
      nearlyValid.map((result) => ({ ok: true, result })),
      fc.record({ ok: fc.jsonValue(), result: fc.jsonValue() }),
    );
    fc.assert(
      fc.property(input, (raw) => {
        try {
          parseZaloUpdate(raw);
        } catch (err) {
          return err instanceof ZaloUpdateError && err.issues.length > 0;
        }
        return true;
      }),
      { numRuns: 2000 },
    );
  });
});
