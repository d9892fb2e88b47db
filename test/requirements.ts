import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * What some tests need beyond npm packages, and what happens when it is missing.
 *
 * A missing tool (redis-server, Chromium) skips its tests with a reason on stderr — unless
 * `REQUIRE_TOOLS=1`, which `.ci/run` sets after installing them: then the file fails, so CI
 * cannot go green with those tests skipped. Missing data (the `../shared` checkout beside the
 * project) always just skips, with its reason: a plain clone of the project has none.
 */

/** True when a tool's tests are to be skipped: says why, or throws under `REQUIRE_TOOLS=1`. */
export function missingTool(tool: string, present: boolean, install: string): boolean {
  if (present) return false;
  const reason = `${tool} not found (${install})`;
  if (process.env.REQUIRE_TOOLS === "1")
    throw new Error(`${reason}; REQUIRE_TOOLS=1, so its tests fail instead of being skipped`);
  console.warn(`skipped: ${reason}`);
  return true;
}

/** True when test data is absent, its tests to be skipped; says which path is missing. */
export function missingData(path: string, what: string): boolean {
  if (existsSync(path)) return false;
  console.warn(`skipped: ${what} — ${path} not found`);
  return true;
}

/** Whether a command runs (`<command> --version` exits 0). */
export function hasCommand(command: string): boolean {
  try {
    execFileSync(command, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
