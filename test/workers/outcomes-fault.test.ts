import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../db/client.js";
import { createLogger } from "../../logger.js";
import { importDirectory } from "../../workers/directory/import.js";
import { LiveDirectory } from "../../workers/directory/live.js";
import { buildDirectory, directorySource } from "../../workers/directory/source.js";
import { countRows } from "../db/engines.js";
import { RecordingMessenger } from "../fakes/recording-messenger.js";
import { missingTool } from "../requirements.js";
import { EXAMPLE_ROUTING, exampleRouting, NO_DEADLINES, type TestRuntime, testRuntime } from "./harness.js";

const run = promisify(execFile);

/** Debian's PostgreSQL binaries (`/usr/lib/postgresql/<version>/bin`), newest version first. */
function postgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, "bin")).find((bin) => existsSync(join(bin, "pg_ctl")));
}

const BIN = postgresBin();
const skip = missingTool("initdb and pg_ctl", BIN !== undefined, "apt-get install postgresql");
// initdb and the server refuse to run as root: as root, run them as the postgres user.
const AS_ROOT = process.getuid?.() === 0;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A private PostgreSQL server in a temp folder, started and stopped by the test. */
class PrivateServer {
  constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private async pg(tool: string, args: string[]): Promise<void> {
    const command = join(BIN as string, tool);
    if (AS_ROOT) await run("runuser", ["-u", "postgres", "--", command, ...args]);
    else await run(command, args);
  }

  async init(): Promise<void> {
    if (AS_ROOT) execFileSync("chown", ["postgres", this.dir]);
    await this.pg("initdb", ["-D", join(this.dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8"]);
  }

  async start(): Promise<void> {
    const options = `-k ${this.dir} -p ${this.port} -c listen_addresses=127.0.0.1`;
    await this.pg("pg_ctl", [
      "-D",
      join(this.dir, "data"),
      "-l",
      join(this.dir, "log"),
      "-o",
      options,
      "-w",
      "start",
    ]);
    // Ready when it takes a connection: a bounded number of attempts, not a sleep.
    for (let attempt = 0; ; attempt++) {
      const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 2000 });
      try {
        await client.connect();
        await client.query("select 1");
        return;
      } catch (e) {
        if (attempt >= 50) throw e;
        await run(join(BIN as string, "pg_isready"), [
          "-h",
          "127.0.0.1",
          "-p",
          String(this.port),
          "-t",
          "1",
        ]).catch(() => undefined);
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  }

  async stop(): Promise<void> {
    await this.pg("pg_ctl", ["-D", join(this.dir, "data"), "-m", "fast", "-w", "stop"]);
  }
}

describe.skipIf(skip)("statistics rows while PostgreSQL is down (needs initdb and pg_ctl)", () => {
  let server: PrivateServer;
  let handle: DatabaseHandle;
  let rt: TestRuntime;
  let running = false;

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), "ssg-pg-fault-"));
    await chmod(dir, 0o755);
    server = new PrivateServer(dir, await freePort());
    await server.init();
    await server.start();
    running = true;
    handle = await openDatabase({ database: { url: server.url, dataDir: "(unused)" } });
    rt = await testRuntime(undefined, {}, {}, await exampleRouting(NO_DEADLINES), {
      database: handle.db,
      drainOutcomes: false,
    });
  }, 120_000);

  afterAll(async () => {
    await rt?.dispose();
    await handle?.close();
    if (running) await server.stop().catch(() => undefined);
    if (server) await rm(server.dir, { recursive: true, force: true });
  }, 120_000);

  it("keeps a tip closed during the outage in the Redis outbox and writes it once the server is back", async () => {
    const { tipId } = await rt.intake.submit(
      {
        category: "bao-luc-hoc-duong",
        urgency: "binh-thuong",
        place: { schoolId: "thpt-tran-phu" },
        description: "Nhóm học sinh chặn đánh bạn ở cổng sau.",
      },
      { channel: "telegram", chatId: "777000666", userId: "777000666" },
    );
    await server.stop();
    running = false;

    // The close does not need the database.
    const closed = await rt.triage.close({ channel: "telegram", chatId: "100000031" }, tipId, "co-co-so");
    expect(closed.status).toBe("closed");
    expect(await rt.outcomes.pending()).toBe(1);
    await expect(rt.outcomes.flush()).rejects.toMatchObject({ name: "OutboxFlushError", pending: 1 });
    await expect(rt.outcomes.flush()).rejects.toMatchObject({ name: "OutboxFlushError" });
    expect(await rt.outcomes.pending()).toBe(1);

    await server.start();
    running = true;
    expect(await rt.outcomes.flush()).toEqual({ written: 1, removed: 1 });
    expect(await rt.outcomes.pending()).toBe(0);
    expect(await countRows(handle.db, "tip_outcomes")).toBe(1);
  });
});

