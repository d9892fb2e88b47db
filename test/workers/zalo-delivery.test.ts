import { afterEach, describe, expect, it } from "vitest";
import { ZaloClient } from "../../bot/zalo/zalo-client.js";
import { ZaloMessenger } from "../../bot/zalo/zalo-messenger.js";
import { FakeZaloApi } from "../fakes/zalo-bot-api.js";
import { drained, type TestRuntime, testRuntime } from "./harness.js";

const TOKEN = "zalo-test-token-1234567890";
const TAN_LAP_DUTY_DESK = "zalo-demo-ca-tan-lap"; // a Zalo contact in the example routing table

describe("delivery through the Zalo messenger to a fake Zalo Bot API", () => {
  let rt: TestRuntime | undefined;
  let api: FakeZaloApi | undefined;
  afterEach(async () => {
    await rt?.dispose();
    await api?.close();
  });

  it("waits out a 429 retry_after, then delivers the tip once with its actions as commands", async () => {
    api = await new FakeZaloApi(TOKEN).start();
    api.failNext({ status: 429, retryAfter: 1 }, "sendMessage");
    rt = await testRuntime(new ZaloMessenger(new ZaloClient(TOKEN, { apiRoot: api.apiRoot })));
    const started = Date.now();
    const { caseCode } = await rt.intake.submit(
      {
        category: "bao-luc-hoc-duong",
        urgency: "binh-thuong",
        place: { schoolId: "th-thcs-tan-lap" },
        description: "Học sinh lớp 7 bị nhóm bạn đánh sau giờ tan học ở bãi đất trống.",
      },
      { channel: "telegram", chatId: "31337" },
    );
    const until = Date.now() + 10_000;
    while (api.messagesTo(TAN_LAP_DUTY_DESK).length === 0 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 25));
    const messages = api.messagesTo(TAN_LAP_DUTY_DESK);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(messages.map((m) => m.text).join("\n")).toContain(caseCode);
    expect(messages.map((m) => m.text).join("\n")).toContain(`/nhan ${caseCode}`);
    for (const m of messages) expect(m.text.length).toBeLessThanOrEqual(2000);
    // Nothing left that could send it again.
    await drained([rt.queues.notify]);
    expect(api.messagesTo(TAN_LAP_DUTY_DESK)).toHaveLength(messages.length);
  });
});
