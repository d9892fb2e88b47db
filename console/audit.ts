import { and, desc, eq } from "drizzle-orm";
import type { Database } from "../db/client.js";
import { consoleAudit } from "../db/schema.js";
import type { Logger } from "../logger.js";

/** One line of the console's audit. */
export interface ConsoleAuditEntry {
  /** A person id, `contact:<id>`, `operator` or `unknown` (never a chat id). */
  readonly actor: string;
  readonly action: string;
  readonly allowed: boolean;
  readonly tipId?: string;
  readonly detail?: Record<string, unknown>;
}

/** A stored line, as read back. */
export interface StoredConsoleAudit extends ConsoleAuditEntry {
  readonly at: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Who looked at what in the console, and what they did, allowed or refused — written to the
 * directory's database (`console_audit`). A line that cannot be written is logged as an error
 * and the request goes on: the tip's own audit log (Redis) still records every action.
 */
export class ConsoleAudit {
  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {}

  async record(entry: ConsoleAuditEntry): Promise<void> {
    try {
      await this.db.insert(consoleAudit).values({
        actor: entry.actor,
        action: entry.action,
        allowed: entry.allowed,
        tipId: entry.tipId && UUID.test(entry.tipId) ? entry.tipId : null,
        detail: entry.detail ?? null,
      });
    } catch (err) {
      this.logger.error(
        { action: entry.action, allowed: entry.allowed, err: (err as Error).message },
        "console audit line not written",
      );
    }
  }

  /** The latest lines, newest first (for admins and tests), optionally of one tip. */
  async latest(
    opts: { readonly tipId?: string; readonly limit?: number } = {},
  ): Promise<StoredConsoleAudit[]> {
    const rows = await this.db
      .select()
      .from(consoleAudit)
      .where(opts.tipId ? and(eq(consoleAudit.tipId, opts.tipId)) : undefined)
      .orderBy(desc(consoleAudit.id))
      .limit(opts.limit ?? 100);
    return rows.map((r) => ({
      at: r.at,
      actor: r.actor,
      action: r.action,
      allowed: r.allowed,
      ...(r.tipId && { tipId: r.tipId }),
      ...(r.detail !== null && { detail: r.detail as Record<string, unknown> }),
    }));
  }
}
