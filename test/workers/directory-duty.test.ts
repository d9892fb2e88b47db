import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify } from "yaml";
import { type DatabaseHandle, openDatabase } from "../../db/client.js";
import { contactBindings, directoryAudit, dutyStatus } from "../../db/schema.js";
import { createLogger } from "../../logger.js";
import {
  createDutyDesk,
  type DutyChangeError,
  dutyRoster,
  formatRoster,
  setDuty,
} from "../../workers/directory/duty.js";
import { exportDocument } from "../../workers/directory/export.js";
import { importDirectory } from "../../workers/directory/import.js";
import { loadRoutingTableFromDb, readRoutingSnapshot } from "../../workers/directory/load.js";
import { buildDirectory, directorySource } from "../../workers/directory/source.js";
import { clearDirectory, ENGINES, freshDatabase, type TestDatabase } from "../db/engines.js";

/**
 * The directory's side of vacant slots and duty status, on both engines: a re-import never
 * unbinds an officer who joined by invitation; duty_status becomes the routing table's overlay;
 * every duty change is audited and announced after its commit.
 */

const EXAMPLE = join(import.meta.dirname, "../../workers/routing/example-province.yaml");
const ACTOR = "test:directory-duty";
const NOW = Date.parse("2026-05-11T09:00:00+07:00");
const HOUR = 3_600_000;

type Doc = { contacts: Array<{ id: string; name: string; channel?: string; chatId?: string }> } & Record<
  string,
  unknown
>;

const ids = (chain: ReadonlyArray<{ id: string }>) => chain.map((c) => c.id);

async function failure<E extends Error>(name: string, fn: () => Promise<unknown>): Promise<E> {
  try {
    await fn();
  } catch (e) {
    expect((e as Error).name).toBe(name);
    return e as E;
  }
  throw new Error(`expected a ${name}`);
}

