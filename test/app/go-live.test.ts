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
import { runDirectoryCli } from "../workers/directory-cli-run.js";

/**
 * Going live, end to end: `npm start` against the fake Telegram Bot API (long polling) with the
 * directory on the PostgreSQL server, a province imported with no chat id at all, and everything
 * else done the way a province would do it:
 *  - the first admin gets a code from the CLI and joins in the chat;
 *  - the admin mints invitations in the chat (`/moi`) and the officers join with the deep link;
 *  - the admin adds a school with the CLI while `npm start` runs: the bot offers it within
 *    seconds, and the officers stay bound;
 *  - the commune's officer goes off duty (`/nghi`): a tip goes to the backup; back on duty
 *    (`/truc`): the next tip comes to them; they close it and its anonymous statistics row is in
 *    PostgreSQL.
 * No chat id is typed by anyone: every binding comes from an invitation.
 *
 * Waits are on events (a message recorded by the fake API, the CLI exiting, the server's
 * start-up lines); those that wait for the workers are long, for a loaded 2-core machine.
 */

const ROOT = resolve(import.meta.dirname, "../..");
const TOKEN = "123456:TEST-token-for-the-go-live-test";
const WAIT_MS = 60_000;
const CASE_CODE = /AT-[A-Z0-9]{4}-[A-Z0-9]{2}/;

/** A small province whose contacts are vacant slots: nobody is reachable before joining. */
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
  - { id: ca-a-lan, name: Trung úy Lê Thị Lan – Công an phường A }
  - { id: ca-b-truc-ban, name: Trực ban Công an xã B }
routes:
  - { category: "*", commune: "*", primary: ca-tinh-truc-ban, duty: ca-tinh-truc-ban }
  - { category: "*", commune: phuong-a, primary: ca-a-truc-ban, backup: ca-a-lan, duty: ca-tinh-truc-ban }
  - { category: "*", commune: xa-b, primary: ca-b-truc-ban, duty: ca-tinh-truc-ban }
