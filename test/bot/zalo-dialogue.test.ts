import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dialogue } from "../../bot/dialogue/dialogue.js";
import { parseZaloUpdate, ZaloClient } from "../../bot/zalo/zalo-client.js";
import { handleZaloUpdate } from "../../bot/zalo/zalo-updates.js";
import { RecordingMessenger } from "../fakes/recording-messenger.js";
import { FakeZaloApi, zaloTextUpdate } from "../fakes/zalo-bot-api.js";
import { type TestRuntime, testRuntime } from "../workers/harness.js";
import { testDialogue } from "./dialogue-harness.js";

const TOKEN = "zalo-test-token-1234567890";
const STUDENT = "zalo-user-student-9";
const AN_HOA_DUTY_DESK = "100000011";

describe("the report flow on Zalo, with numbered replies", () => {
  let api: FakeZaloApi;
  let rt: TestRuntime;
  let messenger: RecordingMessenger;
  let dialogue: Dialogue;
  let dispose: () => Promise<void>;
  let client: ZaloClient;

  beforeAll(async () => {
    api = await new FakeZaloApi(TOKEN).start();
    messenger = new RecordingMessenger();
    rt = await testRuntime(messenger);
    ({ dialogue, dispose } = await testDialogue(rt));
    client = new ZaloClient(TOKEN, { apiRoot: api.apiRoot });
  });
  afterAll(async () => {
    await rt.dispose();
    await dispose();
    await api.close();
  });

  const say = (text: string) =>
    handleZaloUpdate(client, dialogue, parseZaloUpdate(zaloTextUpdate(STUDENT, text)));
  const last = () => api.messagesTo(STUDENT).at(-1)?.text ?? "";

  it("sends a tip by typing numbers and gets a case code; the officer receives it", async () => {
    await say("/baotin");
    expect(last()).toMatch(/1\. Ma túy/);
    await say("1");
    expect(last()).toContain("Việc xảy ra ở đâu");
    await say("thcs an hoa");
    expect(last()).toMatch(/1\. Trường THCS An Hòa/);
    await say("1");
    await say("Có người lạ rủ học sinh thử thuốc lá điện tử ở quán nước gần trường.");
    await say("1"); // no photo
    await say("2"); // bình thường
    expect(last()).toContain("Kiểm tra lại tin báo");
    await say("1"); // Gửi
    const code = /AT-[A-Z0-9]{4}-[A-Z0-9]{2}/.exec(last())?.[0];
    expect(code).toBeDefined();
    await messenger.waitFor(() =>
      messenger.to(AN_HOA_DUTY_DESK).some((m) => m.text.includes(code as string)),
    );
    for (const m of api.messagesTo(STUDENT)) expect(m.text.length).toBeLessThanOrEqual(2000);
  });

  it("answers a child's unsupported message with guidance and hotlines", async () => {
    await handleZaloUpdate(
      client,
      dialogue,
      parseZaloUpdate({
        event_name: "message.unsupported.received",
        message: { message_id: "m1", date: 1, chat: { id: STUDENT }, from: { id: STUDENT } },
      }),
    );
    expect(last()).toContain("111");
  });
});
