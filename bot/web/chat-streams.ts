import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { ChatAddress, Messenger, OutgoingMessage } from "../../workers/messenger.js";
import { senderKey } from "../../workers/tip/sender-key.js";
import { MediaUrlSigner } from "../http/media-urls.js";

/**
 * Messages the workers send to web chats (a question relayed to a tipster) and, in the demo,
 * to officers. The browser is not connected when a worker sends, so each chat has a Redis
 * stream it reads from a cursor: a failed fetch loses nothing and several tabs see the same.
 */

/** A sanitised photo's id in the tip store (`sanitizePhoto`: the first 128 bits of its SHA-256). */
export const PHOTO_ID = /^[a-f0-9]{32}$/;

/**
 * A message as the browser gets it. Photos are not stored a second time: they are counted and,
 * in the demo officer inboxes, named by the id the tip store keeps them under.
 */
export const streamedMessageSchema = z.object({
  text: z.string(),
  actions: z.array(z.object({ data: z.string(), label: z.string() })).default([]),
  photos: z.number().int().min(0).default(0),
  photoIds: z.array(z.string().regex(PHOTO_ID)).default([]),
});
export type StreamedMessage = z.infer<typeof streamedMessageSchema> & { readonly id: string };

/** Stream entry ids ("1700000000000-0"): the only cursor the browser may send. */
export const STREAM_ID = /^\d{1,15}-\d{1,6}$/;

const MAX_LEN = 200;
const READ_COUNT = 50;

class ChatStreams {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {}

  /** Appends a message; `withPhotoIds` keeps the photos' store ids (officer inboxes only). */
  async push(key: string, message: OutgoingMessage, withPhotoIds = false): Promise<string> {
    const photos = message.photos ?? [];
    const entry = JSON.stringify({
      text: message.text,
      actions: (message.actions ?? []).map((a) => ({ data: a.data, label: a.label })),
      photos: photos.length,
      ...(withPhotoIds && { photoIds: photos.map((p) => MediaUrlSigner.idOf(p.bytes)) }),
    });
    const [[err, id] = [null, null]] =
      (await this.redis
        .multi()
        .xadd(key, "MAXLEN", "~", String(MAX_LEN), "*", "m", entry)
        .expire(key, this.ttlSeconds)
        .exec()) ?? [];
    if (err || typeof id !== "string") throw err ?? new Error("stream append failed");
    return id;
  }

  async after(key: string, cursor?: string): Promise<StreamedMessage[]> {
    if (cursor !== undefined && !STREAM_ID.test(cursor)) throw new RangeError("bad cursor");
    const entries = await this.redis.xrange(key, cursor ? `(${cursor}` : "-", "+", "COUNT", READ_COUNT);
    return entries.flatMap(([id, fields]) => {
      const parsed = streamedMessageSchema.safeParse(JSON.parse(fields[1] ?? "null"));
      return parsed.success ? [{ id, ...parsed.data }] : [];
    });
  }

  count(key: string): Promise<number> {
    return this.redis.xlen(key);
  }

  async drop(key: string): Promise<void> {
    await this.redis.del(key);
  }
}

/**
 * The web chat's outbox and the workers' messenger for channel "web". Streams are keyed by a
 * salted hash of the browser's cookie, never the cookie itself, and expire after 30 idle days.
 */
export class WebOutbox implements Messenger {
  private readonly streams: ChatStreams;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly salt: Buffer,
    ttlSeconds = 30 * 24 * 3600,
  ) {
    this.streams = new ChatStreams(redis, ttlSeconds);
  }

  private key(chatId: string): string {
    return `${this.prefix}:web-outbox:${senderKey(this.salt, "web", chatId)}`;
  }

  async send(to: ChatAddress, message: OutgoingMessage): Promise<{ messageId: string }> {
    if (to.channel !== "web") throw new RangeError(`WebOutbox cannot send to ${to.channel}`);
    return { messageId: await this.streams.push(this.key(to.chatId), message) };
  }

  read(chatId: string, cursor?: string): Promise<StreamedMessage[]> {
    return this.streams.after(this.key(chatId), cursor);
  }

  forget(chatId: string): Promise<void> {
    return this.streams.drop(this.key(chatId));
  }
}

/**
 * Demo only: stands in for Telegram and Zalo when no token is given, keeping what the workers
 * send to each (invented) officer of the routing example so the web page's officer view can
 * show it. Officer chat ids are not tipster data. The inboxes live under the instance's key
 * prefix, like its queues: two people sharing one Redis see each other's tips only when they
 * also share a QUEUE_PREFIX (and then their workers take each other's jobs anyway).
 */
export class DemoOfficerInbox implements Messenger {
  private readonly streams: ChatStreams;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.streams = new ChatStreams(redis, 7 * 24 * 3600);
  }

  private key(to: ChatAddress): string {
    return `${this.prefix}:demo-inbox:${to.channel}:${to.chatId}`;
  }

  async send(to: ChatAddress, message: OutgoingMessage): Promise<{ messageId: string }> {
    return { messageId: await this.streams.push(this.key(to), message, true) };
  }

  read(to: ChatAddress, cursor?: string): Promise<StreamedMessage[]> {
    return this.streams.after(this.key(to), cursor);
  }

  count(to: ChatAddress): Promise<number> {
    return this.streams.count(this.key(to));
  }

  /**
   * Marks this process as running the demo under the prefix (a key renewed every 20 s) and
   * counts the others doing so now: they would share its tips and inboxes. `stop` removes the mark.
   */
  async announce(): Promise<{ others: number; stop: () => Promise<void> }> {
    const mine = `${this.prefix}:demo-instance:${randomUUID()}`;
    let others = 0;
    let cursor = "0";
    do {
      const [next, keys] = await this.redis.scan(
        cursor,
        "MATCH",
        `${this.prefix}:demo-instance:*`,
        "COUNT",
        1000,
      );
      others += keys.length;
      cursor = next;
    } while (cursor !== "0");
    await this.redis.set(mine, "1", "PX", 60_000);
    const renew = setInterval(() => void this.redis.pexpire(mine, 60_000).catch(() => undefined), 20_000);
    renew.unref();
    return {
      others,
      stop: async () => {
        clearInterval(renew);
        await this.redis.del(mine);
      },
    };
  }
}
