import { randomUUID } from "node:crypto";
import { inArray } from "drizzle-orm";
import type { Database } from "../../db/client.js";
import { contacts, directoryAudit, dutyOfficer, dutyStatus } from "../../db/schema.js";
import type { Logger } from "../../logger.js";
import { isOffDuty, type RoutingTable } from "../routing/routing-table.js";
import { type BoundContact, isBound } from "../routing/schema.js";
import { CATEGORIES } from "../tip/tip.js";
import { loadRoutingTableFromDb } from "./load.js";

/**
 * Duty status: an officer steps away (`/nghi`, optionally until a time) and comes back (`/truc`).
 * Routing leaves a contact off duty out of new chains (`RoutingTable.chainOf`); a tip already
 * routed keeps its chain. Every change is one `duty_status` row per contact and one
 * `directory_audit` row each, in one transaction; `onChange` then tells the running processes
 * (the integrator wires it to `LiveDirectory.changed`, a Redis pub/sub invalidation).
 *
 * The province's duty officer (trực ban tỉnh) is never set off duty: it is where a commune with
 * nobody on duty sends its tips, so it is refused (`refused`) and routing ignores any status it has.
 */

/** Why a duty change was refused as a whole. */
export type DutyRefusal = "unknown-contact" | "until-past" | "empty";

/** A duty change that cannot be made; nothing was written. */
export class DutyChangeError extends Error {
  override readonly name = "DutyChangeError";
  constructor(
    readonly reason: DutyRefusal,
    readonly contactIds: readonly string[] = [],
  ) {
    super(
      reason === "unknown-contact"
        ? `unknown contact ${contactIds.map((c) => `"${c}"`).join(", ")}`
        : reason === "until-past"
          ? "the end of a time off duty must be after now"
          : "no contact to change",
    );
  }
}

export interface DutyChange {
  /** true: back on duty (`/truc`); false: off duty (`/nghi`). */
  readonly onDuty: boolean;
  /** Off duty until this time (epoch ms); null or absent until they come back. Ignored when on duty. */
  readonly until?: number | null;
  /** Who made the change, for `changed_by` and the audit (e.g. "contact:ca-an-hoa-minh", "cli:root"). */
  readonly by: string;
  readonly now: number;
  /** Called after the commit (not when nothing was written); its failure is the caller's to handle. */
  readonly onChange?: () => void | Promise<void>;
}

export interface DutyResult {
  /** The contacts whose status was written, in the order given. */
  readonly changed: readonly string[];
  /** The province's duty officer, when it was asked to go off duty: it never is. */
  readonly refused: readonly string[];
}

/**
 * Sets the duty status of `contactIds` (typically every contact of one chat).
 * @throws DutyChangeError for an unknown contact, an `until` not after `now`, or no contact
 */
export async function setDuty(
  db: Database,
  contactIds: readonly string[],
  change: DutyChange,
): Promise<DutyResult> {
  const ids = [...new Set(contactIds)];
  if (ids.length === 0) throw new DutyChangeError("empty");
  const until = change.onDuty ? null : (change.until ?? null);
  if (until !== null && !(until > change.now)) throw new DutyChangeError("until-past");
  const result = await db.transaction(async (tx) => {
    const known = await tx.select({ id: contacts.id }).from(contacts).where(inArray(contacts.id, ids));
    const missing = ids.filter((id) => !known.some((k) => k.id === id));
    if (missing.length > 0) throw new DutyChangeError("unknown-contact", missing);
    const desks = await tx.select().from(dutyOfficer);
    const desk = new Set(desks.map((d) => d.contactId));
    const refused = change.onDuty ? [] : ids.filter((id) => desk.has(id));
    const changed = ids.filter((id) => !refused.includes(id));
    if (changed.length === 0) return { changed, refused };
    const before = new Map(
      (await tx.select().from(dutyStatus).where(inArray(dutyStatus.contactId, changed))).map((r) => [
        r.contactId,
        r,
      ]),
    );
    const at = new Date(change.now);
    const batch = randomUUID();
    for (const contactId of changed) {
      const row = {
        contactId,
        onDuty: change.onDuty,
        until: until === null ? null : new Date(until),
        changedAt: at,
        changedBy: change.by,
      };
      await tx
        .insert(dutyStatus)
        .values(row)
        .onConflictDoUpdate({
          target: dutyStatus.contactId,
          set: { onDuty: row.onDuty, until: row.until, changedAt: row.changedAt, changedBy: row.changedBy },
        });
    }
    await tx.insert(directoryAudit).values(
      changed.map((contactId) => {
        const old = before.get(contactId);
        return {
          at,
          batch,
          actor: change.by,
          action: change.onDuty ? "duty-on" : "duty-off",
          source: null,
          entity: "duty",
          entityKey: contactId,
          change: old ? ("changed" as const) : ("added" as const),
          before: old ? { onDuty: old.onDuty, until: old.until?.getTime() ?? null } : null,
          after: { onDuty: change.onDuty, until },
        };
      }),
    );
    return { changed, refused };
  });
  if (result.changed.length > 0) await change.onChange?.();
  return result;
}

