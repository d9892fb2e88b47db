import { afterEach, describe, expect, it } from "vitest";
import { TelegramMessenger } from "../../bot/telegram/telegram-messenger.js";
import { FakeTelegramApi } from "../fakes/telegram-bot-api.js";
import { containsPair, GPS_POINTER, photoWithMetadata } from "../fixtures/photos.js";
import { drained, type TestRuntime, testRuntime } from "./harness.js";

const TOKEN = "123456:TEST-token-for-the-fake-bot-api";
const AN_HOA_DUTY_DESK = "100000011";

describe("delivery through the Telegram messenger to a fake Bot API", () => {
  let rt: TestRuntime | undefined;
  let api: FakeTelegramApi | undefined;
  afterEach(async () => {
    await rt?.dispose();
    await api?.close();
    rt = undefined;
  });

  it("sends the tip with buttons and its photo without EXIF/GPS, after honouring a 429 retry_after", async () => {
    api = await new FakeTelegramApi(TOKEN).start();
    api.failNext({ status: 429, retryAfter: 1 }, "sendMessage");
    rt = await testRuntime(new TelegramMessenger(TOKEN, api.apiRoot));
    const original = await photoWithMetadata(64, 48);
    expect(original.includes(Buffer.from("Exif\0\0", "latin1"))).toBe(true);
    const photoId = await rt.intake.addPhoto(original);
    const started = Date.now();
    const { caseCode } = await rt.intake.submit(
      {
        category: "ma-tuy",
        urgency: "khan-cap",
        place: { schoolId: "thcs-an-hoa" },
        description: "Thấy trao đổi gói nhỏ nghi là ma túy <b>sau</b> căng tin.",
        photoIds: [photoId],
      },
      { channel: "telegram", chatId: "424242" },
    );
    const deadline = Date.now() + 10_000;
    while (api.messagesTo(AN_HOA_DUTY_DESK).length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 25));
    const [text, photo] = api.messagesTo(AN_HOA_DUTY_DESK);
    expect(api.calls[0]).toEqual({ method: "sendMessage", status: 429 });
    expect((text?.at ?? 0) - started).toBeGreaterThanOrEqual(1000);
    expect(text?.text).toContain(caseCode);
    // Sent as plain text: the tipster's "<b>" arrives as typed, it is not markup.
    expect(text?.text).toContain("<b>sau</b>");
    const markup = text?.replyMarkup as
      | { inline_keyboard: Array<Array<{ callback_data: string }>> }
      | undefined;
    const buttons = markup?.inline_keyboard.flat() ?? [];
    expect(buttons.map((b) => b.callback_data.split(":")[1])).toEqual(["ack", "ask", "fwd", "close"]);
    for (const b of buttons) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
    expect(photo?.method).toBe("sendPhoto");
    const bytes = photo?.photo ?? Buffer.alloc(0);
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(containsPair(bytes, 0xff, 0xe1)).toBe(false);
    expect(bytes.includes(GPS_POINTER)).toBe(false);
    // Nothing left that could send it again.
    await drained([rt.queues.notify]);
    expect(api.messagesTo(AN_HOA_DUTY_DESK)).toHaveLength(2);
  });
});