deadlines: { khan-cap: 1h, binh-thuong: 4h }
dutyOfficer: ca-tinh-truc-ban
`;

describe("going live: invitations, duty and statistics, end to end against the fake Telegram API", () => {
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

  it("an admin invites the officers, the commune's officer steps away and back, and the closed tip is counted", {
    timeout: 300_000,
  }, async () => {
    api = await new FakeTelegramApi(TOKEN).start();
    const chats = new Chats(api, WAIT_MS);
    dir = await mkdtemp(join(tmpdir(), "ssg-go-live-"));
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

    // The first admin: a code from the CLI (its last line), joined in the chat.
    const ADMIN = 5001;
    const minted = await runDirectoryCli(env, "invite", "--admin");
    expect(minted.code, minted.stderr).toBe(0);
    const adminCode = minted.stdout.trim().split("\n").at(-1) as string;
    expect(adminCode).toMatch(/^[A-Z0-9-]{8,}$/);
    const confirm = await chats.say(ADMIN, `/thamgia ${adminCode}`, (m) => buttons(m).length > 0);
    await chats.tap(
      ADMIN,
      buttonData(confirm, (b) => b.callback_data?.endsWith("join:yes") ?? false),
    );

    // The admin invites the three officers; each joins with the deep link's /start payload.
    const officers = { "ca-tinh-truc-ban": 6003, "ca-a-truc-ban": 6001, "ca-a-lan": 6002 } as const;
    for (const [contactId, chatId] of Object.entries(officers)) {
      const menu = await chats.say(ADMIN, "/moi", (m) => buttons(m).length > 0);
      const list = await chats.tap(
        ADMIN,
        buttonData(menu, (b) => /inv:contact:0$/.test(b.callback_data ?? "")),
      );
      const invited = await chats.tap(
        ADMIN,
        buttonData(list, (b) => b.callback_data?.endsWith(`inv:c:${contactId}`) ?? false),
        (m) => m.text.includes("t.me/"),
      );
      const link = /https:\/\/t\.me\/ssg_test_bot\?start=([A-Za-z0-9_-]+)/.exec(invited.text);
      expect(link, invited.text).not.toBeNull();
      const adminSince = chats.mark(ADMIN);
      const offer = await chats.say(chatId, `/start ${link?.[1]}`, (m) => buttons(m).length > 0);
      const joined = await chats.tap(
        chatId,
        buttonData(offer, (b) => b.callback_data?.endsWith("join:yes") ?? false),
      );
      expect(joined.text).not.toMatch(/không hợp lệ|hết hạn/i);
      // The admin is told who joined.
      await chats.next(ADMIN, adminSince);
    }

    // Tips from a pupil at THCS A (Phường A): the route is ca-a-truc-ban → ca-a-lan → the province.
    const PUPIL = 7001;
    const sendTip = async (description: string, school: string, query: string): Promise<string> => {
      await chats.tap(PUPIL, "d:menu:report");
      await chats.tap(PUPIL, "d:cat:bao-luc-hoc-duong");
      // The place search answers from the directory as this process has it now: a school just
      // imported appears once the change has reached it (within seconds), so ask until it does.
      const offered = (m: RecordedMessage) =>
        buttons(m).some((b) => b.callback_data === `d:place:school:${school}`);
      for (let attempt = 1; !offered(await chats.say(PUPIL, query)); attempt++)
        if (attempt >= 30) throw new Error(`${school} never offered for "${query}"`);
      await chats.tap(PUPIL, `d:place:school:${school}`);
      await chats.say(PUPIL, description);
      await chats.tap(PUPIL, "d:photo:done");
      await chats.tap(PUPIL, "d:urg:binh-thuong");
      const sent = await chats.tap(PUPIL, "d:send:yes", (m) => CASE_CODE.test(m.text));
      return CASE_CODE.exec(sent.text)?.[0] as string;
    };

    // The admin adds a school with the CLI while npm start runs: no restart, and the officers who
    // joined stay bound although the file has no chat id.
    await writeFile(
      routingFile,
      PROVINCE.replace(
        "schools:\n",
        "schools:\n  - { id: thcs-c, name: Trường THCS C, commune: phuong-a }\n",
      ),
    );
    const imported = await runDirectoryCli(env, "import", routingFile);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain("thcs-c");
    expect(imported.stderr).not.toMatch(/could not tell/);

    // The commune's officer steps away: the tip goes straight to the backup.
    const PRIMARY = officers["ca-a-truc-ban"];
    const BACKUP = officers["ca-a-lan"];
    await chats.say(PRIMARY, "/nghi");
    const primarySince = chats.mark(PRIMARY);
    const backupSince = chats.mark(BACKUP);
    const first = await sendTip(
      "Nhóm học sinh lớp 9 đánh nhau ở cổng sau sau giờ tan học.",
      "thcs-c",
      "THCS C",
    );
    expect((await chats.next(BACKUP, backupSince, (m) => m.text.includes(first))).text).toContain("cổng sau");

    // Back on duty: the next tip comes to them.
    await chats.say(PRIMARY, "/truc");
    const second = await sendTip("Có người lạ cầm gậy đứng chờ trước cổng trường.", "thcs-a", "THCS A");
    const delivered = await chats.next(PRIMARY, primarySince, (m) => m.text.includes(second));
    expect(api.messagesTo(String(PRIMARY)).some((m) => m.text.includes(first))).toBe(false);

    // They acknowledge and close it; its anonymous statistics row reaches PostgreSQL.
    const ack = buttonData(delivered, (b) => /t:ack:/.test(b.callback_data ?? ""));
    await chats.tap(PRIMARY, ack);
    const closeMenu = await chats.tap(
      PRIMARY,
      buttonData(delivered, (b) => /t:close:/.test(b.callback_data ?? "")),
      (m) => buttons(m).length > 0,
    );
    await chats.tap(
      PRIMARY,
      buttonData(closeMenu, (b) => /out:co-co-so:/.test(b.callback_data ?? "")),
    );

    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    try {
      const until = Date.now() + WAIT_MS;
      let rows: Array<Record<string, unknown>> = [];
      while (rows.length === 0 && Date.now() < until) {
        rows = (await client.query("select * from tip_outcomes")).rows;
        if (rows.length === 0) await new Promise((r) => setTimeout(r, 200));
      }
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        category: "bao-luc-hoc-duong",
        commune_id: "phuong-a",
        school_id: "thcs-a",
        outcome: "co-co-so",
      });
      // Nothing in the row names the tip, its text or its code.
      expect(JSON.stringify(rows[0])).not.toMatch(new RegExp(`${second}|cổng trường|cầm gậy`));
      // Every binding came from an invitation: the chats are the ones that joined.
      const bound = (
        await client.query("select contact_id, chat_id from contact_bindings order by contact_id")
      ).rows;
      expect(bound).toEqual(
        Object.entries(officers)
          .map(([contact_id, chat]) => ({ contact_id, chat_id: String(chat) }))
          .sort((a, b) => a.contact_id.localeCompare(b.contact_id)),
      );
    } finally {
      await client.end();
    }
  });
});
