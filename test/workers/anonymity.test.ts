import type { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { escalationJobId } from "../../workers/queues/tip-queues.js";
import { RecordingMessenger } from "../fakes/recording-messenger.js";
import { drained, exampleRouting, finished, NO_DEADLINES, type TestRuntime, testRuntime } from "./harness.js";

const TIPSTER_CHAT = "5550001234567";
const TIPSTER_USER = "5550009876543";
const OFFICER = { channel: "telegram" as const, chatId: "100000011" };
const BACKUP = "100000012"; // ca-an-hoa-minh, next in An Hòa's chain

/** Every key under the prefix with every value it holds, as text (binary values as latin1 and hex). */
async function dumpRedis(redis: Redis, prefix: string): Promise<string[]> {
  const out: string[] = [];
  const keys = await redis.keys(`${prefix}*`);
  for (const key of keys) {
    out.push(key);
    const type = await redis.type(key);
    const values: Buffer[] = [];
    if (type === "string") values.push((await redis.getBuffer(key)) ?? Buffer.alloc(0));
    if (type === "hash") values.push(...Object.values(await redis.hgetallBuffer(key)));
    if (type === "list") values.push(...(await redis.lrangeBuffer(key, 0, -1)));
    if (type === "set") values.push(...(await redis.smembersBuffer(key)));
    if (type === "zset") values.push(...(await redis.zrangeBuffer(key, 0, -1)));
    if (type === "stream") {
      for (const [, fields] of await redis.xrange(key, "-", "+")) out.push(fields.join(" "));
    }
    for (const v of values) out.push(v.toString("latin1"), v.toString("hex"));
  }
  return out;
}

describe("anonymity audit", () => {
  let rt: TestRuntime | undefined;
  afterEach(async () => {
    await rt?.dispose();
    rt = undefined;
  });

  it("never stores, logs or shows the tipster's ids, through a whole tip's life", async () => {
    const messenger = new RecordingMessenger();
    // The escalation is run below when the test says so, not when a deadline passes.
    rt = await testRuntime(messenger, {}, {}, await exampleRouting(NO_DEADLINES));
    const tipster = { channel: "telegram" as const, chatId: TIPSTER_CHAT, userId: TIPSTER_USER };
    const { tipId, caseCode, pin } = await rt.intake.submit(
      {
        category: "bao-luc-hoc-duong",
        urgency: "binh-thuong",
        place: { schoolId: "thcs-an-hoa" },
        description: "Một nhóm học sinh lớp 9 chặn đường bắt nạt một bạn lớp 6 sau giờ học.",
      },
      tipster,
    );
    await messenger.waitFor(() => messenger.to(OFFICER.chatId).length === 1);
    await rt.triage.ask(OFFICER, tipId, "Việc này xảy ra mấy lần rồi?");
    await messenger.waitFor(() => messenger.to(TIPSTER_CHAT).length === 1);
    await rt.triage.tipsterAnswer(
      { from: { channel: "telegram", chatId: TIPSTER_CHAT } },
      caseCode,
      "Ba lần trong tuần này.",
    );
    await messenger.waitFor(() => messenger.to(OFFICER.chatId).length === 2);
    await rt.triage.status({ channel: "telegram", chatId: TIPSTER_CHAT }, caseCode, pin);
    // The deadline passes (the escalation is promoted instead of waited for): the backup gets
    // the tip too, so the audit also covers an escalation and what it sends.
    const escalation = escalationJobId(tipId, 1);
    await (await rt.queues.escalate.getJob(escalation))?.promote();
    expect(await finished(rt.queues.escalate, escalation)).toMatchObject({ returnvalue: "escalated" });
    await messenger.waitFor(() => messenger.to(BACKUP).length === 1);
    await rt.triage.close(OFFICER, tipId, "co-co-so");
    // Closing cancelled the next escalation; every job the tip caused has run before the audit.
    expect(await rt.queues.escalate.getDelayedCount()).toBe(0);
    await drained([rt.queues.intake, rt.queues.notify, rt.queues.escalate]);

    const haystack = [
      ...(await dumpRedis(rt.redis, rt.prefix)),
      ...rt.logs,
      ...messenger.sent.filter((s) => s.to.chatId !== TIPSTER_CHAT).map((s) => JSON.stringify(s.message)),
    ];
    // The audit must have looked at something real: the tip, its jobs and logs.
    expect(haystack.some((h) => h.includes(caseCode))).toBe(true);
    expect(haystack.some((h) => h.includes("notify"))).toBe(true);
    expect(rt.logs.length).toBeGreaterThan(0);
    for (const id of [TIPSTER_CHAT, TIPSTER_USER]) {
      const hex = Buffer.from(id).toString("hex");
      const b64 = Buffer.from(id).toString("base64");
      const leaks = haystack.filter((h) => h.includes(id) || h.includes(hex) || h.includes(b64));
      expect(leaks, `identifier ${id} found`).toEqual([]);
    }
  });
});
