import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Dialogue } from "../../bot/dialogue/dialogue.js";
import { nextClockTime, parseUntil } from "../../bot/dialogue/features/duty.js";
import { rosterReplies } from "../../bot/dialogue/features/duty-roster.js";
import { RedisFeedbackStore } from "../../bot/dialogue/feedback-store.js";
import { RedisSessionStore } from "../../bot/dialogue/session-store.js";
import { type DatabaseHandle, openDatabase } from "../../db/client.js";
import { createLogger } from "../../logger.js";
import { createDutyDesk, type DutyRoster, type RosterEntry } from "../../workers/directory/duty.js";
import { importDirectory } from "../../workers/directory/import.js";
import { InvitationDesk } from "../../workers/directory/invitations.js";
import { loadRoutingTableFromDb } from "../../workers/directory/load.js";
import type { Routing, RoutingTable } from "../../workers/routing/routing-table.js";
import { freshDatabase, type TestDatabase } from "../db/engines.js";
import { RecordingMessenger } from "../fakes/recording-messenger.js";
import { type TestRuntime, testRuntime } from "../workers/harness.js";

const EXAMPLE = join(import.meta.dirname, "../../workers/routing/example-province.yaml");
// Contacts of the example province.
const AN_HOA_DUTY_DESK = { channel: "telegram" as const, chatId: "100000011" };
const PROVINCE_DUTY_DESK = { channel: "telegram" as const, chatId: "100000001" };
const ADMIN = { channel: "telegram" as const, chatId: "700000001" };
const MINH = "100000012"; // Thượng úy Nguyễn Văn Minh, backup of Phường An Hòa
const student = { channel: "telegram" as const, chatId: "777000555", userId: "777000555" };
const tip = {
  category: "bao-luc-hoc-duong",
  urgency: "binh-thuong",
  place: { schoolId: "thcs-an-hoa", text: "sân sau" },
  description: "Một nhóm học sinh lớp 9 chặn đánh một bạn lớp 6 sau giờ tan học.",
};

describe("when /nghi and /truc are read", () => {
  // 09:00 in Vietnam.
  const now = Date.parse("2026-05-11T09:00:00+07:00");
  const at = (iso: string) => Date.parse(`${iso}+07:00`);

  it("reads an end of time off in Vietnam time, a time already past meaning tomorrow", () => {
    expect(parseUntil("đến 17:30", now)).toBe(at("2026-05-11T17:30:00"));
    expect(parseUntil("den 17h30", now)).toBe(at("2026-05-11T17:30:00"));
    expect(parseUntil("17:30", now)).toBe(at("2026-05-11T17:30:00"));
    expect(parseUntil("tới 8g15", now)).toBe(at("2026-05-12T08:15:00"));
    expect(parseUntil("ĐẾN 9H", now)).toBe(at("2026-05-12T09:00:00"));
    expect(parseUntil("", now)).toBeNull();
    for (const nonsense of ["25:00", "17:61", "mai", "đến chiều", "17:30 mai", "1730"])
      expect(parseUntil(nonsense, now), nonsense).toBeUndefined();
    // Late at night, Vietnam's date is already the next day's.
    expect(nextClockTime(7, 30, Date.parse("2026-05-11T23:30:00+07:00"))).toBe(at("2026-05-12T07:30:00"));
  });
});

