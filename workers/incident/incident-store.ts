import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db/client.js";
import { incidentEvents, incidentPhotos, incidents } from "../../db/schema.js";
import type { ChatAddress } from "../messenger.js";
import type { IncidentActor, IncidentEvent, IncidentFilter, IncidentRecord } from "./desk.js";
import type { IncidentOutcome, IncidentStatus, Involved } from "./incident.js";

type Row = typeof incidents.$inferSelect;
type Insert = typeof incidents.$inferInsert;
/** Columns a transition may set (times as epoch ms). */
export interface IncidentPatch {
  readonly status?: IncidentStatus;
  readonly chain?: readonly string[];
  readonly level?: number;
  readonly deliveredAt?: number;
  readonly acknowledgedAt?: number;
  readonly acknowledgedBy?: string;
  readonly onSiteAt?: number;
  readonly onSiteBy?: string;
  readonly closedAt?: number;
  readonly closedBy?: string;
  readonly outcome?: IncidentOutcome;
}

/** An event as the desk writes it. */
export interface NewEvent {
  readonly at: number;
  readonly actor: IncidentActor;
  readonly action: IncidentEvent["action"];
  readonly detail?: string;
}

export function actorText(a: IncidentActor): string {
  switch (a.type) {
    case "system":
      return "system";
    case "contact":
      return `contact:${a.contactId}`;
    case "person":
      return `person:${a.personId}`;
    case "caller":
      return `caller:${a.key}`;
  }
}

function actorOf(text: string): IncidentActor {
  const [type, ...rest] = text.split(":");
  const id = rest.join(":");
  if (type === "contact") return { type, contactId: id };
  if (type === "person") return { type, personId: id };
  if (type === "caller") return { type, key: id };
  return { type: "system" };
}

const ms = (d: Date | null | undefined) => (d ? d.getTime() : undefined);
const date = (n: number | undefined) => (n === undefined ? undefined : new Date(n));

function recordOf(r: Row): IncidentRecord {
  const opt = <K extends string, V>(k: K, v: V | null | undefined) =>
    (v === null || v === undefined ? {} : { [k]: v }) as { [P in K]?: V };
  return {
    id: r.id,
    caseCode: r.caseCode,
    schoolId: r.schoolId,
    communeId: r.communeId,
    reporter: { personId: r.reporterPersonId, name: r.reporterName, schoolRole: r.reporterSchoolRole },
    kind: r.kind,
    urgency: r.urgency,
    occurredAt: r.occurredAt.getTime(),
    place: r.place,
    ...opt("placeText", r.placeText),
    description: r.description,
    involved: r.involved as Involved[],
    ...opt("injuries", r.injuries),
    ...opt("schoolAction", r.schoolAction),
    photoIds: r.photoIds,
    status: r.status,
    chain: r.chain,
    level: r.level,
    createdAt: r.createdAt.getTime(),
    updatedAt: r.updatedAt.getTime(),
    ...opt("deliveredAt", ms(r.deliveredAt)),
    ...opt("acknowledgedAt", ms(r.acknowledgedAt)),
    ...opt("acknowledgedBy", r.acknowledgedBy),
    ...opt("onSiteAt", ms(r.onSiteAt)),
    ...opt("onSiteBy", r.onSiteBy),
    ...opt("closedAt", ms(r.closedAt)),
    ...opt("closedBy", r.closedBy),
    ...opt("outcome", r.outcome),
    ...opt("erasedAt", ms(r.erasedAt)),
  };
}

/** Whether a unique constraint refused the insert (a case code drawn twice). */
function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; cause?: { code?: string } };
  return err?.code === "23505" || err?.cause?.code === "23505";
}

/**
 * Incidents in PostgreSQL (`incidents`, `incident_events`, `incident_photos`): the desk's only
 * way to the tables. Every state change is one statement guarded by the statuses it may leave, so
 * two officers pressing at once cannot both acknowledge or close.
 */
export class IncidentStore {
  constructor(private readonly db: Database) {}

