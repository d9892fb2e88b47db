import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Database } from "../db/client.js";
import { applyDiff } from "../workers/directory/apply.js";
import { countChanges, type DirectoryDiff, diffDirectory } from "../workers/directory/diff.js";
import { type TableDocument, toDocument } from "../workers/directory/document.js";
import { DirectoryEmptyError } from "../workers/directory/errors.js";
import { readDirectory } from "../workers/directory/read.js";
import { keepStoredBindings, rowsFromTable } from "../workers/directory/rows.js";
import { RoutingTable } from "../workers/routing/routing-table.js";
import type { RoutingTableProblem } from "../workers/routing/schema.js";

/**
 * An admin's edit of the directory from the console, through the YAML import's own path: the
 * stored directory as the file's document (what `npm run directory -- export` writes), the edit
 * applied to it, the result validated by the routing table's schema (every problem with its
 * path in the document), then diffed and written in one transaction with its `directory_audit`
 * rows. A refused edit writes nothing. Chats are never edited here: a contact keeps the chat
 * its officer bound by invitation (`keepStoredBindings`), and a new one is a vacant slot.
 */

// The import's lock (workers/directory/import.ts): an edit and an import, or two edits, wait for
// each other instead of both changing the same state.
const IMPORT_LOCK = 0x55_47_44_49; // "SGDI"

/** Where the audit says an edit came from (an import names its file there). */
export const CONSOLE_SOURCE = "console";

/** Changes the document in place; throws `DirectoryTargetError` when what it edits is not there. */
export type DocumentEdit = (document: TableDocument) => void;

/** The edited document does not make a valid routing table; nothing was written. */
export class DirectoryEditError extends Error {
  override readonly name = "DirectoryEditError";
  constructor(
    readonly problems: readonly RoutingTableProblem[],
    /** The document as the edit left it, to name what each problem's path points at. */
    readonly document: TableDocument,
    /** The document before the edit (names of what the edit removed). */
    readonly before: TableDocument,
    options?: { cause?: unknown },
  ) {
    super(
      `the edit makes an invalid directory: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`,
      options,
    );
  }
}

/** The commune, school, contact or route an edit names does not exist. */
export class DirectoryTargetError extends Error {
  override readonly name = "DirectoryTargetError";
  constructor(
    readonly list: "communes" | "schools" | "contacts" | "routes",
    readonly key: string,
  ) {
    super(`no ${list} entry "${key}" in the directory`);
  }
}

export interface EditResult {
  readonly diff: DirectoryDiff;
  /** Rows added, changed or removed; 0 when the edit changed nothing. */
  readonly changes: number;
  readonly written: boolean;
  readonly batch?: string;
}

/**
 * Applies `edit` to the stored directory and writes the difference, audited as `action` by
 * `actor` (a person id or "operator", never a chat id).
 * @throws DirectoryEditError listing every problem of the edited document
 * @throws DirectoryTargetError when the edit names something the directory lacks
 * @throws DirectoryEmptyError when nothing was imported yet
 */
export async function editDirectory(
  db: Database,
  edit: DocumentEdit,
  audit: { readonly actor: string; readonly action: string },
): Promise<EditResult> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${IMPORT_LOCK})`);
    const stored = await readDirectory(tx);
    if (!stored) throw new DirectoryEmptyError();
    const before = toDocument(stored.rows);
    const document = structuredClone(before);
    edit(document);
    let table: RoutingTable;
    try {
      table = RoutingTable.parse(document, CONSOLE_SOURCE);
    } catch (e) {
      if ((e as Error).name !== "RoutingTableError") throw e;
      throw new DirectoryEditError((e as { problems: RoutingTableProblem[] }).problems, document, before, {
        cause: e,
      });
    }
    const desired = keepStoredBindings(rowsFromTable(table), stored.rows);
    const diff = diffDirectory(stored.rows, desired);
    const changes = countChanges(diff);
    if (diff.empty) return { diff, changes, written: false };
    const batch = randomUUID();
    await applyDiff(tx, stored, desired, diff, {
      batch,
      actor: audit.actor,
      action: audit.action,
      source: CONSOLE_SOURCE,
    });
    return { diff, changes, written: true, batch };
  });
}

// ---------------------------------------------------------------------------------------------
// Edits of the document's lists. Values are put in as given: the routing schema judges them.

type ListName = "communes" | "schools" | "contacts";

/** Index of the entry `id` in a list, or DirectoryTargetError. */
function indexOf(document: TableDocument, list: ListName, id: string): number {
  const at = (document[list] as Array<{ id: unknown }>).findIndex((e) => e.id === id);
  if (at < 0) throw new DirectoryTargetError(list, id);
  return at;
}

/** Appends an entry to a list (the schema refuses an id already used). */
export const addEntry =
  (list: ListName, entry: Record<string, unknown>): DocumentEdit =>
  (document) => {
    (document[list] as unknown[]).push(entry);
  };

/** Sets fields of the entry `id`; its id and (for a contact) its chat stay as they are. */
export const changeEntry =
  (list: ListName, id: string, fields: Record<string, unknown>): DocumentEdit =>
  (document) => {
    const items = document[list] as unknown as Record<string, unknown>[];
    const at = indexOf(document, list, id);
    items[at] = { ...items[at], ...fields, id };
  };

/** Removes the entry `id` (the schema refuses it while a school, route or the duty desk names it). */
export const removeEntry =
  (list: ListName, id: string): DocumentEdit =>
  (document) => {
    const at = indexOf(document, list, id);
    document[list].splice(at, 1);
  };

/** The key of a route in URLs and the API: "category|commune", "*" for any. */
export const routeKeyOf = (r: { category: unknown; commune: unknown }) =>
  `${String(r.category)}|${String(r.commune)}`;

function routeIndex(document: TableDocument, key: string): number {
  const at = document.routes.findIndex((r) => routeKeyOf(r) === key);
  if (at < 0) throw new DirectoryTargetError("routes", key);
  return at;
}

/** The route's contacts as the file writes them: no `backup` key when there is none. */
function routeEntry(r: Record<string, unknown>): Record<string, unknown> {
  const { backup, ...rest } = r;
  return backup === undefined || backup === null || backup === "" ? rest : { ...rest, backup };
}

export const addRoute =
  (route: Record<string, unknown>): DocumentEdit =>
  (document) => {
    document.routes.push(routeEntry(route) as never);
  };

/** Sets the contacts of the route `key` (its category and commune stay). */
export const changeRoute =
  (key: string, contacts: Record<string, unknown>): DocumentEdit =>
  (document) => {
    const at = routeIndex(document, key);
    const { category, commune } = document.routes[at] as { category: string; commune: string };
    document.routes[at] = routeEntry({ category, commune, ...contacts }) as never;
  };

export const removeRoute =
  (key: string): DocumentEdit =>
  (document) => {
    document.routes.splice(routeIndex(document, key), 1);
  };

/** The province's duty desk and the deadlines to acknowledge (each optional). */
export const changeSettings =
  (settings: { dutyOfficer?: unknown; deadlines?: Record<string, unknown> }): DocumentEdit =>
  (document) => {
    if (settings.dutyOfficer !== undefined) document.dutyOfficer = settings.dutyOfficer as string;
    if (settings.deadlines)
      document.deadlines = { ...document.deadlines, ...settings.deadlines } as TableDocument["deadlines"];
  };