describe("an officer going off duty and back, through the dialogue", () => {
  let place: TestDatabase;
  let handle: DatabaseHandle;
  let rt: TestRuntime;
  let dialogue: Dialogue;
  let current: RoutingTable;
  let invitations: InvitationDesk;
  const logs: string[] = [];
  const messenger = new RecordingMessenger();
  const say = (chat: { channel: "telegram"; chatId: string }, text: string) =>
    dialogue.handle(chat, { kind: "text", text });

  beforeAll(async () => {
    place = await freshDatabase("pglite");
    handle = await openDatabase(place.config);
    await importDirectory(handle.db, EXAMPLE, { actor: "test:duty-dialogue" });
    current = await loadRoutingTableFromDb(handle.db);
    // A live view, as LiveDirectory gives: every call answered by the table of the moment.
    const routing = new Proxy({} as Routing, {
      get: (_, key) => {
        const value = Reflect.get(current, key, current);
        return typeof value === "function" ? value.bind(current) : value;
      },
    });
    rt = await testRuntime(messenger, {}, {}, routing as RoutingTable);
    const duty = createDutyDesk({
      db: handle.db,
      logger: createLogger("silent"),
      // What the integrator wires to the Redis invalidation: every process reads the directory again.
      onChange: async () => {
        current = await loadRoutingTableFromDb(handle.db);
      },
    });
    const salt = randomBytes(16);
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(chunk.toString("utf8"));
        done();
      },
    });
    invitations = new InvitationDesk({ db: handle.db, secret: salt, logger: createLogger("info", sink) });
    dialogue = new Dialogue({
      sessions: new RedisSessionStore(rt.redis, rt.prefix),
      routing,
      intake: rt.intake,
      triage: rt.triage,
      ask: () => Promise.reject(new Error("no questions in this test")),
      salt,
      feedback: new RedisFeedbackStore(rt.redis, rt.prefix),
      duty,
      directory: invitations,
    });
  });

  afterAll(async () => {
    await rt?.dispose();
    await handle?.close();
    await place?.drop();
  });

  it("sends the commune's new tips to the backup while its duty desk is off, and to it again after /truc", async () => {
    const [off] = await say(AN_HOA_DUTY_DESK, "/nghi");
    expect(off?.text).toContain("cho đến khi gõ /truc");
    expect(off?.text).toContain("Tin báo mới sẽ chuyển cho: Thượng úy Nguyễn Văn Minh");
    expect(off?.choices?.map((c) => c.data)).toEqual(["duty:on"]);

    const first = await rt.intake.submit(tip, student);
    await messenger.waitFor(() => messenger.to(MINH).length === 1);
    expect(messenger.to(MINH)[0]?.text).toContain(first.caseCode);
    expect((await rt.store.get(first.tipId))?.chain).toEqual(["ca-an-hoa-minh", "ca-tinh-truc-ban"]);
    expect(messenger.to(AN_HOA_DUTY_DESK.chatId)).toHaveLength(0);

    // The button, as pressed on Telegram.
    const [on] = await dialogue.handle(AN_HOA_DUTY_DESK, { kind: "choice", data: "duty:on" });
    expect(on?.text).toContain("bạn đang trực");
    expect(on?.choices?.map((c) => c.data)).toContain("duty:off");

    const second = await rt.intake.submit(tip, { ...student, chatId: "777000556", userId: "777000556" });
    await messenger.waitFor(() => messenger.to(AN_HOA_DUTY_DESK.chatId).length === 1);
    expect(messenger.to(AN_HOA_DUTY_DESK.chatId)[0]?.text).toContain(second.caseCode);
    expect((await rt.store.get(second.tipId))?.chain).toEqual([
      "ca-an-hoa-truc-ban",
      "ca-an-hoa-minh",
      "ca-tinh-truc-ban",
    ]);
    // The tip in flight kept the route it was given.
    expect((await rt.store.get(first.tipId))?.chain).toEqual(["ca-an-hoa-minh", "ca-tinh-truc-ban"]);
  });

  it("says until when, refuses a time it cannot read, and refuses whoever is not a listed contact", async () => {
    const [until] = await say(AN_HOA_DUTY_DESK, "/nghi đến 23:59");
    expect(until?.text).toMatch(/bạn nghỉ đến 23:59( ngày mai)?; sau giờ đó bạn tự động trực lại/);
    const [bad] = await say(AN_HOA_DUTY_DESK, "/nghi đến chiều mai");
    expect(bad?.text).toContain('Không hiểu giờ "đến chiều mai"');
    const [back] = await say(AN_HOA_DUTY_DESK, "/truc");
    expect(back?.text).toContain("bạn đang trực");
    expect(current.offDuty.size).toBe(0);

    const [stranger] = await say({ channel: "telegram", chatId: "999000999" }, "/nghi");
    expect(stranger?.text).toContain("chưa gắn với cán bộ nào");
    // The province's duty desk is always on.
    const [desk] = await say({ channel: "telegram", chatId: "100000001" }, "/nghi");
    expect(desk?.text).toContain("trực ban tỉnh luôn nhận tin");
    expect(current.offDuty.size).toBe(0);
  });

  it("shows a province admin and the provincial duty desk the roster, /nghi included; refuses anyone else", async () => {
    const text = async (chat: { channel: "telegram"; chatId: string }, message: string) =>
      (await say(chat, message)).map((r) => r.text).join("\n\n");
    const first = await invitations.mint({ role: "province-admin" }, { by: "cli:test" });
    await invitations.join(first.code, ADMIN);
    await say(AN_HOA_DUTY_DESK, "/nghi");

    const roster = await text(ADMIN, "/catruc");
    expect(roster).toContain("Tỉnh Sông Xanh");
    expect(roster).toContain("Trực ban tỉnh: Trực ban Công an tỉnh Sông Xanh – luôn nhận tin.");
    const anHoa = roster.split("\n\n").find((block) => block.startsWith("📍 Phường An Hòa")) as string;
    expect(anHoa).toBeDefined();
    // The backup gets the commune's new tips first while its duty desk is off.
    expect(anHoa).toContain(
      "Nhận tin báo mới trước: Thượng úy Nguyễn Văn Minh – Công an phường An Hòa (riêng một số loại tin: đơn vị cấp tỉnh)",
    );
    expect(anHoa).toContain("• Trực ban Công an phường An Hòa: nghỉ đến khi trực lại");
    expect(anHoa).toContain("• Thượng úy Nguyễn Văn Minh – Công an phường An Hòa: đang trực");
    // The provincial units that serve every commune are listed once, not under each commune.
    expect(anHoa).not.toContain("Phòng Cảnh sát điều tra tội phạm về ma túy");
    expect(roster.match(/• Phòng Cảnh sát điều tra tội phạm về ma túy/g)).toHaveLength(1);
    // Every other commune's duty desk is on duty and comes first.
    expect(roster).toMatch(/📍 Xã Tân Lập\nNhận tin báo mới trước: Trực ban Công an xã Tân Lập/);

    // The provincial duty desk may read it too, in English once it chose English.
    await say(PROVINCE_DUTY_DESK, "/lang en");
    const english = await text(PROVINCE_DUTY_DESK, "/catruc");
    expect(english).toContain("On duty at");
    expect(english).toContain("• Trực ban Công an phường An Hòa: off until back (/truc)");
    expect(english).toContain(
      "New tips go first to: Thượng úy Nguyễn Văn Minh – Công an phường An Hòa (for some kinds of tips: a provincial unit)",
    );

    // A commune's officer and a stranger are refused, and logged under a hash of the chat only.
    const refusals = () => logs.filter((l) => l.includes("not a province admin"));
    const before = refusals().length;
    for (const chat of [AN_HOA_DUTY_DESK, { channel: "telegram" as const, chatId: "999000999" }]) {
      const refused = await say(chat, "/catruc");
      expect(refused.map((r) => r.text)).toEqual([
        "Chỉ quản trị viên của tỉnh và trực ban tỉnh mới xem được ca trực.",
      ]);
    }
    expect(refusals().slice(before)).toHaveLength(2);
    const logged = refusals().slice(before).join();
    expect(logged).toMatch(/"action":"duty-roster"/);
    expect(logged).toMatch(/"actor":"unlisted:[0-9a-f]{12}"/);
    expect(logged).not.toContain(AN_HOA_DUTY_DESK.chatId);
    expect(logged).not.toContain("999000999");

    await say(AN_HOA_DUTY_DESK, "/truc");
    expect(await text(ADMIN, "/catruc")).toContain("• Trực ban Công an phường An Hòa: đang trực");
  });
});

