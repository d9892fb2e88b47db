import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { type SQL, sql } from "drizzle-orm";
import { drizzle as drizzlePostgres } from "drizzle-orm/node-postgres";
import { migrate as migratePostgres } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import { type LockOptions, lockDataFolder } from "./lock.js";
import { type Schema, schema } from "./schema.js";

/**
 * The database of the directory, on one of two engines with one schema and one set of
 * migrations:
 *  - **PGlite** (PostgreSQL compiled to WebAssembly, in this process) with its data under
 *    `PG_DATA_DIR` (default `data/pg`) — the default, so `npm start` needs nothing installed;
 *    one process at a time (see `lock.ts`);
 *  - **PostgreSQL** at `DATABASE_URL` when it is set (node-postgres), shared by any number of
 *    processes.
 * Pending migrations (`db/migrations/`, written by drizzle-kit) are applied when it opens.
 */

/** The typed database, the same type on both engines. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

/** Which engine a database runs on. */
export type Engine = "pglite" | "postgres";

/** What `openDatabase` reads from the configuration. */
export interface DatabaseConfig {
  /** A postgres:// URL; unset means the embedded PGlite. */
  readonly url?: string;
  /** PGlite's data folder (default `data/pg`). */
  readonly dataDir: string;
}

/** An open database. Close it once; nothing may use `db` afterwards. */
export interface DatabaseHandle {
  readonly db: Database;
  readonly engine: Engine;
  /** The data folder, or the server URL without its password: for logs and messages. */
  readonly location: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PGlite only: what to do if the data folder's lock is lost (see `LockOptions`). */
  readonly onLockCompromised?: LockOptions["onCompromised"];
  /**
   * PostgreSQL only: an idle connection failed (the server restarted, the network dropped). The
   * pool replaces it on the next query; default: ignored.
   */
  readonly onError?: (error: Error) => void;
  /** PostgreSQL only: most connections at once (default 4). */
  readonly maxConnections?: number;
}

/** The database could not be opened or migrated: the server is unreachable, a migration failed… */
export class DatabaseOpenError extends Error {
  override readonly name = "DatabaseOpenError";
  constructor(
    readonly engine: Engine,
    readonly location: string,
    options: { cause: unknown },
  ) {
    super(
      `cannot open the ${engine === "pglite" ? "embedded database in" : "database at"} ${location}: ${
        (options.cause as Error)?.message ?? String(options.cause)
      }`,
      options,
    );
  }
}

/** The folder drizzle-kit writes; copied next to the compiled files by `npm run build`. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("./migrations/", import.meta.url));

// Any constant works: it only keeps two processes from migrating one server at the same time.
const MIGRATION_LOCK = 0x55_47_4d_31; // "SGM1"

/**
 * Runs raw SQL and returns its rows, on either engine (both drivers answer `{ rows }`; the shared
 * `Database` type cannot say so).
 */
export async function queryRows<T extends Record<string, unknown>>(db: Database, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as { rows: T[] };
  return result.rows;
}

/** `postgres://user:***@host/db`: the URL without its password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(invalid URL)";
  }
}

/**
 * Opens the directory's database: PostgreSQL when `config.database.url` is set, else PGlite in
 * `config.database.dataDir` (locked for this process until `close`). Applies pending migrations.
 * @throws DataFolderLockedError when another process holds the PGlite folder
 * @throws DatabaseOpenError when the database cannot be reached or migrated
 */
export async function openDatabase(
  config: { readonly database: DatabaseConfig },
  options: OpenOptions = {},
): Promise<DatabaseHandle> {
  const { url, dataDir } = config.database;
  return url ? openPostgres(url, options) : openPglite(dataDir, options);
}

async function openPglite(dataDir: string, options: OpenOptions): Promise<DatabaseHandle> {
  const release = await lockDataFolder(dataDir, {
    ...(options.onLockCompromised && { onCompromised: options.onLockCompromised }),
  });
  let client: PGlite | undefined;
  try {
    client = await PGlite.create({ dataDir });
    const db = drizzlePglite({ client, schema, casing: "snake_case" });
    await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER });
    const opened = client;
    let closed = false;
    return {
      db,
      engine: "pglite",
      location: dataDir,
      async close() {
        if (closed) return;
        closed = true;
        try {
          await opened.close();
        } finally {
          await release();
        }
      },
    };
  } catch (cause) {
    await client?.close().catch(() => undefined);
    await release();
    throw new DatabaseOpenError("pglite", dataDir, { cause });
  }
}

async function openPostgres(url: string, options: OpenOptions): Promise<DatabaseHandle> {
  const location = redactUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 4 });
  pool.on("error", options.onError ?? (() => undefined));
  try {
    // One connection holds the advisory lock and runs the migrations in its transaction.
    const connection = await pool.connect();
    try {
      const migrator = drizzlePostgres({ client: connection, schema, casing: "snake_case" });
      await migrator.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK})`);
      try {
        await migratePostgres(migrator, { migrationsFolder: MIGRATIONS_FOLDER });
      } finally {
        await migrator.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK})`);
      }
    } finally {
      connection.release();
    }
  } catch (cause) {
    await pool.end().catch(() => undefined);
    throw new DatabaseOpenError("postgres", location, { cause });
  }
  const db = drizzlePostgres({ client: pool, schema, casing: "snake_case" });
  let closed = false;
  return {
    db,
    engine: "postgres",
    location,
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
