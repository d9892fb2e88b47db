import { asc } from "drizzle-orm";
import type { Database } from "../../db/client.js";
import {
  communes,
  contactBindings,
  contacts,
  deadlines,
  dutyOfficer,
  provinces,
  routeSteps,
  routes,
  schools,
} from "../../db/schema.js";
import { URGENCIES, type Urgency } from "../tip/tip.js";
import { DirectoryStateError } from "./errors.js";
import { type ContactRow, type DirectoryRows, type RouteRow, routeRowKey } from "./rows.js";

/** The directory as stored, with the database ids of its routes (by `routeRowKey`). */
export interface StoredDirectory {
  readonly rows: DirectoryRows;
  readonly routeIds: ReadonlyMap<string, number>;
}

/**
 * Reads the whole directory, lists in their stored order; undefined when it is empty. Pass a
 * transaction to read what it sees.
 * @throws DirectoryStateError when the tables hold what the file format cannot express
 */
export async function readDirectory(db: Database): Promise<StoredDirectory | undefined> {
  const provinceRows = await db.select().from(provinces).orderBy(asc(provinces.id));
  if (provinceRows.length === 0) return undefined;
  const problems: string[] = [];
  if (provinceRows.length > 1)
    problems.push(
      `${provinceRows.length} provinces (${provinceRows.map((p) => p.id).join(", ")}): one expected`,
    );
  const [province] = provinceRows as [(typeof provinceRows)[number]];

  const communeRows = await db.select().from(communes).orderBy(asc(communes.position), asc(communes.id));
  const schoolRows = await db.select().from(schools).orderBy(asc(schools.position), asc(schools.id));
  const contactRows = await db.select().from(contacts).orderBy(asc(contacts.position), asc(contacts.id));
  const bindingRows = await db
    .select()
    .from(contactBindings)
    .orderBy(asc(contactBindings.boundAt), asc(contactBindings.id));
  const routeRows = await db.select().from(routes).orderBy(asc(routes.position), asc(routes.id));
  const stepRows = await db
    .select()
    .from(routeSteps)
    .orderBy(asc(routeSteps.routeId), asc(routeSteps.position));
  const deadlineRows = await db.select().from(deadlines);
  const dutyRows = await db.select().from(dutyOfficer);

  const bindings = new Map<string, (typeof bindingRows)[number][]>();
  for (const b of bindingRows) bindings.set(b.contactId, [...(bindings.get(b.contactId) ?? []), b]);
  const contactList: ContactRow[] = [];
  for (const c of contactRows) {
    const own = bindings.get(c.id) ?? [];
    // No binding: a vacant slot, waiting for its officer to join by invitation.
    const [binding] = own;
    if (own.length > 1)
      problems.push(
        `contact "${c.id}" is bound on ${own.map((b) => b.channel).join(" and ")}: the file format has one channel`,
      );
    contactList.push({
      id: c.id,
      name: c.name,
      rank: c.rank,
      unit: c.unit,
      role: c.role,
      channel: binding?.channel ?? null,
      chatId: binding?.chatId ?? null,
    });
  }

  const steps = new Map<number, RouteRow["chain"][number][]>();
  for (const s of stepRows)
    steps.set(s.routeId, [...(steps.get(s.routeId) ?? []), { role: s.role, contactId: s.contactId }]);
  const routeIds = new Map<string, number>();
  const routeList: RouteRow[] = routeRows.map((r) => {
    const row: RouteRow = { category: r.category, communeId: r.communeId, chain: steps.get(r.id) ?? [] };
    routeIds.set(routeRowKey(row), r.id);
    return row;
  });

  const deadlineMap: Partial<Record<Urgency, number>> = {};
  for (const d of deadlineRows) if (d.provinceId === province.id) deadlineMap[d.urgency] = d.ackWithinMs;
  const missing = URGENCIES.filter((u) => deadlineMap[u] === undefined);
  if (missing.length > 0) problems.push(`no deadline for ${missing.join(", ")}`);
  const duty = dutyRows.find((d) => d.provinceId === province.id);
  if (!duty) problems.push("no duty officer");

  if (problems.length > 0) throw new DirectoryStateError(problems);
  return {
    rows: {
      province: { id: province.id, name: province.name },
      communes: communeRows.map((c) => ({ id: c.id, name: c.name, kind: c.kind })),
      schools: schoolRows.map((s) => ({ id: s.id, name: s.name, communeId: s.communeId, level: s.level })),
      contacts: contactList,
      routes: routeList,
      deadlines: deadlineMap as Record<Urgency, number>,
      dutyOfficer: duty?.contactId ?? "",
    },
    routeIds,
  };
}

/** True when nothing was imported yet (no province). */
export async function directoryIsEmpty(db: Database): Promise<boolean> {
  const rows = await db.select({ id: provinces.id }).from(provinces).limit(1);
  return rows.length === 0;
}
