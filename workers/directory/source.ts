import { sql } from "drizzle-orm";
import { type Database, queryRows } from "../../db/client.js";
import { RoutingTable } from "../routing/routing-table.js";
import { toDocument } from "./document.js";
import { DirectoryEmptyError } from "./errors.js";
import { DATABASE_SOURCE } from "./export.js";
import type { DirectorySource } from "./live.js";
import { readDirectory } from "./read.js";

/**
 * The directory's database as the live directory reads it: the routing table's document, and
 * the audit's last id as its version (every change of the directory writes an audit row).
 */
export function directorySource(db: Database): DirectorySource {
  return {
    async read() {
      const stored = await readDirectory(db);
      if (!stored) throw new DirectoryEmptyError();
      return toDocument(stored.rows);
    },
    async version() {
      const [row] = await queryRows<{ v: string | number | null }>(
        db,
        sql`select max(id) as v from directory_audit`,
      );
      return String(row?.v ?? 0);
    },
  };
}

/** Builds the table from what `directorySource(db).read()` returned, or its snapshot. */
export function buildDirectory(data: unknown): RoutingTable {
  return RoutingTable.parse(data, DATABASE_SOURCE);
}
