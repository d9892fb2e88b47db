import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { ENGINES, freshDatabase, type TestDatabase } from "../db/engines.js";
import { runDirectoryCli } from "./directory-cli-run.js";

const ROOT = resolve(import.meta.dirname, "../..");
const EXAMPLE = "workers/routing/example-province.yaml";

const directory = runDirectoryCli;

const lastLine = (text: string) => text.trim().split("\n").at(-1);

describe("npm run directory", () => {
  it("explains its usage when the command is wrong (exit 64), before opening any database", async () => {
    const run = await directory({ PG_DATA_DIR: "/nonexistent/never-created" }, "imprt", EXAMPLE);
    expect(run.code).toBe(64);
    expect(run.stderr).toContain("usage: npm run directory -- import <file.yaml|json> [--dry-run]");
    expect((await directory({}, "export", "--dry-run")).code).toBe(64);
  });

  it("lists every problem of a bad file with its path (exit 1), before opening any database", async () => {
    const bad = join(tmpdir(), `ssg-bad-${process.pid}.json`);
    await writeFile(
      bad,
      JSON.stringify({
        province: { id: "Sông Xanh", name: "" },
        communes: [{ id: "xa-a", name: "Xã A" }],
        schools: [{ id: "th-a", name: "Trường Tiểu học A", commune: "xa-b" }],
        contacts: [{ id: "ca-a", name: "Trực ban Công an xã A", channel: "telegram", chatId: 100 }],
        routes: [{ category: "*", commune: "*", primary: "ca-a", duty: "ca-b" }],
        deadlines: { "khan-cap": "soon", "binh-thuong": "4h" },
        dutyOfficer: "ca-a",
      }),
    );
    // The data folder cannot be created: had the CLI opened the database, it would say so.
    const run = await directory({ PG_DATA_DIR: "/proc/no-such-folder" }, "import", bad);
    await rm(bad, { force: true });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    for (const path of [
      "province.id",
      "province.name",
      "schools.0.commune",
      "contacts.0.chatId",
      "routes.0.duty",
      "deadlines.khan-cap",
    ])
      expect(run.stderr).toContain(`\n  ${path}: `);
  });
});

describe.each(ENGINES)("npm run directory on %s", (engine) => {
  let dir: string;
  let place: TestDatabase;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ssg-cli-"));
    place = await freshDatabase(engine);
  });

  afterAll(async () => {
    await place?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it("imports (dry run first, then for real, then again with nothing to do) and exports", async () => {
    const dry = await directory(place.env, "import", EXAMPLE, "--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("communes: 6 added, 0 changed, 0 removed\n  + phuong-an-hoa\n");
    expect(lastLine(dry.stdout)).toMatch(
      /^dry run: 66 changes to the directory of Tỉnh Sông Xanh .*; nothing written$/,
    );

    const done = await directory(place.env, "import", EXAMPLE);
    expect(done.code).toBe(0);
    expect(lastLine(done.stdout)).toMatch(new RegExp(`^imported ${EXAMPLE}: 66 changes written`));

    const again = await directory(place.env, "import", EXAMPLE);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toMatch(/^no changes: the directory of Tỉnh Sông Xanh .* already matches/);

    const path = join(dir, "exported.yaml");
    const exported = await directory(place.env, "export", path);
    expect(exported.code).toBe(0);
    expect(parseYaml(await readFile(path, "utf8"))).toEqual(
      parseYaml(await readFile(join(ROOT, EXAMPLE), "utf8")),
    );
  });
});
