import { sql } from "drizzle-orm";
import { Redis } from "ioredis";
import type { Config } from "../config.js";
import { type DatabaseHandle, openDatabase, queryRows } from "../db/client.js";
import type { Logger } from "../logger.js";
import { importDirectory } from "../workers/directory/import.js";
import { LiveDirectory } from "../workers/directory/live.js";
import { readDirectory } from "../workers/directory/read.js";
import { buildDirectory, directorySource } from "../workers/directory/source.js";

/** The directory of a running process: its database (when it has one) and the live table. */
export interface DirectoryRuntime {
  /** Absent in `npm run worker` on the embedded default: it reads the snapshot in Redis. */
  readonly database?: DatabaseHandle;
  readonly directory: LiveDirectory;
  /** Whether the database answers now (false without one). */
  databaseUp(): Promise<boolean>;
  close(): Promise<void>;
}

export interface DirectoryRuntimeOptions {
  readonly logger: Logger;
  /**
   * Open the database (default). `npm run worker` passes false on the embedded default: PGlite
   * is held by `npm start`.
   */
  readonly withDatabase?: boolean;
  /** Import `config.tips.routingFile` into an empty directory (`npm start`: the demo province). */
  readonly importWhenEmpty?: boolean;
}

/**
 * Opens the directory's database (applying migrations), imports the routing file into it when
 * it is empty and asked to, and follows the directory from there.
 * @throws DataFolderLockedError, DatabaseOpenError, DirectoryUnavailableError, RoutingTableError
 */
export async function openDirectoryRuntime(
  config: Config,
  options: DirectoryRuntimeOptions,
): Promise<DirectoryRuntime> {
  const { logger } = options;
  const database =
    options.withDatabase === false
      ? undefined
      : await openDatabase(config, {
          onError: (err) => logger.warn({ err: err.message }, "database connection lost; it is replaced"),
          onLockCompromised: (err) => {
            logger.fatal({ err: err.message }, "lost the lock of the embedded database's folder");
            process.exit(70);
          },
        });
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  redis.on("error", (err) => logger.warn({ err: err.message }, "directory: redis error"));
  try {
    if (database && options.importWhenEmpty && !(await readDirectory(database.db))) {
      const result = await importDirectory(database.db, config.tips.routingFile, { actor: "npm-start" });
      logger.info(
        { file: config.tips.routingFile, changes: result.changes },
        "the directory was empty: imported the routing file",
      );
    }
    const directory = await LiveDirectory.open({
      redis,
      prefix: config.tips.prefix,
      ...(database && { source: directorySource(database.db) }),
      build: buildDirectory,
      logger,
    });
    return {
      ...(database && { database }),
      directory,
      async databaseUp() {
        if (!database) return false;
        try {
          await queryRows(database.db, sql`select 1 as up`);
          return true;
        } catch {
          return false;
        }
      },
      async close() {
        await directory.close();
        await redis.quit().catch(() => undefined);
        await database?.close();
      },
    };
  } catch (e) {
    redis.disconnect();
    await database?.close();
    throw e;
  }
}

/**
 * Tells the running processes that the directory changed (the CLI, after a commit): leaves the
 * new snapshot in Redis and publishes. Best effort: when Redis cannot be reached, processes with
 * the database still see the change at their next poll (~10 s); the reason is returned.
 */
export async function announceDirectoryChange(
  config: Config,
  database: DatabaseHandle,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const redis = new Redis(config.redisUrl, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    await LiveDirectory.announce({
      redis,
      prefix: config.tips.prefix,
      source: directorySource(database.db),
      build: buildDirectory,
    });
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  } finally {
    redis.disconnect();
  }
}
