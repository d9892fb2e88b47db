import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { loadRoutingTable } from "../../workers/routing/load.js";
import { RoutingTable, type UnknownPlaceError } from "../../workers/routing/routing-table.js";
import { parseDuration, type RoutingTableError } from "../../workers/routing/schema.js";
import { CATEGORIES } from "../../workers/tip/tip.js";

const EXAMPLE = join(import.meta.dirname, "../../workers/routing/example-province.yaml");

let dir: string;
let example: RoutingTable;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "routing-table-"));
  example = await loadRoutingTable(EXAMPLE);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The error thrown by `fn`, checked by name as the house style asks. */
async function failure<E extends Error>(name: string, fn: () => unknown): Promise<E> {
  try {
    await fn();
  } catch (e) {
    expect((e as Error).name).toBe(name);
    return e as E;
  }
  throw new Error(`expected a ${name}`);
}

const ids = (chain: ReadonlyArray<{ id: string }>) => chain.map((c) => c.id);

/** A small valid table; tests change parts of it. */
function smallTable() {
  return {
    province: { id: "thu", name: "Tỉnh Thử" },
    communes: [
      { id: "xa-a", name: "Xã A" },
      { id: "xa-b", name: "Xã B" },
    ],
    schools: [{ id: "thcs-a", name: "Trường THCS A", commune: "xa-a" }],
    contacts: [
      { id: "tinh", name: "Trực ban Công an tỉnh", channel: "telegram", chatId: "1" },
      { id: "ca-a", name: "Trực ban Công an xã A", channel: "telegram", chatId: "2" },
      { id: "can-bo-a", name: "Cán bộ xã A", channel: "zalo", chatId: "zalo-a" },
      { id: "ma-tuy-tinh", name: "Phòng ma túy", channel: "telegram", chatId: "3" },
      { id: "ma-tuy-a", name: "Tổ ma túy xã A", channel: "telegram", chatId: "4" },
    ],
    routes: [
      { category: "*", commune: "*", primary: "tinh", duty: "tinh" },
      { category: "ma-tuy", commune: "*", primary: "ma-tuy-tinh", duty: "tinh" },
      { category: "*", commune: "xa-a", primary: "ca-a", backup: "can-bo-a", duty: "tinh" },
      { category: "ma-tuy", commune: "xa-a", primary: "ma-tuy-a", backup: "ca-a", duty: "tinh" },
    ] as Array<Record<string, string>>,
    deadlines: { "khan-cap": "30s", "binh-thuong": "1h30m" },
    dutyOfficer: "tinh",
  };
}

