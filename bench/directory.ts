/**
 * The directory's database: how long opening takes (creating the PGlite cluster, applying the
 * migrations, reopening), importing the example province, a second import with nothing to do,
 * and building the routing table from the tables; and the memory PGlite costs.
 *   npx tsx bench/directory.ts [pglite|postgres] [repeats=5]
 * postgres uses a fresh database on BENCH_PG_URL (default the server at 127.0.0.1:5432), dropped
 * afterwards. One engine per process, so that PGlite's memory does not count for the server.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { type DatabaseConfig, type DatabaseHandle, openDatabase } from "../db/client.js";
import { importDirectory } from "../workers/directory/import.js";
import { loadRoutingTableFromDb } from "../workers/directory/load.js";
import { peakRssMb, type Row, report } from "./measure.js";

const engine = process.argv[2] === "postgres" ? "postgres" : "pglite";
const repeats = Number(process.argv[3] ?? 5);
const EXAMPLE = join(import.meta.dirname, "../workers/routing/example-province.yaml");
const SERVER = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await fn();
  return [value, ms(t0)];
}

async function place(): Promise<{ database: DatabaseConfig; drop: () => Promise<void> }> {
  if (engine === "pglite") {
    const dir = await mkdtemp(join(tmpdir(), "ssg-bench-pg-"));
    return { database: { dataDir: join(dir, "pg") }, drop: () => rm(dir, { recursive: true, force: true }) };
  }
  const name = `ssg_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return {
    database: { url: url.toString(), dataDir: "(unused)" },
    async drop() {
      const c = new pg.Client({ connectionString: SERVER });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

const target = await place();
const rows: Row[] = [];
const rssBefore = mb(process.memoryUsage().rss);
try {
  let [handle, createMs]: [DatabaseHandle, number] = await timed(() => openDatabase(target));
  const rssOpen = mb(process.memoryUsage().rss);
  rows.push({ scenario: "directory", variant: `${engine}: create + migrate`, ms: createMs, rssMb: rssOpen });
  const [first, importMs] = await timed(() => importDirectory(handle.db, EXAMPLE, { actor: "bench" }));
  rows.push({
    scenario: "directory",
    variant: `${engine}: import example (${first.changes} rows)`,
    ms: importMs,
  });
  const again: number[] = [];
  const load: number[] = [];
  for (let i = 0; i < repeats; i++) {
    again.push((await timed(() => importDirectory(handle.db, EXAMPLE, { actor: "bench" })))[1]);
    load.push((await timed(() => loadRoutingTableFromDb(handle.db)))[1]);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  rows.push({
    scenario: "directory",
    variant: `${engine}: import again (no change), median`,
    ms: median(again),
  });
  rows.push({
    scenario: "directory",
    variant: `${engine}: loadRoutingTableFromDb, median`,
    ms: median(load),
  });
  const reopen: number[] = [];
  for (let i = 0; i < repeats; i++) {
    await handle.close();
    const [h, t] = await timed(() => openDatabase(target));
    handle = h;
    reopen.push(t);
  }
  rows.push({
    scenario: "directory",
    variant: `${engine}: reopen (migrations up to date), median`,
    ms: median(reopen),
    rssMb: mb(process.memoryUsage().rss),
    peakRssMb: peakRssMb(),
  });
  await handle.close();
} finally {
  await target.drop();
}
console.table(rows.map(({ scenario: _s, ...r }) => r));
report(rows, { engine, rssBeforeOpenMb: rssBefore, node: process.version });
