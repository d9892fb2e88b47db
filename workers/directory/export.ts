import type { Database } from "../../db/client.js";
import { RoutingTable } from "../routing/routing-table.js";
import { type TableDocument, toDocument, toYaml } from "./document.js";
import { DirectoryEmptyError } from "./errors.js";
import { readDirectory } from "./read.js";

/**
 * The directory as a routing table file. The document goes through the file's validation
 * (`RoutingTable.parse`) before it is written, so whatever is exported imports again.
 */

/** Where a table read from the database says it came from, in logs and errors. */
export const DATABASE_SOURCE = "(directory database)";

/**
 * The stored directory as the file's document, validated.
 * @throws DirectoryEmptyError when nothing was imported yet
 * @throws DirectoryStateError or RoutingTableError when the stored rows do not make a valid table
 */
export async function exportDocument(db: Database): Promise<TableDocument> {
  const stored = await readDirectory(db);
  if (!stored) throw new DirectoryEmptyError();
  const document = toDocument(stored.rows);
  RoutingTable.parse(document, DATABASE_SOURCE);
  return document;
}

/** The stored directory in today's YAML format (see `exportDocument`). */
export async function exportDirectory(db: Database): Promise<string> {
  return toYaml(await exportDocument(db));
}