describe("the example province", () => {
  it("loads with its communes, schools and contacts", () => {
    expect(example.province.name).toBe("Tỉnh Sông Xanh");
    expect(example.communes).toHaveLength(6);
    expect(example.schools).toHaveLength(12);
    expect(example.dutyOfficer.name).toBe("Trực ban Công an tỉnh Sông Xanh");
    expect(new Set(example.contacts.map((c) => c.channel))).toEqual(new Set(["telegram", "zalo"]));
  });

  it("sends a drug tip at a school to that school's commune police, then the drug unit", () => {
    const r = example.resolve("ma-tuy", { schoolId: "thcs-an-hoa" });
    expect(r.school?.name).toBe("Trường THCS An Hòa");
    expect(r.commune?.id).toBe("phuong-an-hoa");
    expect(r.route).toMatchObject({ category: "ma-tuy", commune: "phuong-an-hoa" });
    expect(ids(r.chain)).toEqual(["ca-an-hoa-truc-ban", "pc04-truc-ban", "ca-tinh-truc-ban"]);
  });

  it("sends a fire tip to the fire police", () => {
    const r = example.resolve("chay-no", { schoolId: "thpt-tran-phu" });
    expect(r.chain[0].name).toMatch(/phòng cháy, chữa cháy/);
    expect(ids(r.chain)).toEqual(["pc07-truc-ban", "ca-dong-tien-truc-ban", "ca-tinh-truc-ban"]);
    // Without a place the province-wide fire route applies.
    expect(example.resolve("chay-no").chain[0].id).toBe("pc07-truc-ban");
    // On the island the local police come first.
    expect(example.resolve("chay-no", { communeId: "dac-khu-hon-ngoc" }).chain[0].id).toBe(
      "ca-hon-ngoc-truc-ban",
    );
  });

  it("sends school violence to the commune police with a named officer as backup", () => {
    const r = example.resolve("bao-luc-hoc-duong", { communeId: "xa-tan-lap" });
    expect(r.route).toMatchObject({ category: "*", commune: "xa-tan-lap" });
    expect(ids(r.chain)).toEqual(["ca-tan-lap-truc-ban", "ca-tan-lap-phuc", "ca-tinh-truc-ban"]);
  });

  it("routes every category in every commune and every school", () => {
    for (const category of CATEGORIES) {
      for (const c of example.communes)
        expect(example.resolve(category, { communeId: c.id }).route).toBeDefined();
      for (const s of example.schools)
        expect(example.resolve(category, { schoolId: s.id }).commune?.id).toBe(s.commune);
    }
  });

  it("gives the deadlines in milliseconds", () => {
    expect(example.deadlineMs("khan-cap")).toBe(10 * 60_000);
    expect(example.deadlineMs("binh-thuong")).toBe(4 * 3_600_000);
  });

  it("authorises listed officers by chat only", () => {
    expect(example.contactByChat("telegram", "100000011")?.id).toBe("ca-an-hoa-truc-ban");
    expect(example.contactByChat("telegram", 100000011)?.id).toBe("ca-an-hoa-truc-ban");
    expect(example.contactByChat("zalo", "zalo-demo-lan")?.id).toBe("ca-song-xanh-lan");
    expect(example.contactByChat("telegram", "999999999")).toBeUndefined();
    expect(example.contactByChat("zalo", "100000011")).toBeUndefined();
    expect(example.contactByChat("web", "100000011")).toBeUndefined();
    expect(example.contactById("pa05-truc-ban")?.channel).toBe("zalo");
    expect(example.contactById("nobody")).toBeUndefined();
  });

  it("finds places typed without diacritics, best first", () => {
    expect(example.searchPlaces("thcs an hoa")[0]?.id).toBe("thcs-an-hoa");
    expect(example.searchPlaces("THCS AN HÒA")[0]?.id).toBe("thcs-an-hoa");
    expect(example.searchPlaces("trung hoc co so an hoa")[0]?.id).toBe("thcs-an-hoa");
    const anHoa = example.searchPlaces("phuong an hoa");
    expect(anHoa[0]).toMatchObject({ kind: "commune", id: "phuong-an-hoa" });
    const school = example.searchPlaces("le quy don")[0];
    expect(school?.kind === "school" && school.commune.id).toBe("phuong-dong-tien");
    expect(example.searchPlaces("hon ng").map((m) => m.id)).toContain("dac-khu-hon-ngoc");
    expect(example.searchPlaces("truong")).toHaveLength(8);
    expect(example.searchPlaces("xyz không có")).toEqual([]);
    expect(example.searchPlaces("  ")).toEqual([]);
  });

  it("knows each contact's area", () => {
    expect(example.areaOf("ca-an-hoa-minh")).toEqual(["phuong-an-hoa"]);
    expect(example.areaOf(example.dutyOfficer)).toEqual(example.communes.map((c) => c.id));
    expect(example.areaOf("pc04-truc-ban")).toHaveLength(6);
    expect(example.areaOf("nobody")).toEqual([]);
  });

  it("loads the same table from JSON", async () => {
    const file = join(dir, "example.json");
    await writeFile(file, JSON.stringify(parseYaml(await readFile(EXAMPLE, "utf8"))));
    const table = await loadRoutingTable(file);
    expect(table.routes).toEqual(example.routes);
  });
});

