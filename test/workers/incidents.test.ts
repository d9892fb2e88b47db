import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../db/client.js";
import { createLogger } from "../../logger.js";
import { importDirectory } from "../../workers/directory/import.js";
import { InvitationDesk, type SchoolRole } from "../../workers/directory/invitations.js";
import { isIncidentRefused } from "../../workers/incident/desk.js";
import type { IncidentSubmissionInput } from "../../workers/incident/incident.js";
import { IncidentStore } from "../../workers/incident/incident-store.js";
import { decodeIncidentChoice, runIncidentChoice } from "../../workers/incident/officer-actions.js";
import { eraseExpiredIncidents } from "../../workers/incident/retention.js";
import { incidentEscalationJobId } from "../../workers/queues/tip-queues.js";
import { freshDatabase, type TestDatabase } from "../db/engines.js";
import { RecordingMessenger } from "../fakes/recording-messenger.js";
import {
  EXAMPLE_ROUTING,
  eventually,
  exampleRouting,
  NO_DEADLINES,
  type TestRuntime,
  testRuntime,
} from "./harness.js";

// Contacts of the example province (workers/routing/example-province.yaml).
const AN_HOA_DUTY_DESK = { channel: "telegram" as const, chatId: "100000011" }; // Phường An Hòa
const AN_HOA_MINH = { channel: "telegram" as const, chatId: "100000012" }; // its backup
const DONG_TIEN_HUNG = { channel: "telegram" as const, chatId: "100000032" }; // another commune
const DRUGS_UNIT = { channel: "telegram" as const, chatId: "100000002" }; // provincial, ma-tuy only
const TEACHER = { channel: "telegram" as const, chatId: "555000111" }; // THCS An Hòa
const HEAD_B = { channel: "telegram" as const, chatId: "555000222" }; // THPT Trần Phú
const STRANGER = { channel: "telegram" as const, chatId: "555000999" };
const DAY = 86_400_000;

const fight = (over: Partial<IncidentSubmissionInput> = {}): IncidentSubmissionInput => ({
  kind: "bao-luc-hoc-duong",
  urgency: "binh-thuong",
  occurredAt: Date.now() - 3_600_000,
  place: "cong-truong",
  description: "Hai nhóm học sinh đánh nhau ở cổng trường sau giờ tan học.",
  involved: [{ role: "hoc-sinh", className: "8A3", name: "Trần Văn Bình", count: 2 }],
  injuries: "Một em bị xây xát nhẹ ở tay.",
  schoolAction: "Đã tách hai nhóm và mời phụ huynh.",
  ...over,
});

