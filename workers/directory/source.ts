import { sql } from "drizzle-orm";
import { type Database, queryRows } from "../../db/client.js";
import type { RoutingTable } from "../routing/routing-table.js";
import type { DirectorySource } from "./live.js";
import { readRoutingSnapshot, routingTableFromSnapshot } from "./load.js";

/**
 * The directory's database as the live directory reads it: the routing table's document with
 * who is off duty (`RoutingSnapshot`), and the audit's last id as its version (every change of
 * the directory, a duty change too, writes an audit row).
 */
export function directorySource(db: Database): DirectorySource {
  return {
    read: () => readRoutingSnapshot(db),
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
  return routingTableFromSnapshot(data);
}