describe("resolve", () => {
  it("follows the precedence (category, commune) > (*, commune) > (category, *) > (*, *)", () => {
    const t = smallTable();
    const chainFor = (routes: typeof t.routes) => {
      const table = RoutingTable.parse({ ...t, routes });
      return table.resolve("ma-tuy", { communeId: "xa-a" }).chain[0].id;
    };
    const [all, categoryWide, communeWide, exact] = t.routes;
    expect(chainFor([all, categoryWide, communeWide, exact] as typeof t.routes)).toBe("ma-tuy-a");
    expect(chainFor([all, categoryWide, communeWide] as typeof t.routes)).toBe("ca-a");
    expect(chainFor([all, categoryWide] as typeof t.routes)).toBe("ma-tuy-tinh");
    expect(chainFor([all] as typeof t.routes)).toBe("tinh");
  });

  it("falls back to wildcards", () => {
    const table = RoutingTable.parse(smallTable());
    // Xã B has no route of its own.
    expect(ids(table.resolve("ma-tuy", { communeId: "xa-b" }).chain)).toEqual(["ma-tuy-tinh", "tinh"]);
    expect(ids(table.resolve("khac", { communeId: "xa-b" }).chain)).toEqual(["tinh"]);
    // A school resolves through its commune; the school wins over a differing commune.
    const r = table.resolve("khac", { schoolId: "thcs-a", communeId: "xa-b" });
    expect(r.commune?.id).toBe("xa-a");
    expect(ids(r.chain)).toEqual(["ca-a", "can-bo-a", "tinh"]);
    // No place: the province-wide routes.
    expect(ids(table.resolve("ma-tuy").chain)).toEqual(["ma-tuy-tinh", "tinh"]);
    expect(table.resolve("khac", {})).toMatchObject({ commune: undefined, school: undefined });
  });

  it("falls back to the duty officer when a placeless tip has no province-wide route", () => {
    const t = smallTable();
    const table = RoutingTable.parse({
      ...t,
      communes: [t.communes[0]],
      routes: [{ category: "*", commune: "xa-a", primary: "ca-a", duty: "tinh" }],
    });
    const r = table.resolve("khac");
    expect(r.route).toBeUndefined();
    expect(ids(r.chain)).toEqual(["tinh"]);
  });

  it("lists each contact of the chain once", () => {
    const t = smallTable();
    const table = RoutingTable.parse({
      ...t,
      routes: [{ category: "*", commune: "*", primary: "ca-a", backup: "ca-a", duty: "ca-a" }],
    });
    expect(ids(table.resolve("khac", { communeId: "xa-a" }).chain)).toEqual(["ca-a"]);
    const table2 = RoutingTable.parse({
      ...t,
      routes: [{ category: "*", commune: "*", primary: "ca-a", backup: "tinh", duty: "ca-a" }],
    });
    expect(ids(table2.resolve("khac").chain)).toEqual(["ca-a", "tinh"]);
  });

  it("throws UnknownPlaceError for unknown schools and communes", async () => {
    const table = RoutingTable.parse(smallTable());
    const school = await failure<UnknownPlaceError>("UnknownPlaceError", () =>
      table.resolve("khac", { schoolId: "thpt-z" }),
    );
    expect(school).toMatchObject({ kind: "school", id: "thpt-z" });
    const commune = await failure<UnknownPlaceError>("UnknownPlaceError", () =>
      table.resolve("khac", { communeId: "xa-z" }),
    );
    expect(commune).toMatchObject({ kind: "commune", id: "xa-z" });
  });

  it("lets one chat hold two roles", () => {
    const t = smallTable();
    t.contacts.push({ id: "ca-a-2", name: "Xã A, vai trò 2", channel: "telegram", chatId: "2" });
    const table = RoutingTable.parse(t);
    expect(table.contactByChat("telegram", "2")?.id).toBe("ca-a");
    expect(table.contactsByChat("telegram", "2").map((c) => c.id)).toEqual(["ca-a", "ca-a-2"]);
  });
});

describe("parseDuration", () => {
  it("parses seconds, minutes, hours, days and combinations", () => {
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("10m")).toBe(600_000);
    expect(parseDuration("4h")).toBe(14_400_000);
    expect(parseDuration("1d")).toBe(86_400_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
  });

  it("refuses anything else", () => {
    for (const bad of ["", "10", "m", "10 min", "0m", "-5m", "1.5h", "4H"])
      expect(() => parseDuration(bad), bad).toThrow(RangeError);
  });
});

