import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SchoolRole } from "../../workers/directory/invitations.js";
import type { IncidentSubmissionInput } from "../../workers/incident/incident.js";
import { CHATS, type ConsoleHarness, consoleHarness } from "./console-harness.js";

/**
 * The school's incident log in the console (issue 15), over the real incident desk: incidents
 * reported through `IncidentDesk.report` by staff bound by invitation, read back as each viewer
 * may see them (the desk's `scopeFor` decides), counted and exported without pupils' names.
 */

const A = "thpt-tran-phu"; // Phường Đồng Tiến
const B = "thcs-an-hoa"; // Phường An Hòa
const PUPIL = "Nguyễn Văn Bình";
const FIGHT = "Hai nhóm học sinh xô xát ở cổng trường sau giờ tan học, một em bị chảy máu mũi.";

interface Summary {
  id: string;
  caseCode: string;
  schoolId: string;
  kind: string;
}

describe("the school's incident log in the console", () => {
  let h: ConsoleHarness;
  const cookies: Record<string, string> = {};
  const ids: Record<string, { id: string; caseCode: string }> = {};

  /** Binds a chat to a new person holding a school-staff role (by invitation) and signs it in. */
  const staff = async (key: string, schoolId: string, schoolRole: SchoolRole, name: string) => {
    const chat = { channel: "telegram" as const, chatId: `staff-${key}` };
    const minted = await h.invitations.mint(
      { role: "school-staff", schoolId, schoolRole },
      { by: "cli:test" },
    );
    await h.invitations.join(minted.code, chat, { name });
    cookies[key] = await h.signIn({ kind: "chat", ...chat });
    return chat;
  };
  const report = (over: Partial<IncidentSubmissionInput> = {}): IncidentSubmissionInput => ({
    kind: "bao-luc-hoc-duong",
    urgency: "binh-thuong",
    occurredAt: Date.now() - 3_600_000,
    place: "cong-truong",
    placeText: "cổng sau",
    description: FIGHT,
    involved: [{ role: "hoc-sinh", className: "10A2", name: PUPIL }],
    injuries: "chảy máu mũi",
    schoolAction: "Tách hai nhóm, báo phụ huynh.",
    ...over,
  });
  const get = async (who: string, url: string) => h.as(cookies[who], "GET", url);
  const listed = async (who: string, q = "") =>
    ((await get(who, `/console/api/incidents${q}`)).json() as { incidents: Summary[] }).incidents;
  const refusedSince = async (since: number) =>
    (await h.audit.latest({ limit: 500 })).filter((a) => !a.allowed && a.at.getTime() >= since);

  beforeAll(async () => {
    h = await consoleHarness({ incidents: true });
    const desk = h.rt.incidents;
    if (!desk) throw new Error("the runtime has no incident desk");
    await staff("headA", A, "head", "Thầy Hiệu trưởng A");
    const lan = await staff("lan", A, "teacher", "Cô Lan");
    const minh = await staff("minh", A, "teacher", "Thầy Minh");
    const headB = await staff("headB", B, "head", "Cô Hiệu trưởng B");
    ids.fight = await desk.report(lan, report());
    ids.drugs = await desk.report(
      minh,
      report({
        kind: "ma-tuy",
        place: "trong-truong",
        description: "Phát hiện gói nghi ma túy trong nhà vệ sinh.",
        involved: [],
      }),
    );
    ids.inB = await desk.report(headB, report({ description: "Người lạ trèo tường vào trường lúc tối." }));
    for (const [who, principal] of Object.entries({ dongTien: CHATS.dongTien, anHoa: CHATS.anHoa }))
      cookies[who] = await h.signIn(principal);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it("shows the head of school A every incident of A with its timeline and pupils' names, audited", async () => {
    const list = await listed("headA");
    expect(list.map((i) => i.id).sort()).toEqual([ids.fight?.id, ids.drugs?.id].sort());
    expect(JSON.stringify(list)).not.toContain(PUPIL);
    expect((await listed("headA", "?kind=ma-tuy")).map((i) => i.id)).toEqual([ids.drugs?.id]);
    expect((await listed("headA", "?status=closed")).length).toBe(0);

    const detail = await get("headA", `/console/api/incidents/${ids.fight?.id}`);
    expect(detail.statusCode).toBe(200);
    const body = detail.json();
    expect(body.incident).toMatchObject({
      caseCode: ids.fight?.caseCode,
      schoolName: "Trường THPT Trần Phú",
      reporterName: "Cô Lan",
      description: FIGHT,
      involved: [{ role: "hoc-sinh", className: "10A2", name: PUPIL }],
    });
    expect(body.timeline[0]).toMatchObject({ action: "reported", who: "Cô Lan" });
    expect(body.actions).toEqual([]);
    const views = (await h.audit.latest({ limit: 50 })).filter(
      (a) => a.action === "view-incident" && a.detail?.incidentId === ids.fight?.id,
    );
    expect(views[0]).toMatchObject({ allowed: true });
  });

  it("counts A's incidents by kind and outcome, and exports them as XLSX without a pupil's name", async () => {
    const counts = (await get("headA", "/console/api/incidents/counts")).json();
    expect(counts.schools).toHaveLength(1);
    const [school] = counts.schools;
    expect(school).toMatchObject({ schoolId: A, whole: true, total: 2, open: 2 });
    const row = (key: string) => school.table.rows.find((r: { key: string }) => r.key === key);
    expect(row("bao-luc-hoc-duong")).toMatchObject({ total: 1, cells: [1, 0, 0, 0, 0] });
    expect(row("ma-tuy")).toMatchObject({ total: 1 });
    expect(JSON.stringify(counts)).not.toContain(PUPIL);

    const printable = await get("headA", "/console/api/incidents/report");
    expect(printable.statusCode).toBe(200);
    expect(printable.body).toContain(ids.fight?.caseCode);
    for (const secret of [PUPIL, FIGHT, "cổng sau", "Cô Lan"]) expect(printable.body).not.toContain(secret);

    const xlsx = await get("headA", "/console/api/incidents/report.xlsx");
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers["content-disposition"]).toMatch(/attachment; filename="bao-cao-su-viec-.+\.xlsx"/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(book.worksheets.map((w) => w.name)).toEqual(["Trường THPT Trần Phú"]);
    const cells: string[] = [];
    book.worksheets[0]?.eachRow((r) => {
      r.eachCell((c) => {
        cells.push(String(c.value));
      });
    });
    const text = cells.join("\n");
    expect(text).toContain(ids.fight?.caseCode);
    expect(text).toContain(ids.drugs?.caseCode);
    expect(text).toContain("HIỆU TRƯỞNG");
    for (const secret of [PUPIL, FIGHT, "cổng sau", "Cô Lan", "chảy máu"]) expect(text).not.toContain(secret);
  });

  it("shows a teacher of A only their own incidents, and refuses a colleague's, audited", async () => {
    expect((await listed("lan")).map((i) => i.id)).toEqual([ids.fight?.id]);
    const since = Date.now() - 1000;
    const other = await get("lan", `/console/api/incidents/${ids.drugs?.id}`);
    expect(other.statusCode).toBe(404);
    expect(other.body).not.toContain("ma túy");
    const counts = (await get("lan", "/console/api/incidents/counts")).json();
    expect(counts.schools).toMatchObject([{ schoolId: A, whole: false, total: 1 }]);
    const refused = (await refusedSince(since)).filter((a) => a.action === "view-incident");
    expect(refused[0]?.detail).toMatchObject({ incidentId: ids.drugs?.id, reason: "no-such-incident" });
  });

  it("refuses staff of A school B's incidents, counts and export, audited", async () => {
    const since = Date.now() - 1000;
    expect((await listed("headA")).some((i) => i.schoolId === B)).toBe(false);
    const read = await get("headA", `/console/api/incidents/${ids.inB?.id}`);
    expect(read.statusCode).toBe(404);
    expect(read.body).not.toContain("trèo tường");
    expect((await get("headA", `/console/api/incidents/counts?school=${B}`)).statusCode).toBe(403);
    expect((await get("headA", `/console/api/incidents/report.xlsx?school=${B}`)).statusCode).toBe(403);
    expect((await get("lan", `/console/api/incidents/report?school=${B}`)).statusCode).toBe(403);
    const refused = (await refusedSince(since)).map((a) => a.action);
    expect(refused).toEqual(
      expect.arrayContaining([
        "view-incident",
        "view-incident-counts",
        "export-incidents-xlsx",
        "view-incident-report",
      ]),
    );
    // B's head sees B's, not A's.
    expect((await listed("headB")).map((i) => i.id)).toEqual([ids.inB?.id]);
  });

  it("shows the commune's officer the incident routed to them, with the names, and takes their action", async () => {
    const seen = (await listed("dongTien")).map((i) => i.id);
    expect(seen).toContain(ids.fight?.id);
    expect(seen).not.toContain(ids.inB?.id);
    const detail = (await get("dongTien", `/console/api/incidents/${ids.fight?.id}`)).json();
    expect(detail.incident.involved[0]).toMatchObject({ name: PUPIL });
    expect(detail.actions).toEqual(expect.arrayContaining(["acknowledge", "on-site", "ask", "close"]));
    // Another commune's officer neither lists nor reads it, nor acts on it.
    expect((await listed("anHoa")).map((i) => i.id)).not.toContain(ids.fight?.id);
    expect((await get("anHoa", `/console/api/incidents/${ids.fight?.id}`)).statusCode).toBe(404);
    const refusedAct = await h.as(
      cookies.anHoa,
      "POST",
      `/console/api/incidents/${ids.fight?.id}/acknowledge`,
      {},
    );
    expect(refusedAct.statusCode).toBe(403);

    const ack = await h.as(
      cookies.dongTien,
      "POST",
      `/console/api/incidents/${ids.fight?.id}/acknowledge`,
      {},
    );
    expect(ack.statusCode).toBe(200);
    expect(ack.json().incident).toMatchObject({ status: "acknowledged" });
    // Staff cannot act as officers.
    expect(
      (
        await h.as(cookies.headA, "POST", `/console/api/incidents/${ids.fight?.id}/close`, {
          outcome: "da-xu-ly",
        })
      ).statusCode,
    ).toBe(403);
    const closed = await h.as(cookies.dongTien, "POST", `/console/api/incidents/${ids.fight?.id}/close`, {
      outcome: "da-xu-ly",
    });
    expect(closed.statusCode).toBe(200);
    const timeline = (await get("headA", `/console/api/incidents/${ids.fight?.id}`)).json().timeline as {
      action: string;
      who: string;
      detail: string | null;
    }[];
    expect(timeline.map((e) => e.action)).toEqual(expect.arrayContaining(["acknowledged", "closed"]));
    expect(timeline.find((e) => e.action === "closed")).toMatchObject({
      who: "Trực ban Công an phường Đồng Tiến",
      detail: "Đã xử lý",
    });
    const counts = (await get("headA", "/console/api/incidents/counts")).json();
    expect(counts.schools[0]).toMatchObject({ total: 2, open: 1 });
    const actions = (await h.audit.latest({ limit: 100 })).filter((a) => a.action.startsWith("incident-"));
    expect(actions.map((a) => [a.action, a.allowed])).toEqual(
      expect.arrayContaining([
        ["incident-acknowledge", true],
        ["incident-acknowledge", false],
        ["incident-close", true],
        ["incident-close", false],
      ]),
    );
  });
});
