import type { Redis } from "ioredis";

/**
 * The channel's send rate shared by every worker, as a generic cell rate algorithm (a token
 * bucket kept as one "theoretical arrival time"): `rate` messages a second, `burst` at once after
 * a quiet spell. Each call reserves the next free slot and returns the milliseconds until it
 * (0: send now) and the slot's time, so waiting senders take turns without polling. A 429 pauses the whole channel
 * for its `retry_after`: nothing is reserved while the pause lasts. Uses the server's clock
 * (TIME), so that workers on several machines agree.
 * KEYS[1] arrival time key, KEYS[2] pause key; ARGV[1] rate per second, ARGV[2] burst.
 */
const TAKE = `
local pause = redis.call('PTTL', KEYS[2])
if pause > 0 then return -pause end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = 1000 / tonumber(ARGV[1])
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or 0), now) + interval
local slot = math.max(tat - tonumber(ARGV[2]) * interval, now)
redis.call('SET', KEYS[1], tostring(tat), 'PX', math.ceil(tat - now) + 60000)
return {math.ceil(slot - now), tostring(slot)}
`;

export interface ChannelRate {
  /** Messages a second over all workers (Telegram: about 30). */
  readonly perSecond: number;
  /** Messages that may go at once after a quiet spell (default: one second's worth, at most 30). */
  readonly burst?: number;
}

/** The global send rate of one channel, shared through Redis. */
export class ChannelRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private keys(channel: string): [string, string] {
    return [`${this.prefix}:campaign-rate:${channel}`, `${this.prefix}:campaign-rate:${channel}:pause`];
  }

  /**
   * Resolves once a message may be sent on `channel` (its slot is then taken), with the slot's
   * time on the Redis server's clock (ms): slots are what the rate governs, whatever delays the
   * send after it.
   */
  async take(channel: string, rate: ChannelRate): Promise<number> {
    const burst = rate.burst ?? Math.min(30, rate.perSecond);
    for (;;) {
      const answer = (await this.redis.eval(TAKE, 2, ...this.keys(channel), rate.perSecond, burst)) as
        | number
        | [number, string];
      // A number: the channel is paused (a 429) for that long; ask again after it.
      if (typeof answer === "number") {
        await new Promise((r) => setTimeout(r, -answer));
        continue;
      }
      const [wait, slot] = answer;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      return Number(slot);
    }
  }

  /** The channel answered 429: nobody sends on it for `ms`. */
  async pause(channel: string, ms: number): Promise<void> {
    await this.redis.set(this.keys(channel)[1], "1", "PX", Math.max(1, Math.ceil(ms)));
  }
}