describe.each(ENGINES)("duty and vacant slots in the directory on %s", (engine) => {
  let dir: string;
  let place: TestDatabase;
  let handle: DatabaseHandle;
  let example: Doc;
  let file = 0;

  async function writeDoc(doc: unknown): Promise<string> {
    const path = join(dir, `table-${++file}.yaml`);
    await writeFile(path, stringify(doc));
    return path;
  }

  /** The example province with the chats of the An Hòa officers left out (as a real province's file). */
  function withoutChats(doc: Doc, drop = ["ca-an-hoa-truc-ban", "ca-an-hoa-minh"]): Doc {
    const copy = structuredClone(doc);
    copy.contacts = copy.contacts.map((c) => (drop.includes(c.id) ? { id: c.id, name: c.name } : c));
    return copy;
  }

  const bindingsOf = (contactId: string) =>
    handle.db
      .select({ channel: contactBindings.channel, chatId: contactBindings.chatId })
      .from(contactBindings)
      .where(eq(contactBindings.contactId, contactId));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ssg-duty-"));
    example = parseYaml(await readFile(EXAMPLE, "utf8")) as Doc;
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

  it("imports vacant slots, keeps a chat bound by invitation on re-import, and lets a file's chat id win", async () => {
    const vacantFile = await writeDoc(withoutChats(example));
    await importDirectory(handle.db, vacantFile, { actor: ACTOR });
    expect(await bindingsOf("ca-an-hoa-minh")).toEqual([]);
    let table = await loadRoutingTableFromDb(handle.db, NOW);
    expect(table.contactById("ca-an-hoa-minh")?.chatId).toBeUndefined();
    // Nobody of An Hòa's own route holds a chat: the backup and the duty desk take the tips.
    expect(ids(table.resolve("khac", { communeId: "phuong-an-hoa" }, NOW).chain)).toEqual([
      "ca-tinh-truc-ban",
    ]);
    expect(ids(table.resolve("ma-tuy", { communeId: "phuong-an-hoa" }, NOW).chain)).toEqual([
      "pc04-truc-ban",
      "ca-tinh-truc-ban",
    ]);

    // The officer joins by invitation (another module writes the binding, as here).
    await handle.db
      .insert(contactBindings)
      .values({ contactId: "ca-an-hoa-minh", channel: "telegram", chatId: "555" });
    // Re-importing the file without chat ids changes nothing and unbinds nobody.
    const again = await importDirectory(handle.db, vacantFile, { actor: ACTOR });
    expect(again).toMatchObject({ changes: 0, written: false });
    expect(await bindingsOf("ca-an-hoa-minh")).toEqual([{ channel: "telegram", chatId: "555" }]);
    table = await loadRoutingTableFromDb(handle.db, NOW);
    expect(table.contactsByChat("telegram", "555").map((c) => c.id)).toEqual(["ca-an-hoa-minh"]);
    expect(ids(table.resolve("khac", { communeId: "phuong-an-hoa" }, NOW).chain)).toEqual([
      "ca-an-hoa-minh",
      "ca-tinh-truc-ban",
    ]);

    // The export writes the chat bound now, and leaves the still vacant slot without one.
    const exported = (await exportDocument(handle.db)) as unknown as Doc;
    expect(exported.contacts.find((c) => c.id === "ca-an-hoa-minh")).toMatchObject({
      channel: "telegram",
      chatId: "555",
    });
    expect(exported.contacts.find((c) => c.id === "ca-an-hoa-truc-ban")).toEqual({
      id: "ca-an-hoa-truc-ban",
      name: "Trực ban Công an phường An Hòa",
    });

    // A file that names a chat id sets it, replacing the invitation's.
    const named = await importDirectory(handle.db, EXAMPLE, { actor: ACTOR });
    expect(named.diff.contacts.changed.map((c) => c.key).sort()).toEqual([
      "ca-an-hoa-minh",
      "ca-an-hoa-truc-ban",
    ]);
    expect(await bindingsOf("ca-an-hoa-minh")).toEqual([{ channel: "telegram", chatId: "100000012" }]);
  });

  it("reads who is off duty into the routing table, and forgets a time off that has passed", async () => {
    await importDirectory(handle.db, EXAMPLE, { actor: ACTOR });
    await setDuty(handle.db, ["ca-an-hoa-truc-ban"], { onDuty: false, by: ACTOR, now: NOW });
    await setDuty(handle.db, ["ca-song-xanh-truc-ban"], {
      onDuty: false,
      until: NOW + HOUR,
      by: ACTOR,
      now: NOW,
    });
    const table = await loadRoutingTableFromDb(handle.db, NOW);
    expect([...table.offDuty]).toEqual([
      ["ca-an-hoa-truc-ban", null],
      ["ca-song-xanh-truc-ban", NOW + HOUR],
    ]);
    expect(ids(table.resolve("khac", { communeId: "phuong-an-hoa" }, NOW).chain)).toEqual([
      "ca-an-hoa-minh",
      "ca-tinh-truc-ban",
    ]);
    expect(ids(table.resolve("khac", { communeId: "phuong-song-xanh" }, NOW).chain)).toEqual([
      "ca-song-xanh-lan",
      "ca-tinh-truc-ban",
    ]);
    // An hour later the second one is back by themself, in the table and in a fresh read.
    expect(ids(table.resolve("khac", { communeId: "phuong-song-xanh" }, NOW + HOUR).chain)[0]).toBe(
      "ca-song-xanh-truc-ban",
    );
    expect((await readRoutingSnapshot(handle.db, NOW + HOUR)).offDuty).toEqual([
      { contactId: "ca-an-hoa-truc-ban", until: null },
    ]);
    // What a live directory reads and keeps in Redis carries the overlay; an older bare document still builds.
    const snapshot = JSON.parse(JSON.stringify(await directorySource(handle.db).read()));
    expect([...buildDirectory(snapshot).offDuty.keys()]).toContain("ca-an-hoa-truc-ban");
    expect(buildDirectory(snapshot.document).offDuty.size).toBe(0);
    // Back on duty.
    await setDuty(handle.db, ["ca-an-hoa-truc-ban"], { onDuty: true, by: ACTOR, now: NOW + 1 });
    expect((await loadRoutingTableFromDb(handle.db, NOW + 1)).offDuty.size).toBe(1);
  });

  it("audits every duty change, announces it after the commit, and never sets the duty desk off", async () => {
    await importDirectory(handle.db, EXAMPLE, { actor: ACTOR });
    const announced: string[] = [];
    const onChange = async () => {
      // Called after the commit: the change is visible from outside the transaction.
      const rows = await handle.db.select().from(dutyStatus);
      announced.push(rows.map((r) => `${r.contactId}:${r.onDuty}`).join(","));
    };
    const result = await setDuty(handle.db, ["ca-an-hoa-truc-ban", "ca-tinh-truc-ban"], {
      onDuty: false,
      until: NOW + 2 * HOUR,
      by: "contact:ca-an-hoa-truc-ban+ca-tinh-truc-ban",
      now: NOW,
      onChange,
    });
    expect(result).toEqual({ changed: ["ca-an-hoa-truc-ban"], refused: ["ca-tinh-truc-ban"] });
    expect(announced).toEqual(["ca-an-hoa-truc-ban:false"]);
    await setDuty(handle.db, ["ca-an-hoa-truc-ban"], { onDuty: true, by: ACTOR, now: NOW + HOUR, onChange });
    expect(announced).toHaveLength(2);
    // Only the duty desk asked: nothing written, nothing announced.
    expect(
      await setDuty(handle.db, ["ca-tinh-truc-ban"], { onDuty: false, by: ACTOR, now: NOW, onChange }),
    ).toEqual({ changed: [], refused: ["ca-tinh-truc-ban"] });
    expect(announced).toHaveLength(2);

    const audit = await handle.db
      .select()
      .from(directoryAudit)
      .where(eq(directoryAudit.entity, "duty"))
      .orderBy(asc(directoryAudit.id));
    expect(
      audit.map((a) => ({
        actor: a.actor,
        action: a.action,
        key: a.entityKey,
        change: a.change,
        before: a.before,
        after: a.after,
      })),
    ).toEqual([
      {
        actor: "contact:ca-an-hoa-truc-ban+ca-tinh-truc-ban",
        action: "duty-off",
        key: "ca-an-hoa-truc-ban",
        change: "added",
        before: null,
        after: { onDuty: false, until: NOW + 2 * HOUR },
      },
      {
        actor: ACTOR,
        action: "duty-on",
        key: "ca-an-hoa-truc-ban",
        change: "changed",
        before: { onDuty: false, until: NOW + 2 * HOUR },
        after: { onDuty: true, until: null },
      },
    ]);
    expect(audit[1]?.at.getTime()).toBe(NOW + HOUR);

    // Refused as a whole, with nothing written: an unknown contact, a time off ending in the past.
    const unknown = await failure<DutyChangeError>("DutyChangeError", () =>
      setDuty(handle.db, ["ca-an-hoa-minh", "nobody"], { onDuty: false, by: ACTOR, now: NOW }),
    );
    expect(unknown).toMatchObject({ reason: "unknown-contact", contactIds: ["nobody"] });
    const past = await failure<DutyChangeError>("DutyChangeError", () =>
      setDuty(handle.db, ["ca-an-hoa-minh"], { onDuty: false, until: NOW, by: ACTOR, now: NOW }),
    );
    expect(past.reason).toBe("until-past");
    expect(
      await handle.db.select().from(dutyStatus).where(eq(dutyStatus.contactId, "ca-an-hoa-minh")),
    ).toEqual([]);
  });

  it("shows an admin who is on duty per commune, and tells an officer who takes their tips", async () => {
    await importDirectory(handle.db, await writeDoc(withoutChats(example, ["ca-hon-ngoc-duc"])), {
      actor: ACTOR,
    });
    const announced: number[] = [];
    const desk = createDutyDesk({
      db: handle.db,
      logger: createLogger("silent"),
      now: () => NOW,
      onChange: () => {
        announced.push(1);
      },
    });
    const off = await desk.set(["ca-an-hoa-truc-ban"], { onDuty: false, until: NOW + HOUR }, ACTOR);
    expect(off.changed).toEqual(["ca-an-hoa-truc-ban"]);
    // Where the duty desk of An Hòa came first: the named officer, the drug and cyber units.
    expect(ids(off.handover)).toEqual(["ca-an-hoa-minh", "pc04-truc-ban", "pa05-truc-ban"]);
    expect(announced).toEqual([1]);
    const minh = await desk.set(["ca-an-hoa-minh"], { onDuty: false }, ACTOR);
    expect(ids(minh.handover)).toEqual(["ca-tinh-truc-ban"]);

    const roster = await dutyRoster(handle.db, NOW);
    expect(roster.dutyOfficer).toMatchObject({ id: "ca-tinh-truc-ban", onDuty: true, vacant: false });
    const anHoa = roster.communes.find((c) => c.id === "phuong-an-hoa");
    expect(anHoa?.contacts.map((e) => [e.id, e.onDuty, e.until])).toEqual([
      ["ca-an-hoa-truc-ban", false, NOW + HOUR],
      ["pc04-truc-ban", true, null],
      ["ca-tinh-truc-ban", true, null],
      ["ca-an-hoa-minh", false, null],
      ["pc07-truc-ban", true, null],
      ["pa05-truc-ban", true, null],
    ]);
    expect(anHoa?.firstNow).toEqual(["pc04-truc-ban", "ca-tinh-truc-ban", "pc07-truc-ban", "pa05-truc-ban"]);
    expect(anHoa?.contacts[0]?.changedAt).toBe(NOW);
    const honNgoc = roster.communes.find((c) => c.id === "dac-khu-hon-ngoc");
    expect(honNgoc?.contacts.find((e) => e.id === "ca-hon-ngoc-duc")).toMatchObject({ vacant: true });
    const lines = formatRoster(roster).join("\n");
    expect(lines).toContain("who is on duty at 2026-05-11 09:00");
    expect(lines).toMatch(/off until 2026-05-11 10:00 +ca-an-hoa-truc-ban/);
    expect(lines).toMatch(/off until back \(\/truc\) +ca-an-hoa-minh/);
    expect(lines).toMatch(/vacant \(nobody joined\) +ca-hon-ngoc-duc/);
    // An hour later the duty desk of An Hòa is back by itself.
    const later = await dutyRoster(handle.db, NOW + HOUR);
    expect(later.communes.find((c) => c.id === "phuong-an-hoa")?.contacts[0]).toMatchObject({
      onDuty: true,
      until: null,
    });
  });
});
