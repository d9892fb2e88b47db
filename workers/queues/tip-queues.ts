import { type ConnectionOptions, type JobsOptions, type JobType, Queue } from "bullmq";
import { type ContentSealer, isSealedText } from "../tip/content-sealer.js";
import {
  type DeadLetterJob,
  type EscalateJob,
  type IntakeJob,
  type MaintenanceJob,
  type NotifyJob,
  QUEUES,
  subjectIdOf,
} from "./jobs.js";

/** Retry policy of the pipeline's jobs. */
export interface QueuePolicy {
  /** Attempts for a delivery before it goes to the dead-letter queue. Default 8. */
  readonly notifyAttempts: number;
  /** First retry delay; doubles each attempt. Default 2000 ms. */
  readonly backoffMs: number;
}

export const DEFAULT_POLICY: QueuePolicy = { notifyAttempts: 8, backoffMs: 2000 };

/** Id of the retention purge's job scheduler (one per prefix, whoever upserts it). */
export const PURGE_SCHEDULER_ID = "purge-expired-tips";
/** Id of the incidents' maintenance scheduler (erasure after retention, routing retried). */
export const INCIDENT_SCHEDULER_ID = "erase-expired-incidents";

// Completed jobs are kept a week so that their ids keep de-duplicating re-adds (deliveries).
const KEEP = { removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: false } satisfies JobsOptions;

/**
 * The pipeline's queues, typed, with idempotent job ids. A notify job's free text (a question,
 * an answer, a note) is sealed under the data key (`content`) while it waits in Redis.
 */
export class TipQueues {
  readonly intake: Queue<IntakeJob>;
  readonly notify: Queue<NotifyJob>;
  readonly escalate: Queue<EscalateJob>;
  readonly deadLetter: Queue<DeadLetterJob>;
  readonly maintenance: Queue<MaintenanceJob>;

  constructor(
    connection: ConnectionOptions,
    readonly prefix: string,
    readonly policy: QueuePolicy,
    private readonly content: ContentSealer,
  ) {
    const opts = { connection, prefix };
    this.intake = new Queue<IntakeJob>(QUEUES.intake, opts);
    this.notify = new Queue<NotifyJob>(QUEUES.notify, opts);
    this.escalate = new Queue<EscalateJob>(QUEUES.escalate, opts);
    this.deadLetter = new Queue<DeadLetterJob>(QUEUES.deadLetter, opts);
    this.maintenance = new Queue<MaintenanceJob>(QUEUES.maintenance, opts);
  }

  /** The queues that hold jobs about tips (the retention purge removes a purged tip's jobs). */
  get tipQueues(): readonly Queue[] {
    return [this.intake, this.notify, this.escalate, this.deadLetter];
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

  /** Queues a message; its `text` is sealed in the job (bound to the tip and the delivery). */
  addNotify(data: NotifyJob, priority?: number) {
    const stored = data.text === undefined ? data : { ...data, text: this.sealText(data) };
    return this.notify.add(data.kind, stored, {
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
      jobId:
        "incidentId" in data
          ? incidentEscalationJobId(data.incidentId, data.level)
          : escalationJobId(data.tipId, data.level),
      delay: delayMs,
      attempts: 10,
      backoff: { type: "exponential", delay: this.policy.backoffMs },
    });
  }

  /** Cancels every pending escalation of a tip (on acknowledgement or closing), or of an incident. */
  async cancelEscalations(tipId: string, levels: number, subject: "tip" | "incident" = "tip"): Promise<void> {
    const jobId = subject === "incident" ? incidentEscalationJobId : escalationJobId;
    for (let level = 1; level <= levels + 1; level++) {
      const job = await this.escalate.getJob(jobId(tipId, level));
      if (job && (await job.isDelayed())) await job.remove();
    }
  }

  private sealText(data: NotifyJob): string {
    const text = data.text ?? "";
    return isSealedText(text) ? text : this.content.seal(text, textContext(data));
  }

  /** A notify job's text, opened (text queued before it was sealed is returned as it is). */
  textOf(data: NotifyJob): string | undefined {
    return isSealedText(data.text) ? this.content.open(data.text, textContext(data)) : data.text;
  }

  /**
   * Registers the retention purge to run every `everyMs` (idempotent: one scheduler per prefix,
   * however many processes upsert it).
   */
  async schedulePurge(everyMs: number): Promise<void> {
    await this.maintenance.upsertJobScheduler(
      PURGE_SCHEDULER_ID,
      { every: everyMs },
      {
        name: "purge-expired-tips",
        data: { task: "purge-expired-tips" },
        opts: { removeOnComplete: 24, removeOnFail: 24 },
      },
    );
  }

  /** Registers the incidents' maintenance to run every `everyMs` (idempotent, as `schedulePurge`). */
  async scheduleIncidentMaintenance(everyMs: number): Promise<void> {
    await this.maintenance.upsertJobScheduler(
      INCIDENT_SCHEDULER_ID,
      { every: everyMs },
      {
        name: "erase-expired-incidents",
        data: { task: "erase-expired-incidents" },
        opts: { removeOnComplete: 24, removeOnFail: 24 },
      },
    );
  }

  /**
   * Seals again, under the current data key, the text of every notify job (and of dead-lettered
   * copies) sealed under the previous key or queued in clear. Returns how many changed.
   */
  async resealTexts(): Promise<{ resealed: number; current: number }> {
    let resealed = 0;
    let current = 0;
    const reseal = (data: NotifyJob): NotifyJob | undefined => {
      if (data.text === undefined) return undefined;
      if (isSealedText(data.text) && this.content.isCurrent(data.text)) {
        current++;
        return undefined;
      }
      resealed++;
      return { ...data, text: this.content.seal(this.textOf(data) ?? "", textContext(data)) };
    };
    for (const job of await this.notify.getJobs([...RETAINED])) {
      const next = job?.data && reseal(job.data);
      // A union of job types: BullMQ types the update as their intersection.
      if (job && next) await job.updateData(next as never);
    }
    for (const job of await this.deadLetter.getJobs([...RETAINED])) {
      const inner = job?.data?.data as NotifyJob | undefined;
      const next = job && job.data.queue === QUEUES.notify && inner && reseal(inner);
      if (job && next) await job.updateData({ ...job.data, data: next });
    }
    return { resealed, current };
  }

  /** Keeps a failed job's data; a notify job's text stays (or is again) sealed. */
  addDeadLetter(data: DeadLetterJob) {
    const inner = data.data as Partial<{
      tipId: string;
      incidentId: string;
      deliveryId: string;
      text: string;
    }>;
    const stored =
      data.queue === QUEUES.notify &&
      (inner?.tipId || inner?.incidentId) &&
      inner.deliveryId &&
      typeof inner.text === "string"
        ? { ...data, data: { ...inner, text: this.sealText(inner as NotifyJob) } }
        : data;
    return this.deadLetter.add("dead", stored, {
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
      this.maintenance.close(),
    ]);
  }
}

export function escalationJobId(tipId: string, level: number): string {
  return `escalate-${tipId}-${level}`;
}

/** An incident's escalation job: apart from tips' (their ids are uuids too). */
export function incidentEscalationJobId(incidentId: string, level: number): string {
  return `escalate-incident-${incidentId}-${level}`;
}

/** Every state a job can be kept in (not "active": a running job's data is its worker's). */
export const RETAINED: readonly JobType[] = [
  "completed",
  "failed",
  "delayed",
  "wait",
  "waiting",
  "paused",
  "prioritized",
];

function textContext(data: NotifyJob) {
  return { owner: subjectIdOf(data), field: `notify:${data.deliveryId}` };
}