describe("the roster as messages", () => {
  const at = Date.parse("2026-05-11T09:00:00+07:00");
  const entry = (id: string, more: Partial<RosterEntry> = {}): RosterEntry => ({
    id,
    name: `Officer ${id}`,
    vacant: false,
    onDuty: true,
    until: null,
    changedAt: null,
    changedBy: null,
    ...more,
  });
  const desk = entry("desk", { vacant: true });
  const drugs = entry("drugs");
  const roster: DutyRoster = {
    province: { id: "p", name: "Province P" },
    at,
    dutyOfficer: desk,
    communes: Array.from({ length: 60 }, (_, i) => ({
      id: `c${i}`,
      name: `Commune ${i}`,
      contacts: [
        entry(`c${i}-desk`, {
          onDuty: false,
          until: Date.parse(i === 1 ? "2026-05-13T07:30:00+07:00" : "2026-05-11T17:30:00+07:00"),
        }),
        entry(`c${i}-backup`, { vacant: i % 2 === 0 }),
        drugs,
        desk,
      ],
      // Commune 3's own contacts are all off: a provincial unit is named since it comes first.
      firstNow: i === 3 ? ["drugs"] : [`c${i}-backup`, "drugs"],
      unreachable: i === 7,
    })),
  };

  it("keeps each commune whole within one message, short enough for Zalo, in order", () => {
    const replies = rosterReplies(roster);
    expect(replies.length).toBeGreaterThan(1);
    for (const r of replies) expect(r.text.length).toBeLessThanOrEqual(1800);
    const blocks = replies.flatMap((r) => r.text.split("\n\n"));
    const communes = blocks.filter((b) => b.startsWith("📍"));
    expect(communes.map((b) => b.split("\n")[0])).toEqual(roster.communes.map((c) => `📍 ${c.name}`));
    expect(communes[0]).toBe(
      [
        "📍 Commune 0",
        "Nhận tin báo mới trước: Officer c0-backup (riêng một số loại tin: đơn vị cấp tỉnh)",
        "• Officer c0-desk: nghỉ đến 17:30",
        "• Officer c0-backup: còn trống, chưa ai tham gia",
      ].join("\n"),
    );
    expect(communes[1]).toContain("• Officer c1-desk: nghỉ đến 07:30 13/5/26\n");
    expect(communes[3]).toContain("\nNhận tin báo mới trước: Officer drugs\n");
    expect(communes[7]).toContain("⚠️ Hiện có loại tin báo không ai nhận được.");
    // The vacant provincial desk is a warning at the top; the shared unit is listed once there.
    expect(blocks[0]).toContain("Trực ban tỉnh (Officer desk) còn trống");
    expect(blocks[1]).toBe("Đơn vị cấp tỉnh:\n• Officer drugs: đang trực");
  });
});
