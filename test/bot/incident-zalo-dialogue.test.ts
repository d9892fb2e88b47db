import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dialogue, Reply } from "../../bot/dialogue/dialogue.js";
import { type DatabaseHandle, openDatabase } from "../../db/client.js";
import { createLogger } from "../../logger.js";
import { importDirectory } from "../../workers/directory/import.js";
import { InvitationDesk } from "../../workers/directory/invitations.js";
import type { ChatAddress } from "../../workers/messenger.js";
import { freshDatabase, type TestDatabase } from "../db/engines.js";
import { RecordingMessenger } from "../fakes/recording-messenger.js";
import {
  EXAMPLE_ROUTING,
  exampleRouting,
  NO_DEADLINES,
  type TestRuntime,
  testRuntime,
} from "../workers/harness.js";
import { testDialogue } from "./dialogue-harness.js";

const TEACHER: ChatAddress = { channel: "zalo", chatId: "zalo-teacher-an-hoa" }; // THCS An Hòa
const DUTY_DESK: ChatAddress = { channel: "telegram", chatId: "100000011" }; // Phường An Hòa's primary
const SC_CODE = /SC-[A-Z0-9]{4}-[A-Z0-9]{2}/;
const text = (replies: Reply[]) => replies.map((r) => r.text).join("\n");

/**
 * The whole incident over the real desk (PGlite, real Redis, the notify workers) the way Zalo
 * carries it: no buttons, so the teacher answers every step with a bare number or text, and the
 * officer types the commands printed under the incident's message.
 */
describe("a school's incident on Zalo, over the real incident desk", () => {
  let place: TestDatabase;
  let handle: DatabaseHandle;
  let rt: TestRuntime;
  let dialogue: Dialogue;
  let dispose: () => Promise<void>;
  const messenger = new RecordingMessenger();
  const say = (chat: ChatAddress, typed: string) => dialogue.handle(chat, { kind: "text", text: typed });
  const texts = (chat: ChatAddress) => messenger.to(chat.chatId).map((m) => m.text);

  beforeAll(async () => {
    place = await freshDatabase("pglite");
    handle = await openDatabase(place.config);
    await importDirectory(handle.db, EXAMPLE_ROUTING, { actor: "test" });
    const salt = randomBytes(32);
    const invitations = new InvitationDesk({ db: handle.db, secret: salt, logger: createLogger("silent") });
    const minted = await invitations.mint(
      { role: "school-staff", schoolId: "thcs-an-hoa", schoolRole: "teacher" },
      { by: "cli:test" },
    );
    await invitations.join(
      minted.code,
      { channel: "zalo", chatId: TEACHER.chatId },
      { name: "Phạm Minh Thu" },
    );
    rt = await testRuntime(messenger, {}, {}, await exampleRouting(NO_DEADLINES), { database: handle.db });
    ({ dialogue, dispose } = await testDialogue(rt, salt, {
      directory: invitations,
      ...(rt.incidents && { incidents: rt.incidents }),
    }));
  });
  afterAll(async () => {
    await rt?.dispose();
    await dispose?.();
    await handle?.close();
    await place?.drop();
  });

  it("reports by numbers, is asked and answers with a plain message; the officer types /nhan, /hoi, /hientruong, /dong", async () => {
    expect(text(await say(TEACHER, "/baocao"))).toContain("Tin báo ẩn danh");
    // 1 = "Báo cáo sự việc của trường"; then the kind, "Vừa xong", "Cổng trường", "Bỏ qua".
    for (const pick of ["1", "1", "1", "2", "1"]) await say(TEACHER, pick);
    await say(TEACHER, "Hai nhóm học sinh đánh nhau trước cổng trường sau giờ tan học.");
    expect(text(await say(TEACHER, "3 hs lớp 7A2"))).toContain("3 Học sinh lớp 7A2");
    // "Xong", "Không có ai bị thương", "Chưa làm gì", no photo, "Bình thường".
    for (const pick of ["1", "1", "1", "1", "2"]) await say(TEACHER, pick);
    const sent = text(await say(TEACHER, "1"));
    const code = SC_CODE.exec(sent)?.[0] as string;
    expect(code, sent).toBeDefined();

    await messenger.waitFor(() => texts(DUTY_DESK).some((m) => m.includes(code)), 20_000);
    const delivered = messenger.to(DUTY_DESK.chatId).find((m) => m.text.includes(code));
    expect(delivered?.text).toContain("Trường THCS An Hòa");
    expect(delivered?.text).toContain("Phạm Minh Thu — giáo viên");
    expect(delivered?.actions?.map((a) => a.command)).toContain(`/hientruong ${code}`);

    expect(text(await say(DUTY_DESK, `/nhan ${code}`))).toContain("Đã nhận xử lý");
    expect(text(await say(DUTY_DESK, `/hoi ${code} Có em nào phải đi viện không?`))).toContain(
      "Đã gửi câu hỏi",
    );
    await messenger.waitFor(() => texts(TEACHER).some((m) => m.includes("đi viện")), 20_000);
    expect(texts(TEACHER).join("\n")).toContain("Trực ban Công an phường An Hòa");

    // Zalo has no reply-to: a plain message is offered as the answer, "1" sends it.
    expect(text(await say(TEACHER, "Không, chỉ xây xát nhẹ."))).toContain(`vụ việc ${code}`);
    expect(text(await say(TEACHER, "1"))).toContain("Đã chuyển câu trả lời");
    await messenger.waitFor(() => texts(DUTY_DESK).some((m) => m.includes("chỉ xây xát nhẹ")), 20_000);

    expect(text(await say(DUTY_DESK, `/hientruong ${code}`))).toContain("xuống hiện trường");
    expect(text(await say(DUTY_DESK, `/dong ${code} da xu ly`))).toContain("Đã xử lý");
    const id = (await rt.incidents?.idForCaseCode({ kind: "admin" }, code)) as string;
    expect(await rt.incidents?.get({ kind: "admin" }, id)).toMatchObject({
      status: "closed",
      outcome: "da-xu-ly",
      involved: [{ role: "hoc-sinh", className: "7A2", count: 3 }],
    });
    // The teacher cannot act as an officer on it.
    expect(text(await say(TEACHER, `/nhan ${code}`))).toContain("Chỉ cán bộ công an");
  });
});
