import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignInLinks } from "../../workers/directory/sign-in-links.js";
import { CHATS, type ConsoleHarness, consoleHarness, LINK_SECRET } from "./console-harness.js";

describe("the console's sign-in and authorisation", () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await consoleHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const refusedSince = async (since: number) =>
    (await h.audit.latest({ limit: 500 })).filter((a) => !a.allowed && a.at.getTime() >= since);

  it("signs in once per link: a used link, an expired one and a forged token are refused and audited", async () => {
    const since = Date.now() - 1000;
    const { token } = h.links.mint(CHATS.anHoa);
    const first = await h.as(undefined, "POST", "/console/api/session", { token });
    expect(first.statusCode).toBe(204);
    const cookie = first.cookies.find((c) => c.name === "ssg_console");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/console" });
    const again = await h.as(undefined, "POST", "/console/api/session", { token });
    expect(again.statusCode).toBe(401);
    expect(again.json()).toMatchObject({ error: "link-used-or-expired" });

    // A link minted 6 minutes ago (its 5 minutes are over), and a forged one.
    const past = new SignInLinks(
      h.rt.redis,
      h.rt.prefix,
      LINK_SECRET,
      undefined,
      () => Date.now() - 6 * 60_000,
    );
    const old = past.mint(CHATS.anHoa);
    expect((await h.as(undefined, "POST", "/console/api/session", { token: old.token })).statusCode).toBe(
      401,
    );
    const forger = new SignInLinks(h.rt.redis, h.rt.prefix, Buffer.from("another key"));
    const forged = forger.mint({ kind: "operator" });
    expect((await h.as(undefined, "POST", "/console/api/session", { token: forged.token })).statusCode).toBe(
      401,
    );
    // Its payload with a signature of the right key's length but not the key's.
    const [payload] = token.split(".");
    const tampered = `${payload}.${"A".repeat(43)}`;
    expect((await h.as(undefined, "POST", "/console/api/session", { token: tampered })).statusCode).toBe(401);

    const refused = (await refusedSince(since)).filter((a) => a.action === "sign-in");
    expect(refused).toHaveLength(4);
    expect(refused.every((a) => a.actor === "unknown" && a.detail?.reason === "link-used-or-expired")).toBe(
      true,
    );
    const signedIn = (await h.audit.latest()).find((a) => a.action === "sign-in" && a.allowed);
    expect(signedIn?.actor).toBe("contact:ca-an-hoa-truc-ban");
    // The audit names no chat id.
    expect(JSON.stringify(await h.audit.latest({ limit: 500 }))).not.toContain(CHATS.anHoa.chatId);
  });

  it("refuses a forged session, and a stolen cookie once its owner signed out (here or everywhere)", async () => {
    const since = Date.now() - 1000;
    expect((await h.as(undefined, "GET", "/console/api/me")).statusCode).toBe(401);
    const forged = await h.as("x".repeat(43), "GET", "/console/api/me");
    expect(forged.statusCode).toBe(401);
    expect(forged.json()).toMatchObject({ error: "signed-out" });

    const cookie = await h.signIn(CHATS.dongTien);
    const stolen = cookie;
    expect((await h.as(cookie, "GET", "/console/api/me")).json()).toMatchObject({
      name: "Trực ban Công an phường Đồng Tiến",
      canTriage: true,
      scope: { kind: "police", communes: [{ id: "phuong-dong-tien" }] },
    });
    expect((await h.as(cookie, "DELETE", "/console/api/session")).statusCode).toBe(204);
    expect((await h.as(stolen, "GET", "/console/api/tips")).statusCode).toBe(401);

    const a = await h.signIn(CHATS.dongTien);
    const b = await h.signIn(CHATS.dongTien);
    const other = await h.signIn(CHATS.anHoa);
    expect((await h.as(a, "DELETE", "/console/api/sessions")).statusCode).toBe(204);
    expect((await h.as(b, "GET", "/console/api/me")).statusCode).toBe(401);
    expect((await h.as(other, "GET", "/console/api/me")).statusCode).toBe(200);

    const sessions = (await refusedSince(since)).filter((x) => x.action === "session");
    expect(sessions.length).toBeGreaterThanOrEqual(3);
  });

  it("refuses writes without the console's header (a cross-site form cannot send it)", async () => {
    const cookie = await h.signIn(CHATS.dongTien);
    const tip = await h.tip();
    const r = await h.app.inject({
      method: "POST",
      url: `/console/api/tips/${tip.id}/acknowledge`,
      cookies: { ssg_console: cookie },
    });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ error: "csrf" });
    expect((await h.rt.store.get(tip.id))?.status).toBe("delivered");
  });

  it("shows an officer only their commune's tips and refuses reading or acting on another commune's, audited", async () => {
    const inB = await h.tip();
    const inA = await h.tip({
      place: { schoolId: "thcs-an-hoa" },
      schoolId: "thcs-an-hoa",
      communeId: "phuong-an-hoa",
      chain: ["ca-an-hoa-truc-ban", "ca-tinh-truc-ban"],
    });
    const officerA = await h.signIn(CHATS.anHoa);
    const list = (await h.as(officerA, "GET", "/console/api/tips")).json() as { tips: { id: string }[] };
    expect(list.tips.map((t) => t.id)).toContain(inA.id);
    expect(list.tips.map((t) => t.id)).not.toContain(inB.id);

    const since = Date.now() - 1000;
    const read = await h.as(officerA, "GET", `/console/api/tips/${inB.id}`);
    expect(read.statusCode).toBe(403);
    expect(read.body).not.toContain("chặn đánh");
    for (const [action, payload] of [
      ["acknowledge", undefined],
      ["ask", { question: "Ở đâu?" }],
      ["close", { outcome: "co-co-so" }],
      ["forward", { contactId: "ca-an-hoa-minh" }],
    ] as const) {
      const r = await h.as(officerA, "POST", `/console/api/tips/${inB.id}/${action}`, payload);
      expect(r.statusCode).toBe(403);
    }
    expect((await h.rt.store.get(inB.id))?.status).toBe("delivered");
    const refused = (await refusedSince(since)).filter((a) => a.tipId === inB.id);
    expect(refused.map((a) => a.action).sort()).toEqual([
      "acknowledge",
      "ask",
      "close",
      "forward",
      "view-tip",
    ]);
    expect(new Set(refused.map((a) => a.actor))).toEqual(new Set(["contact:ca-an-hoa-truc-ban"]));
  });

  it("shows a provincial unit only its own category", async () => {
    const violence = await h.tip();
    const drugs = await h.tip({ category: "ma-tuy" });
    const unit = await h.signIn(CHATS.drugsUnit);
    const ids = (
      (await h.as(unit, "GET", "/console/api/tips")).json() as { tips: { id: string }[] }
    ).tips.map((t) => t.id);
    expect(ids).toContain(drugs.id);
    expect(ids).not.toContain(violence.id);
    expect((await h.as(unit, "GET", `/console/api/tips/${violence.id}`)).statusCode).toBe(403);
  });

  it("gives school staff their school and no tip; another school's figures are refused", async () => {
    const minted = await h.invitations.mint(
      { role: "school-staff", schoolId: "thcs-le-quy-don", schoolRole: "safety-staff" },
      { by: "cli:test" },
    );
    await h.invitations.join(minted.code, { channel: "zalo", chatId: "school-staff-1" }, { name: "Cô Hạnh" });
    const staff = await h.signIn({ kind: "chat", channel: "zalo", chatId: "school-staff-1" });
    const me = (await h.as(staff, "GET", "/console/api/me")).json();
    expect(me).toMatchObject({
      name: "Cô Hạnh",
      canTriage: false,
      scope: { kind: "school", schools: [{ id: "thcs-le-quy-don" }] },
    });
    const tip = await h.tip({ place: { schoolId: "thcs-le-quy-don" }, schoolId: "thcs-le-quy-don" });
    expect(((await h.as(staff, "GET", "/console/api/tips")).json() as { tips: unknown[] }).tips).toEqual([]);
    expect((await h.as(staff, "GET", `/console/api/tips/${tip.id}`)).statusCode).toBe(403);
    const since = Date.now() - 1000;
    const other = await h.as(staff, "GET", "/console/api/stats?school=thpt-tran-phu");
    expect(other.statusCode).toBe(403);
    expect((await h.as(staff, "GET", "/console/api/report.xlsx?school=thpt-tran-phu")).statusCode).toBe(403);
    const refused = (await refusedSince(since)).map((a) => a.action);
    expect(refused).toEqual(expect.arrayContaining(["view-stats", "export-xlsx"]));
  });

  it("stops a session at once when its person's role is taken away", async () => {
    const minted = await h.invitations.mint({ role: "province-admin" }, { by: "cli:test" });
    const joined = await h.invitations.join(minted.code, { channel: "telegram", chatId: "admin-1" });
    const admin = await h.signIn({ kind: "chat", channel: "telegram", chatId: "admin-1" });
    expect((await h.as(admin, "GET", "/console/api/me")).json()).toMatchObject({ isAdmin: true });
    await h.handle.db.execute(
      // The role revoked in the directory.
      (await import("drizzle-orm")).sql`delete from person_roles where person_id = ${joined.personId}`,
    );
    expect((await h.as(admin, "GET", "/console/api/me")).statusCode).toBe(401);
  });
});
