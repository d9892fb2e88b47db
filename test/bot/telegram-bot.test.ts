import fc from "fast-check";
import type { Bot } from "grammy";
import type { Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dialogue } from "../../bot/dialogue/dialogue.js";
import { createTelegramBot } from "../../bot/telegram/bot.js";
import { TelegramMessenger } from "../../bot/telegram/telegram-messenger.js";
import { createLogger } from "../../logger.js";
import { FAKE_BOT_INFO, FakeTelegramApi } from "../fakes/telegram-bot-api.js";
import { containsPair, GPS_POINTER, photoWithMetadata } from "../fixtures/photos.js";
import { type TestRuntime, testRuntime } from "../workers/harness.js";
import { testDialogue } from "./dialogue-harness.js";

const TOKEN = "123456:TEST-token-for-the-fake-bot-api";
const BOT = FAKE_BOT_INFO;
const STUDENT = 777123;
const OFFICER = 100000011;

let updateId = 1;
function message(chatId: number, extra: Record<string, unknown>): Update {
  return {
    update_id: updateId++,
    message: {
      message_id: updateId,
      date: 1,
      chat: { id: chatId, type: "private", first_name: "X" },
      from: { id: chatId, is_bot: false, first_name: "X" },
      ...extra,
    },
  } as unknown as Update;
}
const text = (chatId: number, t: string) =>
  message(chatId, {
    text: t,
    ...(t.startsWith("/") && {
      entities: [{ type: "bot_command", offset: 0, length: t.split(" ")[0]?.length ?? 0 }],
    }),
  });
const press = (chatId: number, data: string): Update =>
  ({
    update_id: updateId++,
    callback_query: {
      id: String(updateId),
      chat_instance: "c",
      data,
      from: { id: chatId, is_bot: false, first_name: "X" },
      message: { message_id: 1, date: 1, chat: { id: chatId, type: "private", first_name: "X" } },
    },
  }) as unknown as Update;

