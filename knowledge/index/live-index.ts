import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import type { Logger } from "../../logger.js";
import { ReloadGate } from "../../reload-gate.js";
import { currentVersion } from "./index-versions.js";
import { type EmbeddingProvider, KnowledgeIndex } from "./knowledge-index.js";

/**
 * The index every running process answers from: the current version (`index-versions.ts`),
 * replaced when `npm run ingest` publishes another, without a restart.
 *
 * - `npm run ingest` switches `INDEX_DIR/current.json` to the new version, then announces it
 *   (an `IndexChannel`: a Redis key and a pub/sub message). Every process reads the pointer on
 *   the message at once, and also every `pollMs`, so a message lost while Redis was away — or
 *   an ingest that could not reach Redis — delays a change, never loses it.
 * - The new version is loaded fully into memory before it replaces the old one; a version that
 *   fails to load (deleted meanwhile, another embedding) is logged and the old one stays.
 * - A question takes `current` once and finishes on that index, whatever is swapped meanwhile.
 *
 * The pointer is a file: processes that share INDEX_DIR (one machine, or a shared volume) all
 * follow one build. Processes on machines with their own INDEX_DIR each need the ingest run
 * there; the message of any of them makes every process look at its own pointer.
 */

/** How processes tell each other that an index version is current. */
export interface IndexChannel {
  /** Tells every process that `version` is now current. */
  announce(version: string): Promise<void>;
  /** Calls `onVersion` with every version announced, until the returned `close`. */
  subscribe(onVersion: (version: string) => void): Promise<{ close(): Promise<void> }>;
}

/** Redis keys of the index's announcements, under the key prefix (QUEUE_PREFIX). */
export function indexKeys(prefix: string) {
  return { version: `${prefix}:knowledge:version`, channel: `${prefix}:knowledge:changed` };
}

/**
 * The channel over Redis: `<prefix>:knowledge:version` holds the last version announced (what
 * an operator compares with the processes' logs) and `<prefix>:knowledge:changed` carries it.
 * A duplicate of `redis` subscribes.
 */
export function redisIndexChannel(redis: Redis, prefix: string, logger?: Logger): IndexChannel {
  const keys = indexKeys(prefix);
  return {
    async announce(version) {
      await redis.set(keys.version, version);
      await redis.publish(keys.channel, version);
    },
    async subscribe(onVersion) {
      const sub = redis.duplicate();
      sub.on("error", (err) => logger?.warn({ err: err.message }, "index subscriber: redis error"));
      sub.on("message", (_channel: string, version: string) => onVersion(version));
      await sub.subscribe(keys.channel);
      return {
        close: async () => {
          await sub.quit().catch(() => undefined);
        },
      };
    },
  };
}

export interface LiveIndexOptions {
  /** INDEX_DIR. */
  readonly indexDir: string;
  /** The configured embedding; a version built with another is refused (and the old one kept). */
  readonly provider: EmbeddingProvider;
  /** Announcements of new versions; without it, only the poll sees them. */
  readonly channel?: IndexChannel;
  readonly logger: Logger;
  /** How often the pointer is read. Default 30 s; 0 never. */
  readonly pollMs?: number;
}

export interface LiveIndexEvents {
  /** A new version is in use. */
  reloaded: [version: string];
  /** A version could not be loaded; the one in use stays. */
  failed: [error: Error, version: string];
}

/** The current index of a running process. Open it with `LiveIndex.open`. */
export class LiveIndex extends EventEmitter<LiveIndexEvents> {
  #index: KnowledgeIndex;
  #version: string;
  #failedVersion: string | undefined;
  #subscription: { close(): Promise<void> } | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #gate = new ReloadGate(() => this.#reloadOnce());
  #closed = false;

  private constructor(
    private readonly opts: LiveIndexOptions,
    first: { index: KnowledgeIndex; version: string },
  ) {
    super();
    this.#index = first.index;
    this.#version = first.version;
  }

  /**
   * Opens the current version, then follows the announcements and the pointer.
   * @throws IndexMismatchError when there is no index yet, or it was built with another embedding
   */
  static async open(opts: LiveIndexOptions): Promise<LiveIndex> {
    const live = new LiveIndex(opts, await LiveIndex.#load(opts));
    await live.#follow();
    return live;
  }

  static async #load(opts: Pick<LiveIndexOptions, "indexDir" | "provider">) {
    const current = await currentVersion(opts.indexDir);
    // Read through the error KnowledgeIndex.open gives for a folder without an index.
    const directory = current?.directory ?? opts.indexDir;
    return { index: await KnowledgeIndex.open(directory, opts.provider), version: current?.version ?? "" };
  }

  async #follow(): Promise<void> {
    this.#subscription = await this.opts.channel?.subscribe(() => void this.reload());
    const pollMs = this.opts.pollMs ?? 30_000;
    if (pollMs > 0) {
      this.#timer = setInterval(() => {
        // A reload under way reads the newest pointer anyway.
        if (!this.#gate.busy) void this.reload();
      }, pollMs);
      this.#timer.unref();
    }
  }

  /** The index in use now. Take it once per question: it is replaced when a version is published. */
  get current(): KnowledgeIndex {
    return this.#index;
  }

  /** The version in use (`legacy` for an index saved by an older release directly in INDEX_DIR). */
  get version(): string {
    return this.#version;
  }

  /**
   * Reads the pointer and, when it names another version, loads that one and swaps. Concurrent
   * calls share one read, and a call during a read causes one more read after it.
   */
  reload(): Promise<void> {
    return this.#gate.run();
  }

  async #reloadOnce(): Promise<void> {
    let version = "";
    try {
      const current = await currentVersion(this.opts.indexDir);
      if (!current || current.version === this.#version) return;
      version = current.version;
      const index = await KnowledgeIndex.open(current.directory, this.opts.provider);
      if (this.#closed) return;
      const before = this.#version;
      this.#index = index;
      this.#version = version;
      this.#failedVersion = undefined;
      this.opts.logger.info({ version, before, chunks: index.chunks.size }, "knowledge index reloaded");
      this.emit("reloaded", version);
    } catch (e) {
      // Logged once per version: the poll tries again every pollMs.
      if (this.#failedVersion !== version)
        this.opts.logger.error(
          { version, err: (e as Error).message },
          "knowledge index: cannot load the new version; keeping the one in use",
        );
      this.#failedVersion = version;
      this.emit("failed", e as Error, version);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#gate.close();
    await this.#subscription?.close();
  }
}
