import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createLogger } from "../../logger.js";
import {
  type DirectorySource,
  DirectoryUnavailableError,
  LiveDirectory,
} from "../../workers/directory/live.js";
import { RoutingTable } from "../../workers/routing/routing-table.js";
import { EXAMPLE_ROUTING } from "./harness.js";

/**
 * The live directory against the real Redis, with a stand-in for the database whose document,
 * version and availability the test controls (the database side is covered by the directory and
 * end-to-end tests).
 */

class FakeDatabase implements DirectorySource {
  down = false;
  version_ = 1;
  constructor(public doc: Record<string, unknown>) {}
  async read(): Promise<unknown> {
    if (this.down) throw new Error("connection refused");
    return structuredClone(this.doc);
  }
  async version(): Promise<string> {
    if (this.down) throw new Error("connection refused");
    return String(this.version_);
  }
  /** Changes the duty desk's chat, as accepting an invitation would. */
  rebind(contactId: string, chatId: string): void {
    const contacts = this.doc.contacts as Array<Record<string, string>>;
    const c = contacts.find((x) => x.id === contactId);
    if (!c) throw new Error(`no contact ${contactId}`);
    c.chatId = chatId;
    this.version_++;
  }
}

const build = (data: unknown) => RoutingTable.parse(data, "test");
const logger = createLogger("silent");
const opened: Array<{ close(): Promise<unknown> }> = [];
let prefix: string;
let redis: Redis;

async function exampleDoc(): Promise<Record<string, unknown>> {
  return parse(await readFile(EXAMPLE_ROUTING, "utf8")) as Record<string, unknown>;
}

async function open(source?: DirectorySource): Promise<LiveDirectory> {
  const live = await LiveDirectory.open({ redis, prefix, source, build, logger, pollMs: 0 });
  opened.push(live);
  return live;
}

async function setup() {
  prefix = `test-${randomUUID()}`;
  redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  opened.push({ close: () => redis.quit() });
}

afterEach(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  for (const o of opened.splice(0).reverse()) await o.close();
});

describe("the live directory", () => {
  it("reads the database, and a process without one reads the snapshot it left in Redis", async () => {
    await setup();
    const db = new FakeDatabase(await exampleDoc());
    const bot = await open(db);
    const worker = await open();
    expect(worker.contacts.map((c) => c.id)).toEqual(bot.contacts.map((c) => c.id));
    expect(worker.resolve("ma-tuy", { schoolId: "thcs-an-hoa" }).chain.map((c) => c.id)).toEqual(
      bot.resolve("ma-tuy", { schoolId: "thcs-an-hoa" }).chain.map((c) => c.id),
    );
    expect(bot.stale()).toBe(false);
  });

  it("a change announced by one process reaches the others without a restart", async () => {
    await setup();
    const db = new FakeDatabase(await exampleDoc());
    const bot = await open(db);
    const replica = await open(db);
    const worker = await open();
    const desk = bot.dutyOfficer.id;
    expect(worker.contactById(desk)?.chatId).not.toBe("424242");

    db.rebind(desk, "424242");
    const seen = Promise.all([once(replica, "reloaded"), once(worker, "reloaded")]);
    await bot.changed();
    await seen;
    for (const p of [bot, replica, worker]) {
      expect(p.contactById(desk)?.chatId).toBe("424242");
      expect(p.contactByChat("telegram", "424242")?.id).toBe(desk);
    }
  });

  it("the CLI announces a change it made without following the directory", async () => {
    await setup();
    const db = new FakeDatabase(await exampleDoc());
    const worker = await (async () => {
      await open(db);
      return open();
    })();
    const desk = worker.dutyOfficer.id;
    db.rebind(desk, "777");
    const seen = once(worker, "reloaded");
    await LiveDirectory.announce({ redis, prefix, source: db, build });
    expect(await seen).toEqual(["snapshot"]);
    expect(worker.contactById(desk)?.chatId).toBe("777");
  });

  it("keeps routing with the last good table while the database is down, and says so", async () => {
    await setup();
    const db = new FakeDatabase(await exampleDoc());
    const bot = await open(db);
    const before = bot.resolve("chay-no", { schoolId: "thcs-an-hoa" }).chain.map((c) => c.id);

    db.down = true;
    const failed = once(bot, "failed");
    await bot.reload();
    await failed;
    expect(bot.stale()).toBe(true);
    expect(bot.resolve("chay-no", { schoolId: "thcs-an-hoa" }).chain.map((c) => c.id)).toEqual(before);

    // A process starting now gets the snapshot, marked stale.
    const late = await open(db);
    expect(late.stale()).toBe(true);
    expect(late.contacts).toHaveLength(bot.contacts.length);

    db.down = false;
    db.rebind(bot.dutyOfficer.id, "999");
    await bot.reload();
    expect(bot.stale()).toBe(false);
    expect(bot.dutyOfficer.chatId).toBe("999");
  });

  it("refuses to start with neither a database nor a snapshot, naming what to do", async () => {
    await setup();
    await expect(open()).rejects.toThrow(DirectoryUnavailableError);
    const db = new FakeDatabase(await exampleDoc());
    db.down = true;
    await expect(open(db)).rejects.toThrow(/connection refused/);
  });

  it("a table that does not validate is not used", async () => {
    await setup();
    const db = new FakeDatabase(await exampleDoc());
    const bot = await open(db);
    const contacts = bot.contacts.length;
    db.doc = { ...db.doc, dutyOfficer: "nobody" };
    db.version_++;
    const failed = once(bot, "failed");
    await bot.reload();
    expect(((await failed)[0] as Error).name).toBe("RoutingTableError");
    expect(bot.contacts).toHaveLength(contacts);
    expect(bot.stale()).toBe(true);
  });
});