  /**
   * Stores a new incident with its photos and first event, in one transaction. False when its
   * case code is taken (draw another).
   */
  async insert(
    row: Insert,
    photos: readonly { readonly id: string; readonly bytes: Buffer }[],
    event: NewEvent,
  ): Promise<boolean> {
    try {
      await this.db.transaction(async (tx) => {
        await tx.insert(incidents).values(row);
        for (const p of photos)
          await tx.insert(incidentPhotos).values({ incidentId: row.id, photoId: p.id, bytes: p.bytes });
        await tx.insert(incidentEvents).values(eventRow(row.id, event));
      });
      return true;
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  async get(id: string): Promise<IncidentRecord | undefined> {
    const [r] = await this.db.select().from(incidents).where(eq(incidents.id, id));
    return r && recordOf(r);
  }

  async idForCaseCode(code: string): Promise<string | undefined> {
    const [r] = await this.db
      .select({ id: incidents.id })
      .from(incidents)
      .where(eq(incidents.caseCode, code));
    return r?.id;
  }

  /** The chat the incident was reported from (where questions go); none once erased. */
  async reporterChat(id: string): Promise<ChatAddress | undefined> {
    const [r] = await this.db
      .select({ channel: incidents.reporterChannel, chatId: incidents.reporterChatId })
      .from(incidents)
      .where(eq(incidents.id, id));
    return r?.channel && r.chatId ? { channel: r.channel, chatId: r.chatId } : undefined;
  }

  /**
   * Applies `patch` (and writes `event`) only while the incident is in one of `from`; otherwise
   * nothing changes and "wrong-status" is answered. A patch that sets `acknowledgedAt` keeps an
   * earlier one.
   */
  async transition(
    id: string,
    patch: IncidentPatch,
    event: NewEvent | undefined,
    from: readonly IncidentStatus[],
  ): Promise<"ok" | "wrong-status"> {
    return this.db.transaction(async (tx) => {
      const set: Record<string, unknown> = { updatedAt: new Date(event?.at ?? Date.now()) };
      if (patch.status) set.status = patch.status;
      if (patch.chain) set.chain = [...patch.chain];
      if (patch.level !== undefined) set.level = patch.level;
      if (patch.deliveredAt !== undefined) set.deliveredAt = date(patch.deliveredAt);
      if (patch.acknowledgedAt !== undefined)
        set.acknowledgedAt = sql`coalesce(${incidents.acknowledgedAt}, ${date(patch.acknowledgedAt)?.toISOString()}::timestamptz)`;
      if (patch.acknowledgedBy !== undefined)
        set.acknowledgedBy = sql`coalesce(${incidents.acknowledgedBy}, ${patch.acknowledgedBy})`;
      if (patch.onSiteAt !== undefined) set.onSiteAt = date(patch.onSiteAt);
      if (patch.onSiteBy !== undefined) set.onSiteBy = patch.onSiteBy;
      if (patch.closedAt !== undefined) set.closedAt = date(patch.closedAt);
      if (patch.closedBy !== undefined) set.closedBy = patch.closedBy;
      if (patch.outcome !== undefined) set.outcome = patch.outcome;
      const done = await tx
        .update(incidents)
        .set(set)
        .where(and(eq(incidents.id, id), inArray(incidents.status, [...from])))
        .returning({ id: incidents.id });
      if (done.length === 0) return "wrong-status";
      if (event) await tx.insert(incidentEvents).values(eventRow(id, event));
      return "ok";
    });
  }

  async appendEvent(id: string, event: NewEvent): Promise<void> {
    await this.db.insert(incidentEvents).values(eventRow(id, event));
  }

  async events(id: string): Promise<IncidentEvent[]> {
    const rows = await this.db
      .select()
      .from(incidentEvents)
      .where(eq(incidentEvents.incidentId, id))
      .orderBy(asc(incidentEvents.id));
    return rows.map((r) => ({
      at: r.at.getTime(),
      actor: actorOf(r.actor),
      action: r.action as IncidentEvent["action"],
      ...(r.detail !== null && { detail: r.detail }),
    }));
  }

  async photo(id: string, photoId: string): Promise<Buffer | undefined> {
    const [r] = await this.db
      .select({ bytes: incidentPhotos.bytes })
      .from(incidentPhotos)
      .where(and(eq(incidentPhotos.incidentId, id), eq(incidentPhotos.photoId, photoId)));
    return r?.bytes;
  }

  /** Incidents matching `where` and the filter, newest reported first. */
  async select(where: SQL | undefined, filter: IncidentFilter = {}, limit = 500): Promise<IncidentRecord[]> {
    const statuses = filter.status === undefined ? [] : [filter.status].flat();
    const conditions = [
      where,
      statuses.length > 0 ? inArray(incidents.status, statuses as IncidentStatus[]) : undefined,
      filter.kind ? eq(incidents.kind, filter.kind) : undefined,
      filter.period ? gte(incidents.occurredAt, new Date(filter.period.from)) : undefined,
      filter.period ? lt(incidents.occurredAt, new Date(filter.period.to)) : undefined,
    ].filter((c): c is SQL => c !== undefined);
    const rows = await this.db
      .select()
      .from(incidents)
      .where(and(...conditions))
      .orderBy(desc(incidents.createdAt), desc(incidents.id))
      .limit(limit);
    return rows.map(recordOf);
  }

  /** Incidents whose events show them forwarded to one of `contactIds`. */
  async forwardedTo(contactIds: readonly string[]): Promise<string[]> {
    if (contactIds.length === 0) return [];
    const rows = await this.db
      .select({ id: incidentEvents.incidentId })
      .from(incidentEvents)
      .where(
        and(
          eq(incidentEvents.action, "forwarded"),
          or(...contactIds.map((c) => sql`${incidentEvents.detail} ~ ${`^→ ${c}(:|$)`}`)),
        ),
      );
    return [...new Set(rows.map((r) => r.id))];
  }

  /** Incidents still "received" since before `before`: their routing is tried again. */
  async receivedBefore(before: number): Promise<string[]> {
    const rows = await this.db
      .select({ id: incidents.id })
      .from(incidents)
      .where(and(eq(incidents.status, "received"), lt(incidents.createdAt, new Date(before))));
    return rows.map((r) => r.id);
  }

  /** Counts per school, kind and outcome (null: open) of incidents that occurred in [from, to). */
  async counts(schoolIds: readonly string[], from: number, to: number) {
    if (schoolIds.length === 0) return [];
    return this.db
      .select({
        schoolId: incidents.schoolId,
        kind: incidents.kind,
        outcome: incidents.outcome,
        count: sql<number>`count(*)::int`,
      })
      .from(incidents)
      .where(
        and(
          inArray(incidents.schoolId, [...schoolIds]),
          gte(incidents.occurredAt, new Date(from)),
          lt(incidents.occurredAt, new Date(to)),
        ),
      )
      .groupBy(incidents.schoolId, incidents.kind, incidents.outcome);
  }

  /** Ids of incidents closed before `before` whose content is not erased yet. */
  async closedBefore(before: number, limit = 200): Promise<string[]> {
    const rows = await this.db
      .select({ id: incidents.id })
      .from(incidents)
      .where(
        and(
          isNotNull(incidents.closedAt),
          lt(incidents.closedAt, new Date(before)),
          isNull(incidents.erasedAt),
        ),
      )
      .orderBy(asc(incidents.closedAt))
      .limit(limit);
    return rows.map((r) => r.id);
  }

  /**
   * Erases an incident's content (retention): description, place text, pupils' names, injuries,
   * school action, photos, the reporter's chat and the events' texts. Kind, school, commune,
   * dates, statuses, outcome and who acted stay, for the counts and the audit.
   */
  async erase(id: string, at: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [r] = await tx
        .select({ involved: incidents.involved })
        .from(incidents)
        .where(and(eq(incidents.id, id), isNull(incidents.erasedAt)))
        .for("update");
      if (!r) return false;
      const involved = (r.involved as Involved[]).map(({ name: _name, ...rest }) => rest);
      await tx
        .update(incidents)
        .set({
          description: "",
          placeText: null,
          involved,
          injuries: null,
          schoolAction: null,
          photoIds: [],
          reporterChannel: null,
          reporterChatId: null,
          erasedAt: new Date(at),
          updatedAt: new Date(at),
        })
        .where(eq(incidents.id, id));
      await tx.delete(incidentPhotos).where(eq(incidentPhotos.incidentId, id));
      await tx.update(incidentEvents).set({ detail: null }).where(eq(incidentEvents.incidentId, id));
      await tx
        .insert(incidentEvents)
        .values(eventRow(id, { at, actor: { type: "system" }, action: "erased" }));
      return true;
    });
  }
}

function eventRow(incidentId: string, e: NewEvent) {
  return {
    incidentId,
    at: new Date(e.at),
    actor: actorText(e.actor),
    action: e.action,
    detail: e.detail ?? null,
  };
}
