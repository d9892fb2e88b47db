import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import type { Database } from "../../db/client.js";
import { tipOutcomes } from "../../db/schema.js";
import type { Logger } from "../../logger.js";
import { type OutcomeRow, outcomeRowSchema } from "./outcome-row.js";

/** Writing the outbox to the database failed; every entry not written is still in the outbox. */
export class OutboxFlushError extends Error {
  override readonly name = "OutboxFlushError";
  constructor(
    /** Entries left in the outbox. */
    readonly pending: number,
    options: { cause: unknown },
  ) {
    super(
      `cannot write tip outcomes to the database: ${(options.cause as Error)?.message ?? options.cause}`,
      options,
    );
  }
}

export interface OutcomeOutboxOptions {
  /** Where rows go. Without it the outbox only collects (`flush` throws). */
  readonly db?: Database;
  readonly logger?: Logger;
  /** Entries read and inserted per statement. Default 500. */
  readonly batchSize?: number;
  /** How often the drain loop looks when nobody kicked it, ms. Default 5000. */
  readonly pollMs?: number;
  /** First wait after a failed flush, doubled each time up to `maxBackoffMs`. Default 1000. */
  readonly backoffMs?: number;
  /** Default 60 000. */
  readonly maxBackoffMs?: number;
}

export interface OutcomeOutboxEvents {
  /** A flush by the drain loop committed `written` new rows and removed `removed` entries. */
  flushed: [{ written: number; removed: number }];
  /** A flush by the drain loop failed; the next try is in `retryInMs`. */
  failed: [{ error: OutboxFlushError; retryInMs: number }];
}

/**
 * The statistics rows of closed tips, on their way from Redis to `tip_outcomes`.
 *
 * Closing a tip puts its row in a Redis hash under the tips prefix (`<prefix>:outcomes:outbox`,
 * field = the row's random id) in the same atomic step as the close (`entry`, given to
 * `TipStore.transition`), so a closed tip always has its row even when PostgreSQL is down.
 * `flush` inserts them with `on conflict (id) do nothing` and removes an entry only after its
 * insert committed: a crash in between writes it again, harmlessly. A hash has no order, and a
 * batch is inserted sorted by the random id, so neither the outbox nor the table's physical order
 * tells in which order tips were closed.
 *
 * Any process with the database open may run the drain loop (`start`); several may, the insert
 * being idempotent. Triage `kick`s it after a close; otherwise it looks every `pollMs`.
 */
export class OutcomeOutbox extends EventEmitter<OutcomeOutboxEvents> {
  readonly key: string;
  private readonly invalidKey: string;
  private loop: Promise<void> | undefined;
  private stopped = true;
  private wake: (() => void) | undefined;
  private kicked = false;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly options: OutcomeOutboxOptions = {},
  ) {
    super();
    this.key = `${prefix}:outcomes:outbox`;
    this.invalidKey = `${prefix}:outcomes:invalid`;
  }

  /** The outbox entry of a row, for `TipStore.transition`. */
  entry(row: OutcomeRow): { key: string; field: string; value: string } {
    return { key: this.key, field: row.id, value: JSON.stringify(outcomeRowSchema.parse(row)) };
  }

  /** Rows waiting to be written. */
  async pending(): Promise<number> {
    return this.redis.hlen(this.key);
  }

  /**
   * Writes every row waiting now to the database and removes them from the outbox. Returns how
   * many rows were new to the table and how many entries were removed (more than `written`
   * when a row had been written before). An entry that is not a valid row (never made by this
   * code) is moved to `<prefix>:outcomes:invalid` and logged.
   * @throws OutboxFlushError when the database refuses or cannot be reached; nothing is lost
   */
  async flush(): Promise<{ written: number; removed: number }> {
    const db = this.options.db;
    if (!db) throw new OutboxFlushError(await this.pending(), { cause: new Error("no database given") });
    const batch = this.options.batchSize ?? 500;
    let written = 0;
    let removed = 0;
    let cursor = "0";
    do {
      const [next, flat] = await this.redis.hscan(this.key, cursor, "COUNT", batch);
      cursor = next;
      const rows: OutcomeRow[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const field = flat[i] as string;
        const row = parseEntry(flat[i + 1] as string);
        if (row && row.id === field) rows.push(row);
        else await this.quarantine(field, flat[i + 1] as string);
      }
      if (rows.length === 0) continue;
      rows.sort((a, b) => a.id.localeCompare(b.id));
      try {
        const inserted = await db
          .insert(tipOutcomes)
          .values(rows)
          .onConflictDoNothing({ target: tipOutcomes.id })
          .returning({ id: tipOutcomes.id });
        written += inserted.length;
      } catch (cause) {
        throw new OutboxFlushError(await this.pending().catch(() => -1), { cause });
      }
      removed += await this.redis.hdel(this.key, ...rows.map((r) => r.id));
    } while (cursor !== "0");
    return { written, removed };
  }

  private async quarantine(field: string, value: string): Promise<void> {
    await this.redis.multi().hset(this.invalidKey, field, value).hdel(this.key, field).exec();
    this.options.logger?.error(
      { key: this.invalidKey },
      "tip outcome outbox: an invalid entry was set aside",
    );
  }

  /** Wakes the drain loop now (after a close), instead of at its next poll. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /**
   * Starts the drain loop: flush, then wait for a kick or `pollMs`; after a failure wait
   * `backoffMs`, doubled up to `maxBackoffMs`, and try again. Emits "flushed" and "failed".
   */
  start(): this {
    if (this.loop) return this;
    this.stopped = false;
    this.loop = this.run();
    return this;
  }

  /** Stops the drain loop, after the flush in progress if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  private async run(): Promise<void> {
    const initial = this.options.backoffMs ?? 1000;
    const max = this.options.maxBackoffMs ?? 60_000;
    let failures = 0;
    while (!this.stopped) {
      this.kicked = false;
      let wait = this.options.pollMs ?? 5000;
      try {
        const result = await this.flush();
        failures = 0;
        if (result.removed > 0 || result.written > 0) this.emit("flushed", result);
      } catch (e) {
        failures += 1;
        wait = Math.min(max, initial * 2 ** (failures - 1));
        const error =
          e instanceof Error && e.name === "OutboxFlushError"
            ? (e as OutboxFlushError)
            : new OutboxFlushError(-1, { cause: e });
        this.options.logger?.warn(
          { err: error.message, pending: error.pending, retryInMs: wait },
          "tip outcomes not written yet; kept in the outbox",
        );
        this.emit("failed", { error, retryInMs: wait });
      }
      // A kick during a failure's backoff does not cut it short: the database is still down.
      if (this.stopped || (this.kicked && failures === 0)) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, wait);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wake = failures === 0 ? done : () => (this.stopped ? done() : undefined);
      });
      this.wake = undefined;
    }
  }
}

function parseEntry(value: string): OutcomeRow | undefined {
  try {
    const parsed = outcomeRowSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
