import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { type DatabaseHandle, openDatabase } from "../../db/client.js";
import { formatDuration } from "../../workers/directory/document.js";
import { exportDirectory } from "../../workers/directory/export.js";
import { importDirectory } from "../../workers/directory/import.js";
import { loadRoutingTableFromDb } from "../../workers/directory/load.js";
import { parseDuration } from "../../workers/routing/schema.js";
import { clearDirectory, ENGINES, freshDatabase, type TestDatabase } from "../db/engines.js";

const EXAMPLE = join(import.meta.dirname, "../../workers/routing/example-province.yaml");
const ACTOR = "test:directory-export";

type Entry = Record<string, unknown>;
type Doc = Record<string, unknown> & Record<"communes" | "schools" | "contacts" | "routes", Entry[]>;

const keyOf = (e: Entry) => (e.id === undefined ? `${e.category}|${e.commune}` : String(e.id));

/** The document with every list sorted by its key: equal documents modulo ordering. */
function sorted(doc: Doc): Doc {
  const out = { ...doc };
  for (const list of ["communes", "schools", "contacts", "routes"] as const)
    out[list] = [...doc[list]].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  return out;
}

describe("durations", () => {
  it("are written as parseDuration reads them", () => {
    for (const text of ["30s", "10m", "4h", "1d", "1h30m", "2d3h4m5s"])
      expect(formatDuration(parseDuration(text))).toBe(text);
    expect(() => formatDuration(1500)).toThrow(RangeError);
  });
});

describe.each(ENGINES)("exporting the directory on %s", (engine) => {
  let dir: string;
  let place: TestDatabase;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ssg-export-"));
    place = await freshDatabase(engine);
    handle = await openDatabase(place.config);
  });

  beforeEach(async () => {
    await clearDirectory(handle.db);
  });

  afterAll(async () => {
    await handle?.close();
    await place?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it("writes the example province back as it was imported (export → import round-trips)", async () => {
    await importDirectory(handle.db, EXAMPLE, { actor: ACTOR });
    const yaml = await exportDirectory(handle.db);
    const original = parseYaml(await readFile(EXAMPLE, "utf8")) as Doc;
    const exported = parseYaml(yaml) as Doc;
    expect(sorted(exported)).toEqual(sorted(original));
    // Menus follow the file's order, so the export keeps it too.
    expect(exported).toEqual(original);
    expect(yaml).toContain('chatId: "100000001"');

    const path = join(dir, `${engine}-export.yaml`);
    await writeFile(path, yaml);
    const again = await importDirectory(handle.db, path, { actor: ACTOR });
    expect(again).toMatchObject({ changes: 0, written: false });
  });

  it("refuses to export an empty directory, saying how to fill it", async () => {
    await expect(exportDirectory(handle.db)).rejects.toMatchObject({
      name: "DirectoryEmptyError",
      message: expect.stringContaining("npm run directory -- import"),
    });
    await expect(loadRoutingTableFromDb(handle.db)).rejects.toMatchObject({ name: "DirectoryEmptyError" });
  });
});
