import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Dialogue, type Incoming, type Reply } from "../../bot/dialogue/dialogue.js";
import { parseIncidentTime, parseInvolved, vietnamDay } from "../../bot/dialogue/features/incident-draft.js";
import type { ChatAddress } from "../../workers/messenger.js";
import { senderKey } from "../../workers/tip/sender-key.js";
import { photoWithMetadata } from "../fixtures/photos.js";
import { type TestRuntime, testRuntime } from "../workers/harness.js";
import { testDialogue } from "./dialogue-harness.js";
import { FakeIncidentDesk } from "./incident-fake-desk.js";

const TEACHER: ChatAddress = { channel: "telegram", chatId: "900000001" };
const PARENT: ChatAddress = { channel: "telegram", chatId: "900000002" };
const ZALO_TEACHER: ChatAddress = { channel: "zalo", chatId: "zalo-teacher" };
const WEB: ChatAddress = { channel: "web", chatId: "W".repeat(43) };
const HOUR = 3_600_000;

const text = (replies: Reply[]) => replies.map((r) => r.text).join("\n");
const choices = (replies: Reply[]) => replies.flatMap((r) => r.choices ?? []).map((c) => c.data);

describe("/baocao: a school's named incident report in the dialogue", () => {
  let rt: TestRuntime;
  let dialogue: Dialogue;
  let bare: Dialogue;
  let dispose: () => Promise<void>;
  let desk: FakeIncidentDesk;
  const salt = randomBytes(16);

  const say = (chat: ChatAddress, input: string | Incoming): Promise<Reply[]> =>
    dialogue.handle(chat, typeof input === "string" ? { kind: "text", text: input } : input);
  const pick = (chat: ChatAddress, data: string) => say(chat, { kind: "choice", data });

  beforeAll(async () => {
    rt = await testRuntime();
    desk = new FakeIncidentDesk();
    let deps: ConstructorParameters<typeof Dialogue>[0];
    ({ dialogue, deps, dispose } = await testDialogue(rt, salt, {
      incidents: desk,
      directory: desk.directory(),
    }));
    const { incidents: _none, ...without } = deps;
    bare = new Dialogue(without);
    desk.staff.push(TEACHER, ZALO_TEACHER);
  });
  afterAll(async () => {
    await rt?.dispose();
    await dispose?.();
  });
  beforeEach(() => {
    desk.calls.length = 0;
  });

  it("says the function is not here without the desk, and points the web chat to Telegram/Zalo", async () => {
    const off = await bare.handle(TEACHER, { kind: "text", text: "/baocao" });
    expect(text(off)).toContain("chưa được bật");
    expect(choices(off)).toEqual(["menu:report"]);
    const web = await say(WEB, "/baocao");
    expect(text(web)).toContain("Telegram hoặc Zalo");
    expect(choices(web)).toEqual(["menu:report"]);
  });

  it("offers the anonymous tip to a chat that is not bound to school staff", async () => {
    const replies = await say(PARENT, "/baocao");
    expect(text(replies)).toContain("tin báo ẩn danh");
    expect(choices(replies)).toEqual(["menu:report"]);
    // A forged start is refused the same way, and the anonymous path opens the tip's first step.
    expect(choices(await pick(PARENT, "ir:start"))).toEqual(["menu:report"]);
    expect(text(await pick(PARENT, "menu:report"))).toContain("GỬI TIN BÁO ẨN DANH");
    await say(PARENT, "/huy");
    expect(desk.calls).toEqual([]);
  });

  it("says which path protects what, then takes a fight at the gate with a photo, step by step", async () => {
    const intro = await say(TEACHER, "/baocao");
    expect(text(intro)).toContain("Cán bộ công an thấy họ tên, chức vụ và trường");
    expect(text(intro)).toContain("không ai biết người gửi là ai");
    expect(text(intro)).toContain("113");
    expect(choices(intro)).toEqual(["ir:start", "menu:report"]);

    expect(choices(await pick(TEACHER, "ir:start"))).toContain("ir:kind:bao-luc-hoc-duong");
    expect(choices(await pick(TEACHER, "ir:kind:bao-luc-hoc-duong"))).toEqual([
      "ir:when:now",
      "ir:when:morning",
      "ir:when:yesterday",
    ]);
    // A time that cannot be read is asked again; "hôm qua 16h" is yesterday at 16:00 Vietnam time.
    expect(text(await say(TEACHER, "lúc nào đó"))).toContain("chưa đọc được");
    const where = await say(TEACHER, "hôm qua 16h");
    expect(choices(where)).toContain("ir:place:cong-truong");
    // A stale or out-of-step choice changes nothing.
    expect(text(await pick(TEACHER, "ir:kind:ma-tuy"))).toContain("không còn");
    await pick(TEACHER, "ir:place:cong-truong");
    await say(TEACHER, "cổng phụ");
    expect(text(await say(TEACHER, "đánh nhau"))).toContain("quá ngắn");
    const involved = await say(TEACHER, "Hai nhóm học sinh xô xát, đánh nhau ở cổng phụ lúc tan học.");
    expect(text(involved)).toContain("Chỉ ghi tên khi thật cần");
    expect(text(await say(TEACHER, "2 học sinh lớp 8A3"))).toContain("2 Học sinh lớp 8A3");
    await say(TEACHER, "1 người ngoài trường: Trần Văn B");
    expect(choices(await pick(TEACHER, "ir:inv:done"))).toEqual(["ir:inj:none", "ir:inj:nhe", "ir:inj:nang"]);
    await pick(TEACHER, "ir:inj:nhe");
    await say(TEACHER, "1 em trầy tay, đã sơ cứu");
    await say(TEACHER, "Tách hai nhóm, báo phụ huynh");
    const photo = await say(TEACHER, { kind: "photo", bytes: await photoWithMetadata(60, 40) });
    expect(text(photo)).toContain("Đã nhận 1 ảnh");
    const urgency = await pick(TEACHER, "ir:photos:done");
    expect(choices(urgency)).toEqual(["ir:urg:khan-cap", "ir:urg:binh-thuong"]);
    const summary = await pick(TEACHER, "ir:urg:binh-thuong");
    expect(text(summary)).toContain("cán bộ công an sẽ thấy tên, chức vụ và trường");
    expect(text(summary)).toContain("Cổng trường — cổng phụ");
    expect(text(summary)).toContain("2 Học sinh lớp 8A3; Người ngoài trường (Trần Văn B)");
    expect(choices(summary)).toEqual(["ir:send", "ir:cancel"]);

    const sent = await pick(TEACHER, "ir:send");
    expect(text(sent)).toContain("Mã vụ việc: SC-7KQ3-M1");
    expect(text(sent)).toContain("hỏi thêm ngay trong cuộc trò chuyện này");
    const [call] = desk.calls;
    expect(call?.method).toBe("report");
    expect(call?.chat).toEqual(TEACHER);
    const submission = call?.args[0] as Record<string, unknown>;
    expect(submission).toMatchObject({
      kind: "bao-luc-hoc-duong",
      urgency: "binh-thuong",
      occurredAt: vietnamDay(Date.now(), -1) + 16 * HOUR,
      place: "cong-truong",
      placeText: "cổng phụ",
      description: "Hai nhóm học sinh xô xát, đánh nhau ở cổng phụ lúc tan học.",
      involved: [
        { role: "hoc-sinh", count: 2, className: "8A3" },
        { role: "nguoi-ngoai", count: 1, name: "Trần Văn B" },
      ],
      injuries: "Bị thương nhẹ: 1 em trầy tay, đã sơ cứu",
      schoolAction: "Tách hai nhóm, báo phụ huynh",
    });
    expect(submission.photoIds).toHaveLength(1);
    expect(await rt.store.getPhoto((submission.photoIds as string[])[0] as string)).toBeDefined();
    // The draft is gone with the send.
    expect(text(await pick(TEACHER, "ir:send"))).toContain("không còn");
  });

  it("puts hotline guidance first on emergency words, keeps the draft sealed, and drops it after 30 idle minutes", async () => {
    await say(ZALO_TEACHER, "/baocao");
    await pick(ZALO_TEACHER, "ir:start");
    await pick(ZALO_TEACHER, "ir:kind:bao-luc-hoc-duong");
    await pick(ZALO_TEACHER, "ir:when:now");
    await pick(ZALO_TEACHER, "ir:place:trong-truong");
    await pick(ZALO_TEACHER, "ir:skip");
    const emergency = await say(ZALO_TEACHER, "Một học sinh bị đâm, chảy máu nhiều ở sân trường");
    expect(emergency[0]?.text).toMatch(/^⚠️/);
    expect(text(emergency)).toContain("115");
    expect(text(emergency.slice(1))).toContain("Những ai liên quan");
    await say(ZALO_TEACHER, "1 học sinh lớp 9A1: Lê Văn C");

    const key = senderKey(salt, ZALO_TEACHER.channel, ZALO_TEACHER.chatId);
    const raw = (await rt.redis.get(`${rt.prefix}:session:${key}`)) as string;
    expect(raw).toContain('"kind":"incident"');
    expect(raw).not.toContain("chảy máu");
    expect(raw).not.toContain("Lê Văn C");

    // On Zalo a bare number picks a choice: "1" is "Xong".
    expect(text(await say(ZALO_TEACHER, "1"))).toContain("Có ai bị thương");
    const stored = JSON.parse((await rt.redis.get(`${rt.prefix}:session:${key}`)) as string);
    stored.flow.touchedAt = Date.now() - 31 * 60_000;
    await rt.redis.set(`${rt.prefix}:session:${key}`, JSON.stringify(stored));
    expect(text(await say(ZALO_TEACHER, "không"))).toContain("quá 30 phút");
    expect(desk.calls).toEqual([]);
  });

  it("asks a reporter the directory knows no name of for it, once, before the first step", async () => {
    const names = new Map<string, string>();
    const people = {
      nameOf: async (chat: ChatAddress) => names.get(chat.chatId),
      introduce: async (chat: ChatAddress, name: string) => {
        names.set(chat.chatId, name);
      },
    };
    const { dialogue: named, dispose: done } = await testDialogue(rt, salt, {
      incidents: desk,
      directory: desk.directory(),
      people,
    });
    try {
      const asked = await named.handle(TEACHER, { kind: "choice", data: "ir:start" });
      expect(text(asked)).toContain("cán bộ công an sẽ thấy họ tên");
      expect(text(await named.handle(TEACHER, { kind: "text", text: "12" }))).toContain("họ và tên");
      const kinds = await named.handle(TEACHER, { kind: "text", text: "Nguyễn  Thị Lan" });
      expect(text(kinds)).toContain("Nguyễn Thị Lan");
      expect(choices(kinds)).toContain("ir:kind:ma-tuy");
      expect(names.get(TEACHER.chatId)).toBe("Nguyễn Thị Lan");
      await named.handle(TEACHER, { kind: "text", text: "/huy" });
      // Known now: not asked again.
      expect(choices(await named.handle(TEACHER, { kind: "choice", data: "ir:start" }))).toContain(
        "ir:kind:ma-tuy",
      );
      await named.handle(TEACHER, { kind: "text", text: "/huy" });
    } finally {
      await done();
    }
  });

  it("keeps the draft when the desk refuses, and offers the anonymous tip to a chat no longer staff", async () => {
    const chat: ChatAddress = { channel: "telegram", chatId: "900000003" };
    desk.staff.push(chat);
    await say(chat, "/baocao");
    for (const data of ["ir:start", "ir:kind:ma-tuy", "ir:when:now", "ir:place:gan-truong", "ir:skip"])
      await pick(chat, data);
    await say(chat, "Có người lạ mời học sinh hút thuốc lá điện tử gần cổng.");
    for (const data of ["ir:inv:done", "ir:inj:none", "ir:skip", "ir:photos:done", "ir:urg:binh-thuong"])
      await pick(chat, data);
    desk.refuseNextReport = "invalid";
    expect(text(await pick(chat, "ir:send"))).toContain("chưa gửi được");
    desk.refuseNextReport = "not-school-staff";
    const refused = await pick(chat, "ir:send");
    expect(choices(refused)).toEqual(["menu:report"]);
    expect(text(await pick(chat, "ir:send"))).toContain("không còn");
  });

  it("takes the reporter's answer: a reply to the question, /traloi with the SC code, a plain message once confirmed", async () => {
    const question =
      "Cán bộ Lê Thị Lan hỏi thêm về vụ việc SC-7KQ3-M8 nhà trường đã báo cáo:\nCác em học lớp nào?";
    const replied = await say(TEACHER, { kind: "text", text: "Lớp 8A3 và 8A5", quoted: question });
    expect(text(replied)).toContain("Đã chuyển câu trả lời");
    expect(desk.calls.at(-1)).toEqual({
      method: "answer",
      chat: TEACHER,
      args: ["SC-7KQ3-M8", "Lớp 8A3 và 8A5"],
    });

    expect(text(await say(TEACHER, "/traloi sc-7kq3-m8 Đã mời phụ huynh lên trường"))).toContain(
      "Đã chuyển câu trả lời",
    );
    expect(desk.calls.at(-1)?.args).toEqual(["sc-7kq3-m8", "Đã mời phụ huynh lên trường"]);
    // Not the reporter's chat: refused by the desk, worded from incident.refused.*.
    expect(text(await say(PARENT, "/traloi SC-7KQ3-M8 xin chào"))).toContain("Chỉ người đã báo cáo");
    // A tip's code still goes the tip's way.
    expect(text(await say(TEACHER, "/traloi AT-7KQ3-M8 123456 xin chào"))).toContain(
      "Không gửi được câu trả lời",
    );
    expect(desk.calls.at(-1)?.args).toEqual(["SC-7KQ3-M8", "xin chào"]);

    desk.pending.set(TEACHER.chatId, { id: "i1", caseCode: "SC-7KQ3-M8" });
    const offered = await say(TEACHER, "Các em đã về nhà an toàn");
    expect(text(offered)).toContain("vụ việc SC-7KQ3-M8 (kèm tên thầy/cô)");
    expect(choices(offered)).toEqual(["ira:yes", "ira:no"]);
    expect(text(await pick(TEACHER, "ira:yes"))).toContain("Đã chuyển câu trả lời");
    expect(desk.calls.at(-1)?.args).toEqual(["SC-7KQ3-M8", "Các em đã về nhà an toàn"]);
    // The incidents' database away: a plain message is simply a question for the bot.
    const pendingQuestion = desk.pendingQuestion;
    desk.pendingQuestion = async () => {
      throw new Error("database down");
    };
    expect(choices(await say(TEACHER, "Mũ bảo hiểm trẻ em"))).not.toContain("ira:yes");
    desk.pendingQuestion = pendingQuestion;
    desk.answerResult = "closed";
    await say(TEACHER, "Cảm ơn đồng chí");
    expect(text(await pick(TEACHER, "ira:yes"))).toContain("đã đóng");
    desk.pending.clear();
  });
});

