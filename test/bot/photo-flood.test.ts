import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import type { FastifyInstance } from "fastify";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpServer } from "../../bot/http/server.js";
import { WebOutbox } from "../../bot/web/chat-streams.js";
import { COOKIE, cookieSecretFrom, registerWebChat } from "../../bot/web/web-chat.js";
import { createLogger } from "../../logger.js";
import { MAX_PIXELS } from "../../workers/tip/photo.js";
import { bigJpeg } from "../fixtures/big-photos.js";
import { type TestRuntime, testRuntime } from "../workers/harness.js";
import { testDialogue } from "./dialogue-harness.js";

const vi = JSON.parse(readFileSync(resolve(import.meta.dirname, "../../locales/vi.json"), "utf8")) as Record<
  string,
  string
>;
const RECEIVED = (vi["report.photoReceived"] as string).split("{{")[0] as string;
const BUSY = vi["report.photoBusy"] as string;

type Replies = { replies: { text: string; choices: { data: string; label: string }[] }[] };

/**
 * The outside test's finding, as a test: large photos posted to the web chat at once used to
 * stall the whole server (every chat and /healthz) while they were decoded on the main thread.
 * Ten concurrent uploads of a 40-megapixel JPEG go to /chat/photo over real HTTP while /healthz
 * is asked again and again; it must answer each time within a second, and every upload must end
 * in a photo received or a refusal to send it again later: no hang, no dropped request.
 */
describe("a flood of 40-megapixel photos on the web chat", () => {
  const UPLOADS = 10;
  // Two threads, as many as the 2-core machine has cores, and no waiting slot: two photos
  // decoded at once, the rest refused as busy. (The defaults, one thread and eight waiting here,
  // would decode nine photos one after another: a minute or more.)
  const THREADS = 2;
  const QUEUE = 0;
  let rt: TestRuntime;
  let dispose: () => Promise<void>;
  let app: FastifyInstance;
  let base: string;
  let photo: Buffer;

  beforeAll(async () => {
    rt = await testRuntime(
      undefined,
      {},
      {
        PHOTO_THREADS: String(THREADS),
        PHOTO_QUEUE: String(QUEUE),
        // Far above the decode time even on a loaded machine, so the photos admitted are received
        // (the deadline has its own test in photo-pool.test.ts).
        PHOTO_TIMEOUT_MS: "200000",
      },
    );
    let dialogue: Awaited<ReturnType<typeof testDialogue>>["dialogue"];
    ({ dialogue, dispose } = await testDialogue(rt));
    const logger = createLogger("silent");
    app = createHttpServer({ logger, health: async () => ({ redis: (await rt.redis.ping()) === "PONG" }) });
    await registerWebChat(app, {
      dialogue,
      outbox: new WebOutbox(rt.redis, rt.prefix, randomBytes(16)),
      logger,
      secureCookies: false,
      embedOrigins: [],
      cookieSecret: cookieSecretFrom(randomBytes(32)),
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    // 39.9 MP, just under the limit, so that each one admitted is decoded in full.
    photo = await bigJpeg(7000, 5700);
    expect(7000 * 5700).toBeLessThanOrEqual(MAX_PIXELS);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await rt?.dispose();
    await dispose?.();
  });

  async function post(cookie: string, path: string, body: object | Buffer) {
    const json = !Buffer.isBuffer(body);
    const r = await request(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": json ? "application/json" : "image/jpeg", ...(cookie && { cookie }) },
      body: json ? JSON.stringify(body) : body,
      // A hang fails the test instead of passing unnoticed.
      headersTimeout: 250_000,
      bodyTimeout: 250_000,
    });
    return { status: r.statusCode, headers: r.headers, json: (await r.body.json()) as Replies };
  }

  /** A browser with a tip draft waiting for its photos. */
  async function chatAtPhotoStep(): Promise<string> {
    const opened = await post("", "/chat/session", {});
    const setCookie = [opened.headers["set-cookie"] ?? []].flat().find((c) => c.startsWith(`${COOKIE}=`));
    const cookie = setCookie?.split(";")[0] as string;
    expect(cookie).toBeDefined();
    const choose = (r: Replies, label: string) => {
      const c = r.replies.flatMap((x) => x.choices).find((x) => x.label === label);
      if (!c) throw new Error(`no choice ${label} in ${JSON.stringify(r)}`);
      return { choice: c.data };
    };
    let r = (await post(cookie, "/chat/message", { choice: "menu:report" })).json;
    r = (await post(cookie, "/chat/message", choose(r, "Bạo lực học đường / bắt nạt"))).json;
    r = (await post(cookie, "/chat/message", { text: "thcs le quy don" })).json;
    r = (await post(cookie, "/chat/message", choose(r, "Trường THCS Lê Quý Đôn"))).json;
    r = (await post(cookie, "/chat/message", { text: "Một nhóm học sinh chặn đánh bạn ở nhà xe" })).json;
    expect(r.replies.at(-1)?.text).toBe(vi["report.photoPrompt"]);
    return cookie;
  }

  it("keeps /healthz answering within a second, and answers every upload", async () => {
    const chats = await Promise.all(Array.from({ length: UPLOADS }, () => chatAtPhotoStep()));
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;

    let flooding = true;
    const health: { ms: number; status: number }[] = [];
    const polling = (async () => {
      while (flooding) {
        const start = performance.now();
        const r = await request(`${base}/healthz`, { headersTimeout: 30_000, bodyTimeout: 30_000 });
        await r.body.dump();
        health.push({ ms: performance.now() - start, status: r.statusCode });
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
        await delay(100);
      }
    })();

    const started = performance.now();
    let uploads: Awaited<ReturnType<typeof post>>[];
    try {
      uploads = await Promise.all(chats.map((cookie) => post(cookie, "/chat/photo", photo)));
    } finally {
      flooding = false;
      await polling;
    }
    const floodMs = performance.now() - started;

    expect(uploads.map((u) => u.status)).toEqual(Array(UPLOADS).fill(200));
    const texts = uploads.map((u) => u.json.replies[0]?.text ?? "");
    const received = texts.filter((t) => t.startsWith(RECEIVED)).length;
    const busy = texts.filter((t) => t === BUSY).length;
    expect(texts.filter((t) => !t.startsWith(RECEIVED) && t !== BUSY)).toEqual([]);
    // All ten arrive within milliseconds and a decode takes seconds: both slots are full when the
    // last ones come (more would be received only if a decode ended first).
    expect(received).toBeGreaterThanOrEqual(THREADS + QUEUE);
    expect(busy).toBeGreaterThanOrEqual(1);

    // Asked throughout the flood (not only before or after it), and never slow.
    expect(health.length).toBeGreaterThanOrEqual(5);
    expect(health.every((h) => h.status === 200)).toBe(true);
    const slowest = Math.max(...health.map((h) => h.ms));
    expect(slowest).toBeLessThan(1000);
    // Memory is bounded by the threads: ten 40 MP decodes at once would take about 13 GB.
    const grownMb = (rssPeak - rssBefore) / 2 ** 20;
    expect(grownMb).toBeLessThan(THREADS * 1500 + 500);
    console.info(
      `photo flood: ${received} received, ${busy} busy in ${Math.round(floodMs)} ms; /healthz ${health.length}×, slowest ${Math.round(slowest)} ms; RSS +${Math.round(grownMb)} MB at peak`,
    );
  }, 300_000);
});
