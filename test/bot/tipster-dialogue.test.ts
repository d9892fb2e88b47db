import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dialogue } from "../../bot/dialogue/dialogue.js";
import { RecordingMessenger } from "../fakes/recording-messenger.js";
import { photoWithMetadata } from "../fixtures/photos.js";
import { type TestRuntime, testRuntime } from "../workers/harness.js";
import { testDialogue } from "./dialogue-harness.js";

const officer = { channel: "telegram" as const, chatId: "100000011" }; // Trực ban CA phường An Hòa

/** Sends a tip through the dialogue; returns its case code and PIN. */
async function report(dialogue: Dialogue, chat: { channel: "zalo" | "web" | "telegram"; chatId: string }) {
  await dialogue.handle(chat, { kind: "text", text: "/baotin" });
  await dialogue.handle(chat, { kind: "choice", data: "cat:bao-luc-hoc-duong" });
  await dialogue.handle(chat, { kind: "choice", data: "place:school:thcs-an-hoa" });
  await dialogue.handle(chat, { kind: "text", text: "Nhóm học sinh lớp 9 chặn đường bắt nạt bạn lớp 6." });
  await dialogue.handle(chat, { kind: "choice", data: "photo:done" });
  await dialogue.handle(chat, { kind: "choice", data: "urg:binh-thuong" });
  const done = await dialogue.handle(chat, { kind: "choice", data: "send:yes" });
  const text = done.at(-1)?.text ?? "";
  const code = /AT-[A-Z0-9]{4}-[A-Z0-9]{2}/.exec(text)?.[0] as string;
  const pin = /Mã PIN: (\d{6})/.exec(text)?.[1] as string;
  expect(code).toBeDefined();
  return { code, pin };
}

