import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import type { Config } from "../config.js";
import type { Database } from "../db/client.js";
import type { Logger } from "../logger.js";
import { CampaignStore } from "./campaign/campaign-store.js";
import { CampaignFanOut, type CampaignFanOutOptions } from "./campaign/fan-out.js";
import type { IncidentDesk } from "./incident/desk.js";
import { Incidents } from "./incident/incident-desk.js";
import { IncidentRouter } from "./incident/incident-routing.js";
import { IncidentStore } from "./incident/incident-store.js";
import { eraseExpiredIncidents } from "./incident/retention.js";
import { incidentStages } from "./incident/stages.js";
import { TipIntake } from "./intake.js";
import type { Messenger } from "./messenger.js";
import { Metrics } from "./metrics.js";
import { OutcomeOutbox } from "./outcomes/outbox.js";
import { OutcomeStatistics } from "./outcomes/statistics.js";
import { type PipelineOptions, TipPipeline } from "./pipeline.js";
import { DEFAULT_POLICY, TipQueues } from "./queues/tip-queues.js";
import { loadRoutingTable } from "./routing/load.js";
import type { Routing } from "./routing/routing-table.js";
import { ContentSealer, type DataKeys } from "./tip/content-sealer.js";
import { PendingQuestions } from "./tip/pending-questions.js";
import { PhotoPool } from "./tip/photo-pool.js";
import { PinHasher } from "./tip/pin.js";
import { ReplyHandleSealer } from "./tip/reply-handle.js";
import { CounterRateLimiter, SenderRateLimiter } from "./tip/sender-key.js";
import { TipStore } from "./tip/tip-store.js";
import { Triage } from "./triage.js";

/** Everything the tip side needs, wired from the configuration. */
export interface TipRuntime {
  readonly redis: Redis;
  readonly routing: Routing;
  readonly store: TipStore;
  readonly queues: TipQueues;
  readonly intake: TipIntake;
  readonly triage: Triage;
  /** Officers' questions waiting in tipsters' chats (and answers stashed there). */
  readonly pending: PendingQuestions;
  /** Seals tip content at rest (TIP_DATA_KEY): for the dialogue's session store, which keeps drafts. */
  readonly content: ContentSealer;
  readonly metrics: Metrics;
  /** Closed tips' statistics rows on their way to `tip_outcomes`. */
  readonly outcomes: OutcomeOutbox;
  /**
   * Schools' incidents (issue 15), present when `database` was given: reported by bound school
   * staff, routed and escalated through this runtime's queues. Photos are uploaded as tips' are
   * (`intake.addPhoto`) and copied into PostgreSQL when the incident is reported.
   */
  readonly incidents?: IncidentDesk;
  /**
   * Campaigns to subscribers (issue 16), present when `database` was given: `start` queues one,
   * and with `workers` this process also sends its batches.
   */
  readonly campaigns?: CampaignFanOut;
  /** Present when `workers` was asked for. */
  readonly pipeline?: TipPipeline;
  close(): Promise<void>;
}

/**
 * Reads a secret from `dir/name`, creating it with random bytes the first time. Only for
 * development: production passes TIP_REPLY_KEY and TIP_SENDER_SALT (config enforces it).
 */
