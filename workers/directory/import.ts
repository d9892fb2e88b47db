import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.js";
import { loadRoutingTable } from "../routing/load.js";
import type { RoutingTable } from "../routing/routing-table.js";
import { applyDiff } from "./apply.js";
import { countChanges, type DirectoryDiff, diffDirectory } from "./diff.js";
import { readDirectory } from "./read.js";
import { keepStoredBindings, type ProvinceRow, rowsFromTable } from "./rows.js";

/**
 * Imports a routing table file into the directory: the file is validated as `loadRoutingTable`
 * does (every problem with its path), compared with what is stored, and the difference written
 * in one transaction with its audit — or only shown, in a dry run. Importing the same file twice
 * writes nothing the second time. The directory becomes exactly the file: rows the file no
 * longer lists are removed — except chats: a contact the file names without a chat id keeps the
 * chat an officer bound by invitation, and one it names with a chat id is bound to it (see
 * `keepStoredBindings` for why). Duty status is not in the file and is left as it is.
 */

export interface ImportOptions {
  /** Who imports, for the audit, e.g. "cli:root". */
  readonly actor: string;
  /** Compare and report only; write nothing. Default false. */
  readonly dryRun?: boolean;
}

export interface ImportResult {
  readonly province: ProvinceRow;
  readonly diff: DirectoryDiff;
  /** Rows added, changed or removed (see `countChanges`); 0 when the directory already matches. */
  readonly changes: number;
  /** Whether anything was written: false for a dry run and for a file that changes nothing. */
  readonly written: boolean;
  /** The audit batch of the rows written, when something was. */
  readonly batch?: string;
}

// Two imports into one server wait for each other instead of both diffing the same state.
const IMPORT_LOCK = 0x55_47_44_49; // "SGDI"

/**
 * Reads, validates and imports `file` (.yaml, .yml or .json).
 * @throws RoutingTableError listing every problem of the file; nothing is written
 * @throws DirectoryStateError when the stored directory cannot be compared (see `readDirectory`)
 */
export async function importDirectory(
  db: Database,
  file: string,
  options: ImportOptions,
): Promise<ImportResult> {
  const table = await loadRoutingTable(file);
  return importTable(db, table, { ...options, source: file });
}

/** Imports an already validated table; `source` names it in the audit. */
export async function importTable(
  db: Database,
  table: RoutingTable,
  options: ImportOptions & { readonly source: string | null },
): Promise<ImportResult> {
  const fromFile = rowsFromTable(table);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${IMPORT_LOCK})`);
    const stored = await readDirectory(tx);
    const desired = keepStoredBindings(fromFile, stored?.rows);
    const diff = diffDirectory(stored?.rows, desired);
    const changes = countChanges(diff);
    const result = { province: desired.province, diff, changes };
    if (diff.empty || options.dryRun) return { ...result, written: false };
    const batch = randomUUID();
    await applyDiff(tx, stored, desired, diff, {
      batch,
      actor: options.actor,
      action: "import",
      source: options.source,
    });
    return { ...result, written: true, batch };
  });
}