describe.skipIf(skip)("routing while PostgreSQL is down (needs initdb and pg_ctl)", () => {
  let server: PrivateServer;
  let handle: DatabaseHandle;
  let rt: TestRuntime;
  let live: LiveDirectory;
  let redis: Redis;
  let running = false;
  const messenger = new RecordingMessenger();

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), "ssg-pg-fault-"));
    await chmod(dir, 0o755);
    server = new PrivateServer(dir, await freePort());
    await server.init();
    await server.start();
    running = true;
    handle = await openDatabase({ database: { url: server.url, dataDir: "(unused)" } });
    await importDirectory(handle.db, EXAMPLE_ROUTING, { actor: "test" });
    redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
    live = await LiveDirectory.open({
      redis,
      prefix: `test-live-${process.pid}-${server.port}`,
      source: directorySource(handle.db),
      build: buildDirectory,
      logger: createLogger("silent"),
      pollMs: 0,
    });
    rt = await testRuntime(messenger, {}, {}, live, { database: handle.db, drainOutcomes: false });
  }, 120_000);

  afterAll(async () => {
    await rt?.dispose();
    await live?.close();
    const keys = await redis.keys(`test-live-${process.pid}-${server.port}:*`);
    if (keys.length) await redis.del(...keys);
    await redis?.quit();
    await handle?.close();
    if (running) await server.stop().catch(() => undefined);
    if (server) await rm(server.dir, { recursive: true, force: true });
  }, 120_000);

  it("delivers a tip on the last good directory, and its statistics row appears after recovery", async () => {
    await server.stop();
    running = false;
    await live.reload();
    expect(live.stale()).toBe(true);

    const { tipId, caseCode } = await rt.intake.submit(
      {
        category: "ma-tuy",
        urgency: "binh-thuong",
        place: { schoolId: "thcs-an-hoa" },
        description: "Có người lạ bán kẹo cho học sinh ở cổng sau.",
      },
      { channel: "telegram", chatId: "777000667", userId: "777000667" },
    );
    // The commune's duty desk of the example province, as the directory said before the outage.
    const desk = live.contactById("ca-an-hoa-truc-ban")?.chatId as string;
    await messenger.waitFor(() => messenger.to(desk).some((m) => m.text.includes(caseCode)), 60_000);

    await rt.triage.acknowledge({ channel: "telegram", chatId: desk }, tipId);
    await rt.triage.close({ channel: "telegram", chatId: desk }, tipId, "co-co-so");
    expect(await rt.outcomes.pending()).toBe(1);
    await expect(rt.outcomes.flush()).rejects.toMatchObject({ name: "OutboxFlushError" });
    // /thongke says the figures cannot be read now, rather than failing.
    await expect(
      rt.triage.statisticsFor({ channel: "telegram", chatId: desk }, 0, Date.now(), { from: "a", to: "b" }),
    ).rejects.toMatchObject({ name: "TriageRefusedError", reason: "unavailable" });

    await server.start();
    running = true;
    await live.reload();
    expect(live.stale()).toBe(false);
    expect(await rt.outcomes.flush()).toEqual({ written: 1, removed: 1 });
    expect(await countRows(handle.db, "tip_outcomes")).toBe(1);
  });
});
