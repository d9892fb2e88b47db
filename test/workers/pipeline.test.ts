import { afterEach, describe, expect, it } from "vitest";
import { MessengerPermanentError, MessengerRateLimitedError } from "../../workers/messenger.js";
import { escalationJobId } from "../../workers/queues/tip-queues.js";
import { RecordingMessenger } from "../fakes/recording-messenger.js";
import {
  drained,
  eventually,
  exampleRouting,
  finished,
  NO_DEADLINES,
  type TestRuntime,
  testRuntime,
} from "./harness.js";

// Contacts of the example province (workers/routing/example-province.yaml).
const AN_HOA_DUTY_DESK = "100000011"; // primary for drugs in Phường An Hòa
const PC04 = "100000002"; // provincial drug unit: backup for drugs in An Hòa
const PROVINCE_DUTY = "100000001";
const PC07 = "100000003"; // fire police

const drugTip = {
  category: "ma-tuy",
  urgency: "binh-thuong",
  place: { schoolId: "thcs-an-hoa", text: "cổng sau, giờ tan học" },
  description: "Có người lạ bán thuốc lá điện tử có chất lạ cho học sinh lớp 8.",
};
const student = { channel: "telegram" as const, chatId: "777000555", userId: "777000555" };

describe("tip pipeline on the real Redis", () => {
  let rt: TestRuntime | undefined;
  afterEach(async () => {
    await rt?.dispose();
    rt = undefined;
  });

  it("routes a tip by category and place, delivers it once, and escalates when nobody acknowledges", async () => {
    const messenger = new RecordingMessenger();
    rt = await testRuntime(messenger);
    const { caseCode, tipId } = await rt.intake.submit(drugTip, student);
    await messenger.waitFor(() => messenger.to(AN_HOA_DUTY_DESK).length === 1);
    const first = messenger.to(AN_HOA_DUTY_DESK)[0];
    expect(first?.text).toContain(caseCode);
    expect(first?.text).toContain("Trường THCS An Hòa");
    expect(first?.actions?.map((a) => a.data)).toContain(`ack:${tipId}`);
    // The status changes just after the send.
    await eventually(async () => (await rt?.store.get(tipId))?.status === "delivered");

    // Deadline for "binh-thuong" is 2 s in tests: then the backup, the drug unit, gets it.
    await messenger.waitFor(() => messenger.to(PC04).length === 1, 6000);
    expect(messenger.to(PC04)[0]?.text).toContain("CHƯA CÓ AI NHẬN");
    // Then the provincial duty officer.
    await messenger.waitFor(() => messenger.to(PROVINCE_DUTY).length === 1, 6000);
    expect(messenger.to(AN_HOA_DUTY_DESK)).toHaveLength(1);
    const actions = (await rt.store.auditLog(tipId)).map((a) => a.action);
    expect(actions.filter((a) => a === "escalated")).toHaveLength(2);
  });

  it("does not escalate an acknowledged tip, and refuses (and audits) someone not in the table", async () => {
    const messenger = new RecordingMessenger();
    // Deadlines are not waited out here: the escalation is looked at directly below.
    rt = await testRuntime(messenger, {}, {}, await exampleRouting(NO_DEADLINES));
    const { tipId } = await rt.intake.submit({ ...drugTip, urgency: "khan-cap" }, student);
    await messenger.waitFor(() => messenger.to(AN_HOA_DUTY_DESK).length === 1);

    await expect(
      rt.triage.acknowledge({ channel: "telegram", chatId: "999999" }, tipId),
    ).rejects.toMatchObject({
      name: "TriageRefusedError",
      reason: "not-an-officer",
    });
    const refused = (await rt.store.auditLog(tipId)).find((a) => a.action === "refused:acknowledge");
    expect(refused?.actor).toMatch(/^unlisted:[0-9a-f]{12}$/);
    expect(JSON.stringify(refused)).not.toContain("999999");

    const tip = await rt.triage.acknowledge({ channel: "telegram", chatId: AN_HOA_DUTY_DESK }, tipId);
    expect(tip.status).toBe("acknowledged");
    expect(tip.acknowledgedBy).toBe("ca-an-hoa-truc-ban");
    // Acknowledging cancels the pending escalation…
    const escalation = escalationJobId(tipId, 1);
    expect(await rt.queues.escalate.getJob(escalation)).toBeUndefined();
    // …and one that fires all the same (it was already running) finds the tip acknowledged.
    await rt.queues.addEscalation({ tipId, level: 1 }, 0);
    expect(await finished(rt.queues.escalate, escalation)).toEqual({
      state: "completed",
      returnvalue: "not-needed",
    });
    await drained([rt.queues.notify]);
    expect(messenger.to(PC04)).toHaveLength(0);
    expect(messenger.to(PROVINCE_DUTY)).toHaveLength(0);
  });

  it("relays an officer's question to the tipster and the answer back, then closes with an outcome", async () => {
    const messenger = new RecordingMessenger();
    rt = await testRuntime(messenger);
    const { tipId, caseCode, pin } = await rt.intake.submit(drugTip, student);
    await messenger.waitFor(() => messenger.to(AN_HOA_DUTY_DESK).length === 1);
    const officer = { channel: "telegram" as const, chatId: AN_HOA_DUTY_DESK };
    await rt.triage.acknowledge(officer, tipId);
    await rt.triage.ask(officer, tipId, "Người bán thường đứng ở đâu, mặc áo màu gì?");
    await messenger.waitFor(() => messenger.to(student.chatId).length === 1);
    const question = messenger.to(student.chatId)[0];
    expect(question?.text).toContain("mặc áo màu gì");
    expect(question?.text).not.toContain("ca-an-hoa");
    expect(question?.text).not.toContain("Trực ban");

    expect(
      await rt.triage.tipsterAnswer(
        { from: student },
        caseCode.toLowerCase(),
        "Áo khoác đen, đứng cạnh quán nước.",
      ),
    ).toBe("relayed");
    await messenger.waitFor(() => messenger.to(AN_HOA_DUTY_DESK).length === 2);
    expect(messenger.to(AN_HOA_DUTY_DESK)[1]?.text).toContain("Áo khoác đen");

    const closed = await rt.triage.close(officer, tipId, "co-co-so");
    expect(closed.status).toBe("closed");
    expect(closed.outcome).toBe("co-co-so");
    expect(await rt.triage.status({ channel: "telegram", chatId: "5" }, caseCode, pin)).toMatchObject({
      caseCode,
      status: "closed",
      outcome: "co-co-so",
    });
    await expect(
      rt.triage.status({ channel: "telegram", chatId: "5" }, caseCode, "000000"),
    ).rejects.toMatchObject({
      reason: "no-such-tip",
    });
    const actions = (await rt.store.auditLog(tipId)).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining(["received", "routed", "acknowledged", "asked", "answered", "closed"]),
    );
  });

  it("marks duplicates only against another existing case", async () => {
    const messenger = new RecordingMessenger();
    rt = await testRuntime(messenger);
    const a = await rt.intake.submit(drugTip, student);
    const b = await rt.intake.submit(drugTip, { ...student, chatId: "12345", userId: "12345" });
    const officer = { channel: "telegram" as const, chatId: AN_HOA_DUTY_DESK };
    await expect(rt.triage.close(officer, b.tipId, "trung", b.caseCode)).rejects.toMatchObject({
      reason: "invalid",
    });
    const closed = await rt.triage.close(officer, b.tipId, "trung", a.caseCode);
    expect(closed.duplicateOf).toBe(a.caseCode);
  });

  it("waits out a 429 retry_after and delivers once; a permanent failure is dead-lettered with an alert", async () => {
    const messenger = new RecordingMessenger();
    rt = await testRuntime(messenger);
    messenger.failNext(new MessengerRateLimitedError(300));
    const started = Date.now();
    await rt.intake.submit({ ...drugTip, category: "chay-no" }, student);
    await messenger.waitFor(() => messenger.to(PC07).length === 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);

    messenger.failNext(new MessengerPermanentError("403 Forbidden: bot was blocked by the user"));
    const { tipId } = await rt.intake.submit(
      { ...drugTip, category: "chay-no" },
      { ...student, chatId: "2", userId: "2" },
    );
    await messenger.waitFor(() => messenger.to(PROVINCE_DUTY).some((m) => m.text.includes("CẢNH BÁO")));
    const dead = await rt.queues.deadLetter.getJobs(["waiting", "completed", "delayed", "active"]);
    expect(dead.map((j) => (j.data.data as { tipId: string }).tipId)).toContain(tipId);
    expect(messenger.to(PC07)).toHaveLength(1);
  });

  it("limits tips per sender by a salted hash", async () => {
    rt = await testRuntime(undefined, {}, { TIPS_PER_SENDER_PER_HOUR: "2" });
    await rt.intake.submit(drugTip, student);
    await rt.intake.submit(drugTip, student);
    await expect(rt.intake.submit(drugTip, student)).rejects.toMatchObject({ reason: "rate-limited" });
    await rt.intake.submit(drugTip, { ...student, chatId: "other", userId: "other" });
  });

  it("rejects invalid submissions with a clear reason and stores nothing", async () => {
    rt = await testRuntime();
    await expect(rt.intake.submit({ ...drugTip, category: "unknown" }, student)).rejects.toMatchObject({
      reason: "invalid",
    });
    await expect(
      rt.intake.submit({ ...drugTip, place: { schoolId: "no-such-school" } }, student),
    ).rejects.toMatchObject({ reason: "unknown-place" });
    expect(await rt.redis.keys(`${rt.prefix}:tip:*`)).toEqual([]);
  });

  it("marks a tip urgent and returns hotline guidance when it mentions danger to life", async () => {
    rt = await testRuntime();
    const r = await rt.intake.submit(
      {
        ...drugTip,
        category: "bao-luc-hoc-duong",
        description: "Có nhóm đang đánh nhau, một bạn có dao ở sân sau",
      },
      student,
    );
    expect(r.emergency?.kinds).toEqual(["violence"]);
    expect((await rt.store.get(r.tipId))?.urgency).toBe("khan-cap");
    await eventually(async () => (await rt?.store.get(r.tipId))?.status === "received");
  });
});