describe("the Telegram bot against a fake Bot API", () => {
  let api: FakeTelegramApi;
  let rt: TestRuntime;
  let bot: Bot;
  let dialogue: Dialogue;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    api = await new FakeTelegramApi(TOKEN).start();
    rt = await testRuntime(new TelegramMessenger(TOKEN, api.apiRoot));
    ({ dialogue, dispose } = await testDialogue(rt));
    bot = createTelegramBot(
      { dialogue, logger: createLogger("silent"), token: TOKEN, apiRoot: api.apiRoot },
      { botInfo: BOT, floodLimit: 1000 },
    );
  });
  afterAll(async () => {
    await rt.dispose();
    await api.close();
    await dispose();
  });

  const lastTo = (chatId: number) => api.messagesTo(String(chatId)).at(-1);

  it("shows the menu as buttons and answers a question with its sources", async () => {
    await bot.handleUpdate(text(STUDENT, "/start"));
    const menu = lastTo(STUDENT)?.replyMarkup as { inline_keyboard: Array<Array<{ callback_data: string }>> };
    expect(menu.inline_keyboard.flat().map((b) => b.callback_data)).toContain("d:menu:report");
    await bot.handleUpdate(text(STUDENT, "so dien thoai bao chay la so may"));
    expect(lastTo(STUDENT)?.text).toContain("114");
    expect(lastTo(STUDENT)?.text).toContain("Căn cứ: ");
  });

  it("takes a drug tip with a photo; the officer gets it without the student's ids or EXIF, then acts on it", async () => {
    await bot.handleUpdate(press(STUDENT, "d:menu:report"));
    await bot.handleUpdate(press(STUDENT, "d:cat:ma-tuy"));
    await bot.handleUpdate(text(STUDENT, "THCS An Hoa"));
    await bot.handleUpdate(press(STUDENT, "d:place:school:thcs-an-hoa"));
    await bot.handleUpdate(text(STUDENT, "Có người bán <b>kẹo lạ</b> & thuốc lá điện tử ở cổng sau."));
    api.files.set("photo-1", await photoWithMetadata(80, 60));
    await bot.handleUpdate(
      message(STUDENT, {
        photo: [{ file_id: "photo-1", file_unique_id: "u1", width: 80, height: 60, file_size: 2000 }],
      }),
    );
    expect(lastTo(STUDENT)?.text).toContain("Đã nhận 1 ảnh");
    await bot.handleUpdate(press(STUDENT, "d:photo:done"));
    await bot.handleUpdate(press(STUDENT, "d:urg:binh-thuong"));
    await bot.handleUpdate(press(STUDENT, "d:send:yes"));
    const code = /AT-[A-Z0-9]{4}-[A-Z0-9]{2}/.exec(lastTo(STUDENT)?.text ?? "")?.[0] as string;
    expect(code).toBeDefined();

    const until = Date.now() + 10_000;
    while (api.messagesTo(String(OFFICER)).length < 2 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 25));
    const [tipMessage, photo] = api.messagesTo(String(OFFICER));
    expect(tipMessage?.text).toContain(code);
    expect(tipMessage?.text).toContain("<b>kẹo lạ</b> & thuốc");
    expect(tipMessage?.text).not.toContain(String(STUDENT));
    expect(photo?.photo && containsPair(photo.photo, 0xff, 0xe1)).toBe(false);
    expect(photo?.photo?.includes(GPS_POINTER)).toBe(false);

    const tipId = await rt.store.idForCaseCode(code);
    await bot.handleUpdate(press(OFFICER, `t:ask:${tipId}`));
    await bot.handleUpdate(text(OFFICER, "Người bán khoảng bao nhiêu tuổi?"));
    const until2 = Date.now() + 10_000;
    while (!lastTo(STUDENT)?.text.includes("bao nhiêu tuổi") && Date.now() < until2)
      await new Promise((r) => setTimeout(r, 25));
    const question = lastTo(STUDENT);
    expect(question?.text).toContain(code);
    await bot.handleUpdate(
      message(STUDENT, {
        text: "Khoảng 20 tuổi.",
        reply_to_message: {
          message_id: question?.messageId,
          date: 1,
          chat: { id: STUDENT, type: "private" },
          from: BOT,
          text: question?.text,
        },
      }),
    );
    const until3 = Date.now() + 10_000;
    while (!lastTo(OFFICER)?.text.includes("Khoảng 20 tuổi") && Date.now() < until3)
      await new Promise((r) => setTimeout(r, 25));
    expect(lastTo(OFFICER)?.text).toContain("Khoảng 20 tuổi");
    await bot.handleUpdate(press(OFFICER, `t:close:${tipId}`));
    await bot.handleUpdate(press(OFFICER, `d:out:co-co-so:${tipId}`));
    expect(lastTo(OFFICER)?.text).toContain("Đã đóng");
    expect((await rt.store.get(tipId as string))?.status).toBe("closed");
  });

  it("survives hostile updates: huge or broken text, HTML, forged callback data", async () => {
    // KEYS answers in hash-table order, which changes as keys come and go: compare sorted.
    const before = (await rt.redis.keys(`${rt.prefix}:tip:*`)).sort();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 6000 }).map((t) => text(STUDENT + 1, t || ".")),
          fc.string({ unit: "binary", maxLength: 300 }).map((t) => text(STUDENT + 1, `${t}\ud800<script>`)),
          fc.string({ maxLength: 80 }).map((d) => press(STUDENT + 1, d)),
          fc
            .constantFrom(
              "t:ack:../../etc",
              "d:out:co-co-so:00000000-0000-4000-8000-000000000000",
              "d:place:school:",
              "t:",
            )
            .map((d) => press(STUDENT + 1, d)),
        ),
        async (update) => {
          await bot.handleUpdate(update);
        },
      ),
      { numRuns: 40 },
    );
    expect((await rt.redis.keys(`${rt.prefix}:tip:*`)).sort()).toEqual(before);
    for (const m of api.messagesTo(String(STUDENT + 1))) expect(m.text.length).toBeLessThanOrEqual(4096);
  });

  it("never drops a button press in a burst: the throttled user is told once, and the tip is sent", async () => {
    const chat = STUDENT + 2;
    // The draft is prepared at an unlimited pace, up to the confirmation.
    for (const update of [
      press(chat, "d:menu:report"),
      press(chat, "d:cat:bao-luc-hoc-duong"),
      text(chat, "THCS An Hoa"),
      press(chat, "d:place:school:thcs-an-hoa"),
      text(chat, "Một nhóm học sinh chặn đường xin tiền các em lớp 6."),
      press(chat, "d:photo:done"),
      press(chat, "d:urg:binh-thuong"),
    ])
      await bot.handleUpdate(update);
    expect(lastTo(chat)?.text).toContain("Kiểm tra lại");

    // A second bot over the same sessions, with a small flood limit and a window no test outlives.
    const limited = createTelegramBot(
      { dialogue, logger: createLogger("silent"), token: TOKEN, apiRoot: api.apiRoot },
      { botInfo: BOT, floodLimit: 3, floodWindowMs: 3_600_000 },
    );
    const answeredBefore = api.calls.filter((c) => c.method === "answerCallbackQuery").length;
    const sentBefore = api.messagesTo(String(chat)).length;
    // Six messages then "Gửi", all at once as a burst arrives; then more presses on stale buttons.
    const burst = [
      ...["ừ", "đợi chút", "ok", "xong chưa", "gửi đi", "nhanh lên"].map((t) => text(chat, t)),
      press(chat, "d:send:yes"),
      ...Array.from({ length: 10 }, () => press(chat, "d:photo:done")),
    ];
    await Promise.all(burst.map((u) => limited.handleUpdate(u)));

    const sent = api.messagesTo(String(chat)).slice(sentBefore);
    const throttled = sent.filter((m) => m.text.includes("Bạn đang gửi hơi nhanh"));
    expect(throttled).toHaveLength(1);
    const code = sent.map((m) => /AT-[A-Z0-9]{4}-[A-Z0-9]{2}/.exec(m.text)?.[0]).find(Boolean);
    expect(code).toBeDefined();
    expect(await rt.store.idForCaseCode(code as string)).toBeDefined();
    // Every press stopped its spinner; the three messages within the limit were answered.
    const answered = api.calls.filter((c) => c.method === "answerCallbackQuery").length - answeredBefore;
    expect(answered).toBe(11);
    expect(sent.filter((m) => m.text.includes("Hãy chọn"))).toHaveLength(3);
  });
});
