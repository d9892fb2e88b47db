import type { Logger } from "../../logger.js";
import type { TipQueues } from "../queues/tip-queues.js";
import type { Routing } from "../routing/routing-table.js";
import type { Contact } from "../routing/schema.js";
import { newIncidentCaseCode } from "./case-code.js";
import type { IncidentRecord } from "./desk.js";
import { ROUTE_CATEGORY } from "./incident.js";
import type { IncidentStore } from "./incident-store.js";
import { incidentDeliveryId } from "./stages.js";

/** A forward's event detail: `→ <contact id>[: note]`. */
const FORWARDED_TO = /^→ ([a-z0-9]+(?:-[a-z0-9]+)*)(?::|$)/;

/**
 * The first of `contacts` allowed to act on `incident` — the triage rules for tips: in its
 * chain, the duty officer, covering its commune for its routing category (`ROUTE_CATEGORY`; a
 * provincial unit only its own category), or forwarded the incident.
 */
export async function permittedContact(
  store: Pick<IncidentStore, "events">,
  routing: Routing,
  incident: IncidentRecord,
  contacts: readonly Contact[],
): Promise<Contact | undefined> {
  const inChain = contacts.find((c) => incident.chain.includes(c.id));
  if (inChain) return inChain;
  const duty = contacts.find((c) => c.id === routing.dutyOfficer.id);
  if (duty) return duty;
  const category = ROUTE_CATEGORY[incident.kind];
  const inArea = contacts.find((c) => routing.covers(c, incident.communeId, category));
  if (inArea) return inArea;
  const forwarded = new Set(
    (await store.events(incident.id)).flatMap((e) => {
      const to = e.action === "forwarded" ? FORWARDED_TO.exec(e.detail ?? "")?.[1] : undefined;
      return to ? [to] : [];
    }),
  );
  return contacts.find((c) => forwarded.has(c.id));
}

/** How long an incident nobody could receive waits before routing is tried again (the sweep). */
export const INCIDENT_REROUTE_AFTER_MS = 60_000;

/**
 * Routes a stored incident like a tip: the chain of its school's commune for its routing
 * category (`Routing.resolve` at the time of routing: the vacant and off duty left out), the
 * first message queued, then the first escalation, then the status "routed". Idempotent:
 * deterministic job ids, and an incident no longer "received" is left alone. When nobody can
 * receive it, it stays "received" and `sweep` (the maintenance job) tries again.
 */
export class IncidentRouter {
  constructor(
    private readonly deps: {
      readonly store: IncidentStore;
      readonly routing: Routing;
      readonly queues: TipQueues;
      readonly logger: Logger;
      readonly now: () => number;
    },
  ) {}

  newCaseCode(): string {
    return newIncidentCaseCode();
  }

  async route(id: string): Promise<"routed" | "not-received" | "unreachable"> {
    const { store, routing, queues } = this.deps;
    const incident = await store.get(id);
    if (incident?.status !== "received") return "not-received";
    let chain: string[];
    try {
      const route = routing.resolve(
        ROUTE_CATEGORY[incident.kind],
        { schoolId: incident.schoolId },
        this.deps.now(),
      );
      chain = route.chain.map((c) => c.id);
    } catch (err) {
      const name = (err as Error).name;
      if (name !== "NoReachableContactError" && name !== "UnknownPlaceError") throw err;
      this.deps.logger.error(
        { incidentId: id, err: (err as Error).message },
        "nobody can receive this incident: routing is tried again by the maintenance job",
      );
      return "unreachable";
    }
    const first = chain[0] as string;
    await queues.addNotify(
      {
        subject: "incident",
        deliveryId: incidentDeliveryId(id, `new-${first}`),
        incidentId: id,
        kind: "new-incident",
        to: { type: "contact", contactId: first },
      },
      incident.urgency === "khan-cap" ? 1 : 5,
    );
    if (chain.length > 1 || routing.dutyOfficer.id !== first)
      await queues.addEscalation(
        { subject: "incident", incidentId: id, level: 1 },
        routing.deadlineMs(incident.urgency),
      );
    await store.transition(
      id,
      { status: "routed", chain, level: 0 },
      {
        at: this.deps.now(),
        actor: { type: "system" },
        action: "routed",
        detail: `${ROUTE_CATEGORY[incident.kind]} → ${chain.join(" → ")}`,
      },
      ["received"],
    );
    return "routed";
  }

  /** Routes again the incidents left "received" (a crash between storing and queueing, nobody reachable). */
  async sweep(): Promise<number> {
    let routed = 0;
    for (const id of await this.deps.store.receivedBefore(this.deps.now() - INCIDENT_REROUTE_AFTER_MS))
      if ((await this.route(id)) === "routed") routed++;
    return routed;
  }
}
