import { createHmac, hkdfSync } from "node:crypto";
import type { Redis } from "ioredis";
import type { ChatAddress } from "../messenger.js";

/** How long an officer's question waits for its answer before the chat stops offering to send one. */
const PENDING_DAYS = 7;
const DAY_S = 24 * 3600;
// Sets the draft only on an existing entry, so that it never outlives the entry's expiry.
const STASH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'draft', ARGV[1])
return 1
`;

/**
 * Officers' questions waiting in a tipster's chat, so that a plain message on a channel without
 * reply-to (Zalo, the web without the button) can be offered as the answer.
 *
 * The entry must say which tip the chat's question is about, which links the chat to the tip.
 * So the key is an HMAC of the chat under a key derived from the reply key (TIP_REPLY_KEY) —
 * the one secret that can already open reply handles — and not under the sender salt that
 * sessions and rate limits use: someone holding the salt and a Redis dump cannot test a
 * suspected user id against these entries. Expiry is set to a day boundary, so the key's TTL
 * does not tell when the question was delivered.
 */
export class PendingQuestions {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #key: Buffer;

  constructor(redis: Redis, prefix: string, replyKey: Buffer) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#key = Buffer.from(hkdfSync("sha256", replyKey, Buffer.alloc(0), "ssg-pending-question-v1", 32));
  }

  #keyOf(chat: ChatAddress): string {
    const mac = createHmac("sha256", this.#key).update(`${chat.channel}:${chat.chatId}`).digest("hex");
    return `${this.#prefix}:pq:${mac.slice(0, 32)}`;
  }

  /** Remembers that the chat was asked about `tipId` (a later question replaces an earlier one). */
  async set(chat: ChatAddress, tipId: string, now = Date.now()): Promise<void> {
    const key = this.#keyOf(chat);
    const expireAt = (Math.floor(now / 1000 / DAY_S) + 1 + PENDING_DAYS) * DAY_S;
    await this.#redis.multi().del(key).hset(key, "tipId", tipId).expireat(key, expireAt).exec();
  }

  /** The tip the chat's open question is about, if any. */
  async tipFor(chat: ChatAddress): Promise<string | undefined> {
    return (await this.#redis.hget(this.#keyOf(chat), "tipId")) ?? undefined;
  }

  /**
   * Keeps an answer typed in the chat until the tipster confirms it (one at a time); false if
   * the question is no longer pending. The draft lives here, not in the session, for the same
   * reason as the entry: it ends up in the tip's log.
   */
  async stashDraft(chat: ChatAddress, text: string): Promise<boolean> {
    const r = await this.#redis.eval(STASH, 1, this.#keyOf(chat), text);
    return r === 1;
  }

  /** Takes the stashed answer (it is removed). */
  async takeDraft(chat: ChatAddress): Promise<string | undefined> {
    const key = this.#keyOf(chat);
    const [[, draft] = []] = (await this.#redis.multi().hget(key, "draft").hdel(key, "draft").exec()) ?? [];
    return typeof draft === "string" ? draft : undefined;
  }

  /** The chat's question is answered or its tip closed. */
  async clear(chat: ChatAddress): Promise<void> {
    await this.#redis.del(this.#keyOf(chat));
  }
}
