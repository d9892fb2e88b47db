import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify } from "yaml";
import { type DatabaseHandle, openDatabase, queryRows } from "../../db/client.js";
import { formatDiff } from "../../workers/directory/diff.js";
import { exportDirectory } from "../../workers/directory/export.js";
import { importDirectory } from "../../workers/directory/import.js";
import { loadRoutingTableFromDb } from "../../workers/directory/load.js";
import { directoryIsEmpty } from "../../workers/directory/read.js";
import { loadRoutingTable } from "../../workers/routing/load.js";
import type { RoutingTable } from "../../workers/routing/routing-table.js";
import type { RoutingTableError } from "../../workers/routing/schema.js";
import { CATEGORIES, URGENCIES } from "../../workers/tip/tip.js";
import { clearDirectory, countRows, ENGINES, freshDatabase, type TestDatabase } from "../db/engines.js";

const EXAMPLE = join(import.meta.dirname, "../../workers/routing/example-province.yaml");
const ACTOR = "test:directory-import";

type Doc = {
  province: { id: string; name: string };
  communes: Array<{ id: string; name: string }>;
  schools: Array<{ id: string; name: string; commune: string }>;
  contacts: Array<{ id: string; name: string; channel: string; chatId: string }>;
  routes: Array<Record<string, string>>;
  deadlines: Record<string, string>;
  dutyOfficer: string;
};

/** Every route a tip can take: each category with no place, in each commune and at each school. */
function routesOf(table: RoutingTable) {
  const places = [
    {},
    ...table.communes.map((c) => ({ communeId: c.id })),
    ...table.schools.map((s) => ({ schoolId: s.id })),
  ];
  return CATEGORIES.flatMap((category) =>
    places.map((place) => {
      const r = table.resolve(category, place);
      return {
        category,
        place,
        chain: r.chain.map((c) => `${c.id}@${c.channel}:${c.chatId}`),
        route: r.route,
      };
    }),
  );
}

/** What a table routes with, beyond `resolve`: for comparing a table from the db with one from a file. */
function behaviour(table: RoutingTable) {
  return {
    routes: routesOf(table),
    deadlines: URGENCIES.map((u) => table.deadlineMs(u)),
    duty: table.dutyOfficer,
    communes: table.communes,
    schools: table.schools,
    areas: table.contacts.map((c) => [c.id, table.areaOf(c)]),
    byChat: table.contacts.map((c) =>
      c.channel && c.chatId ? table.contactsByChat(c.channel, c.chatId).map((x) => x.id) : [],
    ),
    search: table.searchPlaces("an hoa"),
  };
}

