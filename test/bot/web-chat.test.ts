import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { sign } from "@fastify/cookie";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Dialogue } from "../../bot/dialogue/dialogue.js";
import { createHttpServer } from "../../bot/http/server.js";
import { DemoOfficerInbox, WebOutbox } from "../../bot/web/chat-streams.js";
import { COOKIE, cookieSecretFrom, registerWebChat } from "../../bot/web/web-chat.js";
import { createLogger } from "../../logger.js";
import { ChannelRouter, type Messenger } from "../../workers/messenger.js";
import { isBound } from "../../workers/routing/schema.js";
import { photoWithMetadata } from "../fixtures/photos.js";
import { type TestRuntime, testRuntime } from "../workers/harness.js";
import { testDialogue } from "./dialogue-harness.js";

type Json = { replies: { text: string; choices: { data: string; label: string }[] }[] };

/** The web chat's HTTP API on the real Redis, with the workers delivering to the web outbox. */
describe("web chat API", () => {
  let rt: TestRuntime;
  let dialogue: Dialogue;
  let dispose: () => Promise<void>;
  let outbox: WebOutbox;
  let demo: DemoOfficerInbox;
  let app: FastifyInstance;
  let plain: FastifyInstance;
  /** A server that sees every chat as English (the session's language, as `Dialogue.languageOf` reads it). */
  let english: FastifyInstance;
  const cookieSecret = randomBytes(32);

  beforeAll(async () => {
    // The outbox needs the runtime's Redis, which exists only once the runtime does.
    let router: Messenger | undefined;
    rt = await testRuntime({ send: (to, m) => (router as Messenger).send(to, m) });
    outbox = new WebOutbox(rt.redis, rt.prefix, Buffer.from("web-chat-test-salt-0123456789"));
    demo = new DemoOfficerInbox(rt.redis, rt.prefix);
    router = new ChannelRouter({ web: outbox, telegram: demo, zalo: demo });
    ({ dialogue, dispose } = await testDialogue(rt));
    const logger = createLogger("silent");
    app = createHttpServer({ logger });
    await registerWebChat(app, {
      dialogue,
      outbox,
      logger,
      secureCookies: false,
      embedOrigins: [],
      cookieSecret,
    });
    plain = createHttpServer({ logger });
    await registerWebChat(plain, {
      dialogue,
      outbox,
      logger,
      secureCookies: true,
      embedOrigins: [],
      cookieSecret,
    });
    english = createHttpServer({ logger });
    await registerWebChat(english, {
      dialogue,
      outbox,
      logger,
      secureCookies: false,
      embedOrigins: [],
      cookieSecret,
      languageOf: async () => "en",
    });
  }, 60_000);

  afterAll(async () => {
    await app.close();
    await plain.close();
    await english.close();
    await rt.dispose();
    await dispose();
  });

  async function newSession(server = app): Promise<string> {
    const r = await server.inject({ method: "POST", url: "/chat/session", payload: {} });
    expect(r.statusCode).toBe(200);
    const cookie = r.cookies.find((c) => c.name === COOKIE);
    if (!cookie) throw new Error("no cookie");
    return cookie.value;
  }

  function say(chat: string, payload: object, headers: Record<string, string> = {}) {
    return app.inject({
      method: "POST",
      url: "/chat/message",
      payload,
      cookies: { [COOKIE]: chat },
      headers,
    });
  }

  const replies = (r: LightMyRequestResponse) => (r.json() as Json).replies;
  const choiceNamed = (r: LightMyRequestResponse, label: string) => {
    const c = replies(r)
      .flatMap((x) => x.choices)
      .find((x) => x.label === label);
    if (!c) throw new Error(`no choice ${label} in ${r.body}`);
    return { choice: c.data };
  };

  it("serves an accessible Vietnamese page with a strict content security policy", async () => {
    const r = await app.inject({ method: "GET", url: "/" });
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toContain("text/html");
    expect(r.body).toContain('<html lang="vi">');
    expect(r.body).toContain('name="viewport"');
    expect(r.body).toContain('role="log"');
    expect(r.body).toContain("Chúng tôi lưu gì");
    const csp = String(r.headers["content-security-policy"]);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/style-src 'self'(;|$)/);
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).not.toContain("upgrade-insecure-requests");
    expect(r.headers["referrer-policy"]).toBe("no-referrer");
    for (const asset of ["/chat.js", "/ui.js", "/chat.css"])
      expect((await app.inject({ method: "GET", url: asset })).statusCode).toBe(200);
    // A favicon from this origin (the CSP's default-src 'self' allows it), with its type.
    expect(r.body).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
    const icon = await app.inject({ method: "GET", url: "/favicon.svg" });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers["content-type"]).toContain("image/svg+xml");
    expect(icon.body).toMatch(/^<svg /);
  });

  it("gives an anonymous browser an opaque HttpOnly cookie and nothing else", async () => {
    const r = await app.inject({ method: "POST", url: "/chat/session", payload: {} });
    const cookie = r.cookies.find((c) => c.name === COOKIE);
    // 256 random bits, then the server's signature of them.
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9+/]{43}$/);
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe("Strict");
    expect(cookie?.maxAge).toBe(30 * 24 * 3600);
    expect(cookie?.secure).toBeFalsy();
    // Kept when it is already valid; Secure when the public URL is https.
    const again = await app.inject({
      method: "POST",
      url: "/chat/session",
      payload: {},
      cookies: { [COOKIE]: cookie?.value ?? "" },
    });
    expect(again.json()).toEqual({ ok: true, renewed: false });
    const secure = await plain.inject({ method: "POST", url: "/chat/session", payload: {} });
    expect(secure.cookies.find((c) => c.name === COOKIE)?.secure).toBe(true);
  });

  it("refuses messages without a session, from another site, or that are not JSON chat input", async () => {
    const none = await app.inject({ method: "POST", url: "/chat/message", payload: { text: "/start" } });
    expect(none.statusCode).toBe(401);
    const forged = await say("not-a-real-cookie", { text: "/start" });
    expect(forged.statusCode).toBe(401);
    const chat = await newSession();
    const cross = await say(chat, { text: "/start" }, { origin: "https://evil.example" });
    expect(cross.statusCode).toBe(403);
    // A form on another site can only send text/plain or urlencoded bodies.
    const form = await app.inject({
      method: "POST",
      url: "/chat/message",
      payload: "text=/start",
      headers: { "content-type": "text/plain" },
      cookies: { [COOKIE]: chat },
    });
    expect(form.statusCode).toBe(400);
    for (const bad of [{ text: "" }, { text: "x".repeat(4001) }, { choice: "x", text: "y" }, { other: 1 }])
      expect((await say(chat, bad)).statusCode).toBe(400);
    const same = await say(chat, { text: "/start" }, { origin: "http://localhost:80" });
    expect(same.statusCode).toBe(200);
    expect(replies(same)[0]?.choices.length).toBeGreaterThan(2);
  });

  it("accepts only cookies it issued: invented, tampered or foreign-signed ones open no chat", async () => {
    // Before: any 43-character value was a chat, so 12 invented cookies sent 12 tips past the limit.
    const invented = randomBytes(32).toString("base64url");
    expect((await say(invented, { text: "/start" })).statusCode).toBe(401);
    expect((await say(invented, { text: "/start" })).json()).toEqual({ error: "no-session" });
    const signed = sign(invented, cookieSecret);
    expect((await say(signed, { text: "/start" })).statusCode).toBe(200);
    expect((await say(sign(invented, randomBytes(32)), { text: "/start" })).statusCode).toBe(401);
    const tampered = `${randomBytes(32).toString("base64url")}${signed.slice(43)}`;
    expect((await say(tampered, { text: "/start" })).statusCode).toBe(401);
    // An unsigned or foreign cookie is replaced by a new session, not kept.
    const renewed = await app.inject({
      method: "POST",
      url: "/chat/session",
      payload: {},
      cookies: { [COOKIE]: invented },
    });
    expect(renewed.json()).toEqual({ ok: true, renewed: true });
    expect(renewed.cookies.find((c) => c.name === COOKIE)?.value).not.toContain(invented);
    // The secret is derived from the sender salt: stable for one salt, unrelated for another.
    const salt = randomBytes(32);
    expect(cookieSecretFrom(salt)).toEqual(cookieSecretFrom(Buffer.from(salt)));
    expect(cookieSecretFrom(salt)).not.toEqual(cookieSecretFrom(randomBytes(32)));
    expect(cookieSecretFrom(salt)).not.toEqual(salt);
  });

  it("shows the dialogue only the random part of the cookie", async () => {
    const cookie = await newSession();
    const handle = vi.spyOn(dialogue, "handle");
    try {
      expect((await say(cookie, { text: "/start" })).statusCode).toBe(200);
      expect(handle).toHaveBeenCalledWith(
        { channel: "web", chatId: cookie.split(".")[0] },
        expect.anything(),
      );
    } finally {
      handle.mockRestore();
    }
  });

  it("refuses posts from an opaque origin (Origin: null: sandboxed frames, data: URLs)", async () => {
    const chat = await newSession();
    const opaque = await say(chat, { text: "/start" }, { origin: "null" });
    expect(opaque.statusCode).toBe(403);
    const session = await app.inject({
      method: "POST",
      url: "/chat/session",
      payload: {},
      headers: { origin: "null" },
    });
    expect(session.statusCode).toBe(403);
    // Same origin and no Origin at all (curl, tests) still work.
    expect((await say(chat, { text: "/start" }, { origin: "http://localhost:80" })).statusCode).toBe(200);
    expect((await say(chat, { text: "/start" })).statusCode).toBe(200);
  });

  it("forgets the dialogue session itself, not only the outbox and the cookie", async () => {
    const sessionKeys = async () => new Set(await rt.redis.keys(`${rt.prefix}:session:*`));
    const before = await sessionKeys();
    const chat = await newSession();
    expect((await say(chat, { text: "/start" })).statusCode).toBe(200);
    const created = [...(await sessionKeys())].filter((k) => !before.has(k));
    expect(created).toHaveLength(1);
    const forget = vi.spyOn(dialogue, "forget");
    try {
      const r = await app.inject({
        method: "POST",
        url: "/chat/forget",
        payload: {},
        cookies: { [COOKIE]: chat },
      });
      expect(r.statusCode).toBe(200);
      expect(forget).toHaveBeenCalledWith({ channel: "web", chatId: chat.split(".")[0] });
    } finally {
      forget.mockRestore();
    }
    expect(await rt.redis.exists(created[0] as string)).toBe(0);
  });

  it("refuses a photo over the web limit with a clear error in the chat's language", async () => {
    const chat = await newSession();
    const tooLarge = (server: FastifyInstance) =>
      server.inject({
        method: "POST",
        url: "/chat/photo",
        payload: Buffer.alloc(15 * 1024 * 1024 + 1, 0xff),
        headers: { "content-type": "image/jpeg" },
        cookies: { [COOKIE]: chat },
      });
    const vi = await tooLarge(app);
    expect(vi.statusCode).toBe(413);
    expect(vi.json()).toEqual({
      error: "photo-too-large",
      maxBytes: 15 * 1024 * 1024,
      message: expect.stringContaining("tối đa 15 MB"),
    });
    const en = await tooLarge(english);
    expect(en.statusCode).toBe(413);
    expect(en.json()).toMatchObject({
      error: "photo-too-large",
      message: expect.stringContaining("up to 15 MB"),
    });
    const webp = await english.inject({
      method: "POST",
      url: "/chat/photo",
      payload: Buffer.from("RIFF"),
      headers: { "content-type": "image/webp" },
      cookies: { [COOKIE]: chat },
    });
    expect(webp.statusCode).toBe(415);
    expect(webp.json()).toEqual({ error: "photo-type", message: "Only JPEG or PNG photos are accepted." });
  });

  it("keeps demo officer inboxes apart per key prefix, and tells of another demo on the same one", async () => {
    const other = new DemoOfficerInbox(rt.redis, `${rt.prefix}-other`);
    const officer = { channel: "telegram" as const, chatId: "demo-officer-1" };
    await demo.send(officer, { text: "only in this prefix" });
    expect(await other.read(officer)).toEqual([]);
    expect((await demo.read(officer)).map((m) => m.text)).toEqual(["only in this prefix"]);
    const first = await demo.announce();
    const second = await new DemoOfficerInbox(rt.redis, rt.prefix).announce();
    const elsewhere = await other.announce();
    expect([first.others, second.others, elsewhere.others]).toEqual([0, 1, 0]);
    await Promise.all([first.stop(), second.stop(), elsewhere.stop()]);
    const last = await demo.announce();
    expect(last.others).toBe(0);
    await last.stop();
    await rt.redis.del(`${rt.prefix}:demo-inbox:telegram:demo-officer-1`);
  });

  it("answers a question with sources", async () => {
    const chat = await newSession();
    const r = await say(chat, { text: "khong doi mu bao hiem bi phat bao nhieu" });
    expect(r.statusCode).toBe(200);
    const [answer] = replies(r);
    expect(answer?.text).toContain("168/2024/NĐ-CP");
    expect(answer?.choices.map((c) => c.label)).toContain("Xem nguồn");
    // 👍/👎 with words (an empty box where no emoji font is installed), in the chat's language.
    expect(answer?.choices.map((c) => c.label)).toEqual(
      expect.arrayContaining(["👍 Hữu ích", "👎 Chưa hữu ích"]),
    );
    expect((r.json() as { lang: string }).lang).toBe("vi");
    const inEnglish = await english.inject({
      method: "POST",
      url: "/chat/message",
      payload: { text: "khong doi mu bao hiem bi phat bao nhieu" },
      cookies: { [COOKIE]: chat },
    });
    expect((inEnglish.json() as Json & { lang: string }).lang).toBe("en");
    expect(replies(inEnglish)[0]?.choices.map((c) => c.label)).toEqual(
      expect.arrayContaining(["👍 Helpful", "👎 Not helpful"]),
    );
  });

  it("takes a tip with a photo, and delivers the officer's question to the browser's inbox", async () => {
    const chat = await newSession();
    const photo = (bytes: Buffer, type = "image/jpeg") =>
      app.inject({
        method: "POST",
        url: "/chat/photo",
        payload: bytes,
        headers: { "content-type": type },
        cookies: { [COOKIE]: chat },
      });
    expect(replies(await photo(await photoWithMetadata(64, 48)))[0]?.text).toContain("/baotin");
    expect((await photo(Buffer.from("x"), "application/octet-stream")).statusCode).toBe(415);

    let r = await say(chat, { choice: "menu:report" });
    r = await say(chat, choiceNamed(r, "Bạo lực học đường / bắt nạt"));
    r = await say(chat, { text: "thcs le quy don" });
    r = await say(chat, choiceNamed(r, "Trường THCS Lê Quý Đôn"));
    r = await say(chat, { text: "Một nhóm học sinh lớp 8 chặn đánh bạn ở nhà xe sau giờ học" });
    r = await photo(await photoWithMetadata(320, 240));
    expect(replies(r)[0]?.text).toContain("Đã nhận 1 ảnh");
    r = await say(chat, choiceNamed(r, "Xong"));
    r = await say(chat, choiceNamed(r, "Bình thường"));
    r = await say(chat, choiceNamed(r, "Gửi"));
    const sent = replies(r).at(-1)?.text ?? "";
    const code = /AT-[A-Z0-9]{4}-[A-Z0-9]{2}/.exec(sent)?.[0] as string;
    expect(code).toBeDefined();

    // The officer (on Telegram, here the demo inbox) gets it with its photo, and asks a
    // question — through Triage, as the chat's buttons and the console do.
    const tipId = (await rt.triage.tipIdForCode(code)) as string;
    let officer: { channel: "telegram" | "zalo"; chatId: string } | undefined;
    await expect
      .poll(
        async () => {
          const tip = await rt.store.get(tipId);
          const first = tip?.status === "delivered" ? rt.routing.contactById(tip.chain[0] ?? "") : undefined;
          if (first && isBound(first)) officer = { channel: first.channel, chatId: first.chatId };
          return officer !== undefined;
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    if (!officer) throw new Error("the tip was not delivered");
    const received = await demo.read(officer);
    expect(received.find((m) => m.text.includes(code))?.photos).toBe(1);
    await rt.triage.ask(officer, tipId, "Có ai bị thương không?");

    let messages: { id: string; text: string }[] = [];
    await expect
      .poll(
        async () => {
          const inbox = await app.inject({ method: "GET", url: "/chat/inbox", cookies: { [COOKIE]: chat } });
          messages = (inbox.json() as { messages: typeof messages }).messages;
          return messages.length;
        },
        { timeout: 15_000 },
      )
      .toBe(1);
    expect(messages[0]?.text).toContain("Có ai bị thương không?");
    expect(messages[0]?.text).toContain(code);
    const cursor = messages[0]?.id as string;
    const later = await app.inject({
      method: "GET",
      url: `/chat/inbox?after=${cursor}`,
      cookies: { [COOKIE]: chat },
    });
    expect(later.json()).toEqual({ messages: [] });
    const bad = await app.inject({
      method: "GET",
      url: "/chat/inbox?after=0;DROP",
      cookies: { [COOKIE]: chat },
    });
    expect(bad.statusCode).toBe(400);
    // Another browser sees none of it.
    const other = await newSession();
    const theirs = await app.inject({ method: "GET", url: "/chat/inbox", cookies: { [COOKIE]: other } });
    expect(theirs.json()).toEqual({ messages: [] });

    // The answer, quoting the question, reaches the officer.
    const answered = await say(chat, { text: "Không ai bị thương nặng", quoted: messages[0]?.text ?? "" });
    expect(replies(answered)[0]?.text).toContain("Đã chuyển câu trả lời");

    const log = await rt.store.auditLog(tipId);
    expect(log.find((a) => a.action === "answered")?.detail).toBe("Không ai bị thương nặng");

    // Nothing stored in Redis holds the cookie or the chat id in it.
    const chatId = chat.split(".")[0] as string;
    for (const key of await rt.redis.keys(`${rt.prefix}*`)) {
      expect(key).not.toContain(chat);
      expect(key).not.toContain(chatId);
    }

    // "Forget this browser" drops the outbox and the session, and clears the cookie.
    const forget = await app.inject({
      method: "POST",
      url: "/chat/forget",
      payload: {},
      cookies: { [COOKIE]: chat },
    });
    expect(forget.statusCode).toBe(200);
    expect(forget.cookies.find((c) => c.name === COOKIE)?.value).toBe("");
    expect((await outbox.read(chatId)).length).toBe(0);
  });

  it("logs one line per request with the route pattern only: no query, cookie, address or headers", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logged = createHttpServer({ logger: createLogger("info", sink) });
    await registerWebChat(logged, {
      dialogue,
      outbox,
      logger: createLogger("silent"),
      secureCookies: false,
      embedOrigins: [],
      cookieSecret,
    });
    const chat = await newSession(logged);
    await logged.inject({
      method: "GET",
      url: "/chat/inbox?after=1700000000000-0",
      cookies: { [COOKIE]: chat },
      headers: { "user-agent": "UA-Marker", "x-forwarded-for": "203.0.113.9" },
    });
    await logged.close();
    const line = lines.find((l) => l.includes('"route":"/chat/inbox"'));
    expect(JSON.parse(line ?? "{}")).toMatchObject({ method: "GET", route: "/chat/inbox", status: 200 });
    const all = lines.join("\n");
    for (const secret of [chat, "1700000000000", "UA-Marker", "203.0.113.9", "127.0.0.1"])
      expect(all).not.toContain(secret);
  });

  it("limits how fast one address can open new anonymous sessions", async () => {
    const codes: number[] = [];
    let refused: LightMyRequestResponse | undefined;
    for (let i = 0; i < 25; i++) {
      const r = await plain.inject({ method: "POST", url: "/chat/session", payload: {} });
      codes.push(r.statusCode);
      if (r.statusCode === 429) refused = r;
    }
    expect(codes.filter((c) => c === 200).length).toBeLessThanOrEqual(20);
    expect(codes).toContain(429);
    // No `message`: the page words this refusal itself, in the chat's language.
    expect(refused?.json()).not.toHaveProperty("message");
  });
});
