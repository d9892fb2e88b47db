import { randomBytes, randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase, queryRows } from "../../db/client.js";
import { contactBindings, directoryAudit, invitations } from "../../db/schema.js";
import { createLogger } from "../../logger.js";
import { importDirectory } from "../../workers/directory/import.js";
import {
  InvitationDesk,
  type InvitationRefusedError,
  normaliseInvitationCode,
} from "../../workers/directory/invitations.js";
import { loadRoutingTableFromDb } from "../../workers/directory/load.js";
import { SenderRateLimiter } from "../../workers/tip/sender-key.js";
import { ENGINES, freshDatabase, type TestDatabase } from "../db/engines.js";
import { EXAMPLE_ROUTING } from "./harness.js";

const HOUR = 3_600_000;
const OLD_CHAT = { channel: "telegram", chatId: "100000012" } as const; // ca-an-hoa-minh in the file
const NEW_CHAT = { channel: "telegram", chatId: "555000111" } as const;

/** What a refused join throws, as a comparable value. */
async function refusal(p: Promise<unknown>): Promise<{ name: string; reason: string; message: string }> {
  const e = (await p.then(
    () => expect.unreachable("expected a refusal"),
    (err: unknown) => err,
  )) as InvitationRefusedError;
  return { name: e.name, reason: e.reason, message: e.message };
}

describe("invitation codes", () => {
  it("normalise as typed on a phone: case, spaces, hyphens, I/L/O read as digits", () => {
    expect(normaliseInvitationCode("7kq3-m8xz-p2tr")).toBe("7KQ3M8XZP2TR");
    expect(normaliseInvitationCode(" 7KQ3 M8XZ P2TR ")).toBe("7KQ3M8XZP2TR");
    expect(normaliseInvitationCode("OIL3-M8XZ-P2TR")).toBe("0113M8XZP2TR");
    expect(normaliseInvitationCode("hello")).toBeUndefined();
    expect(normaliseInvitationCode("7KQ3-M8XZ-P2TU")).toBeUndefined();
  });
});

