import { type ConnectionOptions, Worker } from "bullmq";
import { escalateStage } from "./escalate.js";
import { notifyStage } from "./notify.js";
import {
  type EscalateJob,
  type IntakeJob,
  type MaintenanceJob,
  maintenanceJobSchema,
  type NotifyJob,
  QUEUES,
} from "./queues/jobs.js";
import { routeStage } from "./route.js";
import { type StageDeps, unrecoverable } from "./stage.js";
import { purgeExpiredTips } from "./tip/retention.js";

export interface PipelineOptions {
  /** Jobs processed at once per worker. Default 8. */
  readonly concurrency: number;
  /** Minimum gap between two messages to one chat (Telegram asks for about 1 s). Default 1000. */
  readonly minChatIntervalMs: number;
  /** Lock of an active job; a killed worker's jobs are retried once it expires. Default 30 000. */
  readonly lockDurationMs: number;
  /** How often stalled jobs are looked for. Default 30 000. */
  readonly stalledIntervalMs: number;
  /** Days a closed tip is kept after its close before the maintenance job purges it. Default 180. */
  readonly retentionDays: number;
}

export const DEFAULT_PIPELINE: PipelineOptions = {
  concurrency: 8,
  minChatIntervalMs: 1000,
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  retentionDays: 180,
};

export interface PipelineDeps extends Omit<StageDeps, "now"> {
  /**
   * The incidents' maintenance job (`eraseExpiredIncidents` and the routing sweep), given the
   * retention in days; the job does nothing without it.
   */
  readonly maintainIncidents?: (retentionDays: number) => Promise<Record<string, number>>;
  readonly connection: ConnectionOptions;
  readonly options?: Partial<PipelineOptions>;
  readonly now?: () => number;
}

/**
 * The tip pipeline's workers, one per stage: route (`route.ts`) → notify (`notify.ts`) →
 * escalate (`escalate.ts`). Every stage is idempotent (deterministic job ids, a delivery
 * ledger), so a killed worker's jobs are simply retried. Deliveries that fail for good go to
 * the dead-letter queue and raise an alert to the province's duty officer.
 */
export class TipPipeline {
  private readonly workers: Worker[] = [];
  private readonly options: PipelineOptions;

  constructor(private readonly deps: PipelineDeps) {
    this.options = { ...DEFAULT_PIPELINE, ...deps.options };
  }

  /** Starts the workers. */
  start(): this {
    const { connection, queues, logger } = this.deps;
    const stage: StageDeps = { ...this.deps, now: this.deps.now ?? Date.now };
    const common = {
      connection,
      prefix: queues.prefix,
      concurrency: this.options.concurrency,
      lockDuration: this.options.lockDurationMs,
      stalledInterval: this.options.stalledIntervalMs,
      // A job that stalls this often is failed instead of retried forever (it is dead-lettered).
      maxStalledCount: 5,
    };
    this.workers.push(
      new Worker<IntakeJob>(QUEUES.intake, routeStage(stage), common),
      new Worker<NotifyJob>(QUEUES.notify, notifyStage(stage, this.options.minChatIntervalMs), common),
      new Worker<EscalateJob>(QUEUES.escalate, escalateStage(stage), common),
      // Housekeeping, one job at a time: the retention purge (scheduled by TipQueues.schedulePurge).
      new Worker<MaintenanceJob>(
        QUEUES.maintenance,
        async (job) => {
          const task = maintenanceJobSchema.safeParse(job.data);
          if (!task.success) throw unrecoverable(`invalid maintenance job ${job.id}`);
          if (task.data.task === "erase-expired-incidents")
            return (await this.deps.maintainIncidents?.(this.options.retentionDays)) ?? { skipped: 1 };
          const { purged } = await purgeExpiredTips({ ...stage, retentionDays: this.options.retentionDays });
          return { purged };
        },
        { ...common, concurrency: 1 },
      ),
    );
    for (const w of this.workers) {
      w.on("error", (err) => logger.error({ err, queue: w.name }, "worker error"));
      w.on("stalled", (jobId) => logger.warn({ queue: w.name, jobId }, "stalled job moved back to wait"));
      w.on("failed", (job, err) =>
        logger.warn(
          { queue: w.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message },
          "job failed",
        ),
      );
    }
    return this;
  }

  /** Stops taking jobs and waits for the active ones to finish. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