describe("what a teacher types for the time and the people involved", () => {
  // 2026-05-12 10:00 in Vietnam.
  const now = Date.parse("2026-05-12T10:00:00+07:00");
  const at = (iso: string) => Date.parse(`${iso}+07:00`);

  it("reads times the way they are typed", () => {
    expect(parseIncidentTime("vừa xong", now)).toBe(now);
    expect(parseIncidentTime("7h15", now)).toBe(at("2026-05-12T07:15:00"));
    expect(parseIncidentTime("14:30", now)).toBe(at("2026-05-11T14:30:00"));
    expect(parseIncidentTime("hôm qua 16h", now)).toBe(at("2026-05-11T16:00:00"));
    expect(parseIncidentTime("hom qua 4h chieu", now)).toBe(at("2026-05-11T16:00:00"));
    expect(parseIncidentTime("tối qua 21 giờ 30", now)).toBe(at("2026-05-11T21:30:00"));
    expect(parseIncidentTime("sáng nay", now)).toBe(at("2026-05-12T08:00:00"));
    expect(parseIncidentTime("8/5 9h", now)).toBe(at("2026-05-08T09:00:00"));
    expect(parseIncidentTime("9h", now, vietnamDay(now, -1))).toBe(at("2026-05-11T09:00:00"));
    expect(parseIncidentTime("không nhớ", now)).toBeUndefined();
    expect(parseIncidentTime("25h", now)).toBeUndefined();
  });

  it("reads a group of people by role and class, with a name only when given", () => {
    expect(parseInvolved("2 học sinh lớp 8A3")).toEqual({ role: "hoc-sinh", count: 2, className: "8A3" });
    expect(parseInvolved("hs 9a1")).toEqual({ role: "hoc-sinh", count: 1, className: "9A1" });
    expect(parseInvolved("1 người ngoài trường")).toEqual({ role: "nguoi-ngoai", count: 1 });
    expect(parseInvolved("bảo vệ trường")).toEqual({ role: "nhan-vien", count: 1 });
    expect(parseInvolved("học sinh lớp 6B (Nguyễn Văn A)")).toEqual({
      role: "hoc-sinh",
      count: 1,
      className: "6B",
      name: "Nguyễn Văn A",
    });
    expect(parseInvolved("   ")).toBeUndefined();
  });
});