describe.each(ENGINES)("importing a directory on %s", (engine) => {
  let place: TestDatabase;
  let handle: DatabaseHandle;
  let example: Doc;
  let fromFile: RoutingTable;
  let dir: string;
  let file = 0;

  /** Writes a document as YAML into the test's folder. */
  async function writeDoc(doc: unknown, ext = "yaml"): Promise<string> {
    const path = join(dir, `table-${++file}.${ext}`);
    await writeFile(path, ext === "json" ? JSON.stringify(doc) : stringify(doc));
    return path;
  }

  /** The example province with a few changes of every kind. */
  function changedExample(): Doc {
    const doc = structuredClone(example);
    const commune = doc.communes.find((c) => c.id === "xa-tan-lap");
    if (commune) commune.name = "Xã Tân Lập Mới";
    doc.schools = doc.schools.filter((s) => s.id !== "mn-hoa-binh");
    doc.schools.push({ id: "thcs-hon-ngoc-2", name: "Trường THCS Hòn Ngọc 2", commune: "dac-khu-hon-ngoc" });
    const lan = doc.contacts.find((c) => c.id === "ca-song-xanh-lan");
    if (lan) Object.assign(lan, { channel: "telegram", chatId: "100000099" });
    doc.routes = doc.routes.filter((r) => !(r.category === "chay-no" && r.commune === "xa-hoa-binh"));
    doc.routes.push({
      category: "khac",
      commune: "xa-hoa-binh",
      primary: "ca-hoa-binh-thao",
      duty: "ca-tinh-truc-ban",
    });
    doc.deadlines["khan-cap"] = "15m";
    return doc;
  }

  beforeAll(async () => {
    example = parseYaml(await readFile(EXAMPLE, "utf8")) as Doc;
    fromFile = await loadRoutingTable(EXAMPLE);
    dir = await mkdtemp(join(tmpdir(), "ssg-directory-"));
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

  it("builds from the example province a routing table that routes every tip as the YAML one does", async () => {
    const result = await importDirectory(handle.db, EXAMPLE, { actor: ACTOR });
    expect(result).toMatchObject({ written: true, province: { id: "song-xanh" } });
    const fromDb = await loadRoutingTableFromDb(handle.db);
    expect(routesOf(fromDb)).toHaveLength(CATEGORIES.length * (1 + 6 + 12));
    expect(behaviour(fromDb)).toEqual(behaviour(fromFile));
  });

  it("shows the diff in a dry run and writes nothing", async () => {
    const empty = await importDirectory(handle.db, EXAMPLE, { actor: ACTOR, dryRun: true });
    expect(empty.written).toBe(false);
    expect(empty.diff.communes.added).toHaveLength(6);
    expect(empty.diff.routes.added).toHaveLength(28);
    expect(await directoryIsEmpty(handle.db)).toBe(true);

    await importDirectory(handle.db, EXAMPLE, { actor: ACTOR });
    const before = await exportDirectory(handle.db);
    const audits = await countRows(handle.db, "directory_audit");
    const dry = await importDirectory(handle.db, await writeDoc(changedExample()), {
      actor: ACTOR,
      dryRun: true,
    });
    expect(dry.written).toBe(false);
    expect(dry.diff.communes).toEqual({
      added: [],
      changed: [{ key: "xa-tan-lap", fields: ["name"] }],
      removed: [],
      reordered: false,
    });
    expect(dry.diff.schools).toMatchObject({
      added: ["thcs-hon-ngoc-2"],
      removed: ["mn-hoa-binh"],
      changed: [],
    });
    expect(dry.diff.contacts.changed).toEqual([{ key: "ca-song-xanh-lan", fields: ["channel", "chatId"] }]);
    expect(dry.diff.routes).toMatchObject({ added: ["khac|xa-hoa-binh"], removed: ["chay-no|xa-hoa-binh"] });
    expect(dry.diff.deadlines).toEqual([{ urgency: "khan-cap", from: 600_000, to: 900_000 }]);
    expect(formatDiff(dry.diff)).toEqual([
      "communes: 0 added, 1 changed, 0 removed",
      "  ~ xa-tan-lap (name)",
      "schools: 1 added, 0 changed, 1 removed",
      "  + thcs-hon-ngoc-2",
      "  - mn-hoa-binh",
      "contacts: 0 added, 1 changed, 0 removed",
      "  ~ ca-song-xanh-lan (channel, chatId)",
      "routes: 1 added, 0 changed, 1 removed",
      "  + khac|xa-hoa-binh",
      "  - chay-no|xa-hoa-binh",
      "deadline khan-cap: 10m → 15m",
    ]);
    expect(await exportDirectory(handle.db)).toBe(before);
    expect(await countRows(handle.db, "directory_audit")).toBe(audits);
  });

  it("lists every problem of a bad file with its path, and changes nothing", async () => {
    await importDirectory(handle.db, EXAMPLE, { actor: ACTOR });
    const before = await exportDirectory(handle.db);
    const bad = structuredClone(example) as Doc & { extra?: boolean };
    bad.schools.push({ id: "th-moi", name: "Trường Tiểu học Mới", commune: "xa-khong-co" });
    bad.contacts[0] = { ...(bad.contacts[0] as Doc["contacts"][number]), chatId: "not-a-number" };
    bad.communes.push({ id: "phuong-an-hoa", name: "Phường An Hòa (trùng)" });
    bad.routes.push({
      category: "ma-tuy",
      commune: "xa-moi",
      primary: "ca-khong-co",
      duty: "ca-tinh-truc-ban",
    });
    bad.extra = true;
    const error = await importDirectory(handle.db, await writeDoc(bad, "json"), { actor: ACTOR }).then(
      () => new Error("imported a bad file"),
      (e: Error) => e,
    );
    expect(error.name).toBe("RoutingTableError");
    expect((error as RoutingTableError).problems.map((p) => p.path)).toEqual(
      expect.arrayContaining([
        "extra",
        "contacts.0.chatId",
        "communes.6.id",
        "schools.12.commune",
        "routes.28.primary",
        "routes.28.commune",
      ]),
    );
    expect(await exportDirectory(handle.db)).toBe(before);
  });

  it("changes nothing the second time, and says so", async () => {
    const first = await importDirectory(handle.db, EXAMPLE, { actor: ACTOR });
    expect(first.changes).toBe(66);
    const audits = await countRows(handle.db, "directory_audit");
    expect(audits).toBe(66);
    const second = await importDirectory(handle.db, EXAMPLE, { actor: ACTOR });
    expect(second).toMatchObject({ changes: 0, written: false });
    expect(second.diff.empty).toBe(true);
    expect(formatDiff(second.diff)).toEqual([]);
    expect(await countRows(handle.db, "directory_audit")).toBe(audits);
  });

  it("applies a changed file, audits each change and routes as the new file does", async () => {
    await importDirectory(handle.db, EXAMPLE, { actor: ACTOR });
    const path = await writeDoc(changedExample());
    const result = await importDirectory(handle.db, path, { actor: ACTOR });
    expect(result).toMatchObject({ written: true, changes: 7 });
    expect(behaviour(await loadRoutingTableFromDb(handle.db))).toEqual(
      behaviour(await loadRoutingTable(path)),
    );
    const audit = await queryRows<{ entity: string; entity_key: string; change: string; actor: string }>(
      handle.db,
      sql`select entity, entity_key, change, actor from directory_audit where batch = ${result.batch} order by id`,
    );
    expect(audit.map((a) => `${a.change} ${a.entity} ${a.entity_key}`).sort()).toEqual(
      [
        "changed commune xa-tan-lap",
        "added school thcs-hon-ngoc-2",
        "removed school mn-hoa-binh",
        "changed contact ca-song-xanh-lan",
        "added route khac|xa-hoa-binh",
        "removed route chay-no|xa-hoa-binh",
        "changed deadline khan-cap",
      ].sort(),
    );
    expect(new Set(audit.map((a) => a.actor))).toEqual(new Set([ACTOR]));
    // The old chat is released: one binding per contact, the new one.
    const bindings = await queryRows<{ channel: string; chat_id: string }>(
      handle.db,
      sql`select channel, chat_id from contact_bindings where contact_id = 'ca-song-xanh-lan'`,
    );
    expect(bindings).toEqual([{ channel: "telegram", chat_id: "100000099" }]);
    expect((await importDirectory(handle.db, path, { actor: ACTOR })).changes).toBe(0);
  });

  it("leaves the directory as it was when writing fails halfway", async () => {
    await importDirectory(handle.db, EXAMPLE, { actor: ACTOR });
    const before = await exportDirectory(handle.db);
    const audits = await countRows(handle.db, "directory_audit");
    // The new route's chain is written after the communes, schools and contacts have changed.
    await handle.db.execute(sql`create function fail_steps() returns trigger language plpgsql as $$
      begin raise exception 'refused by the test'; end $$`);
    await handle.db.execute(
      sql`create trigger fail_steps before insert on route_steps for each row execute function fail_steps()`,
    );
    try {
      await expect(
        importDirectory(handle.db, await writeDoc(changedExample()), { actor: ACTOR }),
      ).rejects.toThrow();
    } finally {
      await handle.db.execute(sql`drop trigger fail_steps on route_steps`);
      await handle.db.execute(sql`drop function fail_steps`);
    }
    expect(await exportDirectory(handle.db)).toBe(before);
    expect(await countRows(handle.db, "directory_audit")).toBe(audits);
  });

  it("replaces the province when a file names another", async () => {
    await importDirectory(handle.db, EXAMPLE, { actor: ACTOR });
    const other = structuredClone(example);
    other.province = { id: "song-do", name: "Tỉnh Sông Đỏ" };
    other.communes = other.communes.filter((c) => c.id !== "dac-khu-hon-ngoc");
    other.schools = other.schools.filter((s) => s.commune !== "dac-khu-hon-ngoc");
    other.routes = other.routes.filter((r) => r.commune !== "dac-khu-hon-ngoc");
    const path = await writeDoc(other);
    const result = await importDirectory(handle.db, path, { actor: ACTOR });
    expect(formatDiff(result.diff)[0]).toBe(
      "province: ~ song-xanh (Tỉnh Sông Xanh) → song-do (Tỉnh Sông Đỏ)",
    );
    expect(await countRows(handle.db, "provinces")).toBe(1);
    expect(behaviour(await loadRoutingTableFromDb(handle.db))).toEqual(
      behaviour(await loadRoutingTable(path)),
    );
  });
});
