import type { Database } from "../../db/client.js";
import { RoutingTable } from "../routing/routing-table.js";
import { toDocument } from "./document.js";
import { DirectoryEmptyError } from "./errors.js";
import { DATABASE_SOURCE } from "./export.js";
import { readDirectory } from "./read.js";

/**
 * The routing table the workers route with, built from the directory's tables. It goes through
 * the same validation as a file (`RoutingTable.parse`), so it keeps every invariant a table read
 * from YAML has: known contacts, every category of every commune routed, one duty officer.
 */

/**
 * Reads the directory into a `RoutingTable`.
 * @throws DirectoryEmptyError when nothing was imported yet
 * @throws DirectoryStateError or RoutingTableError when the stored rows do not make a valid table
 */
export async function loadRoutingTableFromDb(db: Database): Promise<RoutingTable> {
  const stored = await readDirectory(db);
  if (!stored) throw new DirectoryEmptyError();
  return RoutingTable.parse(toDocument(stored.rows), DATABASE_SOURCE);
}
