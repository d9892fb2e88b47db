import { createHmac, randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { Channel } from "./tip.js";

/**
 * Sender keys and the per-sender rate limit. Limiting tips per sender needs some per-sender key,
 * but storing a raw Telegram or Zalo user id in Redis would be a list of tipsters. So the key is
 * an HMAC of the id under a secret salt: stable for one sender (the limit works), not reversible
 * without the salt. The salt must stay secret: user ids are short numbers, so anyone holding it
 * could hash every id and match.
 */

const MIN_SALT_BYTES = 16;
const SENDER_KEY_HEX = 32;

/**
 * `HMAC-SHA256(salt, channel + ":" + userId)` as hex, truncated to 32 characters (128 bits).
 * Deterministic for one salt; another salt gives unrelated keys. Throws a RangeError if the salt
 * is shorter than 16 bytes or the user id is empty.
 */
export function senderKey(salt: Buffer, channel: Channel, userId: string): string {
  if (!Buffer.isBuffer(salt) || salt.length < MIN_SALT_BYTES) {
    throw new RangeError(`sender-key salt must be at least ${MIN_SALT_BYTES} bytes`);
  }
  if (typeof userId !== "string" || userId.length === 0) throw new RangeError("sender-key needs a user id");
  return createHmac("sha256", salt)
    .update(`${channel}:${userId}`, "utf8")
    .digest("hex")
    .slice(0, SENDER_KEY_HEX);
}

/** Options of a SenderRateLimiter. */
export interface SenderRateLimitOptions {
  /** Key prefix, e.g. the app's Redis prefix; keys are `${prefix}:rl:${key}`. */
  readonly prefix: string;
  /** Hits allowed per window (1 to 100,000). */
  readonly limit: number;
  /** Window length in milliseconds. */
  readonly windowMs: number;
}

/** Outcome of one hit. `remaining` counts hits still allowed now; `retryAfterMs` is 0 when allowed. */
export interface RateLimitResult {
  readonly allowed: boolean;
  readonly remaining: number;
  readonly retryAfterMs: number;
}

// Sliding-window log: one sorted-set member per allowed hit, scored by Redis server time in ms,
// so that several processes with skewed clocks agree. Refused hits are not recorded: a sender
// who keeps trying is let in again as soon as their oldest hit leaves the window.
// KEYS[1]: the log. ARGV: limit, windowMs, unique member suffix.
// Returns {allowed (1/0), remaining, retryAfterMs}.
const SLIDING_WINDOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, limit - count - 1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local retry = tonumber(oldest[2]) + window - now
if retry < 1 then retry = 1 end
return {0, 0, retry}
`;

/**
 * A per-sender rate limit in Redis: at most `limit` hits in any `windowMs` (sliding window),
 * checked and recorded atomically in one Lua script. Keys must be sender keys (32 hex
 * characters, see `senderKey`): anything else, such as a raw user id, is refused with a
 * RangeError so that it never reaches Redis.
 */
export class SenderRateLimiter {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #limit: number;
  readonly #windowMs: number;

  constructor(redis: Redis, opts: SenderRateLimitOptions) {
    if (!opts.prefix) throw new RangeError("rate limiter needs a key prefix");
    if (!Number.isInteger(opts.limit) || opts.limit < 1 || opts.limit > 100_000) {
      throw new RangeError("rate limit must be an integer from 1 to 100,000");
    }
    if (!Number.isInteger(opts.windowMs) || opts.windowMs < 1) {
      throw new RangeError("rate-limit window must be a positive whole number of milliseconds");
    }
    this.#redis = redis;
    this.#prefix = opts.prefix;
    this.#limit = opts.limit;
    this.#windowMs = opts.windowMs;
  }

  /** Records one hit for `key` if it is within the limit; a refused hit is not recorded. */
  async hit(key: string): Promise<RateLimitResult> {
    if (typeof key !== "string" || !/^[0-9a-f]{32}$/.test(key)) {
      throw new RangeError("rate-limit key must be a sender key (32 lower-case hex characters)");
    }
    const [allowed, remaining, retryAfterMs] = (await this.#redis.eval(
      SLIDING_WINDOW,
      1,
      `${this.#prefix}:rl:${key}`,
      this.#limit,
      this.#windowMs,
      randomBytes(8).toString("hex"),
    )) as [number, number, number];
    return { allowed: allowed === 1, remaining, retryAfterMs };
  }
}
