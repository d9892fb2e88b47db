import { z } from "zod";

/** Queue names: one per pipeline stage, plus the dead-letter queue. */
export const QUEUES = {
  intake: "tip-intake",
  notify: "notify",
  escalate: "escalate",
  deadLetter: "dead-letter",
  /** Scheduled housekeeping: the retention purge. */
  maintenance: "maintenance",
  /** Campaign fan-out, one batch of subscribers a job (`workers/campaign/`). */
  campaign: "campaign",
} as const;

/** Job data carries ids only: the tip itself stays in the tip store. */
export const intakeJobSchema = z.object({ tipId: z.string().uuid() });
export type IntakeJob = z.infer<typeof intakeJobSchema>;

export const NOTIFY_KINDS = ["new-tip", "escalation", "forwarded", "question", "answer", "alert"] as const;

const contactTarget = z.object({ type: z.literal("contact"), contactId: z.string().min(1) });
const notifyText = z.string().max(24_000).optional();

export const tipNotifyJobSchema = z.object({
  /** Absent on jobs queued before incidents existed: a tip. */
  subject: z.literal("tip").optional(),
  /** Unique per message; the delivery ledger uses it so that a retry never sends twice. */
  deliveryId: z.string().min(1).max(200),
  tipId: z.string().uuid(),
  kind: z.enum(NOTIFY_KINDS),
  /** A contact of the routing table, or the tipster (reached through the sealed reply handle). */
  to: z.discriminatedUnion("type", [contactTarget, z.object({ type: z.literal("tipster") })]),
  /**
   * Free text of a question, an answer or an alert (at most 4000 characters), sealed under the
   * data key in the queue (`TipQueues.addNotify`; `TipQueues.textOf` opens it).
   */
  text: notifyText,
  /** Contact who asked (for an answer), or who forwarded. */
  from: z.string().optional(),
});
export type TipNotifyJob = z.infer<typeof tipNotifyJobSchema>;

export const INCIDENT_NOTIFY_KINDS = [
  "new-incident",
  "escalation",
  "forwarded",
  "question",
  "answer",
  "alert",
] as const;
export type IncidentNotifyKind = (typeof INCIDENT_NOTIFY_KINDS)[number];

/**
 * A message about a school's incident (`workers/incident/`): to a contact, or to the reporter's
 * own chat (named, stored with the incident). Delivery ids start with "incident-".
 */
export const incidentNotifyJobSchema = z.object({
  subject: z.literal("incident"),
  deliveryId: z
    .string()
    .min(1)
    .max(200)
    .regex(/^incident-/),
  incidentId: z.string().uuid(),
  kind: z.enum(INCIDENT_NOTIFY_KINDS),
  to: z.discriminatedUnion("type", [contactTarget, z.object({ type: z.literal("reporter") })]),
  text: notifyText,
  /** Contact who asked, forwarded or escalated. */
  from: z.string().optional(),
});
export type IncidentNotifyJob = z.infer<typeof incidentNotifyJobSchema>;

/** One message of the notify queue: about a tip or about an incident. */
export const notifyJobSchema = z.union([incidentNotifyJobSchema, tipNotifyJobSchema]);
export type NotifyJob = TipNotifyJob | IncidentNotifyJob;

/** Whether a notify job is about an incident (jobs without `subject` are tips'). */
export function isIncidentJob<T extends { subject?: string }>(
  data: T,
): data is Extract<T, { subject: "incident" }> {
  return data.subject === "incident";
}

/** The id of what a notify or escalate job is about (a tip's or an incident's). */
export function subjectIdOf(data: TipNotifyJob | IncidentNotifyJob | EscalateJob): string {
  return "incidentId" in data ? data.incidentId : data.tipId;
}

export const tipEscalateJobSchema = z.object({
  subject: z.literal("tip").optional(),
  tipId: z.string().uuid(),
  level: z.number().int().min(1),
});
export const incidentEscalateJobSchema = z.object({
  subject: z.literal("incident"),
  incidentId: z.string().uuid(),
  level: z.number().int().min(1),
});
export const escalateJobSchema = z.union([incidentEscalateJobSchema, tipEscalateJobSchema]);
export type TipEscalateJob = z.infer<typeof tipEscalateJobSchema>;
export type IncidentEscalateJob = z.infer<typeof incidentEscalateJobSchema>;
export type EscalateJob = TipEscalateJob | IncidentEscalateJob;

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
export const maintenanceJobSchema = z.object({
  task: z.enum(["purge-expired-tips", "erase-expired-incidents"]),
});
export type MaintenanceJob = z.infer<typeof maintenanceJobSchema>;
