import { createHmac } from "node:crypto";
import type { Redis } from "ioredis";
import type { CampaignCounts, CampaignRecipient } from "./campaign.js";

/** How a recipient's delivery ended; the count of the same name grows once per recipient. */
export type FinalState = "sent" | "failed" | "blocked";

/**
 * Sets a final state and counts it, once: a retried batch (a worker killed mid-campaign) that
 * reaches the same recipient again changes nothing.
 * KEYS[1] ledger hash, KEYS[2] counts hash; ARGV[1] field, ARGV[2] state.
 */
const FINISH = `
local prev = redis.call('HGET', KEYS[1], ARGV[1])
if prev == 'sent' or prev == 'failed' or prev == 'blocked' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
return 1
`;

/** How long a campaign's ledger and counts stay in Redis after its last batch. */
export const LEDGER_TTL_SECONDS = 7 * 24 * 3600;

/**
 * A campaign's delivery ledger and live counts in Redis, like the notify stage's: one field per
 * chat, "sending" just before the send and its final state after. A chat subscribed for two
 * schools or roles is one field, so it hears a campaign once. Fields are keyed hashes of the chat
 * (HMAC under the sender salt, apart from the tips' sender keys): Redis holds no chat id.
 */
export class CampaignLedger {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly salt: Buffer,
  ) {
    if (salt.length < 16) throw new RangeError("the campaign ledger's salt must be at least 16 bytes");
  }

  private key(campaignId: string, what: string): string {
    return `${this.prefix}:campaign:${campaignId}:${what}`;
  }

  /** The ledger's name for a chat. */
  field(r: Pick<CampaignRecipient, "channel" | "chatId">): string {
    return createHmac("sha256", this.salt)
      .update(`campaign:${r.channel}:${r.chatId}`)
      .digest("hex")
      .slice(0, 32);
  }

  /** The state of a chat's delivery: undefined before, "sending" while (or if interrupted). */
  async stateOf(campaignId: string, r: CampaignRecipient): Promise<string | undefined> {
    return (await this.redis.hget(this.key(campaignId, "ledger"), this.field(r))) ?? undefined;
  }

  /** Marks a send as started; true if it had been started before and not finished (uncertain). */
  async start(campaignId: string, r: CampaignRecipient): Promise<boolean> {
    const set = await this.redis.hsetnx(this.key(campaignId, "ledger"), this.field(r), "sending");
    return set === 0;
  }

  /** Records the final state; false if the chat already had one (nothing counted twice). */
  async finish(campaignId: string, r: CampaignRecipient, state: FinalState): Promise<boolean> {
    const done = await this.redis.eval(
      FINISH,
      2,
      this.key(campaignId, "ledger"),
      this.key(campaignId, "counts"),
      this.field(r),
      state,
    );
    return done === 1;
  }

  async counts(campaignId: string): Promise<CampaignCounts> {
    const h = await this.redis.hgetall(this.key(campaignId, "counts"));
    return { sent: Number(h.sent ?? 0), failed: Number(h.failed ?? 0), blocked: Number(h.blocked ?? 0) };
  }

  /**
   * The ids of the batch after `after`, fixed the first time it is read: a batch retried after a
   * crash covers the same subscribers and queues the same next batch, so the chain never forks.
   */
  async pageOnce(campaignId: string, after: number, read: () => Promise<number[]>): Promise<number[]> {
    const key = this.key(campaignId, `page:${after}`);
    const kept = await this.redis.get(key);
    if (kept !== null) return JSON.parse(kept) as number[];
    const ids = await read();
    await this.redis.set(key, JSON.stringify(ids), "EX", LEDGER_TTL_SECONDS, "NX");
    return JSON.parse((await this.redis.get(key)) ?? "[]") as number[];
  }

  /** Lets a finished campaign's keys expire. */
  async expire(campaignId: string): Promise<void> {
    const keys = [this.key(campaignId, "ledger"), this.key(campaignId, "counts")];
    for (const k of keys) await this.redis.expire(k, LEDGER_TTL_SECONDS);
  }
}