describe("schools' incidents (PGlite, real Redis)", () => {
  let target: TestDatabase;
  let handle: DatabaseHandle;
  let rt: TestRuntime;
  let messenger: RecordingMessenger;

  async function bind(chat: typeof TEACHER, schoolId: string, schoolRole: SchoolRole, name: string) {
    const desk = new InvitationDesk({
      db: handle.db,
      secret: randomBytes(32),
      logger: createLogger("silent"),
    });
    const minted = await desk.mint({ role: "school-staff", schoolId, schoolRole }, { by: "cli:test" });
    await desk.join(minted.code, chat, { name });
  }

  beforeEach(async () => {
    target = await freshDatabase("pglite");
    handle = await openDatabase(target.config);
    await importDirectory(handle.db, EXAMPLE_ROUTING, { actor: "test" });
    await bind(TEACHER, "thcs-an-hoa", "teacher", "Nguyễn Thị Lan");
    await bind(HEAD_B, "thpt-tran-phu", "head", "Lê Văn Hải");
    messenger = new RecordingMessenger();
    rt = await testRuntime(messenger, {}, {}, await exampleRouting(NO_DEADLINES), { database: handle.db });
  });
  afterEach(async () => {
    await rt.dispose();
    await handle.close();
    await target.drop();
  });

  const texts = (chat: { chatId: string }) => messenger.to(chat.chatId).map((m) => m.text);

  it("routes a teacher's incident to the commune's officer, escalates it, relays a question and its answer, on site, close, counts", async () => {
    const desk = rt.incidents;
    if (!desk) throw new Error("no incident desk");
    const receipt = await desk.report(TEACHER, fight());
    expect(receipt.caseCode).toMatch(/^SC-[2-9A-Y]{4}-[2-9A-Y]{2}$/);
    expect(receipt.emergency?.kinds).toContain("violence");

    // The commune's duty desk gets it, naming the school and the teacher, with incident buttons.
    await messenger.waitFor(() => texts(AN_HOA_DUTY_DESK).length === 1);
    const [first] = messenger.to(AN_HOA_DUTY_DESK.chatId);
    expect(first?.text).toContain("Trường THCS An Hòa");
    expect(first?.text).toContain("Nguyễn Thị Lan — giáo viên");
    expect(first?.text).toContain(receipt.caseCode);
    expect(first?.text).toContain("Trần Văn Bình");
    expect(first?.actions?.map((a) => a.data.split(":")[0])).toEqual([
      "inc-ack",
      "inc-site",
      "inc-ask",
      "inc-fwd",
      "inc-close",
    ]);
    await eventually(async () => (await desk.get({ kind: "admin" }, receipt.id)).status === "delivered");

    // Nobody took it: its deadline is brought forward, and the backup receives it.
    const escalation = await rt.queues.escalate.getJob(incidentEscalationJobId(receipt.id, 1));
    await escalation?.promote();
    await messenger.waitFor(() => texts(AN_HOA_MINH).length === 1);
    expect(texts(AN_HOA_MINH)[0]).toContain("CHƯA CÓ AI NHẬN XỬ LÝ");

    // The backup asks; the question reaches the teacher's own chat, naming the officer.
    await desk.ask(AN_HOA_MINH, receipt.id, "Có em nào phải đi viện không?");
    await messenger.waitFor(() => texts(TEACHER).length === 1);
    const officerName = rt.routing.contactById("ca-an-hoa-minh")?.name as string;
    expect(texts(TEACHER)[0]).toContain(officerName);
    expect(texts(TEACHER)[0]).toContain("Có em nào phải đi viện không?");
    expect(await desk.pendingQuestion(TEACHER)).toEqual({ id: receipt.id, caseCode: receipt.caseCode });

    // The teacher answers; the officer who asked gets it.
    expect(await desk.answer(TEACHER, receipt.caseCode.toLowerCase(), "Không, chỉ xây xát nhẹ.")).toBe(
      "relayed",
    );
    await messenger.waitFor(() => texts(AN_HOA_MINH).length === 2);
    expect(texts(AN_HOA_MINH)[1]).toContain("Không, chỉ xây xát nhẹ.");
    expect(texts(AN_HOA_MINH)[1]).toContain("Nguyễn Thị Lan");
    expect(await desk.pendingQuestion(TEACHER)).toBeUndefined();
    // Another chat cannot answer for the teacher.
    await expect(desk.answer(HEAD_B, receipt.caseCode, "Giả mạo")).rejects.toMatchObject({
      reason: "not-the-reporter",
    });

    // On site through the button codec, then closed with an outcome.
    const site = await runIncidentChoice(desk, rt.routing, AN_HOA_MINH, `inc-site:${receipt.id}`);
    expect(site).toMatchObject({
      done: "on-site",
      incident: { status: "on-site", onSiteBy: "ca-an-hoa-minh" },
    });
    expect(decodeIncidentChoice(`ack:${receipt.id}`)).toBeUndefined();
    const close = await runIncidentChoice(desk, rt.routing, AN_HOA_MINH, `inc-close:${receipt.id}`);
    expect(close).toMatchObject({ need: "outcome" });
    const outcome = close && "choices" in close ? close.choices[0]?.data : undefined;
    const closed = await runIncidentChoice(desk, rt.routing, AN_HOA_MINH, outcome ?? "");
    expect(closed).toMatchObject({ done: "closed", incident: { status: "closed", outcome: "da-xu-ly" } });

    const actions = (await desk.timeline({ kind: "chat", chat: TEACHER }, receipt.id)).map((e) => e.action);
    for (const a of [
      "reported",
      "routed",
      "delivered",
      "escalated",
      "asked",
      "answered",
      "on-site",
      "closed",
    ])
      expect(actions).toContain(a);

    const period = { from: Date.now() - 30 * DAY, to: Date.now() + DAY };
    const [a, b] = await desk.countsBySchool(["thcs-an-hoa", "thpt-tran-phu"], period);
    expect(a).toMatchObject({ schoolId: "thcs-an-hoa", total: 1, open: 0 });
    expect(a?.byKind["bao-luc-hoc-duong"]).toBe(1);
    expect(a?.byOutcome["da-xu-ly"]).toBe(1);
    expect(JSON.stringify(a)).not.toContain("Bình");
    expect(b).toMatchObject({ schoolId: "thpt-tran-phu", total: 0 });

    // The teacher's own log holds it; the officer's too.
    const mine = await desk.list(await desk.scopeFor({ kind: "chat", chat: TEACHER }));
    expect(mine.map((i) => i.id)).toEqual([receipt.id]);
    const officers = await desk.list(await desk.scopeFor({ kind: "chat", chat: AN_HOA_DUTY_DESK }));
    expect(officers.map((i) => i.id)).toEqual([receipt.id]);
  });

  it("refuses an unbound chat, another school's staff, and officers of another commune or category (audited)", async () => {
    const desk = rt.incidents;
    if (!desk) throw new Error("no incident desk");
    const refusal = await desk.report(STRANGER, fight()).catch((e: unknown) => e);
    expect(isIncidentRefused(refusal)).toBe(true);
    expect(refusal).toMatchObject({ name: "IncidentRefusedError", reason: "not-school-staff" });

    const { id } = await desk.report(TEACHER, fight());
    // School B's head neither reads nor acts on school A's incident.
    await expect(desk.get({ kind: "chat", chat: HEAD_B }, id)).rejects.toMatchObject({
      reason: "no-such-incident",
    });
    await expect(desk.timeline({ kind: "chat", chat: HEAD_B }, id)).rejects.toMatchObject({
      reason: "no-such-incident",
    });
    expect(await desk.list(await desk.scopeFor({ kind: "chat", chat: HEAD_B }))).toEqual([]);
    await expect(desk.acknowledge(HEAD_B, id)).rejects.toMatchObject({ reason: "not-an-officer" });
    // Another commune's officer, and a provincial unit of another category.
    await expect(desk.acknowledge(DONG_TIEN_HUNG, id)).rejects.toMatchObject({ reason: "not-your-incident" });
    await expect(desk.close(DRUGS_UNIT, id, "da-xu-ly")).rejects.toMatchObject({
      reason: "not-your-incident",
    });
    await expect(desk.ask(DONG_TIEN_HUNG, id, "?")).rejects.toMatchObject({ reason: "not-your-incident" });
    expect(await desk.list(await desk.scopeFor({ kind: "chat", chat: DONG_TIEN_HUNG }))).toEqual([]);

    const refused = (await desk.timeline({ kind: "admin" }, id)).filter((e) => e.action === "refused");
    expect(refused.map((e) => e.detail)).toEqual(["acknowledge", "acknowledge", "close", "ask"]);
    for (const e of refused) {
      expect(e.actor.type).toBe("caller");
      expect(JSON.stringify(e)).not.toMatch(/10000003|10000000|555000222/);
    }
    // A drugs incident of the same school is the drug unit's to act on.
    const drugs = await desk.report(
      TEACHER,
      fight({ kind: "ma-tuy", description: "Có người lạ mời học sinh dùng thuốc lá điện tử." }),
    );
    expect((await desk.acknowledge(DRUGS_UNIT, drugs.id)).status).toBe("acknowledged");
  });

  it("erases the content of incidents closed longer ago than the retention, keeping the counts", async () => {
    const desk = rt.incidents;
    if (!desk) throw new Error("no incident desk");
    const photoId = "ab".repeat(16);
    await rt.store.putPhoto(photoId, Buffer.from("jpeg bytes"), 3600);
    const old = await desk.report(TEACHER, fight({ photoIds: [photoId] }));
    const recent = await desk.report(TEACHER, fight());
    const open = await desk.report(TEACHER, fight());
    await desk.ask(AN_HOA_DUTY_DESK, old.id, "Lớp nào?");
    await messenger.waitFor(() => texts(TEACHER).length === 1);
    await desk.close(AN_HOA_DUTY_DESK, old.id, "da-xu-ly");
    const closedAt = Date.now();
    const store = new IncidentStore(handle.db);
    const erase = (now: number) =>
      eraseExpiredIncidents({
        redis: rt.redis,
        store,
        queues: rt.queues,
        logger: createLogger("silent"),
        now: () => now,
        retentionDays: 180,
      });
    expect(await erase(closedAt + 179 * DAY)).toEqual({ erased: 0 });
    // Open incidents are never erased, however old.
    expect(await erase(closedAt + 181 * DAY)).toEqual({ erased: 1 });

    const erased = await desk.get({ kind: "admin" }, old.id);
    expect(erased).toMatchObject({
      description: "",
      photoIds: [],
      kind: "bao-luc-hoc-duong",
      outcome: "da-xu-ly",
    });
    expect(erased.erasedAt).toBeDefined();
    expect(erased.injuries).toBeUndefined();
    expect(erased.schoolAction).toBeUndefined();
    expect(erased.involved).toEqual([{ role: "hoc-sinh", className: "8A3", count: 2 }]);
    expect(await store.reporterChat(old.id)).toBeUndefined();
    expect(await store.photo(old.id, photoId)).toBeUndefined();
    const details = (await desk.timeline({ kind: "admin" }, old.id)).map((e) => e.detail ?? "");
    expect(details.join(" ")).not.toContain("Lớp nào?");
    // No Redis key names the erased incident any more (jobs, ledger).
    const keys = await rt.redis.keys(`${rt.prefix}:*`);
    for (const key of keys) expect(key).not.toContain(old.id);
    for (const job of await rt.queues.notify.getJobs(["completed", "waiting", "delayed", "failed"]))
      expect(JSON.stringify(job?.data ?? {})).not.toContain(old.id);

    for (const id of [recent.id, open.id])
      expect((await desk.get({ kind: "admin" }, id)).description).not.toBe("");
    const [counts] = await desk.countsBySchool(["thcs-an-hoa"], { from: 0, to: Date.now() + DAY });
    expect(counts).toMatchObject({ total: 3, open: 2 });
    expect(counts?.byOutcome).toMatchObject({ "da-xu-ly": 1, "khong-co-co-so": 0 });
  });
});