describe.each(ENGINES)("invitations on %s", (engine) => {
  let place: TestDatabase;
  let handle: DatabaseHandle;
  let desk: InvitationDesk;
  let changes: number;
  const secret = randomBytes(32);

  beforeAll(async () => {
    place = await freshDatabase(engine);
    handle = await openDatabase(place.config);
  });
  afterAll(async () => {
    await handle?.close();
    await place?.drop();
  });
  beforeEach(async () => {
    await handle.db.execute(
      // A fresh directory for each test: the example province, no people, no invitations.
      sql`TRUNCATE provinces, communes, schools, contacts, contact_bindings,
        routes, route_steps, deadlines, duty_officer, directory_audit, people, person_bindings,
        person_roles, invitations RESTART IDENTITY CASCADE`,
    );
    await importDirectory(handle.db, EXAMPLE_ROUTING, { actor: "test" });
    changes = 0;
    desk = new InvitationDesk({
      db: handle.db,
      secret,
      logger: createLogger("silent"),
      onChange: async () => {
        changes++;
      },
    });
  });

  it("binds the joining chat to the contact, releases the previous chat, and refuses the code again", async () => {
    const minted = await desk.mint(
      { role: "police-contact", contactId: "ca-an-hoa-minh" },
      { by: "cli:test" },
    );
    expect(minted.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(minted.expiresAt.getTime() - Date.now()).toBeGreaterThan(71 * HOUR);
    expect(changes).toBe(1);

    const joined = await desk.join(minted.code.toLowerCase(), NEW_CHAT, { name: "Minh" });
    expect(joined.target).toMatchObject({
      role: "police-contact",
      contactName: expect.stringContaining("Minh"),
    });
    expect(joined.released).toEqual([OLD_CHAT]);
    expect(joined.minter).toEqual({ by: "cli:test", chats: [] });
    expect(changes).toBe(2);

    const table = await loadRoutingTableFromDb(handle.db);
    expect(table.contactById("ca-an-hoa-minh")).toMatchObject(NEW_CHAT);
    expect(table.contactByChat("telegram", OLD_CHAT.chatId)).toBeUndefined();
    expect(await desk.rolesOf(NEW_CHAT)).toEqual([{ role: "police-contact", contactId: "ca-an-hoa-minh" }]);

    // The audit names the person, never a chat id.
    const audit = await handle.db.select().from(directoryAudit).where(eq(directoryAudit.action, "join"));
    expect(new Set(audit.map((a) => a.actor))).toEqual(new Set([joined.personId]));
    expect(audit.map((a) => a.entity).sort()).toEqual([
      "contact-binding",
      "invitation",
      "person",
      "person-role",
    ]);
    expect(JSON.stringify(audit)).not.toContain(NEW_CHAT.chatId);

    const again = await refusal(desk.join(minted.code, { channel: "zalo", chatId: "someone-else" }));
    expect(again).toMatchObject({ name: "InvitationRefusedError", reason: "invalid" });
    expect(changes).toBe(2);
  });

  it("gives the next holder the slot and tells who is released; the old holder loses the role", async () => {
    const first = await desk.mint(
      { role: "police-contact", contactId: "ca-an-hoa-minh" },
      { by: "cli:test" },
    );
    await desk.join(first.code, NEW_CHAT);
    const admin = await desk.mint({ role: "province-admin" }, { by: "cli:test" });
    const adminChat = { channel: "zalo", chatId: "zalo-admin" } as const;
    const { personId: adminId } = await desk.join(admin.code, adminChat);
    const second = await desk.mint({ role: "police-contact", contactId: "ca-an-hoa-minh" }, { by: adminId });
    const next = { channel: "zalo", chatId: "zalo-next" } as const;
    const joined = await desk.join(second.code, next);
    expect(joined.released).toEqual([NEW_CHAT]);
    expect(joined.minter).toEqual({ by: adminId, chats: [adminChat] });
    expect(await desk.rolesOf(NEW_CHAT)).toEqual([]);
    const bindings = await handle.db
      .select()
      .from(contactBindings)
      .where(eq(contactBindings.contactId, "ca-an-hoa-minh"));
    expect(bindings.map((b) => ({ channel: b.channel, chatId: b.chatId }))).toEqual([next]);
    expect((await loadRoutingTableFromDb(handle.db)).contactById("ca-an-hoa-minh")).toMatchObject(next);
  });

  it("lets one of three chats racing with one code join (the invitation's row is locked)", async () => {
    const minted = await desk.mint(
      { role: "police-contact", contactId: "ca-an-hoa-minh" },
      { by: "cli:test" },
    );
    const racers = ["zalo-a", "zalo-b", "zalo-c"].map((chatId) => ({ channel: "zalo", chatId }) as const);
    const results = await Promise.allSettled(racers.map((chat) => desk.join(minted.code, chat)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results)
      if (r.status === "rejected") expect(r.reason).toMatchObject({ reason: "invalid" });
    const bound = await handle.db
      .select()
      .from(contactBindings)
      .where(eq(contactBindings.contactId, "ca-an-hoa-minh"));
    expect(bound).toHaveLength(1);
  });

  it("refuses expired, revoked and unknown codes alike", async () => {
    const now = Date.parse("2026-03-01T08:00:00Z");
    const expiring = await desk.mint(
      { role: "police-contact", contactId: "ca-an-hoa-minh" },
      { by: "cli:test", ttlMs: HOUR, now },
    );
    const revoked = await desk.mint({ role: "province-admin" }, { by: "cli:test", now });
    expect(await desk.revoke(revoked.code, "cli:test", { now })).toMatchObject({
      target: { role: "province-admin" },
    });
    // Still pending a minute before expiry.
    expect((await desk.preview(expiring.code, NEW_CHAT, { now: now + HOUR - 60_000 })).target.role).toBe(
      "police-contact",
    );
    const refusals = [
      await refusal(desk.join(expiring.code, NEW_CHAT, { now: now + HOUR })),
      await refusal(desk.join(revoked.code, NEW_CHAT, { now })),
      await refusal(desk.join("ZZZZ-ZZZZ-ZZZZ", NEW_CHAT, { now })),
      await refusal(desk.join("not a code", NEW_CHAT, { now })),
    ];
    for (const r of refusals) expect(r).toEqual(refusals[0]);
    expect(await desk.rolesOf(NEW_CHAT)).toEqual([]);
    await expect(desk.revoke(revoked.code, "cli:test", { now })).rejects.toMatchObject({
      name: "InvitationNotPendingError",
      status: "revoked",
    });
    const listed = await desk.list({ now: now + HOUR });
    expect(listed.map((l) => l.status).sort()).toEqual(["expired", "revoked"]);
    expect(await desk.list({ pendingOnly: true, now })).toHaveLength(1);
  });

  it("stores no code: only its keyed hash", async () => {
    const codes = await Promise.all(
      [0, 1, 2].map(() =>
        desk.mint({ role: "school-staff", schoolId: "thcs-an-hoa", schoolRole: "head" }, { by: "cli:test" }),
      ),
    );
    const rows = await queryRows<{ row: unknown }>(
      handle.db,
      sql`select row_to_json(i) as row from invitations i`,
    );
    const audit = await queryRows<{ row: unknown }>(
      handle.db,
      sql`select row_to_json(a) as row from directory_audit a`,
    );
    const dump = JSON.stringify([rows, audit]).toUpperCase();
    expect(rows).toHaveLength(3);
    for (const { code } of codes) {
      expect(dump).not.toContain(code);
      expect(dump).not.toContain(normaliseInvitationCode(code));
      expect(dump).toContain(desk.hashOf(code)?.toUpperCase());
    }
    // Another key (another installation's salt) does not recognise the codes.
    const other = new InvitationDesk({
      db: handle.db,
      secret: randomBytes(32),
      logger: createLogger("silent"),
    });
    await expect(other.preview(codes[0]?.code ?? "", NEW_CHAT)).rejects.toMatchObject({ reason: "invalid" });
  });

  it("checks what an invitation names, and its lifetime", async () => {
    await expect(
      desk.mint({ role: "police-contact", contactId: "ca-nowhere" }, { by: "cli:test" }),
    ).rejects.toMatchObject({ name: "InvitationTargetError", kind: "contact", id: "ca-nowhere" });
    await expect(
      desk.mint({ role: "school-staff", schoolId: "no-school", schoolRole: "teacher" }, { by: "cli:test" }),
    ).rejects.toMatchObject({ name: "InvitationTargetError", kind: "school" });
    await expect(
      desk.mint({ role: "province-admin" }, { by: "cli:test", ttlMs: 31 * 24 * HOUR }),
    ).rejects.toMatchObject({ name: "InvitationTtlError" });
    expect(await handle.db.select().from(invitations)).toEqual([]);
    expect(changes).toBe(0);
  });

  it("makes school staff and admins; one person per chat, roles accumulate", async () => {
    const chat = { channel: "zalo", chatId: "zalo-staff" } as const;
    const head = await desk.mint(
      { role: "school-staff", schoolId: "thcs-an-hoa", schoolRole: "head" },
      { by: "cli:test" },
    );
    const joined = await desk.join(head.code, chat);
    expect(joined.target).toEqual({
      role: "school-staff",
      schoolId: "thcs-an-hoa",
      schoolName: "Trường THCS An Hòa",
      schoolRole: "head",
    });
    expect(joined.released).toEqual([]);
    expect(await desk.isAdmin(chat)).toBe(false);
    await expect(desk.requireAdmin(chat, "invite")).rejects.toMatchObject({ reason: "not-an-admin" });
    const admin = await desk.mint({ role: "province-admin" }, { by: "cli:test" });
    const again = await desk.join(admin.code, chat);
    expect(again.personId).toBe(joined.personId);
    expect(await desk.isAdmin(chat)).toBe(true);
    expect(await desk.requireAdmin(chat, "invite")).toBe(joined.personId);
    expect(await desk.rolesOf(chat)).toEqual([
      { role: "school-staff", schoolId: "thcs-an-hoa", schoolRole: "head" },
      { role: "province-admin" },
    ]);
    const [listed] = await desk.list();
    expect(listed).toMatchObject({
      status: "used",
      target: { role: "province-admin" },
      createdBy: "cli:test",
    });
    // The contact bindings were not touched by these roles.
    const minh = await handle.db
      .select()
      .from(contactBindings)
      .where(
        and(eq(contactBindings.contactId, "ca-an-hoa-minh"), eq(contactBindings.chatId, OLD_CHAT.chatId)),
      );
    expect(minh).toHaveLength(1);
  });

  it("limits the codes one chat may try, and says how long to wait", async () => {
    const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
    const prefix = `test-${randomUUID()}`;
    try {
      const limited = new InvitationDesk({
        db: handle.db,
        secret,
        logger: createLogger("silent"),
        attempts: new SenderRateLimiter(redis, { prefix: `${prefix}:join`, limit: 3, windowMs: HOUR }),
      });
      const real = await limited.mint({ role: "province-admin" }, { by: "cli:test" });
      for (let i = 0; i < 3; i++)
        await expect(limited.preview(`AAAA-AAAA-AAA${i}`, NEW_CHAT)).rejects.toMatchObject({
          reason: "invalid",
        });
      // The right code now comes too late for this chat; another chat may still use it.
      const throttled = await refusal(limited.preview(real.code, NEW_CHAT));
      expect(throttled.reason).toBe("rate-limited");
      await expect(limited.join(real.code, NEW_CHAT)).rejects.toMatchObject({ reason: "rate-limited" });
      expect((await limited.preview(real.code, OLD_CHAT)).target.role).toBe("province-admin");
    } finally {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
  });
});
