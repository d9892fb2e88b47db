import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dialogue } from "../../bot/dialogue/dialogue.js";
import { parseZaloUpdate } from "../../bot/zalo/zalo-api.js";
import { ZaloClient } from "../../bot/zalo/zalo-client.js";
import { ZaloMessenger } from "../../bot/zalo/zalo-messenger.js";
import { handleZaloUpdate } from "../../bot/zalo/zalo-updates.js";
import { ChannelRouter } from "../../workers/messenger.js";
import { RecordingMessenger } from "../fakes/recording-messenger.js";
import { FakeZaloApi, zaloTextUpdate } from "../fakes/zalo-bot-api.js";
import { eventually, type TestRuntime, testRuntime } from "../workers/harness.js";
import { testDialogue } from "./dialogue-harness.js";

const TOKEN = "zalo-test-token-answer-1234";
const STUDENT = "zalo-user-student-answer";
const AN_HOA_DUTY_DESK = "100000011"; // on Telegram (recorded)

describe("a Zalo tipster answers an officer's question by just typing (fake Zalo Bot API)", () => {
  let api: FakeZaloApi;
  let rt: TestRuntime;
  let telegram: RecordingMessenger;
  let dialogue: Dialogue;
  let dispose: () => Promise<void>;
  let client: ZaloClient;

  beforeAll(async () => {
    api = await new FakeZaloApi(TOKEN).start();
    client = new ZaloClient(TOKEN, { apiRoot: api.apiRoot });
    telegram = new RecordingMessenger();
    // The workers reach the officer on Telegram and the tipster through the Zalo Bot API.
    rt = await testRuntime(new ChannelRouter({ telegram, zalo: new ZaloMessenger(client) }));
    ({ dialogue, dispose } = await testDialogue(rt));
  });
  afterAll(async () => {
    await rt.dispose();
    await dispose();
    await api.close();
  });

  const say = (text: string) =>
    handleZaloUpdate(client, dialogue, parseZaloUpdate(zaloTextUpdate(STUDENT, text)));
  const last = () => api.messagesTo(STUDENT).at(-1)?.text ?? "";

  it("the question says what to do on Zalo; a typed '3' is offered as the answer and reaches the officer once confirmed", async () => {
    await say("/baotin");
    await say("2"); // bạo lực học đường
    await say("thcs an hoa");
    await say("1");
    await say("Một nhóm học sinh lớp 9 chặn đường bắt nạt bạn lớp 6 ở cổng sau.");
    await say("1"); // no photo
    await say("2"); // bình thường
    await say("1"); // Gửi
    const code = /AT-[A-Z0-9]{4}-[A-Z0-9]{2}/.exec(last())?.[0] as string;
    expect(code).toBeDefined();
    await telegram.waitFor(() => telegram.to(AN_HOA_DUTY_DESK).some((m) => m.text.includes(code)));
    const tipId = (await rt.store.idForCaseCode(code)) as string;
    await rt.triage.ask(
      { channel: "telegram", chatId: AN_HOA_DUTY_DESK },
      tipId,
      "Việc này xảy ra mấy lần rồi?",
    );
    const question = await eventually(
      async () => api.messagesTo(STUDENT).find((m) => m.text.includes("mấy lần rồi"))?.text,
    );
    expect(question).toContain("Cứ nhắn câu trả lời vào đây");
    expect(question).not.toContain("trả lời trực tiếp vào tin nhắn");

    await say("3");
    expect(last()).toContain(`Gửi tin này làm câu trả lời cho cán bộ về tin báo ${code}?`);
    expect(last()).toMatch(/1\. Có, gửi cho cán bộ/);
    await say("1");
    expect(last()).toContain("Đã chuyển câu trả lời");
    await telegram.waitFor(() =>
      telegram.to(AN_HOA_DUTY_DESK).some((m) => m.text === `Người báo tin ${code} trả lời:\n3`),
    );
  });
});
