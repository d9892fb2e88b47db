import type { Job } from "bullmq";
import { type EscalateJob, escalateJobSchema } from "./queues/jobs.js";
import { type StageDeps, unrecoverable } from "./stage.js";

/**
 * The escalate stage (queue "escalate"): a tip nobody acknowledged in time goes to the next
 * contact of its chain, then to the province's duty officer; an acknowledged or closed tip
 * needs nothing. Each level is its own job (deterministic id), so a retry never escalates twice.
 */
export function escalateStage(deps: StageDeps) {
  return async (job: Job<EscalateJob>): Promise<string> => {
    const parsed = escalateJobSchema.safeParse(job.data);
    if (!parsed.success) throw unrecoverable(`invalid escalate job: ${parsed.error.message}`);
    const { tipId, level } = parsed.data;
    const { store, routing, queues } = deps;
    const tip = await store.get(tipId);
    if (!tip) throw unrecoverable(`tip ${tipId} not found`);
    if (tip.status === "acknowledged" || tip.status === "closed") return "not-needed";
    const next = tip.chain[level];
    const duty = routing.dutyOfficer.id;
    const contactId = next ?? (level === tip.chain.length && !tip.chain.includes(duty) ? duty : undefined);
    if (!contactId) {
      await store.appendAudit(tipId, { at: deps.now(), actor: "system", action: "escalation-exhausted" });
      deps.logger.error({ tipId, level }, "tip still not acknowledged after the whole chain");
      return "exhausted";
    }
    await queues.addNotify(
      {
        deliveryId: `${tipId}-esc-${level}-${contactId}`,
        tipId,
        kind: "escalation",
        to: { type: "contact", contactId },
      },
      1,
    );
    if (next !== undefined)
      await queues.addEscalation({ tipId, level: level + 1 }, routing.deadlineMs(tip.urgency));
    await store.transition(
      tipId,
      { level },
      { at: deps.now(), actor: "system", action: "escalated", detail: `→ ${contactId} (level ${level + 1})` },
      ["routed", "delivered"],
    );
    return "escalated";
  };
}
