import { createHmac, hkdfSync } from "node:crypto";
import type { Redis } from "ioredis";
import type { ChatAddress } from "../messenger.js";
import { type ContentSealer, isSealedText } from "./content-sealer.js";

/** How long an officer's question waits for its answer before the chat stops offering to send one. */
const PENDING_DAYS = 7;
const DAY_S = 24 * 3600;
// Sets the draft only on an existing entry, so that it never outlives the entry's expiry.
const STASH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'draft', ARGV[1])
return 1
`;
// Replaces the draft only if it is still the one read (rotation must not undo a take or a stash).
const RESEAL = `
if redis.call('HGET', KEYS[1], 'draft') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'draft', ARGV[2])
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
  readonly #content: ContentSealer;

  /** `content` seals the drafts: an answer is tip content (TIP_DATA_KEY). */
  constructor(redis: Redis, prefix: string, replyKey: Buffer, content: ContentSealer) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#content = content;
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
    const key = this.#keyOf(chat);
    const r = await this.#redis.eval(STASH, 1, key, this.#content.seal(text, this.#draftContext(key)));
    return r === 1;
  }

  /** Takes the stashed answer (it is removed). */
  async takeDraft(chat: ChatAddress): Promise<string | undefined> {
    const key = this.#keyOf(chat);
    const [[, draft] = []] = (await this.#redis.multi().hget(key, "draft").hdel(key, "draft").exec()) ?? [];
    if (typeof draft !== "string") return undefined;
    return isSealedText(draft) ? this.#content.open(draft, this.#draftContext(key)) : draft;
  }

  // A draft is bound to its chat's entry, not to a tip: the entry names the tip.
  #draftContext(key: string) {
    return { owner: key.slice(this.#prefix.length + 1), field: "draft" };
  }

  /** Seals every stashed draft not under the current data key again (key rotation). */
  async reseal(): Promise<{ resealed: number; current: number }> {
    let resealed = 0;
    let current = 0;
    let cursor = "0";
    do {
      const [next, keys] = await this.#redis.scan(cursor, "MATCH", `${this.#prefix}:pq:*`, "COUNT", 500);
      cursor = next;
      for (const key of keys) {
        const draft = await this.#redis.hget(key, "draft");
        if (draft === null) continue;
        if (isSealedText(draft) && this.#content.isCurrent(draft)) {
          current++;
          continue;
        }
        const context = this.#draftContext(key);
        const text = isSealedText(draft) ? this.#content.open(draft, context) : draft;
        if ((await this.#redis.eval(RESEAL, 1, key, draft, this.#content.seal(text, context))) === 1)
          resealed++;
      }
    } while (cursor !== "0");
    return { resealed, current };
  }

  /** The chat's question is answered or its tip closed. */
  async clear(chat: ChatAddress): Promise<void> {
    await this.#redis.del(this.#keyOf(chat));
  }
}
