import { appendFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * The library's audit log, `<library>/audit.jsonl`: one JSON line per change an admin made,
 * with its outcome. Metadata only — never a document's content. The ingest does not read it
 * (`.jsonl` is not a document format).
 */

export const AUDIT_LOG = "audit.jsonl";

export type AuditAction = "confirm" | "set-status" | "remove" | "discard";

export interface AuditRecord {
  /** ISO instant. */
  readonly at: string;
  /** Who made the change, as the caller names them (the console's signed-in admin). */
  readonly by: string;
  readonly action: AuditAction;
  readonly document: string;
  readonly symbol: string | null;
  /**
   * `published`: the new index version is current; `unchanged`: the index already held it;
   * `discarded`: a staged upload dropped before it was confirmed.
   */
  readonly result: "published" | "unchanged" | "failed" | "discarded";
  /** The index version current after the change. */
  readonly version?: string;
  /** set-status: what was set. */
  readonly status?: string;
  readonly replacedBy?: string;
  /** failed: why (the build's reasons). */
  readonly error?: string;
}

export async function appendAudit(library: string, record: AuditRecord): Promise<void> {
  await appendFile(join(library, AUDIT_LOG), `${JSON.stringify(record)}\n`);
}