/** One contact on the roster. */
export interface RosterEntry {
  readonly id: string;
  readonly name: string;
  /** No chat is bound: nobody holds the slot yet. */
  readonly vacant: boolean;
  /** Takes tips now (a passed `until` counts as back on duty). */
  readonly onDuty: boolean;
  /** Off duty until this time (epoch ms); null when on duty or off until they come back. */
  readonly until: number | null;
  /** When and by whom the status was last set; null if never. */
  readonly changedAt: number | null;
  readonly changedBy: string | null;
}

export interface CommuneRoster {
  readonly id: string;
  readonly name: string;
  /** The contacts of the routes that serve the commune (every category), in chain order, each once. */
  readonly contacts: readonly RosterEntry[];
  /** Who receives a new tip of the commune first, now (over every category), each once. */
  readonly firstNow: readonly string[];
  /** Some category of the commune reaches nobody now (the duty officer is vacant too). */
  readonly unreachable: boolean;
}

export interface DutyRoster {
  readonly province: { readonly id: string; readonly name: string };
  readonly at: number;
  /** The province's duty desk: always on duty, possibly vacant. */
  readonly dutyOfficer: RosterEntry;
  readonly communes: readonly CommuneRoster[];
}

/**
 * Who is on duty at `now`, per commune, for a province admin (`npm run directory -- duty`).
 * @throws DirectoryEmptyError when nothing was imported yet
 */
export async function dutyRoster(db: Database, now: number): Promise<DutyRoster> {
  const table = await loadRoutingTableFromDb(db, now);
  const statuses = new Map((await db.select().from(dutyStatus)).map((r) => [r.contactId, r]));
  const entry = (id: string): RosterEntry => {
    const contact = table.contactById(id);
    const status = statuses.get(id);
    const onDuty = id === table.dutyOfficer.id || !isOffDuty(table.offDuty, id, now);
    return {
      id,
      name: contact?.name ?? id,
      vacant: !contact || !isBound(contact),
      onDuty,
      until: onDuty ? null : (table.offDuty.get(id) ?? null),
      changedAt: status ? status.changedAt.getTime() : null,
      changedBy: status?.changedBy ?? null,
    };
  };
  const communes = table.communes.map((commune): CommuneRoster => {
    const ids: string[] = [];
    const first: string[] = [];
    let unreachable = false;
    for (const category of CATEGORIES) {
      const { route } = table.match(category, { communeId: commune.id });
      for (const id of route ? [route.primary, route.backup, route.duty] : [table.dutyOfficer.id])
        if (id && !ids.includes(id)) ids.push(id);
      const chain = safeChain(table, route, now);
      if (!chain) unreachable = true;
      else if (!first.includes(chain[0].id)) first.push(chain[0].id);
    }
    return { id: commune.id, name: commune.name, contacts: ids.map(entry), firstNow: first, unreachable };
  });
  return { province: table.province, at: now, dutyOfficer: entry(table.dutyOfficer.id), communes };
}

function safeChain(table: RoutingTable, route: Parameters<RoutingTable["chainOf"]>[0], now: number) {
  try {
    return table.chainOf(route, now);
  } catch (e) {
    if ((e as Error).name === "NoReachableContactError") return undefined;
    throw e;
  }
}

/** What an officer's duty change means for new tips. */
export interface DutyOutcome extends DutyResult {
  /**
   * For the routes whose new tips went first to one of the contacts before the change, who gets
   * them first now, each once (the backup; the province's duty officer when nobody else is left).
   */
  readonly handover: readonly BoundContact[];
}