describe("a tipster answers an officer on any channel; nobody else can", () => {
  let rt: TestRuntime;
  let messenger: RecordingMessenger;
  let dialogue: Dialogue;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    messenger = new RecordingMessenger();
    rt = await testRuntime(messenger);
    ({ dialogue, dispose } = await testDialogue(rt));
  });
  afterAll(async () => {
    await rt.dispose();
    await dispose();
  });

  /** The officer asks `question` about the tip with `code`; waits until the tipster has it. */
  async function officerAsks(code: string, tipsterChat: string, question: string): Promise<string> {
    const tipId = await rt.store.idForCaseCode(code);
    await messenger.waitFor(() => messenger.to(officer.chatId).some((m) => m.text.includes(code)));
    const before = messenger.to(tipsterChat).length;
    await dialogue.handle(officer, { kind: "choice", data: `ask:${tipId}` });
    await dialogue.handle(officer, { kind: "text", text: question });
    await messenger.waitFor(() => messenger.to(tipsterChat).length === before + 1);
    return messenger.to(tipsterChat).at(-1)?.text ?? "";
  }

  it("on Zalo (no reply-to), a plain message — even a bare number — is offered as the answer and sent once confirmed", async () => {
    const student = { channel: "zalo" as const, chatId: "zalo-hs-9001" };
    const { code } = await report(dialogue, student);
    const question = await officerAsks(code, student.chatId, "Việc này xảy ra mấy lần rồi?");
    expect(question).toContain("Cứ nhắn câu trả lời vào đây");
    const offer = await dialogue.handle(student, { kind: "text", text: "3" });
    expect(offer.at(-1)?.text).toContain(code);
    expect(offer.at(-1)?.text).toContain("“3”");
    expect(offer.at(-1)?.choices?.map((c) => c.data)).toEqual(["ans:yes", "ans:no"]);
    const sent = await dialogue.handle(student, { kind: "text", text: "1" });
    expect(sent.at(-1)?.text).toContain("Đã chuyển câu trả lời");
    await messenger.waitFor(() =>
      messenger.to(officer.chatId).some((m) => m.text.includes(`Người báo tin ${code} trả lời:\n3`)),
    );
    // Answered: the next message is a question for the bot again.
    const next = await dialogue.handle(student, { kind: "text", text: "Số điện thoại báo cháy là số mấy?" });
    expect(next.at(-1)?.choices?.map((c) => c.data)).not.toContain("ans:yes");
  });

  it("a message that was not an answer is not sent, and is answered as a question", async () => {
    const student = { channel: "web" as const, chatId: "W".repeat(43) };
    const { code } = await report(dialogue, student);
    await officerAsks(code, student.chatId, "Em học lớp mấy?");
    await dialogue.handle(student, { kind: "text", text: "Số điện thoại báo cháy là số mấy?" });
    const replies = await dialogue.handle(student, { kind: "choice", data: "ans:no" });
    expect(replies[0]?.text).toContain("Đã không gửi");
    expect(replies.map((r) => r.text).join("\n")).toContain("114");
    const tipId = (await rt.store.idForCaseCode(code)) as string;
    expect((await rt.store.auditLog(tipId)).some((a) => a.action === "answered")).toBe(false);
  });

  it("refuses /traloi from another chat without the PIN, the same way for unknown codes, and takes it with the PIN", async () => {
    const student = { channel: "zalo" as const, chatId: "zalo-hs-9002" };
    const stranger = { channel: "web" as const, chatId: "S".repeat(43) };
    const { code, pin } = await report(dialogue, student);
    await officerAsks(code, student.chatId, "Có ai bị thương không?");
    const forged = await dialogue.handle(stranger, { kind: "text", text: `/traloi ${code} Không ai cả` });
    const unknown = await dialogue.handle(stranger, { kind: "text", text: "/traloi AT-0000-00 Không ai cả" });
    const quoted = await dialogue.handle(stranger, { kind: "text", text: "Không ai cả", quoted: code });
    expect(forged[0]?.text).toContain("Không gửi được câu trả lời");
    expect(unknown[0]?.text).toBe(forged[0]?.text);
    expect(quoted[0]?.text).toBe(forged[0]?.text);
    const withPin = await dialogue.handle(stranger, {
      kind: "text",
      text: `/traloi ${code} ${pin} Một bạn bị xước tay`,
    });
    expect(withPin[0]?.text).toContain("Đã chuyển câu trả lời");
    const tipId = (await rt.store.idForCaseCode(code)) as string;
    const answers = (await rt.store.auditLog(tipId)).filter((a) => a.action === "answered");
    expect(answers.map((a) => a.detail)).toEqual(["Một bạn bị xước tay"]);
  });

  it("checks a tip typed bare as 'code PIN', without a slash command", async () => {
    const student = { channel: "web" as const, chatId: "T".repeat(43) };
    const { code, pin } = await report(dialogue, student);
    const status = await dialogue.handle(student, { kind: "text", text: `${code} ${pin}` });
    expect(status.at(-1)?.text).toContain(`Tin báo ${code}:`);
    const noPin = await dialogue.handle(student, { kind: "text", text: code.toLowerCase() });
    expect(noPin.at(-1)?.text).toContain("mã PIN");
  });

  it("keeps or refuses aloud every photo sent at once in one draft (no lost update)", async () => {
    const student = { channel: "web" as const, chatId: "P".repeat(43) };
    await dialogue.handle(student, { kind: "text", text: "/baotin" });
    await dialogue.handle(student, { kind: "choice", data: "cat:ma-tuy" });
    await dialogue.handle(student, { kind: "choice", data: "place:other" });
    await dialogue.handle(student, { kind: "text", text: "Nhà vệ sinh tầng 2" });
    await dialogue.handle(student, { kind: "text", text: "Có người chia thuốc lá điện tử lạ cho học sinh." });
    const photos = await Promise.all(Array.from({ length: 7 }, (_, i) => photoWithMetadata(40 + i, 30)));
    const replies = await Promise.all(
      photos.map((bytes) => dialogue.handle(student, { kind: "photo", bytes })),
    );
    const texts = replies.map((r) => r[0]?.text ?? "");
    expect(texts.filter((t) => t.startsWith("Đã nhận "))).toHaveLength(5);
    expect(texts.filter((t) => t.startsWith("Tối đa"))).toHaveLength(2);
    await dialogue.handle(student, { kind: "choice", data: "photo:done" });
    const summary = await dialogue.handle(student, { kind: "choice", data: "urg:binh-thuong" });
    expect(summary[0]?.text).toMatch(/Ảnh: 5\b/);
  });
});
