import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { Logger } from "../../logger.js";
import { ReloadGate } from "../../reload-gate.js";
import type { PlaceMatch } from "../routing/place-search.js";
import type { RouteChain, Routing, RoutingTable } from "../routing/routing-table.js";
import type { Channel, Urgency } from "../tip/tip.js";

/**
 * The directory as every running process sees it: the last good routing table, replaced when
 * the directory changes.
 *
 * - A process with the database (`npm start`; `npm run worker` with DATABASE_URL) reads the
 *   directory from it, and leaves a snapshot of what it read in Redis.
 * - A process without it (`npm run worker` beside an `npm start` that holds the embedded PGlite
 *   folder) reads that snapshot.
 * - Whoever changes the directory (the CLI, an invitation accepted in the bot, an officer going
 *   off duty) calls `changed()` after the commit: a Redis pub/sub message makes every process
 *   reload at once. Processes with the database also look at the audit's latest id every
 *   `pollMs`, so a message lost while Redis was away delays a change, never loses it.
 * - When the database cannot be read, routing goes on with the last good table (`stale()` says
 *   so, `/healthz` reports it as degraded) and the next reload or poll picks it up again.
 *
 * A tip in flight keeps its route: the route stage stores the chain of contact ids in the tip,
 * and escalation follows that chain whatever the directory says later.
 */

/** Where the directory comes from. */
export interface DirectorySource {
  /** The directory as plain JSON-safe data, e.g. the document of `readDirectory`. */
  read(): Promise<unknown>;
  /** A cheap fingerprint of the stored directory that changes with every change (the audit's last id). */
  version(): Promise<string>;
}

/** No table could be had: no database answered and Redis holds no snapshot. */
export class DirectoryUnavailableError extends Error {
  override readonly name = "DirectoryUnavailableError";
}

export interface LiveDirectoryOptions {
  /** Commands (snapshot, publish). A duplicate of it subscribes. */
  readonly redis: Redis;
  /** The key prefix (QUEUE_PREFIX): one directory per prefix. */
  readonly prefix: string;
  /** The database; absent in processes that only read the snapshot. */
  readonly source?: DirectorySource;
  /** Builds a table from what `source.read()` returned (validating it). */
  readonly build: (data: unknown) => RoutingTable;
  readonly logger: Logger;
  /** How often processes with the database compare the directory's version. Default 10 s; 0 never. */
  readonly pollMs?: number;
}

const snapshotSchema = z.object({ version: z.string(), at: z.number(), data: z.unknown() });
type Snapshot = z.infer<typeof snapshotSchema>;

export interface LiveDirectoryEvents {
  /** A new table is in use. */
  reloaded: [source: "database" | "snapshot"];
  /** A reload failed; the last good table stays in use. */
  failed: [error: Error];
}

/**
 * A `Routing` that always answers from the current table. Open it with `LiveDirectory.open`.
 */
export class LiveDirectory extends EventEmitter<LiveDirectoryEvents> implements Routing {
  #table: RoutingTable;
  #version: string;
  #stale = false;
  #subscriber: Redis | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #gate = new ReloadGate(() => this.#reloadOnce());

  private constructor(
    private readonly opts: LiveDirectoryOptions,
    first: { table: RoutingTable; version: string; stale: boolean },
  ) {
    super();
    this.#table = first.table;
    this.#version = first.version;
    this.#stale = first.stale;
  }

  private static keys(prefix: string) {
    return { snapshot: `${prefix}:directory:snapshot`, channel: `${prefix}:directory:changed` };
  }

  /**
   * Reads the directory (from the source, else the snapshot), then follows its changes.
   * @throws DirectoryUnavailableError when neither gives a table
   */
  static async open(opts: LiveDirectoryOptions): Promise<LiveDirectory> {
    const first = await LiveDirectory.#first(opts);
    const live = new LiveDirectory(opts, first);
    await live.#follow();
    return live;
  }

  static async #first(opts: LiveDirectoryOptions) {
    let cause: unknown;
    if (opts.source)
      try {
        return { ...(await LiveDirectory.#fromSource(opts, opts.source)), stale: false };
      } catch (e) {
        cause = e;
        opts.logger.error(
          { err: (e as Error).message },
          "cannot read the directory from the database; trying the snapshot in Redis",
        );
      }
    const snap = await LiveDirectory.#readSnapshot(opts);
    if (snap)
      return { table: opts.build(snap.data), version: snap.version, stale: opts.source !== undefined };
    throw new DirectoryUnavailableError(
      opts.source
        ? `the directory cannot be read from the database and Redis holds no snapshot of it: ${(cause as Error)?.message}`
        : "Redis holds no snapshot of the directory: start `npm start` (it reads the database and leaves one), or give this process DATABASE_URL",
      { cause },
    );
  }

  static async #fromSource(
    opts: Pick<LiveDirectoryOptions, "redis" | "prefix" | "build">,
    source: DirectorySource,
  ) {
    const version = await source.version();
    const data = await source.read();
    const table = opts.build(data);
    const snapshot: Snapshot = { version, at: Date.now(), data };
    await opts.redis.set(LiveDirectory.keys(opts.prefix).snapshot, JSON.stringify(snapshot));
    return { table, version };
  }

