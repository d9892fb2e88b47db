import { sql } from "drizzle-orm";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../db/client.js";
import { exportDocument } from "../../workers/directory/export.js";
import { loadRoutingTableFromDb } from "../../workers/directory/load.js";
import { CHATS, type ConsoleHarness, consoleHarness } from "./console-harness.js";

/** Every chat id of the example province (workers/routing/example-province.yaml). */
const CHAT_IDS = [
  "100000001",
  "100000002",
  "100000003",
  "zalo-demo-pa05",
  "100000011",
  "100000012",
  "100000021",
  "zalo-demo-lan",
  "100000031",
  "100000032",
  "zalo-demo-ca-tan-lap",
  "zalo-demo-phuc",
  "100000051",
  "zalo-demo-thao",
  "100000061",
  "100000062",
];
const ADMIN_CHAT = { channel: "telegram", chatId: "555000111" } as const;

interface Problem {
  path: string;
  message: string;
  field?: string;
  where?: string;
}

describe("the console's directory pages (admins only)", () => {
  let h: ConsoleHarness;
  let admin: string;
  let adminId: string;
  let announced = 0;
  /** Every answer the pages got, to check that none carries a chat id. */
  const bodies: string[] = [];

  beforeAll(async () => {
    h = await consoleHarness({
      directory: ({ handle, invitations }) => ({
        db: handle.db,
        invitations,
        announce: () => {
          announced++;
        },
        botUsername: () => "ssg_test_bot",
      }),
    });
    const minted = await h.invitations.mint({ role: "province-admin" }, { by: "cli:test" });
    adminId = (await h.invitations.join(minted.code, ADMIN_CHAT, { name: "Chị Quản trị" })).personId;
    admin = await h.signIn({ kind: "chat", ...ADMIN_CHAT });
  });
  afterAll(async () => {
    await h?.close();
  });

  const call = async (cookie: string, method: string, url: string, payload?: object) => {
    const r: LightMyRequestResponse = await h.as(cookie, method, `/console/api/directory${url}`, payload);
    bodies.push(r.body);
    return r;
  };
  const auditOf = (action: string) =>
    queryRows<{ actor: string; entity: string; entity_key: string; change: string; after: unknown }>(
      h.handle.db,
      sql`select actor, entity, entity_key, change, after from directory_audit where action = ${action} order by id`,
    );

  it("reads the directory: contacts bound or vacant, routes by name, deadlines and the duty desk", async () => {
    const r = await call(admin, "GET", "");
    expect(r.statusCode).toBe(200);
    const d = r.json();
    expect(d.province).toEqual({ id: "song-xanh", name: "Tỉnh Sông Xanh" });
    expect(d.communes).toHaveLength(6);
    expect(d.contacts.find((c: { id: string }) => c.id === "ca-an-hoa-minh")).toMatchObject({
      rank: "Thượng úy",
      person: "Nguyễn Văn Minh",
      unit: "Công an phường An Hòa",
      role: "officer",
      status: "bound",
      channel: "telegram",
    });
    expect(d.routes[0]).toMatchObject({
      category: "*",
      commune: "*",
      primary: { id: "ca-tinh-truc-ban", name: "Trực ban Công an tỉnh Sông Xanh" },
    });
    expect(d.dutyOfficer.id).toBe("ca-tinh-truc-ban");
    expect(d.deadlines.map((x: { urgency: string }) => x.urgency)).toEqual(["khan-cap", "binh-thuong"]);
  });

  it("renames a school through the import's path: reloaded from the database, audited as the admin", async () => {
    const r = await call(admin, "PUT", "/schools/thpt-tran-phu", {
      name: "Trường THPT Trần Phú (cơ sở 2)",
      commune: "phuong-dong-tien",
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ ok: true, changes: 1 });
    expect(announced).toBe(1);
    const table = await loadRoutingTableFromDb(h.handle.db);
    expect(table.schools.find((s) => s.id === "thpt-tran-phu")?.name).toBe("Trường THPT Trần Phú (cơ sở 2)");
    const audit = await auditOf("console-edit");
    expect(audit).toEqual([
      expect.objectContaining({
        actor: adminId,
        entity: "school",
        entity_key: "thpt-tran-phu",
        change: "changed",
      }),
    ]);
    const logged = await h.audit.latest({ limit: 5 });
    expect(logged[0]).toMatchObject({ actor: adminId, action: "directory-edit", allowed: true });
  });

  it("refuses an invalid edit whole, with every problem's path, and writes nothing", async () => {
    const before = await exportDocument(h.handle.db);
    const auditBefore = (await auditOf("console-edit")).length;
    const r = await call(admin, "PUT", "/routes/ma-tuy/phuong-an-hoa", {
      primary: "khong-co-ai",
      backup: "pc04-truc-ban",
      duty: "ca-tinh-truc-ban",
    });
    expect(r.statusCode).toBe(400);
    const { error, problems } = r.json() as { error: string; problems: Problem[] };
    expect(error).toBe("invalid");
    const index = before.routes.findIndex((x) => x.category === "ma-tuy" && x.commune === "phuong-an-hoa");
    expect(problems).toEqual([
      expect.objectContaining({
        path: `routes.${index}.primary`,
        field: "primary",
        where: "Tuyến Ma túy × Phường An Hòa",
      }),
    ]);
    expect(problems[0]?.message).toContain("khong-co-ai");

    // A commune its schools still name; a contact given a chat id.
    const commune = await call(admin, "DELETE", "/communes/xa-hoa-binh");
    expect(commune.statusCode).toBe(400);
    const paths = (commune.json().problems as Problem[]).map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(["schools.9.commune", "schools.10.commune"]));
    const chat = await call(admin, "POST", "/contacts", { id: "ca-moi", name: "Trực ban mới", chatId: "1" });
    expect(chat.statusCode).toBe(400);
    expect(chat.json().problems).toEqual([expect.objectContaining({ field: "chatId" })]);
    expect((await call(admin, "PUT", "/communes/khong-co", { name: "X" })).statusCode).toBe(404);

    expect(await exportDocument(h.handle.db)).toEqual(before);
    expect(await auditOf("console-edit")).toHaveLength(auditBefore);
    expect(announced).toBe(1);
  });

  it("adds a contact from its parts as a vacant slot, then routes to it", async () => {
    const r = await call(admin, "POST", "/contacts", {
      id: "ca-an-hoa-lan",
      role: "officer",
      rank: "thiếu úy",
      person: "Hoàng Thị Lan",
      unit: "Công an phường An Hòa",
    });
    expect(r.statusCode).toBe(200);
    const added = r.json().directory.contacts.find((c: { id: string }) => c.id === "ca-an-hoa-lan");
    expect(added).toMatchObject({
      name: "Thiếu úy Hoàng Thị Lan – Công an phường An Hòa",
      rank: "Thiếu úy",
      status: "vacant",
      channel: null,
    });
    // Renaming a bound contact keeps the chat its officer joined with.
    const renamed = await call(admin, "PUT", "/contacts/ca-an-hoa-minh", {
      role: "officer",
      rank: "Đại úy",
      person: "Nguyễn Văn Minh",
      unit: "Công an phường An Hòa",
    });
    expect(
      renamed.json().directory.contacts.find((c: { id: string }) => c.id === "ca-an-hoa-minh"),
    ).toMatchObject({
      name: "Đại úy Nguyễn Văn Minh – Công an phường An Hòa",
      rank: "Đại úy",
      status: "bound",
    });
    expect((await loadRoutingTableFromDb(h.handle.db)).contactById("ca-an-hoa-minh")?.chatId).toBe(
      "100000012",
    );
    const bad = await call(admin, "POST", "/contacts", {
      id: "x",
      role: "officer",
      rank: "Trưởng",
      person: "A",
    });
    expect(bad.json().problems).toEqual([expect.objectContaining({ field: "rank" })]);

    const route = await call(admin, "POST", "/routes", {
      category: "khac",
      commune: "phuong-an-hoa",
      primary: "ca-an-hoa-truc-ban",
      backup: "ca-an-hoa-lan",
      duty: "ca-tinh-truc-ban",
    });
    expect(route.statusCode).toBe(200);
    const table = await loadRoutingTableFromDb(h.handle.db);
    expect(table.match("khac", { communeId: "phuong-an-hoa" }).route?.backup).toBe("ca-an-hoa-lan");
    // Still used by a route: it cannot be removed.
    expect((await call(admin, "DELETE", "/contacts/ca-an-hoa-lan")).statusCode).toBe(400);
    expect((await call(admin, "DELETE", "/routes/khac/phuong-an-hoa")).statusCode).toBe(200);
    expect((await call(admin, "DELETE", "/contacts/ca-an-hoa-lan")).statusCode).toBe(200);
  });

  it("refuses police and school staff, audited", async () => {
    const invite = await h.invitations.mint(
      { role: "school-staff", schoolId: "thcs-an-hoa", schoolRole: "head" },
      { by: "cli:test" },
    );
    await h.invitations.join(invite.code, { channel: "zalo", chatId: "staff-9" });
    const staff = await h.signIn({ kind: "chat", channel: "zalo", chatId: "staff-9" });
    const officer = await h.signIn(CHATS.anHoa);
    const since = Date.now() - 1000;
    for (const cookie of [officer, staff]) {
      expect((await call(cookie, "GET", "")).statusCode).toBe(403);
      expect((await call(cookie, "PUT", "/communes/phuong-an-hoa", { name: "X" })).statusCode).toBe(403);
      expect((await call(cookie, "GET", "/invitations")).statusCode).toBe(403);
      expect((await call(cookie, "POST", "/invitations", { role: "province-admin" })).statusCode).toBe(403);
      expect((await call(cookie, "GET", "/duty")).statusCode).toBe(403);
    }
    const refused = (await h.audit.latest({ limit: 50 })).filter(
      (a) => a.action === "directory" && !a.allowed && a.at.getTime() >= since,
    );
    expect(refused).toHaveLength(10);
    expect(new Set(refused.map((a) => a.actor)).size).toBe(2);
    expect((await loadRoutingTableFromDb(h.handle.db)).communes[0]?.name).toBe("Phường An Hòa");
  });

  it("mints an invitation shown once with its deep link, lists it pending, revokes it", async () => {
    const r = await call(admin, "POST", "/invitations", {
      role: "police-contact",
      contactId: "ca-hoa-binh-thao",
      ttlHours: 24,
    });
    expect(r.statusCode).toBe(201);
    const { code, deepLink, invitation } = r.json();
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(deepLink).toBe(`https://t.me/ssg_test_bot?start=${code.replaceAll("-", "")}`);
    const list = (await call(admin, "GET", "/invitations")).json().invitations as Array<{
      id: number;
      status: string;
      createdBy: string;
    }>;
    expect(list.find((i) => i.id === invitation.id)).toMatchObject({
      status: "pending",
      createdBy: "Chị Quản trị",
    });
    expect(JSON.stringify(list)).not.toContain(code);
    expect((await call(admin, "DELETE", `/invitations/${invitation.id}`)).statusCode).toBe(200);
    const after = (await call(admin, "GET", "/invitations")).json().invitations as typeof list;
    expect(after.find((i) => i.id === invitation.id)?.status).toBe("revoked");
    const again = await call(admin, "DELETE", `/invitations/${invitation.id}`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: "not-pending", status: "revoked" });
    const unknown = await call(admin, "POST", "/invitations", {
      role: "police-contact",
      contactId: "khong-co",
    });
    expect(unknown.json().problems).toEqual([expect.objectContaining({ field: "contactId" })]);
  });

  it("shows who is on duty per commune", async () => {
    const r = await call(admin, "GET", "/duty");
    expect(r.statusCode).toBe(200);
    const roster = r.json();
    expect(roster.dutyOfficer).toMatchObject({ id: "ca-tinh-truc-ban", onDuty: true, vacant: false });
    expect(roster.communes[0]).toMatchObject({ id: "phuong-an-hoa", unreachable: false });
  });

  it("never shows a chat id", () => {
    expect(bodies.length).toBeGreaterThan(20);
    const all = bodies.join("\n");
    for (const id of [...CHAT_IDS, ADMIN_CHAT.chatId, "staff-9"]) expect(all).not.toContain(id);
  });
});
