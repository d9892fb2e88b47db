import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../../db/client.js";
import { dutyStatus } from "../../db/schema.js";
import { RoutingTable } from "../routing/routing-table.js";
import { type TableDocument, toDocument } from "./document.js";
import { DirectoryEmptyError } from "./errors.js";
import { DATABASE_SOURCE } from "./export.js";
import { readDirectory } from "./read.js";

/**
 * The routing table the workers route with, built from the directory's tables. It goes through
 * the same validation as a file (`RoutingTable.parse`), so it keeps every invariant a table read
 * from YAML has: known contacts, every category of every commune routed, one duty officer. The
 * duty status of the contacts (`duty_status`) comes with it as the table's duty overlay.
 */

/** Who is off duty, as JSON: contact id and until when (epoch ms), null until they say `/truc`. */
export interface OffDutyEntry {
  readonly contactId: string;
  readonly until: number | null;
}

/**
 * What a routing table is built from, JSON-safe: the file's document and the duty overlay. A
 * live directory keeps it as its snapshot in Redis (`LiveDirectory`: `source.read()` returns it,
 * `build` is `routingTableFromSnapshot`).
 */
export interface RoutingSnapshot {
  readonly document: TableDocument;
  readonly offDuty: readonly OffDutyEntry[];
}

const offDutySchema = z.array(
  z.object({ contactId: z.string(), until: z.number().int().nullable() }).strict(),
);

/** A snapshot that is not one (a damaged or foreign Redis value). */
export class RoutingSnapshotError extends Error {
  override readonly name = "RoutingSnapshotError";
}

/**
 * Reads the directory and who is off duty. A status whose time has passed is left out: that
 * contact is on duty again.
 * @throws DirectoryEmptyError when nothing was imported yet
 * @throws DirectoryStateError when the stored rows cannot be read as a routing table
 */
export async function readRoutingSnapshot(db: Database, now: number = Date.now()): Promise<RoutingSnapshot> {
  const stored = await readDirectory(db);
  if (!stored) throw new DirectoryEmptyError();
  const rows = await db
    .select({ contactId: dutyStatus.contactId, until: dutyStatus.until })
    .from(dutyStatus)
    .where(eq(dutyStatus.onDuty, false));
  const offDuty = rows
    .map((r) => ({ contactId: r.contactId, until: r.until ? r.until.getTime() : null }))
    .filter((r) => r.until === null || r.until > now)
    .sort((a, b) => a.contactId.localeCompare(b.contactId));
  return { document: toDocument(stored.rows), offDuty };
}

/**
 * Builds the table from a snapshot (validating both parts). A bare document — a snapshot left in
 * Redis by a process older than duty status — is read as a table with nobody off duty.
 * @throws RoutingSnapshotError when its `offDuty` is malformed
 * @throws RoutingTableError when its document is not a valid table
 */
export function routingTableFromSnapshot(data: unknown): RoutingTable {
  if (typeof data !== "object" || data === null || !("document" in data))
    return RoutingTable.parse(data, DATABASE_SOURCE);
  const offDuty = offDutySchema.safeParse((data as { offDuty?: unknown }).offDuty);
  if (!offDuty.success)
    throw new RoutingSnapshotError(`routing snapshot: bad offDuty: ${offDuty.error.message}`);
  return RoutingTable.parse((data as { document: unknown }).document, DATABASE_SOURCE, {
    offDuty: new Map(offDuty.data.map((e) => [e.contactId, e.until])),
  });
}

/**
 * Reads the directory into a `RoutingTable`, with who is off duty.
 * @throws DirectoryEmptyError when nothing was imported yet
 * @throws DirectoryStateError or RoutingTableError when the stored rows do not make a valid table
 */
export async function loadRoutingTableFromDb(db: Database, now: number = Date.now()): Promise<RoutingTable> {
  return routingTableFromSnapshot(await readRoutingSnapshot(db, now));
}
