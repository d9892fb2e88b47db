import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_FOLDER } from "../../db/client.js";

const ROOT = resolve(import.meta.dirname, "../..");

describe("db/migrations", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ssg-migrations-"));
    await cp(MIGRATIONS_FOLDER, dir, { recursive: true });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("are what drizzle-kit generates from db/schema.ts (a schema change comes with its migration)", async () => {
    // drizzle-kit puts "./" before --out: give it a path relative to the project.
    const { stdout } = await promisify(execFile)(
      join(ROOT, "node_modules/.bin/drizzle-kit"),
      ["generate", "--dialect", "postgresql", "--schema", "./db/schema.ts", "--casing", "snake_case"].concat(
        "--out",
        relative(ROOT, dir),
      ),
      { cwd: ROOT },
    );
    expect(stdout).toContain("No schema changes");
    expect((await readdir(dir)).sort()).toEqual((await readdir(MIGRATIONS_FOLDER)).sort());
    expect((await readdir(join(dir, "meta"))).sort()).toEqual(
      (await readdir(join(MIGRATIONS_FOLDER, "meta"))).sort(),
    );
  });
});
