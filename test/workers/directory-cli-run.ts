import { spawn } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

/** What a run of the CLI printed, and how it exited. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `npm run directory -- …args` in a child process with `env` (the test's database, salt…); no
 * DATABASE_URL or PG_DATA_DIR leaks in from the caller's environment unless `env` sets it.
 */
export function runDirectoryCli(env: Record<string, string>, ...args: string[]): Promise<CliRun> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", "app/directory.ts", ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: "", PG_DATA_DIR: "", ...env },
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
