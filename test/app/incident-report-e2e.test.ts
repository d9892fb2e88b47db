import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../bot/local-redis.js";
import { freshDatabase, type TestDatabase } from "../db/engines.js";
import { FakeTelegramApi, type RecordedMessage } from "../fakes/telegram-bot-api.js";
import { buttonData, buttons, Chats } from "../fakes/telegram-chats.js";
import { GPS_POINTER, photoWithMetadata } from "../fixtures/photos.js";
import { runDirectoryCli } from "../workers/directory-cli-run.js";

/**
 * Issue 15's "done when", end to end: `npm start` against the fake Telegram Bot API with the
 * directory on PostgreSQL. The commune's officer and a teacher of THCS A join by invitations from
 * the CLI; the teacher reports a fight at the gate with a photo (`/baocao`, giving their name
 * once); the officer receives it with the school and the teacher's name, takes it and asks a
 * question; the teacher gets the question naming the officer and answers by replying to it; the
 * officer gets the answer and closes the incident with an outcome, which PostgreSQL holds with
 * its timeline. A chat nobody invited is offered the anonymous tip instead.
 */

const ROOT = resolve(import.meta.dirname, "../..");
const TOKEN = "123456:TEST-token-for-the-incident-test";
const WAIT_MS = 60_000;
const SC_CODE = /SC-[A-Z0-9]{4}-[A-Z0-9]{2}/;

const PROVINCE = `
province: { id: tinh-thu, name: Tỉnh Thử }
communes:
  - { id: phuong-a, name: Phường A }
  - { id: xa-b, name: Xã B }
schools:
  - { id: thcs-a, name: Trường THCS A, commune: phuong-a }
  - { id: th-b, name: Trường Tiểu học B, commune: xa-b }
contacts:
  - { id: ca-tinh-truc-ban, name: Trực ban Công an tỉnh Thử }
  - { id: ca-a-truc-ban, name: Trực ban Công an phường A }
  - { id: ca-b-truc-ban, name: Trực ban Công an xã B }
routes:
  - { category: "*", commune: "*", primary: ca-tinh-truc-ban, duty: ca-tinh-truc-ban }
  - { category: "*", commune: phuong-a, primary: ca-a-truc-ban, duty: ca-tinh-truc-ban }
  - { category: "*", commune: xa-b, primary: ca-b-truc-ban, duty: ca-tinh-truc-ban }
deadlines: { khan-cap: 1h, binh-thuong: 4h }
dutyOfficer: ca-tinh-truc-ban
`;

const hasButton = (pattern: RegExp) => (m: RecordedMessage) =>
  buttons(m).some((b) => pattern.test(b.callback_data ?? ""));

