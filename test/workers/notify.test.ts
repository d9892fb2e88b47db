import { afterEach, describe, expect, it, vi } from "vitest";
import { RecordingMessenger } from "../fakes/recording-messenger.js";
import {
  eventually,
  exampleRouting,
  finished,
  NO_DEADLINES,
  type TestRuntime,
  testRuntime,
} from "./harness.js";

// Contacts of the example province (workers/routing/example-province.yaml).
const AN_HOA_DUTY_DESK = "100000011"; // primary for drugs in Phường An Hòa
const PC07 = "100000003"; // fire police: primary for fire hazards in An Hòa

const drugTip = {
  category: "ma-tuy",
  urgency: "binh-thuong",
  place: { schoolId: "thcs-an-hoa" },
  description: "Có người lạ bán thuốc lá điện tử có chất lạ cho học sinh lớp 8.",
};
const fireTip = { ...drugTip, category: "chay-no", description: "Ổ điện ở nhà xe cháy xém, có mùi khét." };
const student = (chatId: string) => ({ channel: "telegram" as const, chatId, userId: chatId });

/** The notify job of a new tip's first delivery (its id is deterministic, see TipQueues). */
const newTipJobId = (tipId: string, contactId: string) => `notify-${tipId}-new-${contactId}`;

describe("notify stage", () => {
  let rt: TestRuntime | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await rt?.dispose();
    rt = undefined;
  });

  it("sends once when the worker is lost after the send, with the ledger written but the job not completed", async () => {
    const messenger = new RecordingMessenger();
    const live = await testRuntime(messenger, {}, {}, await exampleRouting(NO_DEADLINES));
    rt = live;
    // The worker "dies" right after the chat API took the message and the ledger recorded it:
    // its lock on the job is gone (as when the process is killed and the lock expires), so
    // BullMQ cannot complete the job and the stalled-job check hands it out again.
    const record = live.store.recordDelivery.bind(live.store);
    let lost: string | undefined;
    vi.spyOn(live.store, "recordDelivery").mockImplementationOnce(async (deliveryId, messageId) => {
      const written = await record(deliveryId, messageId);
      lost = `notify-${deliveryId}`;
      await live.redis.del(`${live.prefix}:notify:${lost}:lock`);
      return written;
    });

    const { tipId, caseCode } = await live.intake.submit(drugTip, student("777000555"));
    const jobId = newTipJobId(tipId, "ca-an-hoa-truc-ban");
    const done = await finished(live.queues.notify, jobId);
    expect(lost).toBe(jobId);
    const received = messenger.to(AN_HOA_DUTY_DESK);
    expect(received.map((m) => m.text.split("\n")[0])).toHaveLength(1);
    expect(received[0]?.text).toContain(caseCode);
    expect(received[0]?.text).not.toContain("Gửi lại");
    // Run twice: the first attempt could not complete, the retry found the ledger entry.
    expect(done).toEqual({ state: "completed", returnvalue: "already-sent" });
    expect((await live.queues.notify.getJob(jobId))?.stalledCounter).toBe(1);
    expect((await live.store.get(tipId))?.status).toBe("delivered");
  });

  it("spaces two messages to one chat by the pacing interval", async () => {
    const interval = 300;
    const messenger = new RecordingMessenger();
    rt = await testRuntime(
      messenger,
      { minChatIntervalMs: interval },
      {},
      await exampleRouting(NO_DEADLINES),
    );
    const first = await rt.intake.submit(drugTip, student("1"));
    const second = await rt.intake.submit(drugTip, student("2"));
    await messenger.waitFor(() => messenger.sent.length === 2);

    const toDesk = messenger.sent.filter((s) => s.to.chatId === AN_HOA_DUTY_DESK);
    expect(toDesk.map((s) => s.message.text.match(/AT-\w{4}-\w{2}/)?.[0]).sort()).toEqual(
      [first.caseCode, second.caseCode].sort(),
    );
    // A lower bound, not a race: the second message waited for the chat's pacing slot. The slot
    // is taken a Redis round trip before the messenger is called, hence the 20 ms; without
    // pacing the two sends are a few milliseconds apart.
    const [a, b] = toDesk;
    expect((b?.at ?? 0) - (a?.at ?? 0)).toBeGreaterThanOrEqual(interval - 20);
  });

  it("holds only the paced chat: a message to another chat goes out meanwhile", async () => {
    // Long enough that nothing held by it can arrive during the test.
    const interval = 60_000;
    const messenger = new RecordingMessenger();
    const live = await testRuntime(
      messenger,
      { minChatIntervalMs: interval },
      {},
      await exampleRouting(NO_DEADLINES),
    );
    rt = live;
    await live.intake.submit(drugTip, student("1"));
    await messenger.waitFor(() => messenger.sent.length === 1);
    const second = await live.intake.submit(drugTip, student("2"));
    const fire = await live.intake.submit(fireTip, student("3"));

    await messenger.waitFor(() => messenger.to(PC07).length === 1);
    expect(messenger.to(PC07)[0]?.text).toContain(fire.caseCode);
    const held = newTipJobId(second.tipId, "ca-an-hoa-truc-ban");
    await eventually(async () => (await live.queues.notify.getJob(held))?.isDelayed());
    expect(messenger.to(AN_HOA_DUTY_DESK)).toHaveLength(1);
  });
});
