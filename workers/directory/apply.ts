import { and, eq, inArray, ne, or, type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db/client.js";
import {
  communes,
  contactBindings,
  contacts,
  deadlines,
  directoryAudit,
  dutyOfficer,
  provinces,
  routeSteps,
  routes,
  schools,
} from "../../db/schema.js";
import { URGENCIES } from "../tip/tip.js";
import type { Changed, DirectoryDiff, ListDiff } from "./diff.js";
import { LISTS, type ListName } from "./diff.js";
import type { StoredDirectory } from "./read.js";
import type { DirectoryRows, RouteRow } from "./rows.js";

/**
 * Writes a diff: makes the tables equal to `desired`, touching only the rows that differ, and
 * records each change in `directory_audit`. Run it inside a transaction (`importDirectory` does):
 * rows are written parents first and removed children first, so every foreign key holds at
 * every statement.
 */

/** Who and what, for the audit. */
export interface AuditContext {
  readonly batch: string;
  readonly actor: string;
  readonly action: string;
  readonly source: string | null;
}

type AuditRow = typeof directoryAudit.$inferInsert;

/** `set` for an upsert: each column takes the value the insert proposed. */
function excluded(...columns: string[]): Record<string, SQL> {
  const camel = (c: string) => c.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
  return Object.fromEntries(columns.map((c) => [camel(c), sql.raw(`excluded.${c}`)]));
}

/** Keys of a list whose rows must be written: added, changed, moved, or all when the province changed. */
function toWrite<T>(
  name: ListName,
  current: readonly T[],
  desired: readonly T[],
  diff: ListDiff,
  everything: boolean,
): Array<{ row: T; position: number }> {
  const key = LISTS[name] as (row: T) => string;
  const was = new Map(current.map((r, i) => [key(r), i]));
  const changed = new Set(diff.changed.map((c) => c.key));
  return desired
    .map((row, position) => ({ row, position }))
    .filter(({ row, position }) => everything || changed.has(key(row)) || was.get(key(row)) !== position);
}

function audits<T>(
  entity: string,
  name: ListName,
  current: readonly T[],
  desired: readonly T[],
  diff: ListDiff,
): Omit<AuditRow, keyof AuditContext>[] {
  const key = LISTS[name] as (row: T) => string;
  const before = new Map(current.map((r) => [key(r), r]));
  const after = new Map(desired.map((r) => [key(r), r]));
  const out: Omit<AuditRow, keyof AuditContext>[] = [
    ...diff.added.map((k) => ({ entity, entityKey: k, change: "added" as const, after: after.get(k) })),
    ...diff.changed.map((c: Changed) => ({
      entity,
      entityKey: c.key,
      change: "changed" as const,
      before: before.get(c.key),
      after: after.get(c.key),
    })),
    ...diff.removed.map((k) => ({ entity, entityKey: k, change: "removed" as const, before: before.get(k) })),
  ];
  if (diff.reordered)
    out.push({
      entity: name,
      entityKey: "(order)",
      change: "changed",
      before: current.map(key),
      after: desired.map(key),
    });
  return out;
}

/** Applies `diff` (from `stored` to `desired`) and audits it. Returns the number of audit rows. */
export async function applyDiff(
  tx: Database,
  stored: StoredDirectory | undefined,
  desired: DirectoryRows,
  diff: DirectoryDiff,
  audit: AuditContext,
): Promise<number> {
  const current = stored?.rows;
  const provinceId = desired.province.id;
  const moved = current?.province.id !== provinceId;

  // Parents first: province, communes, schools, contacts and their chats, routes and their chains.
  if (diff.province)
    await tx
      .insert(provinces)
      .values(desired.province)
      .onConflictDoUpdate({ target: provinces.id, set: excluded("name") });

  const communeRows = toWrite("communes", current?.communes ?? [], desired.communes, diff.communes, moved);
  if (communeRows.length > 0)
    await tx
      .insert(communes)
      .values(communeRows.map(({ row, position }) => ({ ...row, provinceId, position })))
      .onConflictDoUpdate({ target: communes.id, set: excluded("province_id", "name", "kind", "position") });

  const schoolRows = toWrite("schools", current?.schools ?? [], desired.schools, diff.schools, moved);
  if (schoolRows.length > 0)
    await tx
      .insert(schools)
      .values(schoolRows.map(({ row, position }) => ({ ...row, provinceId, position })))
      .onConflictDoUpdate({
        target: schools.id,
        set: excluded("province_id", "commune_id", "name", "level", "position"),
      });

  const contactRows = toWrite("contacts", current?.contacts ?? [], desired.contacts, diff.contacts, moved);
  if (contactRows.length > 0)
    await tx
      .insert(contacts)
      .values(
        contactRows.map(({ row: { channel: _channel, chatId: _chatId, ...row }, position }) => ({
          ...row,
          provinceId,
          position,
        })),
      )
      .onConflictDoUpdate({
        target: contacts.id,
        set: excluded("province_id", "name", "rank", "unit", "role", "position"),
      });
  // A contact's chat: the one binding the file gives it replaces any other. A contact the file
  // leaves vacant arrives here with its stored chat (`keepStoredBindings`), or with none: nothing
  // is unbound by an import.
  const rebound = new Set([
    ...diff.contacts.added,
    ...diff.contacts.changed
      .filter((c) => c.fields.includes("channel") || c.fields.includes("chatId"))
      .map((c) => c.key),
  ]);
  for (const c of desired.contacts) {
    if (!rebound.has(c.id) || c.channel === null || c.chatId === null) continue;
    await tx
      .delete(contactBindings)
      .where(
        and(
          eq(contactBindings.contactId, c.id),
          or(ne(contactBindings.channel, c.channel), ne(contactBindings.chatId, c.chatId)),
        ),
      );
    await tx
      .insert(contactBindings)
      .values({ contactId: c.id, channel: c.channel, chatId: c.chatId })
      .onConflictDoNothing();
  }

  const routeRows = toWrite("routes", current?.routes ?? [], desired.routes, diff.routes, moved);
  const chainChanged = new Set(diff.routes.changed.map((c) => c.key));
  for (const { row, position } of routeRows) {
    const key = LISTS.routes(row);
    let id = stored?.routeIds.get(key);
    if (id === undefined) {
      const [inserted] = await tx
        .insert(routes)
        .values({ provinceId, category: row.category, communeId: row.communeId, position })
        .returning({ id: routes.id });
      id = inserted?.id;
      if (id === undefined) throw new Error(`route ${key}: the insert returned no id`);
    } else {
      await tx.update(routes).set({ provinceId, position }).where(eq(routes.id, id));
      if (!chainChanged.has(key)) continue;
      await tx.delete(routeSteps).where(eq(routeSteps.routeId, id));
    }
    await tx.insert(routeSteps).values(chainRows(id, row));
  }

  const deadlineRows = (moved ? URGENCIES : diff.deadlines.map((d) => d.urgency)).map((urgency) => ({
    provinceId,
    urgency,
    ackWithinMs: desired.deadlines[urgency],
  }));
  if (deadlineRows.length > 0)
    await tx
      .insert(deadlines)
      .values(deadlineRows)
      .onConflictDoUpdate({
        target: [deadlines.provinceId, deadlines.urgency],
        set: excluded("ack_within_ms"),
      });
  if (diff.dutyOfficer || moved)
    await tx
      .insert(dutyOfficer)
      .values({ provinceId, contactId: desired.dutyOfficer })
      .onConflictDoUpdate({ target: dutyOfficer.provinceId, set: excluded("contact_id") });

  // Then children before parents: routes, the old province's settings, schools, contacts, communes.
  const removedRouteIds = diff.routes.removed
    .map((k) => stored?.routeIds.get(k))
    .filter((id): id is number => id !== undefined);
  if (removedRouteIds.length > 0) await tx.delete(routes).where(inArray(routes.id, removedRouteIds));
  if (moved && current) {
    await tx.delete(deadlines).where(ne(deadlines.provinceId, provinceId));
    await tx.delete(dutyOfficer).where(ne(dutyOfficer.provinceId, provinceId));
  }
  if (diff.schools.removed.length > 0)
    await tx.delete(schools).where(inArray(schools.id, [...diff.schools.removed]));
  if (diff.contacts.removed.length > 0)
    await tx.delete(contacts).where(inArray(contacts.id, [...diff.contacts.removed]));
  if (diff.communes.removed.length > 0)
    await tx.delete(communes).where(inArray(communes.id, [...diff.communes.removed]));
  if (moved && current) await tx.delete(provinces).where(ne(provinces.id, provinceId));

  const rows = auditRows(current, desired, diff).map((r) => ({ ...r, ...audit }));
  if (rows.length > 0) await tx.insert(directoryAudit).values(rows);
  return rows.length;
}

function chainRows(routeId: number, row: RouteRow) {
  return row.chain.map((step, position) => ({
    routeId,
    position,
    role: step.role,
    contactId: step.contactId,
  }));
}

function auditRows(
  current: DirectoryRows | undefined,
  desired: DirectoryRows,
  diff: DirectoryDiff,
): Omit<AuditRow, keyof AuditContext>[] {
  const out: Omit<AuditRow, keyof AuditContext>[] = [];
  if (diff.province)
    out.push({
      entity: "province",
      entityKey: desired.province.id,
      change: diff.province.from ? "changed" : "added",
      before: diff.province.from,
      after: diff.province.to,
    });
  out.push(
    ...audits("commune", "communes", current?.communes ?? [], desired.communes, diff.communes),
    ...audits("school", "schools", current?.schools ?? [], desired.schools, diff.schools),
    ...audits("contact", "contacts", current?.contacts ?? [], desired.contacts, diff.contacts),
    ...audits("route", "routes", current?.routes ?? [], desired.routes, diff.routes),
  );
  for (const d of diff.deadlines)
    out.push({
      entity: "deadline",
      entityKey: d.urgency,
      change: d.from === undefined ? "added" : "changed",
      before: d.from === undefined ? null : { ackWithinMs: d.from },
      after: { ackWithinMs: d.to },
    });
  if (diff.dutyOfficer)
    out.push({
      entity: "duty-officer",
      entityKey: desired.province.id,
      change: diff.dutyOfficer.from ? "changed" : "added",
      before: diff.dutyOfficer.from ? { contactId: diff.dutyOfficer.from } : null,
      after: { contactId: diff.dutyOfficer.to },
    });
  return out;
}