describe("a teacher's named incident report, end to end against the fake Telegram API", () => {
  let child: ChildProcess | undefined;
  let api: FakeTelegramApi | undefined;
  let dir: string | undefined;
  let database: TestDatabase | undefined;
  const prefix = `test-${randomUUID()}`;
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((r) => child?.once("exit", r));
    }
    await api?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    const redis = new Redis();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await database?.drop();
  });

  it("reports a fight at the gate with a photo; the officer asks, the teacher answers, the officer closes it", {
    timeout: 300_000,
  }, async () => {
    api = await new FakeTelegramApi(TOKEN).start();
    const chats = new Chats(api, WAIT_MS);
    dir = await mkdtemp(join(tmpdir(), "ssg-incident-"));
    database = await freshDatabase("postgres");
    const routingFile = join(dir, "province.yaml");
    await writeFile(routingFile, PROVINCE);
    const env: Record<string, string> = {
      ...database.env,
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: api.apiRoot,
      WEB_CHAT: "false",
      ROUTING_FILE: routingFile,
      QUEUE_PREFIX: prefix,
      INDEX_DIR: join(dir, "index"),
      SECRETS_DIR: join(dir, "secrets"),
      LOG_LEVEL: "warn",
      PORT: String(await freePort()),
    };
    child = spawn(process.execPath, ["--import", "tsx", "app/main.ts"], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let printed = "";
    await new Promise<void>((ready, failed) => {
      child?.stdout?.on("data", (d: Buffer) => {
        printed += d.toString();
        if (printed.includes("Channels:")) ready();
      });
      child?.once("exit", (code) => failed(new Error(`npm start exited (${code}) before it was ready`)));
    });

    // Invitations from the CLI (its last line is the code), accepted in the chat.
    const joinBy = async (chatId: number, ...target: string[]) => {
      const minted = await runDirectoryCli(env, "invite", ...target);
      expect(minted.code, minted.stderr).toBe(0);
      const code = minted.stdout.trim().split("\n").at(-1) as string;
      const offer = await chats.say(chatId, `/thamgia ${code}`, (m) => buttons(m).length > 0);
      const joined = await chats.tap(chatId, buttonData(offer, /join:yes$/));
      expect(joined.text).not.toMatch(/không hợp lệ|hết hạn/i);
    };
    const OFFICER = 6001;
    const TEACHER = 8001;
    const STRANGER = 9001;
    await joinBy(OFFICER, "--contact", "ca-a-truc-ban");
    await joinBy(TEACHER, "--school", "thcs-a", "--role", "teacher");

    // Not bound to a school: the anonymous tip is offered instead.
    const refused = await chats.say(STRANGER, "/baocao");
    expect(refused.text).toContain("tin báo ẩn danh");
    const tip = await chats.tap(STRANGER, buttonData(refused, /^d:menu:report$/));
    expect(tip.text).toContain("GỬI TIN BÁO ẨN DANH");

    // The teacher reads which path protects what, chooses the named report and gives their name.
    const paths = await chats.say(TEACHER, "/baocao", (m) => buttons(m).length > 0);
    expect(paths.text).toContain("Cán bộ công an thấy họ tên, chức vụ và trường");
    expect(buttons(paths).map((b) => b.callback_data)).toEqual(["d:ir:start", "d:menu:report"]);
    const asked = await chats.tap(TEACHER, "d:ir:start");
    expect(asked.text).toContain("họ và tên");
    await chats.say(TEACHER, "Nguyễn Thị Lan", hasButton(/ir:kind:/));
    await chats.tap(TEACHER, "d:ir:kind:bao-luc-hoc-duong");
    await chats.tap(TEACHER, "d:ir:when:now");
    await chats.tap(TEACHER, "d:ir:place:cong-truong");
    await chats.tap(TEACHER, "d:ir:skip");
    await chats.say(TEACHER, "Hai nhóm học sinh xô xát, đánh nhau trước cổng trường lúc tan học.");
    await chats.say(TEACHER, "2 học sinh lớp 8A3");
    await chats.tap(TEACHER, "d:ir:inv:done");
    await chats.tap(TEACHER, "d:ir:inj:none");
    await chats.say(TEACHER, "Đã tách hai nhóm và mời phụ huynh lên trường.", hasButton(/ir:photos:done/));
    api.files.set("fight-1", await photoWithMetadata(80, 60));
    const photoSince = chats.mark(TEACHER);
    api.updates.push({
      update_id: 100_001,
      message: {
        message_id: 100_001,
        date: Math.floor(Date.now() / 1000),
        chat: { id: TEACHER, type: "private", first_name: "U" },
        from: { id: TEACHER, is_bot: false, first_name: "U" },
        photo: [{ file_id: "fight-1", file_unique_id: "f1", width: 80, height: 60, file_size: 2000 }],
      },
    });
    await chats.next(TEACHER, photoSince, (m) => m.text.includes("Đã nhận 1 ảnh"));
    await chats.tap(TEACHER, "d:ir:photos:done");
    const summary = await chats.tap(TEACHER, "d:ir:urg:binh-thuong");
    expect(summary.text).toContain("2 Học sinh lớp 8A3");
    const officerSince = chats.mark(OFFICER);
    const sent = await chats.tap(TEACHER, "d:ir:send", (m) => SC_CODE.test(m.text));
    const code = SC_CODE.exec(sent.text)?.[0] as string;

    // The commune's officer receives it: the school, the teacher by name, the photo, the buttons.
    const delivered = await chats.next(OFFICER, officerSince, (m) => m.text.includes(code));
    expect(delivered.text).toContain("Trường THCS A");
    expect(delivered.text).toContain("Nguyễn Thị Lan — giáo viên");
    expect(delivered.text).toContain("Học sinh lớp 8A3 ×2");
    const actions = await chats.next(OFFICER, officerSince, hasButton(/^t:inc-ack:/));
    // The photo follows, sanitised as a tip's (no GPS position left in it).
    const photo = await chats.next(OFFICER, officerSince, (m) => m.photo !== undefined);
    expect(photo.photo?.includes(GPS_POINTER)).toBe(false);

    expect((await chats.tap(OFFICER, buttonData(actions, /^t:inc-ack:/))).text).toContain("Đã nhận xử lý");
    expect((await chats.tap(OFFICER, buttonData(actions, /^t:inc-ask:/))).text).toContain("kèm tên đồng chí");
    const teacherSince = chats.mark(TEACHER);
    expect((await chats.say(OFFICER, "Các em học lớp nào, đã báo phụ huynh chưa?")).text).toContain(
      "Đã gửi câu hỏi",
    );

    // The teacher gets the question naming the officer, and answers by replying to it.
    const question = await chats.next(TEACHER, teacherSince, (m) => m.text.includes("lớp nào"));
    expect(question.text).toContain("Trực ban Công an phường A");
    expect(question.text).toContain(code);
    const answerSince = chats.mark(OFFICER);
    const repliedSince = chats.mark(TEACHER);
    api.updates.push({
      update_id: 100_002,
      message: {
        message_id: 100_002,
        date: Math.floor(Date.now() / 1000),
        chat: { id: TEACHER, type: "private", first_name: "U" },
        from: { id: TEACHER, is_bot: false, first_name: "U" },
        text: "Lớp 8A3 và 8A5; phụ huynh đã lên trường.",
        reply_to_message: {
          message_id: question.messageId,
          date: Math.floor(question.at / 1000),
          chat: { id: TEACHER, type: "private", first_name: "U" },
          // The bot's own message (getMe's id), as Telegram sends a reply to it.
          from: { id: 1, is_bot: true, first_name: "Bot" },
          text: question.text,
        },
      },
    });
    expect((await chats.next(TEACHER, repliedSince)).text).toContain("Đã chuyển câu trả lời");
    const answer = await chats.next(OFFICER, answerSince, (m) => m.text.includes("8A5"));
    expect(answer.text).toContain("Nguyễn Thị Lan");
    expect(answer.text).toContain(code);

    // The officer closes it with an outcome.
    const outcomes = await chats.tap(
      OFFICER,
      buttonData(actions, /^t:inc-close:/),
      (m) => buttons(m).length > 0,
    );
    const closed = await chats.tap(OFFICER, buttonData(outcomes, /^d:inc-out:0:/));
    expect(closed.text).toContain(`Đã đóng vụ việc ${code}: Đã xử lý`);

    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    try {
      const [row] = (
        await client.query(
          "select id, school_id, reporter_name, kind, place, status, outcome from incidents where case_code = $1",
          [code],
        )
      ).rows;
      expect(row).toMatchObject({
        school_id: "thcs-a",
        reporter_name: "Nguyễn Thị Lan",
        kind: "bao-luc-hoc-duong",
        place: "cong-truong",
        status: "closed",
        outcome: "da-xu-ly",
      });
      const events = (
        await client.query("select action from incident_events where incident_id = $1 order by id", [row.id])
      ).rows.map((r) => r.action);
      expect(events).toEqual(
        expect.arrayContaining(["reported", "delivered", "acknowledged", "asked", "answered", "closed"]),
      );
      expect(
        (
          await client.query("select count(*)::int as n from incident_photos where incident_id = $1", [
            row.id,
          ])
        ).rows[0].n,
      ).toBe(1);
    } finally {
      await client.end();
    }
  });
});
