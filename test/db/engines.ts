import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import pg from "pg";
import { type Database, type DatabaseConfig, queryRows } from "../../db/client.js";

/**
 * Every database test runs on both engines: PGlite in a fresh temp folder, and the PostgreSQL
 * server at 127.0.0.1:5432 (`PG_TEST_URL` to use another) in a fresh `ssg_test_<random>`
 * database made on its `postgres` database and dropped afterwards. A server that cannot be
 * reached fails the server variant with the reason; it is never skipped.
 */

export const ENGINES = ["pglite", "postgres"] as const;
export type TestEngine = (typeof ENGINES)[number];

/** The server's maintenance database, where test databases are created and dropped. */
export const SERVER_URL = process.env.PG_TEST_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** A fresh, empty place for a database, and how to throw it away. */
export interface TestDatabase {
  readonly config: { readonly database: DatabaseConfig };
  /** The folder (PGlite) or the database's URL (server), for child processes' environment. */
  readonly env: Record<string, string>;
  drop(): Promise<void>;
}

async function serverClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (e) {
    const reason =
      `PostgreSQL is not reachable at ${SERVER_URL} (${(e as Error).message || (e as NodeJS.ErrnoException).code}): ` +
      "the server variant of the directory tests needs it. Start it (pg_ctlcluster 15 main start) " +
      "or set PG_TEST_URL to a server where this user may create databases.";
    console.error(reason);
    throw new Error(reason, { cause: e });
  }
  return client;
}

/**
 * A PGlite cluster just created (initdb, no table), made once per PGlite version and copied for
 * each test: creating one takes ~10 s, copying it a few milliseconds. `lock.test.ts` still opens
 * a folder that does not exist yet, so `openDatabase`'s own creation stays tested.
 */
async function pgliteTemplate(): Promise<string> {
  const manifest = join(import.meta.dirname, "../../node_modules/@electric-sql/pglite/package.json");
  const { version } = JSON.parse(await readFile(manifest, "utf8")) as { version: string };
  const template = join(tmpdir(), `ssg-pglite-template-${version}`);
  if (existsSync(join(template, "PG_VERSION"))) return template;
  const partial = `${template}.${process.pid}.tmp`;
  const client = await PGlite.create({ dataDir: partial });
  await client.close();
  try {
    await rename(partial, template);
  } catch {
    // Another test process made it first.
    await rm(partial, { recursive: true, force: true });
  }
  return template;
}

/** A fresh empty database on `engine`. Call `drop` after closing every handle on it. */
export async function freshDatabase(engine: TestEngine): Promise<TestDatabase> {
  if (engine === "pglite") {
    const dir = await mkdtemp(join(tmpdir(), "ssg-pglite-"));
    const dataDir = join(dir, "pg");
    await cp(await pgliteTemplate(), dataDir, { recursive: true });
    return {
      config: { database: { dataDir } },
      env: { PG_DATA_DIR: dataDir, DATABASE_URL: "" },
      drop: () => rm(dir, { recursive: true, force: true }),
    };
  }
  const name = `ssg_test_${randomBytes(6).toString("hex")}`;
  const admin = await serverClient();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return {
    config: { database: { url: url.toString(), dataDir: "(unused)" } },
    env: { DATABASE_URL: url.toString() },
    async drop() {
      const client = await serverClient();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Empties every directory table (between tests of one file). */
export async function clearDirectory(db: Database): Promise<void> {
  await db.execute(
    sql`TRUNCATE provinces, communes, schools, contacts, contact_bindings, routes, route_steps, deadlines, duty_officer, directory_audit, people, person_bindings, person_roles, invitations, duty_status, tip_outcomes RESTART IDENTITY`,
  );
}

/** Rows in a table, by SQL name. */
export async function countRows(db: Database, table: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from ${sql.identifier(table)}`,
  );
  return row?.n ?? -1;
}
