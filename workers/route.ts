import { DelayedError, type Job } from "bullmq";
import { type IntakeJob, intakeJobSchema } from "./queues/jobs.js";
import type { RouteChain } from "./routing/routing-table.js";
import { type StageDeps, unrecoverable } from "./stage.js";

/**
 * How long a tip nobody can receive waits before routing is tried again (see `routeStage`). A
 * minute: an officer joining the duty desk is seen by the next try without flooding the log.
 */
export const UNREACHABLE_RETRY_MS = 60_000;

/**
 * The route stage (queue "tip-intake"): finds a received tip's contact chain in the routing
 * table, queues the message to the first contact and the first escalation, then marks the
 * tip routed. Idempotent: a retry finds the tip no longer "received", or re-adds jobs whose
 * deterministic ids make the second add a no-op.
 *
 * The chain is chosen once, at `deps.now()`: whoever is vacant or off duty then is left out (see
 * `RoutingTable.chainOf`), and the tip keeps that chain while it escalates, whatever changes
 * later. When nobody at all can receive it (the province's duty officer is vacant too) the tip
 * stays "received" and the job waits `UNREACHABLE_RETRY_MS` — without using up its attempts — to
 * try again, with an error logged each time: a tip is never dropped for want of a recipient.
 */
export function routeStage(deps: StageDeps) {
  return async (job: Job<IntakeJob>, token?: string): Promise<string> => {
    const data = intakeJobSchema.safeParse(job.data);
    if (!data.success) throw unrecoverable(`invalid intake job: ${data.error.message}`);
    const { store, routing, queues } = deps;
    const tip = await store.get(data.data.tipId);
    if (!tip) throw unrecoverable(`tip ${data.data.tipId} not found`);
    if (tip.status !== "received") return "already-routed";
    let route: RouteChain;
    try {
      route = routing.resolve(tip.category, tip.place, deps.now());
    } catch (err) {
      if ((err as Error).name !== "NoReachableContactError") throw err;
      deps.logger.error(
        { tipId: tip.id, err: (err as Error).message, retryInMs: UNREACHABLE_RETRY_MS },
        "nobody can receive this tip: it waits until an officer joins the duty desk",
      );
      await job.moveToDelayed(deps.now() + UNREACHABLE_RETRY_MS, token);
      throw new DelayedError();
    }
    const chain = route.chain.map((c) => c.id);
    const first = chain[0];
    if (!first) throw unrecoverable(`no contact for tip ${tip.id}`);
    // Enqueue before changing status: if we die in between, the retry finds "received" again
    // and the deterministic job ids make the second enqueue a no-op.
    await queues.addNotify(
      {
        deliveryId: `${tip.id}-new-${first}`,
        tipId: tip.id,
        kind: "new-tip",
        to: { type: "contact", contactId: first },
      },
      tip.urgency === "khan-cap" ? 1 : 5,
    );
    if (chain.length > 1 || routing.dutyOfficer.id !== first)
      await queues.addEscalation({ tipId: tip.id, level: 1 }, routing.deadlineMs(tip.urgency));
    await store.transition(
      tip.id,
      {
        status: "routed",
        chain,
        level: 0,
        ...(route.commune && { communeId: route.commune.id }),
        ...(route.school && { schoolId: route.school.id }),
      },
      {
        at: deps.now(),
        actor: "system",
        action: "routed",
        detail: `${tip.category} → ${chain.join(" → ")}`,
      },
      ["received"],
    );
    return "routed";
  };
}
