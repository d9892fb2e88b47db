import type { RoutingTable } from "../routing/routing-table.js";
import type { ContactChannel } from "../routing/schema.js";
import type { Category, Urgency } from "../tip/tip.js";
import { URGENCIES } from "../tip/tip.js";
import {
  type CommuneKind,
  type ContactRole,
  communeKindOf,
  describeContact,
  type SchoolLevel,
  schoolLevelOf,
} from "./describe.js";

/**
 * The directory as rows: what the tables hold (read by `read.ts`) and what a file asks for
 * (`rowsFromTable`), in one shape so that `diff.ts` can compare them and `apply.ts` write the
 * difference. Lists keep the file's order; a row's `position` is its index.
 */

export interface ProvinceRow {
  readonly id: string;
  readonly name: string;
}

export interface CommuneRow {
  readonly id: string;
  readonly name: string;
  readonly kind: CommuneKind | null;
}

export interface SchoolRow {
  readonly id: string;
  readonly name: string;
  readonly communeId: string;
  readonly level: SchoolLevel | null;
}

/** A contact with the one binding today's file format gives it; both null for a vacant slot. */
export interface ContactRow {
  readonly id: string;
  readonly name: string;
  readonly rank: string | null;
  readonly unit: string | null;
  readonly role: ContactRole | null;
  readonly channel: ContactChannel | null;
  readonly chatId: string | null;
}

export type StepRole = "primary" | "backup" | "duty";

export interface RouteStepRow {
  readonly role: StepRole;
  readonly contactId: string;
}

export interface RouteRow {
  /** null: every category ("*"). */
  readonly category: Category | null;
  /** null: the whole province ("*"). */
  readonly communeId: string | null;
  /** Tried in this order; a contact may appear twice (primary and duty), as in the file. */
  readonly chain: readonly RouteStepRow[];
}

export interface DirectoryRows {
  readonly province: ProvinceRow;
  readonly communes: readonly CommuneRow[];
  readonly schools: readonly SchoolRow[];
  readonly contacts: readonly ContactRow[];
  readonly routes: readonly RouteRow[];
  readonly deadlines: Readonly<Record<Urgency, number>>;
  readonly dutyOfficer: string;
}

/** The key of a route: "category|commune", "*" for either that is null (as `routeKey`). */
export function routeRowKey(route: Pick<RouteRow, "category" | "communeId">): string {
  return `${route.category ?? "*"}|${route.communeId ?? "*"}`;
}

/** The rows a validated table asks for, descriptive columns read from the names. */
export function rowsFromTable(table: RoutingTable): DirectoryRows {
  return {
    province: { id: table.province.id, name: table.province.name },
    communes: table.communes.map((c) => ({ id: c.id, name: c.name, kind: communeKindOf(c.name) })),
    schools: table.schools.map((s) => ({
      id: s.id,
      name: s.name,
      communeId: s.commune,
      level: schoolLevelOf(s.name),
    })),
    contacts: table.contacts.map((c) => ({
      id: c.id,
      name: c.name,
      ...describeContact(c.name),
      channel: c.channel ?? null,
      chatId: c.chatId ?? null,
    })),
    routes: table.routes.map((r) => ({
      category: r.category === "*" ? null : r.category,
      communeId: r.commune === "*" ? null : r.commune,
      chain: [
        { role: "primary", contactId: r.primary },
        ...(r.backup ? [{ role: "backup" as const, contactId: r.backup }] : []),
        { role: "duty", contactId: r.duty },
      ],
    })),
    deadlines: Object.fromEntries(URGENCIES.map((u) => [u, table.deadlineMs(u)])) as Record<Urgency, number>,
    dutyOfficer: table.dutyOfficer.id,
  };
}

/**
 * The rows a file asks for, with the chats it does not name kept from the stored directory.
 *
 * Which wins: a contact the file gives a chat id is bound to that chat, replacing what is
 * stored — the file is an administrator's explicit word, and `export` writes the current
 * bindings, so exporting, editing and importing again changes only what was edited. A contact
 * the file gives no chat id keeps the chat stored for it, because chat ids are never typed by a
 * person: a province's file names its slots, officers join them by invitation, and importing
 * the file again must not unbind them. A file cannot empty a slot; an officer leaves it by
 * another invitation (or the contact is removed from the file).
 */
export function keepStoredBindings(
  desired: DirectoryRows,
  current: DirectoryRows | undefined,
): DirectoryRows {
  if (!current) return desired;
  const stored = new Map(current.contacts.map((c) => [c.id, c]));
  return {
    ...desired,
    contacts: desired.contacts.map((c) => {
      const old = stored.get(c.id);
      if (c.chatId !== null || !old || old.chatId === null) return c;
      return { ...c, channel: old.channel, chatId: old.chatId };
    }),
  };
}
