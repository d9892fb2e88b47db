import type { Redis } from "ioredis";

/**
 * A token bucket in Redis shared by every worker: `rate` tokens a second, at most `burst` saved.
 * A 429 pauses the whole channel for its `retry_after`. Returns 0 when a token was taken, else
 * the milliseconds to wait before asking again. Uses the server's clock (TIME), so that workers
 * on several machines agree.
 * KEYS[1] bucket hash, KEYS[2] pause key; ARGV[1] rate per second, ARGV[2] burst.
 */
const TAKE = `
local pause = redis.call('PTTL', KEYS[2])
if pause > 0 then return pause end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens') or burst)
local ts = tonumber(redis.call('HGET', KEYS[1], 'ts') or now)
tokens = math.min(burst, tokens + (now - ts) * rate / 1000)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) * 1000 / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], 60000)
return wait
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

  /** Resolves once a message may be sent on `channel`. */
  async take(channel: string, rate: ChannelRate): Promise<void> {
    const burst = rate.burst ?? Math.min(30, rate.perSecond);
    for (;;) {
      const wait = Number(await this.redis.eval(TAKE, 2, ...this.keys(channel), rate.perSecond, burst));
      if (wait <= 0) return;
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** The channel answered 429: nobody sends on it for `ms`. */
  async pause(channel: string, ms: number): Promise<void> {
    await this.redis.set(this.keys(channel)[1], "1", "PX", Math.max(1, Math.ceil(ms)));
  }
}
