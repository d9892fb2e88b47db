import { createHmac } from "node:crypto";
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

// Sliding window approximated from two fixed-window counters (this window's and the last one's,
// weighted by how much of the last one still overlaps the sliding window). Only counts are
// stored, in one hash per sender with a field per window number, expiring at a window boundary:
// nothing records when a hit happened, so rate-limit state cannot be matched against a tip's
// time. Time is Redis server time, so that several processes with skewed clocks agree.
// KEYS[1]: the sender's counters. ARGV: limit, windowMs.
// Returns {allowed (1/0), remaining, retryAfterMs}.
const SLIDING_COUNTERS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local w = tonumber(ARGV[2])
local idx = math.floor(now / w)
local f = (now - idx * w) / w
local cur = tonumber(redis.call('HGET', KEYS[1], tostring(idx)) or '0')
local prev = tonumber(redis.call('HGET', KEYS[1], tostring(idx - 1)) or '0')
local est = prev * (1 - f) + cur
if est + 1 <= limit then
  for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
    if tonumber(field) < idx - 1 then redis.call('HDEL', KEYS[1], field) end
  end
  redis.call('HINCRBY', KEYS[1], tostring(idx), 1)
  redis.call('PEXPIREAT', KEYS[1], (idx + 2) * w)
  return {1, math.floor(limit - est - 1), 0}
end
-- The earliest moment the estimate leaves room for one more hit.
local retry
if cur <= limit - 1 and prev > 0 then
  retry = ((1 - (limit - 1 - cur) / prev) - f) * w
else
  retry = (1 - f) * w + (1 - (limit - 1) / cur) * w
end
retry = math.ceil(retry)
if retry < 1 then retry = 1 end
return {0, 0, retry}
`;

/**
 * A rate limit in Redis: about `limit` hits per key in any `windowMs` (a sliding window
 * estimated from per-window counters), checked and recorded atomically in one Lua script.
 * Keys are short names of what is limited ("place:thcs-an-hoa", "all"), never who.
 */
export class CounterRateLimiter {
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

  /** Records one hit for `key` if it is within the limit; a refused hit is not counted. */
  async hit(key: string): Promise<RateLimitResult> {
    if (typeof key !== "string" || !/^[a-z0-9:_-]{1,100}$/.test(key)) {
      throw new RangeError("rate-limit key must be 1-100 characters of a-z, 0-9, ':', '_', '-'");
    }
    const [allowed, remaining, retryAfterMs] = (await this.#redis.eval(
      SLIDING_COUNTERS,
      1,
      `${this.#prefix}:rl:${key}`,
      this.#limit,
      this.#windowMs,
    )) as [number, number, number];
    return { allowed: allowed === 1, remaining, retryAfterMs };
  }
}

/**
 * A per-sender rate limit (see `CounterRateLimiter`). Keys must be sender keys (32 hex
 * characters, see `senderKey`): anything else, such as a raw user id, is refused with a
 * RangeError so that it never reaches Redis.
 */
export class SenderRateLimiter extends CounterRateLimiter {
  override async hit(key: string): Promise<RateLimitResult> {
    if (typeof key !== "string" || !/^[0-9a-f]{32}$/.test(key)) {
      throw new RangeError("rate-limit key must be a sender key (32 lower-case hex characters)");
    }
    return super.hit(key);
  }
}
