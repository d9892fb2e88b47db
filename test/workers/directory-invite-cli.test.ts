import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../db/client.js";
import { createLogger } from "../../logger.js";
import { InvitationDesk } from "../../workers/directory/invitations.js";
import { loadRoutingTableFromDb } from "../../workers/directory/load.js";
import { ENGINES, freshDatabase, type TestDatabase } from "../db/engines.js";
import { runDirectoryCli } from "./directory-cli-run.js";

const EXAMPLE = "workers/routing/example-province.yaml";

const directory = runDirectoryCli;

const lastLine = (text: string) => text.trim().split("\n").at(-1) ?? "";

describe("npm run directory -- invite/revoke usage", () => {
  it("exits 64 on a malformed invite or revoke, before opening any database", async () => {
    const nowhere = { PG_DATA_DIR: "/proc/no-such-folder" };
    for (const args of [
      ["invite", "--contact", "a", "--school", "b"],
      ["invite", "--school", "thcs-an-hoa", "--role", "janitor"],
      ["revoke"],
    ]) {
      const run = await directory(nowhere, ...args);
      expect(run.code, args.join(" ")).toBe(64);
      expect(run.stderr).toContain("npm run directory -- invite --contact <contactId> [--ttl 72h]");
    }
  });
});

describe.each(ENGINES)("npm run directory -- invite/revoke on %s", (engine) => {
  let place: TestDatabase;
  let env: Record<string, string>;
  const salt = randomUUID();

  /** Runs `fn` with the database open in this process (PGlite: only while no CLI holds it). */
  async function withDesk<T>(fn: (desk: InvitationDesk, db: Database) => Promise<T>) {
    const handle = await openDatabase(place.config);
    try {
      const desk = new InvitationDesk({
        db: handle.db,
        secret: Buffer.from(salt, "utf8"),
        logger: createLogger("silent"),
      });
      return await fn(desk, handle.db);
    } finally {
      await handle.close();
    }
  }

  beforeAll(async () => {
    place = await freshDatabase(engine);
    env = { ...place.env, TIP_SENDER_SALT: salt };
    expect((await directory(env, "import", EXAMPLE)).code).toBe(0);
  });
  afterAll(async () => {
    await place?.drop();
  });

  it("prints the code as its last line, and the code joins the contact slot", async () => {
    const run = await directory(env, "invite", "--contact", "ca-an-hoa-minh", "--ttl", "2h");
    expect(run.code, run.stderr).toBe(0);
    const code = lastLine(run.stdout);
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await withDesk(async (desk, db) => {
      const officer = { channel: "telegram", chatId: "424242" } as const;
      const joined = await desk.join(code, officer);
      expect(joined.minter.by).toMatch(/^cli/);
      expect((await loadRoutingTableFromDb(db)).contactById("ca-an-hoa-minh")).toMatchObject(officer);
      const [listed] = await desk.list();
      expect(listed?.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 2 * 3_600_000);
    });
  });

  it("mints school and admin invitations; revoke makes a code unusable and says so the second time", async () => {
    const school = await directory(env, "invite", "--school", "thcs-an-hoa", "--role", "safety-staff");
    expect(school.code, school.stderr).toBe(0);
    const admin = await directory(env, "invite", "--admin");
    expect(admin.code, admin.stderr).toBe(0);
    const revoked = await directory(env, "revoke", lastLine(admin.stdout).toLowerCase());
    expect(revoked.code, revoked.stderr).toBe(0);
    const again = await directory(env, "revoke", lastLine(admin.stdout));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already revoked");
    await withDesk(async (desk) => {
      const chat = { channel: "zalo", chatId: "zalo-staff" } as const;
      await expect(desk.join(lastLine(admin.stdout), chat)).rejects.toMatchObject({ reason: "invalid" });
      expect((await desk.join(lastLine(school.stdout), chat)).target).toMatchObject({
        role: "school-staff",
        schoolRole: "safety-staff",
      });
    });
  });

  it("exits 1 naming the problem: an unknown contact, a bad --ttl, an unknown code", async () => {
    const contact = await directory(env, "invite", "--contact", "ca-nowhere");
    expect(contact.code).toBe(1);
    expect(contact.stderr).toContain('unknown contact "ca-nowhere"');
    expect(contact.stdout).toBe("");
    const ttl = await directory(env, "invite", "--admin", "--ttl", "soon");
    expect(ttl.code).toBe(1);
    expect(ttl.stderr).toContain("--ttl");
    const unknown = await directory(env, "revoke", "ZZZZ-ZZZZ-ZZZZ");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no invitation has this code");
  });
});