/** What the dialogue asks of the directory for `/truc` and `/nghi` (`DialogueDeps.duty`). */
export interface DutyDesk {
  /** The desk's clock (epoch ms): the `/nghi đến 17:30` of a turn is read against it. */
  now(): number;
  /**
   * Sets the duty of `contactIds` (all the contacts of the officer's chat).
   * @throws DutyChangeError (see `setDuty`)
   */
  set(
    contactIds: readonly string[],
    change: { readonly onDuty: boolean; readonly until?: number | null },
    by: string,
  ): Promise<DutyOutcome>;
  /**
   * Who is on duty now, per commune (`/catruc`), read from the database at the desk's clock.
   * @throws DirectoryEmptyError when nothing was imported yet
   */
  roster(): Promise<DutyRoster>;
}

export interface DutyDeskOptions {
  readonly db: Database;
  /** Tells every process the directory changed (`LiveDirectory.changed`); its failure is logged. */
  readonly onChange?: () => void | Promise<void>;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** The `DutyDesk` over the directory database. */
export function createDutyDesk(opts: DutyDeskOptions): DutyDesk {
  const clock = opts.now ?? Date.now;
  return {
    now: clock,
    async set(contactIds, change, by) {
      const now = clock();
      const before = await loadRoutingTableFromDb(opts.db, now);
      const result = await setDuty(opts.db, contactIds, {
        ...change,
        by,
        now,
        onChange: async () => {
          try {
            await opts.onChange?.();
          } catch (e) {
            // The change is committed; the other processes pick it up at their next poll.
            opts.logger.error(
              { err: (e as Error).message },
              "duty changed, but the change could not be announced",
            );
          }
        },
      });
      const overlay = new Map(before.offDuty);
      for (const id of result.changed) {
        if (change.onDuty) overlay.delete(id);
        else overlay.set(id, change.until ?? null);
      }
      return { ...result, handover: handover(before, before.withDuty(overlay), contactIds, now) };
    },
    roster: () => dutyRoster(opts.db, clock()),
  };
}

/** Who comes first, after, on the routes where one of `mine` came first before. */
export function handover(
  before: RoutingTable,
  after: RoutingTable,
  mine: readonly string[],
  now: number,
): BoundContact[] {
  const own = new Set(mine);
  const out: BoundContact[] = [];
  for (const route of before.routes) {
    const was = safeChain(before, route, now)?.[0];
    const is = safeChain(after, route, now)?.[0];
    if (!was || !is || !own.has(was.id) || own.has(is.id)) continue;
    if (!out.some((c) => c.id === is.id)) out.push(is);
  }
  return out;
}

/** "2026-05-11 07:30", Vietnam time (UTC+7 all year). */
export function vietnamTime(at: number): string {
  return new Date(at + 7 * 3_600_000).toISOString().slice(0, 16).replace("T", " ");
}

/**
 * The roster for people, one line per contact under its commune: on duty, off until a time or
 * until back, vacant (no chat bound); and who receives a commune's new tips first now.
 */
export function formatRoster(roster: DutyRoster): string[] {
  const status = (e: RosterEntry) =>
    e.vacant
      ? "vacant (nobody joined)"
      : e.onDuty
        ? "on duty"
        : e.until === null
          ? "off until back (/truc)"
          : `off until ${vietnamTime(e.until)}`;
  const line = (e: RosterEntry) => `  ${status(e).padEnd(30)} ${e.id.padEnd(26)} ${e.name}`;
  const desk = roster.dutyOfficer;
  const lines = [
    `${roster.province.name}: who is on duty at ${vietnamTime(roster.at)} (Vietnam time)`,
    `provincial duty desk: ${desk.id} (${desk.name}), ${desk.vacant ? "VACANT: tips wait until an officer joins it" : "always on duty"}`,
  ];
  for (const c of roster.communes) {
    const first = c.unreachable
      ? "nobody can receive some tips now"
      : `new tips go first to ${c.firstNow.join(", ")}`;
    lines.push(`${c.name} (${c.id}): ${first}`);
    for (const e of c.contacts) lines.push(line(e));
  }
  return lines;
}
