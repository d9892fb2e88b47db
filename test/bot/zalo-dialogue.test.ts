import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dialogue } from "../../bot/dialogue/dialogue.js";
import { parseZaloUpdate } from "../../bot/zalo/zalo-api.js";
import { ZaloClient } from "../../bot/zalo/zalo-client.js";
import { renderNumberedActions, ZaloMessenger } from "../../bot/zalo/zalo-messenger.js";
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

  it("lets a Zalo officer act on a tip with typed commands", async () => {
    const officer = "zalo-demo-ca-tan-lap"; // Trực ban Công an xã Tân Lập (example routing)
    const { caseCode, tipId } = await rt.intake.submit(
      {
        category: "bao-luc-hoc-duong",
        urgency: "binh-thuong",
        place: { schoolId: "th-thcs-tan-lap" },
        description: "Một nhóm học sinh thường chặn đường xin tiền các em lớp 6.",
      },
      { channel: "zalo", chatId: "zalo-tipster-77" },
    );
    await messenger.waitFor(() => messenger.to(officer).length === 1);
    const rendered = renderNumberedActions(messenger.to(officer)[0]?.actions ?? []);
    expect(rendered).toContain(`/nhan ${caseCode}`);
    const officerSays = (text: string) =>
      handleZaloUpdate(client, dialogue, parseZaloUpdate(zaloTextUpdate(officer, text)));
    await officerSays(`/nhan ${caseCode.toLowerCase()}`);
    expect(api.messagesTo(officer).at(-1)?.text).toContain("Đã nhận xử lý");
    await officerSays(`/hoi ${caseCode} Em thấy mấy lần rồi?`);
    await messenger.waitFor(() => messenger.to("zalo-tipster-77").length === 1);
    await officerSays(`/dong ${caseCode} co co so`);
    expect(api.messagesTo(officer).at(-1)?.text).toContain("Đã đóng");
    expect((await rt.store.get(tipId))?.outcome).toBe("co-co-so");
    // Someone not in the routing table cannot.
    await handleZaloUpdate(
      client,
      dialogue,
      parseZaloUpdate(zaloTextUpdate("zalo-stranger", `/nhan ${caseCode}`)),
    );
    expect(api.messagesTo("zalo-stranger").at(-1)?.text).toContain("không có trong danh sách");
  });

  it("tells a Zalo officer the command that asks the tipster, not a button Zalo does not have", async () => {
    const officer = "zalo-demo-ca-tan-lap";
    const { caseCode } = await rt.intake.submit(
      {
        category: "bao-luc-hoc-duong",
        urgency: "binh-thuong",
        place: { schoolId: "th-thcs-tan-lap" },
        description: "Có nhóm học sinh lớp trên bắt nạt các em lớp 6 sau giờ tan học.",
      },
      { channel: "zalo", chatId: "zalo-tipster-78" },
    );
    await messenger.waitFor(() => messenger.to(officer).some((m) => m.text.includes(caseCode)));
    const tipMessage = messenger.to(officer).find((m) => m.text.includes(caseCode));
    if (!tipMessage) throw new Error("the officer got no tip message");
    // What the workers send, delivered the way they deliver to Zalo officers.
    await new ZaloMessenger(client).send({ channel: "zalo", chatId: officer }, tipMessage);
    const delivered = api.messagesTo(officer).at(-1)?.text ?? "";
    const howToAsk = delivered.split("\n").find((line) => line.includes("hỏi lại"));
    expect(howToAsk).toContain(`/hoi ${caseCode} <câu hỏi>`);
  });

  it("survives hostile Zalo updates: malformed bodies are refused, odd text gets a reply within limits", async () => {
    // KEYS answers in hash-table order, which changes as keys come and go: compare sorted.
    const before = (await rt.redis.keys(`${rt.prefix}:tip:*`)).sort();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.json(),
          fc.string({ maxLength: 5000 }).map((t) => zaloTextUpdate("zalo-fuzz", t || "?")),
        ),
        async (raw) => {
          let update: ReturnType<typeof parseZaloUpdate>;
          try {
            update = parseZaloUpdate(typeof raw === "string" ? JSON.parse(raw) : raw);
          } catch (e) {
            expect((e as Error).name).toBe("ZaloUpdateError");
            return;
          }
          await handleZaloUpdate(client, dialogue, update);
        },
      ),
      { numRuns: 40 },
    );
    expect((await rt.redis.keys(`${rt.prefix}:tip:*`)).sort()).toEqual(before);
    for (const m of api.messagesTo("zalo-fuzz")) expect(m.text.length).toBeLessThanOrEqual(2000);
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