  static async #readSnapshot(
    opts: Pick<LiveDirectoryOptions, "redis" | "prefix">,
  ): Promise<Snapshot | undefined> {
    const raw = await opts.redis.get(LiveDirectory.keys(opts.prefix).snapshot);
    if (!raw) return undefined;
    const parsed = snapshotSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  }

  async #follow(): Promise<void> {
    const sub = this.opts.redis.duplicate();
    sub.on("error", (err) =>
      this.opts.logger.warn({ err: err.message }, "directory subscriber: redis error"),
    );
    sub.on("message", () => void this.reload());
    await sub.subscribe(LiveDirectory.keys(this.opts.prefix).channel);
    this.#subscriber = sub;
    const pollMs = this.opts.pollMs ?? 10_000;
    if (this.opts.source && pollMs > 0) {
      this.#timer = setInterval(() => void this.#poll(), pollMs);
      this.#timer.unref();
    }
  }

  async #poll(): Promise<void> {
    // A reload under way reads the newest version anyway.
    if (!this.#gate.busy) await this.reload();
  }

  #markStale(error: Error): void {
    if (!this.#stale)
      this.opts.logger.error({ err: error.message }, "directory: keeping the last good table");
    this.#stale = true;
    this.emit("failed", error);
  }

  /**
   * Reads the directory again and swaps the table. Concurrent calls share one read, and a call
   * during a read causes one more read after it (the change it announces may be newer).
   */
  reload(): Promise<void> {
    return this.#gate.run();
  }

  async #reloadOnce(): Promise<void> {
    try {
      const source = this.opts.source;
      if (source) {
        // The announcing process already read this version; so did the poll that found it.
        if (!this.#stale && (await source.version()) === this.#version) return;
        const { table, version } = await LiveDirectory.#fromSource(this.opts, source);
        this.#swap(table, version, "database");
      } else {
        const snap = await LiveDirectory.#readSnapshot(this.opts);
        if (!snap) throw new DirectoryUnavailableError("the directory's snapshot is gone from Redis");
        if (snap.version !== this.#version) this.#swap(this.opts.build(snap.data), snap.version, "snapshot");
      }
    } catch (e) {
      this.#markStale(e as Error);
    }
  }

  #swap(table: RoutingTable, version: string, from: "database" | "snapshot"): void {
    if (this.#stale) this.opts.logger.info("directory: read again after a failure");
    this.#table = table;
    this.#version = version;
    this.#stale = false;
    this.opts.logger.info({ from, version }, "directory reloaded");
    this.emit("reloaded", from);
  }

  /**
   * Tells every process that the directory changed; call it after the commit. This process reads
   * the directory first (leaving the snapshot the others without a database will read), then
   * announces it.
   */
  async changed(): Promise<void> {
    await this.reload();
    await LiveDirectory.#publish(this.opts, this.#version);
  }

  /**
   * What `changed()` does, for a process that changes the directory without following it (the
   * CLI): reads the directory, leaves its snapshot in Redis, and tells every process.
   */
  static async announce(
    opts: Pick<LiveDirectoryOptions, "redis" | "prefix" | "build"> & { readonly source: DirectorySource },
  ): Promise<void> {
    const { version } = await LiveDirectory.#fromSource(opts, opts.source);
    await LiveDirectory.#publish(opts, version);
  }

  static async #publish(
    opts: Pick<LiveDirectoryOptions, "redis" | "prefix">,
    version: string,
  ): Promise<void> {
    await opts.redis.publish(LiveDirectory.keys(opts.prefix).channel, version);
  }

  /** Whether the table in use may be out of date: the last read of the database failed. */
  stale(): boolean {
    return this.#stale;
  }

  /** The table in use now. Do not keep it: ask again, it is replaced on every change. */
  get current(): RoutingTable {
    return this.#table;
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#gate.close();
    await this.#subscriber?.quit().catch(() => undefined);
  }

  // Routing, answered by the current table.
  get province() {
    return this.#table.province;
  }
  get communes() {
    return this.#table.communes;
  }
  get schools() {
    return this.#table.schools;
  }
  get contacts() {
    return this.#table.contacts;
  }
  get routes() {
    return this.#table.routes;
  }
  get dutyOfficer() {
    return this.#table.dutyOfficer;
  }
  resolve(...args: Parameters<RoutingTable["resolve"]>): RouteChain {
    return this.#table.resolve(...args);
  }
  deadlineMs(urgency: Urgency): number {
    return this.#table.deadlineMs(urgency);
  }
  contactById(id: string) {
    return this.#table.contactById(id);
  }
  contactByChat(channel: Channel, chatId: string | number) {
    return this.#table.contactByChat(channel, chatId);
  }
  contactsByChat(channel: Channel, chatId: string | number) {
    return this.#table.contactsByChat(channel, chatId);
  }
  areaOf(contact: Parameters<RoutingTable["areaOf"]>[0]) {
    return this.#table.areaOf(contact);
  }
  covers(...args: Parameters<RoutingTable["covers"]>) {
    return this.#table.covers(...args);
  }
  searchPlaces(text: string, limit?: number): PlaceMatch[] {
    return this.#table.searchPlaces(text, limit);
  }
}
