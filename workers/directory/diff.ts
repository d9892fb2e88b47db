import { isDeepStrictEqual } from "node:util";
import { URGENCIES, type Urgency } from "../tip/tip.js";
import { formatDuration } from "./document.js";
import type { DirectoryRows, ProvinceRow } from "./rows.js";
import { routeRowKey } from "./rows.js";

/**
 * What an import would change: per list, the keys added, changed (with the fields) and removed,
 * and whether the order changed; the province, deadlines and duty officer when they differ.
 * Order alone is reported once per list, not as a change of every row that moved.
 */

export interface Changed {
  readonly key: string;
  /** The fields that differ, e.g. ["name", "chatId"]. */
  readonly fields: readonly string[];
}

export interface ListDiff {
  readonly added: readonly string[];
  readonly changed: readonly Changed[];
  readonly removed: readonly string[];
  /** The rows both sides have are in another order (menus follow it). */
  readonly reordered: boolean;
}

export interface DirectoryDiff {
  /** Set when the province's id or name differs (or the directory was empty). */
  readonly province?: { readonly from?: ProvinceRow; readonly to: ProvinceRow };
  readonly communes: ListDiff;
  readonly schools: ListDiff;
  readonly contacts: ListDiff;
  /** Keyed "category|commune" ("*" for every category or the whole province). */
  readonly routes: ListDiff;
  readonly deadlines: ReadonlyArray<{
    readonly urgency: Urgency;
    readonly from?: number;
    readonly to: number;
  }>;
  readonly dutyOfficer?: { readonly from?: string; readonly to: string };
  /** Nothing differs. */
  readonly empty: boolean;
}

/** The lists of the directory, and each one's key. */
export const LISTS = {
  communes: (r: { id: string }) => r.id,
  schools: (r: { id: string }) => r.id,
  contacts: (r: { id: string }) => r.id,
  routes: routeRowKey,
} as const;

export type ListName = keyof typeof LISTS;

function diffList<T extends object>(
  current: readonly T[],
  desired: readonly T[],
  key: (row: T) => string,
): ListDiff {
  const before = new Map(current.map((r) => [key(r), r]));
  const after = new Map(desired.map((r) => [key(r), r]));
  const added = [...after.keys()].filter((k) => !before.has(k));
  const removed = [...before.keys()].filter((k) => !after.has(k));
  const changed: Changed[] = [];
  for (const [k, row] of after) {
    const old = before.get(k);
    if (!old) continue;
    const fields = Object.keys(row).filter(
      (f) => !isDeepStrictEqual((row as Record<string, unknown>)[f], (old as Record<string, unknown>)[f]),
    );
    if (fields.length > 0) changed.push({ key: k, fields });
  }
  const kept = (rows: readonly T[], other: Map<string, T>) => rows.map(key).filter((k) => other.has(k));
  const reordered = !isDeepStrictEqual(kept(current, after), kept(desired, before));
  return { added, changed, removed, reordered };
}

function listIsEmpty(d: ListDiff): boolean {
  return d.added.length === 0 && d.changed.length === 0 && d.removed.length === 0 && !d.reordered;
}

/** Compares the stored directory (undefined when empty) with the one a file asks for. */
export function diffDirectory(current: DirectoryRows | undefined, desired: DirectoryRows): DirectoryDiff {
  const province = isDeepStrictEqual(current?.province, desired.province)
    ? undefined
    : { ...(current && { from: current.province }), to: desired.province };
  const communes = diffList(current?.communes ?? [], desired.communes, LISTS.communes);
  const schools = diffList(current?.schools ?? [], desired.schools, LISTS.schools);
  const contacts = diffList(current?.contacts ?? [], desired.contacts, LISTS.contacts);
  const routes = diffList(current?.routes ?? [], desired.routes, LISTS.routes);
  const deadlines = URGENCIES.filter((u) => current?.deadlines[u] !== desired.deadlines[u]).map((u) => ({
    urgency: u,
    ...(current && { from: current.deadlines[u] }),
    to: desired.deadlines[u],
  }));
  const dutyOfficer =
    current?.dutyOfficer === desired.dutyOfficer
      ? undefined
      : { ...(current && { from: current.dutyOfficer }), to: desired.dutyOfficer };
  const empty =
    !province &&
    [communes, schools, contacts, routes].every(listIsEmpty) &&
    deadlines.length === 0 &&
    !dutyOfficer;
  return {
    ...(province && { province }),
    communes,
    schools,
    contacts,
    routes,
    deadlines,
    ...(dutyOfficer && { dutyOfficer }),
    empty,
  };
}

/** How many rows an import adds, changes or removes (a reordered list counts once). */
export function countChanges(diff: DirectoryDiff): number {
  const lists = [diff.communes, diff.schools, diff.contacts, diff.routes];
  return (
    (diff.province ? 1 : 0) +
    lists.reduce(
      (n, d) => n + d.added.length + d.changed.length + d.removed.length + (d.reordered ? 1 : 0),
      0,
    ) +
    diff.deadlines.length +
    (diff.dutyOfficer ? 1 : 0)
  );
}

/**
 * The diff for people, one line per change: "+" added, "~" changed (with the fields), "-" removed,
 * under a heading per list with its counts. Chat ids are not printed, only that they changed.
 */
export function formatDiff(diff: DirectoryDiff): string[] {
  const lines: string[] = [];
  if (diff.province) {
    const { from, to } = diff.province;
    lines.push(
      from
        ? `province: ~ ${from.id} (${from.name}) → ${to.id} (${to.name})`
        : `province: + ${to.id} (${to.name})`,
    );
  }
  for (const name of ["communes", "schools", "contacts", "routes"] as const) {
    const d = diff[name];
    if (listIsEmpty(d)) continue;
    lines.push(
      `${name}: ${d.added.length} added, ${d.changed.length} changed, ${d.removed.length} removed${d.reordered ? ", order changed" : ""}`,
    );
    for (const k of d.added) lines.push(`  + ${k}`);
    for (const c of d.changed) lines.push(`  ~ ${c.key} (${c.fields.join(", ")})`);
    for (const k of d.removed) lines.push(`  - ${k}`);
  }
  for (const d of diff.deadlines)
    lines.push(
      `deadline ${d.urgency}: ${d.from === undefined ? "" : `${formatDuration(d.from)} → `}${formatDuration(d.to)}`,
    );
  if (diff.dutyOfficer)
    lines.push(
      `duty officer: ${diff.dutyOfficer.from ? `${diff.dutyOfficer.from} → ` : ""}${diff.dutyOfficer.to}`,
    );
  return lines;
}
