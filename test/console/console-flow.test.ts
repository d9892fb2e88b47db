import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sanitizePhoto } from "../../workers/tip/photo.js";
import { photoWithMetadata } from "../fixtures/photos.js";
import { CHATS, type ConsoleHarness, consoleHarness } from "./console-harness.js";

type Summary = { id: string; state: string; caseCode: string; outcome: string | null };
type Detail = {
  tip: Summary & { description: string; photoUrls: string[] };
  timeline: { action: string; who: string; detail: string | null }[];
  actions: string[];
};

/** Today in Vietnam, as the console's periods are given. */
const today = () => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh" }).format(new Date());

describe("an officer's case in the console, from the inbox to the year's report", () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await consoleHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("acknowledges, asks, sees the answer, closes; the dashboard and the XLSX count it", async () => {
    const photo = await sanitizePhoto(await photoWithMetadata(320, 240));
    const photoId = photo.id;
    await h.rt.store.putPhoto(photoId, photo.bytes, 3600);
    const tip = await h.tip({ category: "ma-tuy", photoIds: [photoId] });
    const officer = await h.signIn(CHATS.dongTien);
    const neighbour = await h.signIn(CHATS.anHoa);

    const listed = async () =>
      ((await h.as(officer, "GET", "/console/api/tips")).json() as { tips: Summary[] }).tips.find(
        (t) => t.id === tip.id,
      );
    expect(await listed()).toMatchObject({ state: "open", caseCode: tip.caseCode });
    const etag = (await h.as(officer, "GET", "/console/api/tips")).headers.etag as string;
    const unchanged = await h.app.inject({
      method: "GET",
      url: "/console/api/tips",
      cookies: { ssg_console: officer },
      headers: { "if-none-match": etag },
    });
    expect(unchanged.statusCode).toBe(304);

    const detail = async () => (await h.as(officer, "GET", `/console/api/tips/${tip.id}`)).json() as Detail;
    await h.rt.store.appendAudit(tip.id, {
      at: Date.now(),
      actor: "system",
      action: "routed",
      detail: "ma-tuy → ca-dong-tien-truc-ban → pc04-truc-ban",
    });
    const shown = await h.as(officer, "GET", `/console/api/tips/${tip.id}`);
    const first = shown.json() as Detail;
    // Ids read as names in the timeline.
    expect(first.timeline.find((s) => s.action === "routed")?.detail).toBe(
      "Ma túy → Trực ban Công an phường Đồng Tiến → Phòng Cảnh sát điều tra tội phạm về ma túy – Công an tỉnh Sông Xanh",
    );
    // Refreshing an unchanged case: 304, and no second view in the audit.
    const views = async () =>
      (await h.audit.latest({ tipId: tip.id })).filter((a) => a.action === "view-tip").length;
    const viewed = await views();
    const again = await h.app.inject({
      method: "GET",
      url: `/console/api/tips/${tip.id}`,
      cookies: { ssg_console: officer },
      headers: { "if-none-match": shown.headers.etag as string },
    });
    expect(again.statusCode).toBe(304);
    expect(await views()).toBe(viewed);
    expect(first.tip.description).toBe(tip.description);
    expect(first.actions).toEqual(["acknowledge", "ask", "forward", "close"]);
    // The photo: served to this officer, re-encoded without metadata; not to another commune's.
    const url = first.tip.photoUrls[0] as string;
    const served = await h.as(officer, "GET", url);
    expect(served.statusCode).toBe(200);
    expect(served.headers["content-type"]).toBe("image/jpeg");
    expect(served.rawPayload.includes(Buffer.from("Exif", "latin1"))).toBe(false);
    expect((await h.as(neighbour, "GET", url)).statusCode).toBe(403);
    expect((await h.as(officer, "GET", url.replace(/sig=[^&]+/, `sig=${"A".repeat(43)}`))).statusCode).toBe(
      403,
    );
    expect((await h.as(undefined, "GET", url)).statusCode).toBe(401);

    expect((await h.as(officer, "POST", `/console/api/tips/${tip.id}/acknowledge`)).json()).toMatchObject({
      tip: { state: "acknowledged" },
    });
    expect((await h.as(officer, "POST", `/console/api/tips/${tip.id}/acknowledge`)).statusCode).toBe(409);
    const ask = await h.as(officer, "POST", `/console/api/tips/${tip.id}/ask`, { question: "Mấy giờ?" });
    expect(ask.statusCode).toBe(200);
    expect(await listed()).toMatchObject({ state: "waiting" });
    // The question goes to the tipster through the same queue as the chat's.
    const jobs = await h.rt.queues.notify.getJobs(["waiting", "prioritized", "delayed"]);
    expect(jobs.map((j) => j.data)).toContainEqual(
      expect.objectContaining({ tipId: tip.id, kind: "question" }),
    );
    // The tipster's answer (relayed by triage) shows in the timeline and ends the wait.
    await h.rt.store.appendAudit(tip.id, {
      at: Date.now(),
      actor: "tipster",
      action: "answered",
      detail: "17 giờ",
    });
    const answered = await detail();
    expect(answered.timeline.at(-1)).toMatchObject({
      action: "answered",
      who: "Người báo tin",
      detail: "17 giờ",
    });
    expect(answered.tip.state).toBe("acknowledged");
    expect(answered.timeline.map((s) => s.action)).toEqual([
      "received",
      "routed",
      "acknowledged",
      "asked",
      "answered",
    ]);

    const closed = await h.as(officer, "POST", `/console/api/tips/${tip.id}/close`, { outcome: "co-co-so" });
    expect(closed.json()).toMatchObject({ tip: { state: "closed", outcome: "co-co-so" } });
    expect((await detail()).actions).toEqual([]);
    expect(await h.rt.outcomes.flush()).toMatchObject({ written: 1 });

    // The dashboard and the report of the officer's commune count it; the neighbour's do not.
    const period = `from=${today().slice(0, 4)}-01-01&to=${today()}`;
    const stats = (await h.as(officer, "GET", `/console/api/stats?${period}`)).json() as {
      total: number;
      byOutcome: { key: string; count: number }[];
    };
    expect(stats.total).toBe(1);
    expect(stats.byOutcome.find((o) => o.key === "co-co-so")?.count).toBe(1);
    const theirs = (await h.as(neighbour, "GET", `/console/api/stats?${period}`)).json() as { total: number };
    expect(theirs.total).toBe(0);
    expect(
      (await h.as(neighbour, "GET", `/console/api/stats?${period}&commune=phuong-dong-tien`)).statusCode,
    ).toBe(403);
    expect((await h.as(officer, "GET", "/console/api/stats?from=2026-02-30&to=2026-03-01")).statusCode).toBe(
      400,
    );

    const xlsx = await h.as(officer, "GET", `/console/api/report.xlsx?${period}`);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers["content-disposition"]).toMatch(/^attachment; filename="bao-cao-.*\.xlsx"$/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const cells = book.worksheets.flatMap((ws) => {
      const values: unknown[] = [];
      ws.eachRow((row) => row.eachCell((c) => values.push(c.value)));
      return values;
    });
    expect(cells).toContain("Phường Đồng Tiến");
    expect(JSON.stringify(cells)).not.toContain(tip.description);
    const sheet = book.worksheets[0];
    let drugsRow: number[] = [];
    sheet?.eachRow((row) => {
      const values = (row.values as unknown[]).slice(1);
      if (values[0] === "Phường Đồng Tiến") drugsRow = values.slice(1).map(Number);
    });
    // One drugs tip in the commune's row, and its total.
    expect(drugsRow.reduce((a, b) => a + b, 0)).toBe(2);
    const csv = await h.as(officer, "GET", `/console/api/report.csv?${period}`);
    expect(csv.headers["content-type"]).toContain("text/csv");
    expect(csv.body).toContain("Phường Đồng Tiến");

    const actions = (await h.audit.latest({ tipId: tip.id })).map((a) => `${a.action}:${a.allowed}`);
    expect(actions).toEqual(
      expect.arrayContaining(["view-tip:true", "acknowledge:true", "ask:true", "close:true"]),
    );
    expect(actions).toContain("acknowledge:false");
  });

  it("lets an admin see every case but act on none", async () => {
    const tip = await h.tip();
    const { token } = h.links.mint({ kind: "operator" });
    const r = await h.as(undefined, "POST", "/console/api/session", { token });
    const admin = r.cookies.find((c) => c.name === "ssg_console")?.value as string;
    const ids = ((await h.as(admin, "GET", "/console/api/tips")).json() as { tips: Summary[] }).tips.map(
      (t) => t.id,
    );
    expect(ids).toContain(tip.id);
    expect(((await h.as(admin, "GET", `/console/api/tips/${tip.id}`)).json() as Detail).actions).toEqual([]);
    const refused = await h.as(admin, "POST", `/console/api/tips/${tip.id}/acknowledge`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: "admin-views-only" });
  });
});
