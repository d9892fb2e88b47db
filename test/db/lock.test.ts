import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../db/client.js";
import { LOCK_NAME, LOCK_STALE_MS, lockDataFolder } from "../../db/lock.js";

const ROOT = resolve(import.meta.dirname, "../..");

/** Runs the directory CLI; resolves with its exit code and output. */
function cli(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((ok, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", "app/directory.ts", ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d;
    });
    child.on("error", fail);
    child.on("close", (code) => ok({ code, stdout, stderr }));
  });
}

describe("the embedded database's data folder", () => {
  let dir: string;
  let dataDir: string;
  let held: DatabaseHandle | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ssg-lock-"));
    dataDir = join(dir, "pg");
    held = await openDatabase({ database: { dataDir } });
  });

  afterAll(async () => {
    await held?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("is refused to a second opener while the first holds it", async () => {
    const error = await openDatabase({ database: { dataDir } }).then(
      () => new Error("opened twice"),
      (e: Error) => e,
    );
    expect(error.name).toBe("DataFolderLockedError");
    expect(error.message).not.toContain("\n");
    expect(error.message).toContain(dataDir);
    expect(error.message).toMatch(/npm start/);
    expect(error.message).toMatch(/DATABASE_URL/);
  });

  it("is refused to the directory CLI in another process, with one line naming the fix", async () => {
    const run = await cli(["export"], { PG_DATA_DIR: dataDir });
    expect(run.code).toBe(69);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/open in another process.*stop it, or set DATABASE_URL/);
  });

  it("opens again once the holder has closed it", async () => {
    await held?.close();
    held = undefined;
    const again = await openDatabase({ database: { dataDir } });
    await again.close();
  });

  it("is taken over from a process that died holding it, once the lock is stale", async () => {
    const other = join(dir, "crashed");
    // What a killed process leaves: the lock, no longer refreshed.
    await mkdir(join(other, LOCK_NAME), { recursive: true });
    await expect(lockDataFolder(other)).rejects.toMatchObject({ name: "DataFolderLockedError" });
    const old = new Date(Date.now() - LOCK_STALE_MS - 5_000);
    await utimes(join(other, LOCK_NAME), old, old);
    const release = await lockDataFolder(other);
    await release();
  });
});