export async function developmentSecret(dir: string, name: string, bytes: number): Promise<Buffer> {
  const path = join(dir, name);
  try {
    const hex = (await readFile(path, "utf8")).trim();
    if (/^[0-9a-f]+$/.test(hex) && hex.length === bytes * 2) return Buffer.from(hex, "hex");
    throw new Error(`${path} is damaged: expected ${bytes * 2} hex characters`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(bytes);
  await writeFile(path, secret.toString("hex"), { mode: 0o600, flag: "wx" });
  return secret;
}

/**
 * The data keys sealing tip content: TIP_DATA_KEY (a development secret under `secretsDir`
 * when unset outside production) and, during a rotation, TIP_DATA_KEY_PREVIOUS. Refuses a data
 * key equal to the reply key, whatever its source.
 */
export async function tipDataKeys(config: Config, replyKey?: Buffer): Promise<DataKeys> {
  const t = config.tips;
  const current = t.dataKey ?? (await developmentSecret(t.secretsDir, "tip-data.key", 32));
  const reply = replyKey ?? t.replyKey;
  if (reply?.equals(current)) throw new Error("TIP_DATA_KEY must differ from TIP_REPLY_KEY");
  return { current, ...(t.dataKeyPrevious && { previous: t.dataKeyPrevious }) };
}

/** How often the retention purge runs. */
export const PURGE_EVERY_MS = 3_600_000;

export interface RuntimeOptions {
  readonly logger: Logger;
  /**
   * Start the pipeline's workers with this messenger, or one made on the runtime's Redis (the web
   * chat's outbox lives there).
   */
  readonly workers?: {
    readonly messenger: Messenger | ((redis: Redis) => Messenger);
    readonly options?: Partial<PipelineOptions>;
  };
  /** Use this routing table instead of reading `config.tips.routingFile`. */
  readonly routing?: Routing;
  readonly now?: () => number;
  /**
   * The directory's database: `/thongke` reads `tip_outcomes` from it, and the outcome outbox is
   * drained into it (unless `drainOutcomes` is false). Without it, closed tips' rows wait in the
   * Redis outbox and statistics come from the tips still in Redis.
   */
  readonly database?: Database;
  /** Run the outbox's drain loop (default true when `database` is given). */
  readonly drainOutcomes?: boolean;
  /** Campaign fan-out settings (rates per channel, batch size); defaults in `CampaignFanOutOptions`. */
  readonly campaigns?: CampaignFanOutOptions;
}

export async function createTipRuntime(config: Config, opts: RuntimeOptions): Promise<TipRuntime> {
  const t = config.tips;
  const routing = opts.routing ?? (await loadRoutingTable(t.routingFile));
  const replyKey = t.replyKey ?? (await developmentSecret(t.secretsDir, "tip-reply.key", 32));
  const salt = t.senderSalt ?? (await developmentSecret(t.secretsDir, "sender.salt", 32));
  const content = new ContentSealer(await tipDataKeys(config, replyKey));
  // BullMQ needs maxRetriesPerRequest: null; the same settings suit the store.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  redis.on("error", (err) => opts.logger.error({ err: err.message }, "redis error"));
  const queues = new TipQueues(
    redis,
    t.prefix,
    { ...DEFAULT_POLICY, notifyAttempts: t.notifyAttempts, backoffMs: t.backoffMs },
    content,
  );
  const store = new TipStore(redis, t.prefix, content);
  const sealer = new ReplyHandleSealer(replyKey);
  const pins = new PinHasher(replyKey);
  const pending = new PendingQuestions(redis, t.prefix, replyKey, content);
  const hour = 3_600_000;
  const now = opts.now ?? Date.now;
  const metrics = new Metrics();
  metrics.watchQueues(queues);
  // No thread starts before the first photo, so processes that take none pay nothing for it.
  const photos = new PhotoPool({
    ...(t.photoThreads && { threads: t.photoThreads }),
    queue: t.photoQueue,
    timeoutMs: t.photoTimeoutMs,
    logger: opts.logger,
  });
  const intake = new TipIntake({
    store,
    photos,
    pins,
    queues,
    routing,
    sealer,
    salt,
    logger: opts.logger,
    metrics,
    now,
    limiter: new SenderRateLimiter(redis, {
      prefix: `${t.prefix}:tips`,
      limit: t.tipsPerSenderPerHour,
      windowMs: hour,
    }),
    placeLimiter: new CounterRateLimiter(redis, {
      prefix: `${t.prefix}:tips`,
      limit: t.tipsPerPlacePerHour,
      windowMs: hour,
    }),
    globalLimiter: new CounterRateLimiter(redis, {
      prefix: `${t.prefix}:tips`,
      limit: t.tipsPerMinute,
      windowMs: 60_000,
    }),
  });
  const outcomes = new OutcomeOutbox(redis, t.prefix, {
    ...(opts.database && { db: opts.database }),
    logger: opts.logger,
  });
  const triage = new Triage({
    outcomes,
    ...(opts.database && { statistics: new OutcomeStatistics({ db: opts.database, store, routing }) }),
    store,
    pins,
    sealer,
    pending,
    queues,
    routing,
    salt,
    logger: opts.logger,
    metrics,
    now,
    statusLimiter: new SenderRateLimiter(redis, {
      prefix: `${t.prefix}:status`,
      limit: t.statusChecksPerHour,
      windowMs: hour,
    }),
  });
  const incidentStore = opts.database ? new IncidentStore(opts.database) : undefined;
  const incidentRouter = incidentStore
    ? new IncidentRouter({ store: incidentStore, routing, queues, logger: opts.logger, now })
    : undefined;
  const incidents =
    opts.database && incidentStore && incidentRouter
      ? new Incidents({
          db: opts.database,
          store: incidentStore,
          routing,
          queues,
          router: incidentRouter,
          photos: store,
          salt,
          logger: opts.logger,
          now,
        })
      : undefined;
  // One messenger for the pipeline and the campaigns (a factory is called once).
  const workers = opts.workers && {
    options: opts.workers.options,
    messenger:
      typeof opts.workers.messenger === "function" ? opts.workers.messenger(redis) : opts.workers.messenger,
  };
  const campaigns = opts.database
    ? new CampaignFanOut(
        {
          redis,
          prefix: t.prefix,
          salt,
          store: new CampaignStore(opts.database, now),
          logger: opts.logger,
          ...(workers && { messenger: workers.messenger }),
          now,
        },
        { lockDurationMs: t.lockMs, stalledIntervalMs: t.stalledIntervalMs, ...opts.campaigns },
      )
    : undefined;
  if (workers) campaigns?.startWorker();
  const pipeline = workers
    ? new TipPipeline({
        ...(incidentStore &&
          incidentRouter && {
            incidents: incidentStages({ store: incidentStore, routing, logger: opts.logger, now }),
            maintainIncidents: async (retentionDays: number) => {
              const rerouted = await incidentRouter.sweep();
              const { erased } = await eraseExpiredIncidents({
                redis,
                store: incidentStore,
                queues,
                logger: opts.logger,
                now,
                retentionDays,
              });
              return { rerouted, erased };
            },
          }),
        connection: redis,
        redis,
        queues,
        store,
        routing,
        sealer,
        pending,
        salt,
        logger: opts.logger,
        metrics,
        messenger: workers.messenger,
        now,
        options: {
          concurrency: t.concurrency,
          minChatIntervalMs: t.chatMinIntervalMs,
          lockDurationMs: t.lockMs,
          stalledIntervalMs: t.stalledIntervalMs,
          retentionDays: t.retentionDays,
          ...workers.options,
        },
      }).start()
    : undefined;
  if (opts.database && opts.drainOutcomes !== false) outcomes.start();
  // Whoever runs the workers keeps the purge scheduled (an upsert: one schedule per prefix).
  if (pipeline) await queues.schedulePurge(PURGE_EVERY_MS);
  if (pipeline && incidents) await queues.scheduleIncidentMaintenance(PURGE_EVERY_MS);
  return {
    redis,
    routing,
    store,
    queues,
    intake,
    triage,
    pending,
    content,
    metrics,
    outcomes,
    ...(incidents && { incidents }),
    ...(campaigns && { campaigns }),
    ...(pipeline && { pipeline }),
    async close() {
      await outcomes.stop();
      await campaigns?.close();
      await photos.close();
      await pipeline?.close();
      await queues.close();
      await redis.quit();
    },
  };
}
