import { type Job, Queue, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "../../logger.js";
import type { Messenger } from "../messenger.js";
import { QUEUES } from "../queues/jobs.js";
import {
  type CampaignBatchJob,
  type CampaignCounts,
  type CampaignRecipient,
  type CampaignRecord,
  campaignBatchJobSchema,
  type SubscriberChannel,
} from "./campaign.js";
import type { CampaignStore } from "./campaign-store.js";
import { CampaignLedger } from "./ledger.js";
import { type ChannelRate, ChannelRateLimiter } from "./rate-limit.js";

export interface CampaignFanOutOptions {
  /**
   * Global send rate per channel over all workers (default Telegram 25/s, Zalo 10/s). The bot's
   * limit (Telegram about 30/s) is shared with officers' tip messages: the default leaves them room.
   */
  readonly rates?: Partial<Record<SubscriberChannel, ChannelRate>>;
  /** Subscribers a batch (default 500): an unsubscribe takes effect from the next batch. */
  readonly batchSize?: number;
  /** Sends in flight at once within a batch (default 16); the rate limiter paces them. */
  readonly sendConcurrency?: number;
  /** Tries of one recipient on transient errors (default 3), backoff doubling from `backoffMs`. */
  readonly sendAttempts?: number;
  /** First backoff of a recipient's retry and of a failed batch's (default 1000 ms). */
  readonly backoffMs?: number;
  /** Batch jobs at once over campaigns (default 4); one campaign's batches run in order. */
  readonly concurrency?: number;
  /** BullMQ lock and stall check: how soon a killed worker's batch is taken over. */
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
}

export interface CampaignFanOutDeps {
  /** With `maxRetriesPerRequest: null` (BullMQ). */
  readonly redis: Redis;
  /** The deployment's queue prefix (`QUEUE_PREFIX`). */
  readonly prefix: string;
  /** The sender salt (`TIP_SENDER_SALT`): the ledger names chats by a keyed hash. */
  readonly salt: Buffer;
  readonly store: CampaignStore;
  readonly logger: Logger;
  /** Needed by `startWorker` only. */
  readonly messenger?: Messenger;
  readonly now?: () => number;
}

const DEFAULT_RATES: Record<SubscriberChannel, ChannelRate> = {
  telegram: { perSecond: 25 },
  zalo: { perSecond: 10 },
};
/** 429s in a row for one recipient before it counts as failed. */
const MAX_RATE_LIMITED = 20;
/** Permanent errors that mean the chat is gone for the bot: Telegram's 403, Zalo's block. */
const BLOCKED = /^403\b|blocked|deactivated|chat not found|user not found|not follow/i;

/**
 * Sends a campaign to its audience through BullMQ: one job per batch of subscribers, read by id
 * (keyset) and queued by the batch before it, so batches run in order and each re-reads who is
 * still subscribed. Every message goes through the `Messenger` within a global per-channel rate
 * (a token bucket in Redis; a 429 pauses the channel for its `retry_after`). A recipient the
 * channel says blocked the bot is marked and left out of every later batch and campaign.
 *
 * Exactly once per chat and campaign: the ledger records "sending" before and the outcome after
 * each send, a batch retried after a worker died skips what its ledger holds as done, and a
 * batch's subscriber ids and successor are fixed the first time it runs. A send cut off by the
 * crash itself (the request left, the answer did not come back) is sent again, as the notify
 * stage does: the channel cannot tell us whether it arrived.
 */
export class CampaignFanOut {
  readonly queue: Queue<CampaignBatchJob>;
  readonly ledger: CampaignLedger;
  private readonly limiter: ChannelRateLimiter;
  private readonly rates: Record<SubscriberChannel, ChannelRate>;
  private worker: Worker<CampaignBatchJob> | undefined;

  constructor(
    private readonly deps: CampaignFanOutDeps,
    private readonly options: CampaignFanOutOptions = {},
  ) {
    this.queue = new Queue<CampaignBatchJob>(QUEUES.campaign, {
      connection: deps.redis,
      prefix: `${deps.prefix}:campaigns`,
    });
    this.ledger = new CampaignLedger(deps.redis, deps.prefix, deps.salt);
    this.limiter = new ChannelRateLimiter(deps.redis, deps.prefix);
    this.rates = { ...DEFAULT_RATES, ...options.rates };
  }

  /** Subscribers and campaigns (for `/dangky`, `/huydangky` and the console). */
  get store(): CampaignStore {
    return this.deps.store;
  }

  private get now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** Queues a campaign's first batch for its `sendAt`; queuing it twice changes nothing. */
  async start(campaign: Pick<CampaignRecord, "id" | "sendAt">): Promise<void> {
    await this.addBatch(
      { campaignId: campaign.id, after: 0 },
      Math.max(0, campaign.sendAt.getTime() - this.now),
    );
  }

  /** Stops a campaign before its next batch. False if it was already done or cancelled. */
  cancel(campaignId: string): Promise<boolean> {
    return this.deps.store.setStatus(campaignId, "cancelled", ["scheduled", "sending"]);
  }

  /** The live counts (the campaign's row has them as of its last batch). */
  counts(campaignId: string): Promise<CampaignCounts> {
    return this.ledger.counts(campaignId);
  }

  /** Runs batches in this process. Close with `close`. */
  startWorker(): Worker<CampaignBatchJob> {
    const { logger, redis, prefix } = this.deps;
    const worker = new Worker<CampaignBatchJob>(QUEUES.campaign, (job) => this.runBatch(job), {
      connection: redis,
      prefix: `${prefix}:campaigns`,
      concurrency: this.options.concurrency ?? 4,
      lockDuration: this.options.lockDurationMs ?? 30_000,
      stalledInterval: this.options.stalledIntervalMs ?? 30_000,
    });
    worker.on("error", (err) => logger.error({ err, queue: QUEUES.campaign }, "worker error"));
    worker.on("stalled", (jobId) => logger.warn({ jobId }, "campaign batch stalled; moved back to wait"));
    worker.on("failed", (job, err) =>
      logger.error(
        { jobId: job?.id, attempts: job?.attemptsMade, err: err.message },
        "campaign batch failed",
      ),
    );
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }

  private async addBatch(data: CampaignBatchJob, delay = 0): Promise<void> {
    const backoff = this.options.backoffMs ?? 1000;
    await this.queue.add("batch", data, {
      // The same id for the same batch: a batch re-queued by a retried predecessor is not added twice.
      jobId: `${data.campaignId}-${data.after}`,
      delay,
      attempts: 10,
      backoff: { type: "exponential", delay: backoff },
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: { age: 30 * 24 * 3600 },
    });
  }

  /** One batch: the next page of the audience, each still-active chat once, then the next batch. */
  async runBatch(job: Job<CampaignBatchJob>): Promise<string> {
    const parsed = campaignBatchJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid campaign job: ${parsed.error.message}`);
    const { campaignId, after } = parsed.data;
    const { store, logger } = this.deps;
    const campaign = await store.campaign(campaignId);
    if (!campaign) throw new UnrecoverableError(`campaign ${campaignId} not found`);
    if (campaign.status === "cancelled" || campaign.status === "done") return campaign.status;
    if (campaign.status === "scheduled") await store.setStatus(campaignId, "sending", ["scheduled"]);

    const batchSize = this.options.batchSize ?? 500;
    const ids = await this.ledger.pageOnce(campaignId, after, async () =>
      (await store.page(campaign.audience, after, batchSize)).map((r) => r.id),
    );
    if (ids.length === 0) {
      await store.flushCounts(campaignId, await this.ledger.counts(campaignId));
      await store.setStatus(campaignId, "done", ["sending"]);
      await this.ledger.expire(campaignId);
      logger.info({ campaignId, ...(await this.ledger.counts(campaignId)) }, "campaign sent");
      return "done";
    }
    // Read again now: who unsubscribed or blocked the bot since the page was read is left out.
    const seen = new Set<string>();
    const recipients = (await store.stillActive(ids)).filter((r) => {
      const field = this.ledger.field(r);
      if (seen.has(field)) return false;
      seen.add(field);
      return true;
    });
    await inPool(recipients, this.options.sendConcurrency ?? 16, (r) => this.deliver(campaign, r));
    await store.flushCounts(campaignId, await this.ledger.counts(campaignId));
    await this.addBatch({ campaignId, after: ids[ids.length - 1] ?? after });
    return `sent batch of ${recipients.length}`;
  }

  private async deliver(campaign: CampaignRecord, r: CampaignRecipient): Promise<void> {
    const { ledger } = this;
    const { logger, store } = this.deps;
    const messenger = this.deps.messenger;
    if (!messenger) throw new Error("CampaignFanOut has no messenger: construct it with one to run batches");
    const state = await ledger.stateOf(campaign.id, r);
    if (state !== undefined && state !== "sending") return;
    if (await ledger.start(campaign.id, r))
      logger.warn({ campaignId: campaign.id, subscriber: r.id }, "send interrupted before; sending again");
    const backoff = this.options.backoffMs ?? 1000;
    const attempts = this.options.sendAttempts ?? 3;
    let failures = 0;
    let limited = 0;
    for (;;) {
      await this.limiter.take(r.channel, this.rates[r.channel]);
      try {
        await messenger.send({ channel: r.channel, chatId: r.chatId }, { text: campaign.text });
        await ledger.finish(campaign.id, r, "sent");
        return;
      } catch (err) {
        const e = err as Error & { retryAfterMs?: number };
        if (e.name === "MessengerRateLimitedError" && ++limited < MAX_RATE_LIMITED) {
          await this.limiter.pause(r.channel, e.retryAfterMs ?? 1000);
          continue;
        }
        if (e.name === "MessengerPermanentError") {
          const blocked = BLOCKED.test(e.message);
          if (blocked) await store.markBlocked(r);
          await ledger.finish(campaign.id, r, blocked ? "blocked" : "failed");
          if (!blocked)
            logger.warn({ campaignId: campaign.id, subscriber: r.id, err: e.message }, "not sent");
          return;
        }
        if (++failures >= attempts || limited >= MAX_RATE_LIMITED) {
          await ledger.finish(campaign.id, r, "failed");
          logger.warn(
            { campaignId: campaign.id, subscriber: r.id, err: e.message },
            "not sent after retries",
          );
          return;
        }
        await new Promise((res) => setTimeout(res, backoff * 2 ** (failures - 1)));
      }
    }
  }
}

/** Runs `work` over `items`, `size` at a time; the first error is thrown once all have settled. */
async function inPool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const lane = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, lane));
  if (failure !== undefined) throw failure;
}
