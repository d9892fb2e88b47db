import { randomBytes, randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { eq, isNotNull } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../db/client.js";
import { subscribers } from "../../db/schema.js";
import { createLogger } from "../../logger.js";
import { CampaignStore } from "../../workers/campaign/campaign-store.js";
import { CampaignFanOut, type CampaignFanOutOptions } from "../../workers/campaign/fan-out.js";
import { ChannelRateLimiter } from "../../workers/campaign/rate-limit.js";
import {
  MessengerPermanentError,
  MessengerRateLimitedError,
  MessengerTransientError,
} from "../../workers/messenger.js";
import { freshDatabase, type TestDatabase } from "../db/engines.js";
import { addSubscribers, busiestWindow, CountingMessenger, chatOf, dropKeys } from "./campaign-fake.js";
import { eventually, finished } from "./harness.js";

const AUDIENCE = { roles: ["parent" as const], schools: ["thcs-an-hoa"] };

describe("campaign fan-out", () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let redis: Redis;
  let prefix: string;
  let store: CampaignStore;
  let messenger: CountingMessenger;
  const fanOuts: CampaignFanOut[] = [];
  const salt = randomBytes(32);

  beforeEach(async () => {
    database = await freshDatabase("pglite");
    handle = await openDatabase(database.config);
    redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
    prefix = `test-${randomUUID()}`;
    store = new CampaignStore(handle.db);
    messenger = new CountingMessenger();
  });
  afterEach(async () => {
    for (const f of fanOuts.splice(0)) {
      await f.close();
      await f.queue.obliterate({ force: true }).catch(() => undefined);
    }
    await dropKeys(redis, prefix);
    redis.disconnect();
    await handle.close();
    await database.drop();
  });

  function fanOut(options: CampaignFanOutOptions): CampaignFanOut {
    const logger = createLogger("warn", new Writable({ write: (_c, _e, done) => done() }));
    const f = new CampaignFanOut({ redis, prefix, salt, store, messenger, logger }, options);
    fanOuts.push(f);
    f.startWorker();
    return f;
  }

  async function sendAndWait(f: CampaignFanOut, timeoutMs = 60_000) {
    const campaign = await store.createCampaign({
      author: "person:test",
      audience: AUDIENCE,
      text: "Nhà trường nhắc phụ huynh: không để trẻ tự đi bơi.",
      sendAt: new Date(),
    });
    const t0 = Date.now();
    await f.start(campaign);
    const done = await eventually(async () => {
      const c = await store.campaign(campaign.id);
      return c?.status === "done" && c;
    }, timeoutMs);
    return { campaign: done, ms: Date.now() - t0 };
  }

  it("reaches 10,000 subscribers once each within the rate; blocked chats are marked and skipped next time", {
    timeout: 120_000,
  }, async () => {
    const N = 10_000;
    const RATE = Number(process.env.CAMPAIGN_TEST_RATE ?? 4000);
    const BURST = 100;
    await addSubscribers(handle.db, N);
    for (let n = 1; n <= N; n += 200) messenger.blocked.add(chatOf(n)); // 50 chats
    const f = fanOut({
      rates: { telegram: { perSecond: RATE, burst: BURST } },
      batchSize: 500,
      sendConcurrency: 32,
    });

    // The slots the shared limiter grants (Redis's clock): what the rate governs, unlike arrival
    // times, which a busy machine bunches after a stall.
    const slots: number[] = [];
    const take = ChannelRateLimiter.prototype.take;
    const spy = vi.spyOn(ChannelRateLimiter.prototype, "take").mockImplementation(async function (
      this: ChannelRateLimiter,
      ...args: Parameters<typeof take>
    ) {
      const slot = await take.apply(this, args);
      slots.push(slot);
      return slot;
    });
    const { campaign, ms } = await sendAndWait(f).finally(() => spy.mockRestore());
    const sent = [...messenger.perChat.values()];
    expect(messenger.perChat.size).toBe(N - 50);
    expect(sent.every((n) => n === 1)).toBe(true);
    expect({ sent: campaign.sent, failed: campaign.failed, blocked: campaign.blocked }).toEqual({
      sent: N - 50,
      failed: 0,
      blocked: 50,
    });
    expect(await f.counts(campaign.id)).toEqual({ sent: N - 50, failed: 0, blocked: 50 });
    // Within the rate: never more than a second's worth plus the burst of slots in any second
    // (a slot is 1/RATE s; a window's ends add one), and no faster overall than the rate allows.
    expect(slots.length).toBe(N);
    expect(busiestWindow(slots, 1000)).toBeLessThanOrEqual(RATE + BURST + 1);
    expect(ms).toBeGreaterThanOrEqual(((N - BURST) / RATE) * 1000);
    console.info(`10k fan-out: ${ms} ms, ${Math.round((N / ms) * 1000)} msg/s (limit ${RATE}/s)`);

    const marked = await handle.db.select().from(subscribers).where(isNotNull(subscribers.blockedAt));
    expect(marked.map((s) => s.chatId).sort()).toEqual([...messenger.blocked].sort());
    // The next campaign does not try them.
    messenger.attempts.clear();
    messenger.perChat.clear();
    const second = await sendAndWait(f);
    expect(second.campaign.sent).toBe(N - 50);
    expect(second.campaign.blocked).toBe(0);
    for (const chat of messenger.blocked) expect(messenger.attempts.get(chat)).toBeUndefined();
  });

  it("leaves out, from the next batch on, those who unsubscribe during the campaign", {
    timeout: 60_000,
  }, async () => {
    const N = 2000;
    await addSubscribers(handle.db, N);
    const later = Array.from({ length: 100 }, (_, i) => chatOf(1001 + i * 10)); // batches 6 to 10
    const f = fanOut({ rates: { telegram: { perSecond: 5000 } }, batchSize: 200, sendConcurrency: 8 });
    let unsubscribed = false;
    messenger.onSend = async () => {
      // During the first batch: its page is read, the later ones are not.
      if (unsubscribed) return;
      unsubscribed = true;
      for (const chat of later) expect(await store.unsubscribe("telegram", chat)).toBe(1);
    };
    const { campaign } = await sendAndWait(f);
    for (const chat of later) expect(messenger.perChat.get(chat)).toBeUndefined();
    expect(messenger.perChat.size).toBe(N - later.length);
    expect([...messenger.perChat.values()].every((n) => n === 1)).toBe(true);
    expect(campaign.sent).toBe(N - later.length);

    // Subscribing again brings them back for the next campaign.
    const [row] = await handle.db
      .select()
      .from(subscribers)
      .where(eq(subscribers.chatId, later[0] ?? ""));
    await store.subscribe({
      channel: "telegram",
      chatId: later[0] ?? "",
      role: "parent",
      schoolId: "thcs-an-hoa",
      communeId: "xa-an-hoa",
    });
    const [again] = await handle.db
      .select()
      .from(subscribers)
      .where(eq(subscribers.chatId, later[0] ?? ""));
    expect(again?.id).toBe(row?.id);
    expect(again?.unsubscribedAt).toBeNull();
  });

  it("waits out a 429 on the whole channel, retries transient errors, counts what failed", {
    timeout: 60_000,
  }, async () => {
    await addSubscribers(handle.db, 300);
    messenger.failNext(chatOf(2), new MessengerTransientError("502"), new MessengerTransientError("502"));
    messenger.failNext(chatOf(3), ...[1, 2, 3].map(() => new MessengerTransientError("timeout")));
    messenger.failNext(chatOf(150), new MessengerRateLimitedError(500));
    messenger.failNext(chatOf(160), new MessengerPermanentError("400 Bad Request: message is too long"));
    const f = fanOut({ rates: { telegram: { perSecond: 2000 } }, batchSize: 100, backoffMs: 10 });
    const { campaign } = await sendAndWait(f);

    expect({ sent: campaign.sent, failed: campaign.failed, blocked: campaign.blocked }).toEqual({
      sent: 298,
      failed: 2,
      blocked: 0,
    });
    expect(messenger.perChat.get(chatOf(2))).toBe(1);
    expect(messenger.attempts.get(chatOf(3))).toBe(3);
    expect(messenger.perChat.get(chatOf(150))).toBe(1);
    expect([...messenger.perChat.values()].every((n) => n === 1)).toBe(true);
    // A failure that is not a block leaves the subscriber subscribed.
    expect(await handle.db.select().from(subscribers).where(isNotNull(subscribers.blockedAt))).toEqual([]);
    // Nothing went out while the channel was paused (sends already under way may finish).
    const limited = messenger.failedAt.find((e) => e.name === "MessengerRateLimitedError");
    if (!limited) throw new Error("no 429 was thrown");
    const during = messenger.times.filter((t) => t > limited.at + 50 && t < limited.at + 450);
    expect(during).toEqual([]);
  });

  it("stops a cancelled campaign before its next batch", { timeout: 60_000 }, async () => {
    await addSubscribers(handle.db, 1000);
    const f = fanOut({ rates: { telegram: { perSecond: 5000 } }, batchSize: 100 });
    const campaign = await store.createCampaign({
      author: "person:test",
      audience: { roles: ["parent"], classes: [{ schoolId: "thcs-an-hoa", className: "6A1" }] },
      text: "Họp phụ huynh lớp 6A1 về an toàn giao thông.",
      sendAt: new Date(),
    });
    let cancelled = false;
    messenger.onSend = async () => {
      if (cancelled) return;
      cancelled = true;
      expect(await f.cancel(campaign.id)).toBe(true);
    };
    await f.start(campaign);
    // Class 6A1 is every fifth subscriber: the first batch holds 100 of them (ids 1 to 496).
    const second = await finished(f.queue, `${campaign.id}-496`);
    expect(second).toEqual({ state: "completed", returnvalue: "cancelled" });
    expect(messenger.perChat.size).toBe(100);
    expect((await store.campaign(campaign.id))?.status).toBe("cancelled");
    expect(await f.cancel(campaign.id)).toBe(false);
  });
});