describe("a bad table", () => {
  it("lists every problem with its path", async () => {
    const file = join(dir, "bad.yaml");
    await writeFile(
      file,
      `# several mistakes at once
province: { id: thu, name: Tỉnh Thử }
communes:
  - { id: xa-a, name: Xã A }
  - { id: xa-b, name: Xã B }
  - { id: xa-a, name: Xã A trùng }
schools:
  - { id: thcs-a, name: Trường THCS A, commune: xa-a }
  - { id: thcs-x, name: Trường THCS X, commune: phuong-x }
contacts:
  - { id: tinh, name: Trực ban Công an tỉnh, channel: telegram, chatId: "1" }
  - { id: ca-a, name: Trực ban Công an xã A, channel: telegram, chatId: 2 }
  - { id: ca-b, name: Trực ban Công an xã B, channel: telegram, chatId: "@ca_b" }
routes:
  - { category: "*", commune: xa-a, primary: ca-a, duty: tinh }
  - { category: ma-tuy, commune: xa-b, primary: ca-z, duty: tinh }
  - { category: "*", commune: xa-a, primary: tinh, duty: tinh }
  - { category: trom-cap, commune: xa-a, primary: tinh, duty: tinh, extra: 1 }
deadlines:
  khan-cap: 10 phut
  binh-thuong: 4h
dutyOfficer: nobody
`,
    );
    const error = await failure<RoutingTableError>("RoutingTableError", () => loadRoutingTable(file));
    expect(error.file).toBe(file);
    const paths = error.problems.map((p) => p.path);
    expect(paths).toEqual([
      "communes.2.id", // duplicate id
      "schools.1.commune", // unknown commune
      "contacts.1.chatId", // a number, not a string
      "contacts.2.chatId", // not a Telegram id
      "routes.3.category",
      "routes.3.extra",
      "routes.1.primary", // unknown contact
      "routes.2", // duplicate route
      "routes", // xa-b has no route for the other categories
      "deadlines.khan-cap", // bad duration
      "dutyOfficer",
    ]);
    for (const p of error.problems) expect(error.message).toContain(`${p.path}: ${p.message}`);
    expect(error.message).toContain(file);
    expect(error.message).toContain('schools.1.commune: unknown commune "phuong-x"');
    expect(error.message).toContain('routes.1.primary: unknown contact "ca-z"');
    expect(error.message).toContain('communes.2.id: duplicate id "xa-a", already used at communes.0.id');
    expect(error.message).toMatch(
      /routes: no route for commune "xa-b" and categories bao-luc-hoc-duong, chay-no/,
    );
    expect(error.message).toContain("put the chat id in quotes");
    expect(error.message).toContain('invalid duration "10 phut"');
  });

  it("reports missing and unknown sections and ids shared by a school and a commune", async () => {
    const t = smallTable();
    const { deadlines: _, ...rest } = t;
    const error = await failure<RoutingTableError>("RoutingTableError", () =>
      RoutingTable.parse({ ...rest, schools: [{ id: "xa-a", name: "Trường", commune: "xa-a" }], route: [] }),
    );
    expect(error.problems).toEqual([
      { path: "route", message: expect.stringMatching(/^unknown section/) },
      { path: "schools.0.id", message: 'duplicate id "xa-a", already used at communes.0.id' },
      { path: "deadlines", message: "required" },
    ]);
    expect(error.file).toBe("(inline)");
  });

  it("refuses a document that is not a mapping", async () => {
    const error = await failure<RoutingTableError>("RoutingTableError", () => RoutingTable.parse([1, 2]));
    expect(error.problems[0]?.path).toBe("(file)");
  });

  it("names the file when the YAML does not parse", async () => {
    const file = join(dir, "broken.yaml");
    await writeFile(file, "province: { id: thu, name: Tỉnh Thử\ncommunes: [\n");
    const error = await failure<RoutingTableError>("RoutingTableError", () => loadRoutingTable(file));
    expect(error.file).toBe(file);
    expect(error.message).toContain(file);
    expect(error.message).toContain("invalid YAML");
    expect(error.problems[0]?.path).toMatch(/^line \d+, column \d+$/);
    expect(error.cause).toBeDefined();
  });

  it("names the file when the JSON does not parse, cannot be read or has another extension", async () => {
    const json = join(dir, "broken.json");
    await writeFile(json, '{ "province": ');
    const bad = await failure<RoutingTableError>("RoutingTableError", () => loadRoutingTable(json));
    expect(bad.message).toContain(json);
    expect(bad.message).toContain("invalid JSON");

    const missing = join(dir, "missing.yaml");
    const unreadable = await failure<RoutingTableError>("RoutingTableError", () => loadRoutingTable(missing));
    expect(unreadable.message).toContain(missing);
    expect((unreadable.cause as NodeJS.ErrnoException).code).toBe("ENOENT");

    const toml = join(dir, "table.toml");
    const other = await failure<RoutingTableError>("RoutingTableError", () => loadRoutingTable(toml));
    expect(other.message).toContain("unsupported extension");
  });
});
