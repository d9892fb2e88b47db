import { once } from "node:events";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Dialogue, type Incoming, type Reply } from "../../bot/dialogue/dialogue.js";
import { DownloadError } from "../../bot/download.js";
import { tl } from "../../i18n.js";
import type { ChatAddress } from "../../workers/messenger.js";
import { DECISION, DOC_ID, makePdf, QUESTION, SYMBOL } from "../console/one-article-pdf.js";
import { type TestRuntime, testRuntime } from "../workers/harness.js";
import { type DocumentDialogue, documentDialogue } from "./document-upload-harness.js";

/**
 * Documents sent to the bot by a province admin (issue 14): read and shown before anything is
 * indexed, put in force on "Đưa vào thư viện" (the chat told once the bot answers from it),
 * dropped on "Hủy"; anyone else's file is refused without being downloaded.
 */

const ADMIN: ChatAddress = { channel: "telegram", chatId: "700000101" };
const STRANGER: ChatAddress = { channel: "zalo", chatId: "zalo-parent-42" };
const UPLOAD = /^doc:ok:([0-9a-f-]{36})$/;

describe("documents sent to the bot", () => {
  let rt: TestRuntime;
  let h: DocumentDialogue;
  const told: Array<{ to: ChatAddress; text: string }> = [];
  let toldNext: (() => void) | undefined;

  /** A file as an adapter hands it over; `reads` counts the downloads. */
  const file = (bytes: Buffer, filename: string, size: number | undefined = bytes.length) => {
    const reads = { n: 0 };
    const input: Incoming = {
      kind: "document",
      filename,
      ...(size !== undefined && { size }),
      read: async () => {
        reads.n++;
        return bytes;
      },
    };
    return { input, reads };
  };
  const say = (chat: ChatAddress, input: Incoming) => h.dialogue.handle(chat, input);
  const pick = (chat: ChatAddress, data: string) => say(chat, { kind: "choice", data });
  const text = (replies: Reply[]) => replies.map((r) => r.text).join("\n");
  const choices = (replies: Reply[]) => replies.flatMap((r) => r.choices ?? []).map((c) => c.data);

  beforeAll(async () => {
    rt = await testRuntime();
    h = await documentDialogue(rt, {
      tell: async (to, message) => {
        told.push({ to, text: message });
        toldNext?.();
      },
    });
    await h.makeAdmin(ADMIN);
  });
  afterAll(async () => {
    await h?.dispose();
    await rt?.dispose();
  });

  it("refuses a file from anyone but an admin politely, without downloading or keeping it", async () => {
    const { input, reads } = file(makePdf(DECISION), "qd-15.pdf");
    const replies = await say(STRANGER, input);
    expect(text(replies)).toContain("Bot chỉ nhận tài liệu từ quản trị viên của tỉnh");
    expect(choices(replies)).toEqual([]);
    expect(reads.n).toBe(0);
    expect(existsSync(h.knowledge.uploadsDir)).toBe(false);
    // A forged confirmation is refused the same way.
    const forged = await pick(STRANGER, `doc:ok:${"0".repeat(8)}-0000-0000-0000-${"0".repeat(12)}`);
    expect(text(forged)).toContain("Bot chỉ nhận tài liệu từ quản trị viên");
    const refusals = h.logs.filter((l) => l.includes("not a province admin"));
    expect(refusals).toHaveLength(2);
    expect(refusals.join()).not.toContain(STRANGER.chatId);
  });

  it("tells an admin what is wrong with a file the library cannot take", async () => {
    const notPdf = file(Buffer.from("just some text, Điều 1. nothing"), "ghi-chu.pdf");
    expect(text(await say(ADMIN, notPdf.input))).toContain("chỉ nhận tệp PDF hoặc Word");
    const big = file(Buffer.alloc(0), "to.pdf", 25 * 1024 * 1024);
    expect(text(await say(ADMIN, big.input))).toContain("lớn hơn 20 MB");
    expect(big.reads.n).toBe(0);
    // The channel did not say the size; the download stops at the limit.
    const growing: Incoming = {
      kind: "document",
      filename: "to.pdf",
      read: async () => {
        throw new DownloadError("too-large", "file larger than 20 MB");
      },
    };
    expect(text(await say(ADMIN, growing))).toContain("lớn hơn 20 MB");
    expect(existsSync(join(h.knowledge.uploadsDir, "manifest.json"))).toBe(false);
  });

  it("shows an admin what was read, puts it in force on confirmation, and the bot answers from it", async () => {
    const { input, reads } = file(makePdf(DECISION), "qd-15.pdf");
    const preview = await say(ADMIN, input);
    expect(reads.n).toBe(1);
    const shown = text(preview);
    expect(shown).toContain("“qd-15.pdf” (PDF");
    expect(shown).toContain(`Số hiệu: ${SYMBOL}`);
    expect(shown).toContain("Cơ quan ban hành: ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ");
    expect(shown).toContain("Loại văn bản: quyết định");
    expect(shown).toContain("Ngày ký: 12/03/2025");
    expect(shown).toContain("Có hiệu lực từ: 01/04/2025");
    expect(shown).toContain("Các điều tìm thấy (1):");
    expect(shown).toContain("Điều 1. Điểm dừng xe đưa đón học sinh");
    expect(shown).not.toContain("⚠️");
    const offered = choices(preview);
    const uploadId = UPLOAD.exec(offered[0] ?? "")?.[1] as string;
    expect(offered).toEqual([`doc:ok:${uploadId}`, `doc:no:${uploadId}`]);
    expect(preview.at(-1)?.choices?.map((c) => c.label)).toEqual(["Đưa vào thư viện", "Hủy"]);
    // Nothing is indexed before the confirmation.
    await expect(h.deps.ask(QUESTION, "vi")).resolves.toMatchObject({ abstained: true });

    const doneTold = new Promise<void>((resolve) => {
      toldNext = resolve;
    });
    const reloaded = once(h.live, "reloaded");
    const building = await pick(ADMIN, `doc:ok:${uploadId}`);
    expect(text(building)).toContain("Đang đưa văn bản vào thư viện");
    await doneTold;
    // The index this process answers from follows the library's announcement.
    await reloaded;
    expect(told.at(-1)).toEqual({
      to: ADMIN,
      text: expect.stringMatching(new RegExp(`^Xong: .*\\(${SYMBOL}\\).*bot trả lời từ văn bản này`)),
    });
    const answer = await h.deps.ask(QUESTION, "vi");
    expect(answer.abstained).toBe(false);
    expect(answer.citations[0]).toMatchObject({ docId: DOC_ID, article: "1", symbol: SYMBOL });

    // The library audited the change as the admin's person id; the logs hold ids, never content.
    const audit = (await readFile(join(h.knowledge.uploadsDir, "audit.jsonl"), "utf8")).trim().split("\n");
    const confirmed = JSON.parse(audit.at(-1) as string) as { by: string };
    const person = confirmed.by;
    expect(confirmed).toMatchObject({
      action: "confirm",
      document: DOC_ID,
      symbol: SYMBOL,
      result: "published",
      by: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const logged = h.logs.filter((l) => l.includes('"msg":"document from a chat'));
    expect(logged.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ level: 30, action: "document-upload", result: "refused", by: person }),
      expect.objectContaining({ level: 30, action: "document-upload", result: "refused", by: person }),
      expect.objectContaining({
        level: 30,
        action: "document-upload",
        result: "staged",
        uploadId,
        by: person,
      }),
      expect.objectContaining({
        level: 30,
        action: "document-confirm",
        result: "published",
        uploadId,
        by: person,
      }),
    ]);
    expect(logged.join()).not.toContain("Phụ huynh dừng xe");
    expect(logged.join()).not.toContain(ADMIN.chatId);

    // Pressed again: the upload is no longer waiting.
    const again = new Promise<void>((resolve) => {
      toldNext = resolve;
    });
    await pick(ADMIN, `doc:ok:${uploadId}`);
    await again;
    expect(told.at(-1)?.text).toContain("không còn chờ xác nhận");
  });

  it("drops an upload on 'Hủy'; the same file again is flagged as already in the library", async () => {
    const preview = await say(ADMIN, file(makePdf(DECISION), "lai.pdf").input);
    expect(text(preview)).toContain("⚠️ Thư viện đã có đúng tệp này.");
    const cancel = choices(preview).find((c) => c.startsWith("doc:no:")) as string;
    expect(text(await pick(ADMIN, cancel))).toContain("Đã hủy");
    expect(h.logs.at(-1)).toContain('"action":"document-cancel"');
    // The dropped upload cannot be confirmed any more from the same preview: the chat is told so.
    const confirm = choices(preview).find((c) => c.startsWith("doc:ok:")) as string;
    const staleTold = new Promise<void>((resolve) => {
      toldNext = resolve;
    });
    await pick(ADMIN, confirm);
    await staleTold;
    expect(told.at(-1)).toEqual({ to: ADMIN, text: tl("vi", "documentUpload.expired") });
    // And "Hủy" again says there is nothing waiting.
    expect(text(await pick(ADMIN, cancel))).toBe(tl("vi", "documentUpload.expired"));
    // A forged or broken id is stale, whoever presses it.
    expect(text(await pick(ADMIN, "doc:ok:../../etc"))).toBe(tl("vi", "choice.stale"));
  });

  it("without `tell`, the confirmation waits for the build and answers in the chat's language", async () => {
    const { tell: _tell, ...deps } = h.deps;
    const waiting = new Dialogue(deps);
    await waiting.handle(ADMIN, { kind: "text", text: "/lang en" });
    const pdf = makePdf(DECISION.map((l) => l.replace("20 mét", "30 mét").replace("15/2025", "16/2025")));
    const preview = await waiting.handle(ADMIN, file(pdf, "qd-16.pdf").input);
    expect(text(preview)).toContain("Symbol: 16/2025/QĐ-UBND");
    const confirm = choices(preview)[0] as string;
    expect(text(await waiting.handle(ADMIN, { kind: "choice", data: confirm }))).toMatch(
      /^Done: .*\(16\/2025\/QĐ-UBND\) is in the library, in force\. The bot answers from it now\.$/,
    );
    await waiting.handle(ADMIN, { kind: "text", text: "/lang vi" });
  });

  it("says documents are not taken where the library is off", async () => {
    const { documents: _documents, ...deps } = h.deps;
    const bare = new Dialogue(deps);
    const { input, reads } = file(makePdf(DECISION), "qd-15.pdf");
    expect(text(await bare.handle(ADMIN, input))).toContain("Bot chưa nhận tài liệu ở đây");
    expect(reads.n).toBe(0);
  });
});
