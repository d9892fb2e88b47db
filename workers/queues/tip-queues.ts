import { type ConnectionOptions, type JobsOptions, Queue } from "bullmq";
import { type DeadLetterJob, type EscalateJob, type IntakeJob, type NotifyJob, QUEUES } from "./jobs.js";

/** Retry policy of the pipeline's jobs. */
export interface QueuePolicy {
  /** Attempts for a delivery before it goes to the dead-letter queue. Default 8. */
  readonly notifyAttempts: number;
  /** First retry delay; doubles each attempt. Default 2000 ms. */
  readonly backoffMs: number;
}

export const DEFAULT_POLICY: QueuePolicy = { notifyAttempts: 8, backoffMs: 2000 };

// Completed jobs are kept a week so that their ids keep de-duplicating re-adds (deliveries).
const KEEP = { removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: false } satisfies JobsOptions;

/** The pipeline's queues, typed, with idempotent job ids. */
export class TipQueues {
  readonly intake: Queue<IntakeJob>;
  readonly notify: Queue<NotifyJob>;
  readonly escalate: Queue<EscalateJob>;
  readonly deadLetter: Queue<DeadLetterJob>;

  constructor(
    connection: ConnectionOptions,
    readonly prefix: string,
    readonly policy: QueuePolicy = DEFAULT_POLICY,
  ) {
    const opts = { connection, prefix };
    this.intake = new Queue<IntakeJob>(QUEUES.intake, opts);
    this.notify = new Queue<NotifyJob>(QUEUES.notify, opts);
    this.escalate = new Queue<EscalateJob>(QUEUES.escalate, opts);
    this.deadLetter = new Queue<DeadLetterJob>(QUEUES.deadLetter, opts);
  }

  addIntake(data: IntakeJob) {
    return this.intake.add("intake", data, {
      // An intake job's timestamp is the moment the tip was sent, to the millisecond: it goes as
      // soon as the tip is routed (the tip's own time is kept to the minute). No re-add needs it
      // for de-duplication: the reconciler only re-adds tips still "received".
      removeOnComplete: true,
      removeOnFail: false,
      jobId: `intake-${data.tipId}`,
      attempts: 10,
      backoff: { type: "exponential", delay: this.policy.backoffMs },
    });
  }

  /** Whether the tip has an intake job (waiting, active, done or failed). */
  async hasIntake(tipId: string): Promise<boolean> {
    return (await this.intake.getJob(`intake-${tipId}`)) !== undefined;
  }

  addNotify(data: NotifyJob, priority?: number) {
    return this.notify.add(data.kind, data, {
      ...KEEP,
      jobId: `notify-${data.deliveryId}`,
      attempts: this.policy.notifyAttempts,
      backoff: { type: "exponential", delay: this.policy.backoffMs },
      ...(priority !== undefined && { priority }),
    });
  }

  addEscalation(data: EscalateJob, delayMs: number) {
    return this.escalate.add("escalate", data, {
      ...KEEP,
      jobId: escalationJobId(data.tipId, data.level),
      delay: delayMs,
      attempts: 10,
      backoff: { type: "exponential", delay: this.policy.backoffMs },
    });
  }

  /** Cancels every pending escalation of a tip (on acknowledgement or closing). */
  async cancelEscalations(tipId: string, levels: number): Promise<void> {
    for (let level = 1; level <= levels + 1; level++) {
      const job = await this.escalate.getJob(escalationJobId(tipId, level));
      if (job && (await job.isDelayed())) await job.remove();
    }
  }

  addDeadLetter(data: DeadLetterJob) {
    return this.deadLetter.add("dead", data, {
      jobId: `dead-${data.queue}-${data.jobId}`,
      removeOnComplete: false,
    });
  }

  async close(): Promise<void> {
    await Promise.all([
      this.intake.close(),
      this.notify.close(),
      this.escalate.close(),
      this.deadLetter.close(),
    ]);
  }
}

export function escalationJobId(tipId: string, level: number): string {
  return `escalate-${tipId}-${level}`;
}
