import { DelayedError, type Job } from "bullmq";
import { NO_INCIDENTS_RETRY_MS } from "./notify.js";
import {
  type EscalateJob,
  escalateJobSchema,
  type IncidentEscalateJob,
  type NotifyJob,
  type TipEscalateJob,
} from "./queues/jobs.js";
import { type Escalatable, type StageDeps, type SubjectStages, unrecoverable } from "./stage.js";

/**
 * The escalate stage (queue "escalate"): a tip nobody acknowledged in time goes to the next
 * contact of its chain, then to the province's duty officer; an acknowledged or closed tip
 * needs nothing. Each level is its own job (deterministic id), so a retry never escalates twice.
 * Schools' incidents escalate the same way (`subject: "incident"`, `deps.incidents`).
 */
export function escalateStage(deps: StageDeps) {
  return async (job: Job<EscalateJob>, token?: string): Promise<string> => {
    const parsed = escalateJobSchema.safeParse(job.data);
    if (!parsed.success) throw unrecoverable(`invalid escalate job: ${parsed.error.message}`);
    const data = parsed.data;
    if ("incidentId" in data) {
      // Left to a worker that has the database (see `notifyStage`).
      if (!deps.incidents) {
        await job.moveToDelayed(deps.now() + NO_INCIDENTS_RETRY_MS, token);
        throw new DelayedError();
      }
      return escalate(deps, deps.incidents, data);
    }
    return escalate(deps, tipEscalation(deps), data);
  };
}

type EscalationOf<E extends EscalateJob> = Pick<
  SubjectStages<NotifyJob, E>,
  "escalatable" | "escalationNotice" | "nextEscalation" | "escalated" | "exhausted"
>;

async function escalate<E extends EscalateJob>(
  deps: StageDeps,
  subject: EscalationOf<E>,
  data: E,
): Promise<string> {
  const { routing, queues } = deps;
  const { level } = data;
  const it = await subject.escalatable(data);
  if (!it) throw unrecoverable(`${"incidentId" in data ? "incident" : "tip"} of escalation not found`);
  if (it.settled) return "not-needed";
  const next = it.chain[level];
  const duty = routing.dutyOfficer.id;
  const contactId = next ?? (level === it.chain.length && !it.chain.includes(duty) ? duty : undefined);
  if (!contactId) {
    await subject.exhausted(it, level);
    return "exhausted";
  }
  await queues.addNotify(subject.escalationNotice(it, level, contactId), 1);
  if (next !== undefined)
    await queues.addEscalation(subject.nextEscalation(it, level), routing.deadlineMs(it.urgency));
  await subject.escalated(it, level, contactId);
  return "escalated";
}

/** Tips: from the tip store, as before incidents existed. */
function tipEscalation(deps: StageDeps): EscalationOf<TipEscalateJob | IncidentEscalateJob> {
  const { store } = deps;
  return {
    async escalatable(job) {
      const tip = "tipId" in job ? await store.get(job.tipId) : undefined;
      return (
        tip && {
          id: tip.id,
          chain: tip.chain,
          urgency: tip.urgency,
          settled: tip.status === "acknowledged" || tip.status === "closed",
        }
      );
    },
    escalationNotice: (tip, level, contactId) => ({
      deliveryId: `${tip.id}-esc-${level}-${contactId}`,
      tipId: tip.id,
      kind: "escalation",
      to: { type: "contact", contactId },
    }),
    nextEscalation: (tip, level) => ({ tipId: tip.id, level: level + 1 }),
    async escalated(tip, level, contactId) {
      await store.transition(
        tip.id,
        { level },
        {
          at: deps.now(),
          actor: "system",
          action: "escalated",
          detail: `→ ${contactId} (level ${level + 1})`,
        },
        ["routed", "delivered"],
      );
    },
    async exhausted(tip: Escalatable, level) {
      await store.appendAudit(tip.id, { at: deps.now(), actor: "system", action: "escalation-exhausted" });
      deps.logger.error({ tipId: tip.id, level }, "tip still not acknowledged after the whole chain");
    },
  };
}
