import { eq, inArray, or, type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db/client.js";
import { incidents } from "../../db/schema.js";
import type { Routing } from "../routing/routing-table.js";
import { parseIncidentCaseCode } from "./case-code.js";
import {
  type IncidentEvent,
  type IncidentFilter,
  type IncidentPeriod,
  type IncidentRecord,
  IncidentRefusedError,
  type IncidentScope,
  type IncidentViewer,
  type SchoolIncidentCounts,
} from "./desk.js";
import { INCIDENT_KINDS, OUTCOMES } from "./incident.js";
import { permittedContact } from "./incident-routing.js";
import type { IncidentStore } from "./incident-store.js";
import { isAdminChat, staffRolesOf } from "./staff.js";

/**
 * Reading incidents (the desk's get, timeline, list and counts): the school's head and safety
 * staff see every incident of their school, a teacher their own, an officer those they may act
 * on, an admin all of them. Anything else is "no-such-incident", as for an unknown id.
 */
export class IncidentViews {
  constructor(
    private readonly deps: {
      readonly db: Database;
      readonly store: IncidentStore;
      readonly routing: Routing;
    },
  ) {}

  /** Whether `viewer` may see `incident`. */
  async maySee(viewer: IncidentViewer, incident: IncidentRecord): Promise<boolean> {
    if (viewer.kind === "admin") return true;
    const staff = await staffRolesOf(this.deps.db, viewer.chat);
    if (staff.some((r) => r.personId === incident.reporter.personId)) return true;
    if (staff.some((r) => r.schoolId === incident.schoolId && r.schoolRole !== "teacher")) return true;
    const contacts = this.deps.routing.contactsByChat(viewer.chat.channel, viewer.chat.chatId);
    if (
      contacts.length > 0 &&
      (await permittedContact(this.deps.store, this.deps.routing, incident, contacts))
    )
      return true;
    return isAdminChat(this.deps.db, viewer.chat);
  }

  async get(viewer: IncidentViewer, incidentId: string): Promise<IncidentRecord> {
    const incident = await this.deps.store.get(incidentId);
    if (!incident || !(await this.maySee(viewer, incident)))
      throw new IncidentRefusedError(
        "no-such-incident",
        `no incident ${incidentId} for this viewer`,
        incidentId,
      );
    return incident;
  }

  async timeline(viewer: IncidentViewer, incidentId: string): Promise<IncidentEvent[]> {
    await this.get(viewer, incidentId);
    return this.deps.store.events(incidentId);
  }

  async idForCaseCode(viewer: IncidentViewer, caseCode: string): Promise<string | undefined> {
    const code = parseIncidentCaseCode(caseCode);
    const id = code && (await this.deps.store.idForCaseCode(code));
    const incident = id ? await this.deps.store.get(id) : undefined;
    return incident && (await this.maySee(viewer, incident)) ? incident.id : undefined;
  }

  async scopeFor(viewer: IncidentViewer): Promise<IncidentScope> {
    if (viewer.kind === "admin" || (await isAdminChat(this.deps.db, viewer.chat))) return { by: "all" };
    const staff = await staffRolesOf(this.deps.db, viewer.chat);
    const contacts = this.deps.routing.contactsByChat(viewer.chat.channel, viewer.chat.chatId);
    const schools = [...new Set(staff.filter((r) => r.schoolRole !== "teacher").map((r) => r.schoolId))];
    const scopes: IncidentScope[] = [
      ...(schools.length > 0 ? [{ by: "schools" as const, schoolIds: schools }] : []),
      ...[...new Set(staff.map((r) => r.personId))].map((p) => ({
        by: "reporter" as const,
        reporterPersonId: p,
      })),
      ...(contacts.length > 0 ? [{ by: "contacts" as const, contactIds: contacts.map((c) => c.id) }] : []),
    ];
    return { by: "any", scopes };
  }

  async list(scope: IncidentScope, filter: IncidentFilter = {}): Promise<IncidentRecord[]> {
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), 500);
    const { routing, store } = this.deps;
    const contactIds = new Set<string>();
    const where = async (s: IncidentScope): Promise<SQL | undefined> => {
      switch (s.by) {
        case "all":
          return eq(incidents.id, incidents.id);
        case "schools":
          return s.schoolIds.length > 0 ? inArray(incidents.schoolId, [...s.schoolIds]) : undefined;
        case "reporter":
          return eq(incidents.reporterPersonId, s.reporterPersonId);
        case "contacts": {
          const contacts = s.contactIds.flatMap((id) => routing.contactById(id) ?? []);
          for (const c of contacts) contactIds.add(c.id);
          if (contacts.some((c) => c.id === routing.dutyOfficer.id)) return eq(incidents.id, incidents.id);
          const communes = [...new Set(contacts.flatMap((c) => routing.areaOf(c)))];
          const forwarded = await store.forwardedTo(contacts.map((c) => c.id));
          // Candidates; each is checked with the triage rules below (the category too).
          return or(
            communes.length > 0 ? inArray(incidents.communeId, communes) : undefined,
            forwarded.length > 0 ? inArray(incidents.id, forwarded) : undefined,
            ...contacts.map((c) => sqlChainHas(c.id)),
          );
        }
        case "any": {
          const parts = (await Promise.all(s.scopes.map(where))).filter((p): p is SQL => p !== undefined);
          return parts.length > 0 ? or(...parts) : undefined;
        }
      }
    };
    const condition = await where(scope);
    if (!condition) return [];
    const rows = await store.select(condition, filter, contactIds.size > 0 ? 2000 : limit);
    if (contactIds.size === 0) return rows;
    // Rows a contact scope let in only as candidates are kept when the rules allow them.
    const contacts = [...contactIds].flatMap((id) => routing.contactById(id) ?? []);
    const kept: IncidentRecord[] = [];
    for (const r of rows) {
      if (kept.length >= limit) break;
      const byOther = scope.by !== "contacts" && (await this.inOtherScope(scope, r));
      if (byOther || (await permittedContact(store, routing, r, contacts))) kept.push(r);
    }
    return kept;
  }

  private async inOtherScope(scope: IncidentScope, r: IncidentRecord): Promise<boolean> {
    switch (scope.by) {
      case "all":
        return true;
      case "schools":
        return scope.schoolIds.includes(r.schoolId);
      case "reporter":
        return scope.reporterPersonId === r.reporter.personId;
      case "contacts":
        return false;
      case "any":
        for (const s of scope.scopes) if (await this.inOtherScope(s, r)) return true;
        return false;
    }
  }

  async countsBySchool(
    schoolIds: readonly string[],
    period: IncidentPeriod,
  ): Promise<SchoolIncidentCounts[]> {
    const rows = await this.deps.store.counts(schoolIds, period.from, period.to);
    return [...new Set(schoolIds)].map((schoolId) => {
      const byKind = Object.fromEntries(INCIDENT_KINDS.map((k) => [k, 0])) as Record<string, number>;
      const byOutcome = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<string, number>;
      let total = 0;
      let open = 0;
      const cells: SchoolIncidentCounts["cells"][number][] = [];
      for (const r of rows.filter((x) => x.schoolId === schoolId)) {
        total += r.count;
        byKind[r.kind] = (byKind[r.kind] ?? 0) + r.count;
        if (r.outcome) byOutcome[r.outcome] = (byOutcome[r.outcome] ?? 0) + r.count;
        else open += r.count;
        cells.push({ kind: r.kind, outcome: r.outcome ?? "open", count: r.count });
      }
      return {
        schoolId,
        total,
        open,
        byKind: byKind as SchoolIncidentCounts["byKind"],
        byOutcome: byOutcome as SchoolIncidentCounts["byOutcome"],
        cells,
      };
    });
  }
}

/** The incident's chain holds the contact (jsonb containment). */
function sqlChainHas(contactId: string): SQL {
  return sql`${incidents.chain} @> ${JSON.stringify([contactId])}::jsonb`;
}
