import { z } from "zod";

/** Queue names: one per pipeline stage, plus the dead-letter queue. */
export const QUEUES = {
  intake: "tip-intake",
  notify: "notify",
  escalate: "escalate",
  deadLetter: "dead-letter",
  /** Scheduled housekeeping: the retention purge. */
  maintenance: "maintenance",
} as const;

/** Job data carries ids only: the tip itself stays in the tip store. */
export const intakeJobSchema = z.object({ tipId: z.string().uuid() });
export type IntakeJob = z.infer<typeof intakeJobSchema>;

export const NOTIFY_KINDS = ["new-tip", "escalation", "forwarded", "question", "answer", "alert"] as const;

export const notifyJobSchema = z.object({
  /** Unique per message; the delivery ledger uses it so that a retry never sends twice. */
  deliveryId: z.string().min(1).max(200),
  tipId: z.string().uuid(),
  kind: z.enum(NOTIFY_KINDS),
  /** A contact of the routing table, or the tipster (reached through the sealed reply handle). */
  to: z.discriminatedUnion("type", [
    z.object({ type: z.literal("contact"), contactId: z.string().min(1) }),
    z.object({ type: z.literal("tipster") }),
  ]),
  /**
   * Free text of a question, an answer or an alert (at most 4000 characters), sealed under the
   * data key in the queue (`TipQueues.addNotify`; `TipQueues.textOf` opens it).
   */
  text: z.string().max(24_000).optional(),
  /** Contact who asked (for an answer), or who forwarded. */
  from: z.string().optional(),
});
export type NotifyJob = z.infer<typeof notifyJobSchema>;

export const escalateJobSchema = z.object({ tipId: z.string().uuid(), level: z.number().int().min(1) });
export type EscalateJob = z.infer<typeof escalateJobSchema>;

export const deadLetterJobSchema = z.object({
  queue: z.string(),
  jobId: z.string(),
  name: z.string(),
  data: z.unknown(),
  reason: z.string(),
  failedAt: z.number(),
});
export type DeadLetterJob = z.infer<typeof deadLetterJobSchema>;

/** Scheduled housekeeping jobs. */
export const maintenanceJobSchema = z.object({ task: z.literal("purge-expired-tips") });
export type MaintenanceJob = z.infer<typeof maintenanceJobSchema>;
