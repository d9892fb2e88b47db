import { existsSync } from "node:fs";
import type { Bot } from "grammy";
import type { Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTelegramBot } from "../../bot/telegram/bot.js";
import { TelegramMessenger } from "../../bot/telegram/telegram-messenger.js";
import { createLogger } from "../../logger.js";
import { DECISION, DOC_ID, makePdf, QUESTION, SYMBOL } from "../console/one-article-pdf.js";
import { FAKE_BOT_INFO, FakeTelegramApi } from "../fakes/telegram-bot-api.js";
import { type TestRuntime, testRuntime } from "../workers/harness.js";
import { type DocumentDialogue, documentDialogue } from "./document-upload-harness.js";

/**
 * The Telegram adapter of documents for the library (issue 14), against the fake Bot API: an
 * admin sends a one-article PDF, reads what the bot found, presses "Đưa vào thư viện" and is
 * told when the bot answers from it; a parent's PDF is refused without being fetched.
 */

const TOKEN = "123456:TEST-token-for-the-document-bot";
const ADMIN = 700000201;
const PARENT = 777000202;

let updateId = 1;
const documentFrom = (chatId: number, fileId: string, name: string, size: number): Update =>
  ({
    update_id: updateId++,
    message: {
      message_id: updateId,
      date: 1,
      chat: { id: chatId, type: "private", first_name: "X" },
      from: { id: chatId, is_bot: false, first_name: "X" },
      document: {
        file_id: fileId,
        file_unique_id: `u-${fileId}`,
        file_name: name,
        mime_type: "application/pdf",
        file_size: size,
      },
    },
  }) as unknown as Update;
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

describe("documents sent to the Telegram bot, against a fake Bot API", () => {
  let api: FakeTelegramApi;
  let rt: TestRuntime;
  let h: DocumentDialogue;
  let bot: Bot;

  beforeAll(async () => {
    api = await new FakeTelegramApi(TOKEN).start();
    const messenger = new TelegramMessenger(TOKEN, api.apiRoot);
    rt = await testRuntime(messenger);
    h = await documentDialogue(rt, {
      tell: async (to, text) => {
        await messenger.send(to, { text });
      },
    });
    await h.makeAdmin({ channel: "telegram", chatId: String(ADMIN) });
    bot = createTelegramBot(
      { dialogue: h.dialogue, logger: createLogger("silent"), token: TOKEN, apiRoot: api.apiRoot },
      { botInfo: FAKE_BOT_INFO, floodLimit: 1000 },
    );
  });
  afterAll(async () => {
    await h?.dispose();
    await rt?.dispose();
    await api?.close();
  });

  const lastTo = (chatId: number) => api.messagesTo(String(chatId)).at(-1);
  const buttons = (chatId: number) =>
    (
      lastTo(chatId)?.replyMarkup as
        | { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> }
        | undefined
    )?.inline_keyboard.flat() ?? [];

  it("refuses a parent's PDF politely without fetching it", async () => {
    const pdf = makePdf(DECISION);
    api.files.set("parent-pdf", pdf);
    await bot.handleUpdate(documentFrom(PARENT, "parent-pdf", "qd-15.pdf", pdf.length));
    expect(lastTo(PARENT)?.text).toContain("Bot chỉ nhận tài liệu từ quản trị viên của tỉnh");
    expect(buttons(PARENT)).toEqual([]);
    expect(api.calls.some((c) => c.method === "getFile")).toBe(false);
    expect(existsSync(h.knowledge.uploadsDir)).toBe(false);
  });

  it("an admin sends a one-article PDF, sees what was read, confirms, and the bot answers from it", async () => {
    const pdf = makePdf(DECISION);
    api.files.set("admin-pdf", pdf);
    await bot.handleUpdate(documentFrom(ADMIN, "admin-pdf", "qd-15.pdf", pdf.length));
    expect(api.calls.filter((c) => c.method === "getFile")).toEqual([{ method: "getFile", status: 200 }]);
    const preview = lastTo(ADMIN)?.text ?? "";
    expect(preview).toContain("“qd-15.pdf” (PDF");
    expect(preview).toContain(`Số hiệu: ${SYMBOL}`);
    expect(preview).toContain("ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ");
    expect(preview).toContain("Ngày ký: 12/03/2025");
    expect(preview).toContain("Điều 1. Điểm dừng xe đưa đón học sinh");
    const [ok, no] = buttons(ADMIN);
    expect(ok).toMatchObject({
      text: "Đưa vào thư viện",
      callback_data: expect.stringMatching(/^d:doc:ok:/),
    });
    expect(no).toMatchObject({ text: "Hủy", callback_data: expect.stringMatching(/^d:doc:no:/) });

    await bot.handleUpdate(press(ADMIN, ok?.callback_data as string));
    expect(api.messagesTo(String(ADMIN)).map((m) => m.text)).toContainEqual(
      expect.stringContaining("Đang đưa văn bản vào thư viện"),
    );
    const until = Date.now() + 30_000;
    while (!lastTo(ADMIN)?.text.startsWith("Xong") && Date.now() < until)
      await new Promise((r) => setTimeout(r, 25));
    expect(lastTo(ADMIN)?.text).toContain(`(${SYMBOL}) đã vào thư viện, còn hiệu lực`);
    // The live index follows the library's announcement within moments.
    const answered = Date.now() + 10_000;
    while (Date.now() < answered) {
      const answer = await h.deps.ask(QUESTION, "vi");
      if (!answer.abstained) {
        expect(answer.citations[0]).toMatchObject({ docId: DOC_ID, article: "1", symbol: SYMBOL });
        return;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error("the bot did not answer from the confirmed document");
  });

  it("leaves other files to the catch-all", async () => {
    await bot.handleUpdate({
      update_id: updateId++,
      message: {
        message_id: updateId,
        date: 1,
        chat: { id: PARENT, type: "private", first_name: "X" },
        from: { id: PARENT, is_bot: false, first_name: "X" },
        document: {
          file_id: "zip-1",
          file_unique_id: "u-zip",
          file_name: "anh.zip",
          mime_type: "application/zip",
        },
      },
    } as unknown as Update);
    expect(lastTo(PARENT)?.text).toContain("Bot chưa đọc được loại tin nhắn này");
  });
});
