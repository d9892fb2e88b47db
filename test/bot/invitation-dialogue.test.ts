import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Dialogue, type Incoming, type Reply } from "../../bot/dialogue/dialogue.js";
import { type DatabaseHandle, openDatabase } from "../../db/client.js";
import { createLogger } from "../../logger.js";
import { importDirectory } from "../../workers/directory/import.js";
import { InvitationDesk } from "../../workers/directory/invitations.js";
import { loadRoutingTableFromDb } from "../../workers/directory/load.js";
import type { ChatAddress } from "../../workers/messenger.js";
import { ENGINES, freshDatabase, type TestDatabase } from "../db/engines.js";
import { EXAMPLE_ROUTING, type TestRuntime, testRuntime } from "../workers/harness.js";
import { testDialogue } from "./dialogue-harness.js";

const CODE = /\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b/;
const ADMIN: ChatAddress = { channel: "telegram", chatId: "700000001" };
const OFFICER: ChatAddress = { channel: "zalo", chatId: "zalo-new-officer" };
const OLD_HOLDER: ChatAddress = { channel: "telegram", chatId: "100000012" }; // ca-an-hoa-minh in the file
const STRANGER: ChatAddress = { channel: "telegram", chatId: "800000009" };

describe.each(ENGINES)("joining and inviting in the dialogue, on %s", (engine) => {
  let rt: TestRuntime;
  let place: TestDatabase;
  let handle: DatabaseHandle;
  let desk: InvitationDesk;
  let dialogue: Dialogue;
  let bare: Dialogue;
  let dispose: () => Promise<void>;
  const logs: string[] = [];
  const told: Array<{ to: ChatAddress; text: string }> = [];

  const say = (chat: ChatAddress, input: string | Incoming): Promise<Reply[]> =>
    dialogue.handle(chat, typeof input === "string" ? { kind: "text", text: input } : input);
  const pick = (chat: ChatAddress, data: string) => say(chat, { kind: "choice", data });
  const choices = (replies: Reply[]) => replies.flatMap((r) => r.choices ?? []).map((c) => c.data);
  const text = (replies: Reply[]) => replies.map((r) => r.text).join("\n");

  beforeAll(async () => {
    rt = await testRuntime();
    place = await freshDatabase(engine);
    handle = await openDatabase(place.config);
    await handle.db.execute(sql`select 1`);
    await importDirectory(handle.db, EXAMPLE_ROUTING, { actor: "test" });
    const salt = randomBytes(16);
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(chunk.toString("utf8"));
        done();
      },
    });
    desk = new InvitationDesk({ db: handle.db, secret: salt, logger: createLogger("info", sink) });
    let deps: ConstructorParameters<typeof Dialogue>[0];
    ({ dialogue, deps, dispose } = await testDialogue(rt, salt, {
      directory: desk,
      botUsername: () => "truong_an_toan_bot",
      tell: async (to, message) => {
        told.push({ to, text: message });
      },
    }));
    const { directory: _none, ...without } = deps;
    bare = new Dialogue(without);
  });
  afterAll(async () => {
    await rt?.dispose();
    await dispose?.();
    await handle?.close();
    await place?.drop();
  });

  it("refuses /moi to anyone but a province admin, and logs the refusal under a hash", async () => {
    const replies = await say(STRANGER, "/moi");
    expect(text(replies)).toContain("Chỉ quản trị viên của tỉnh");
    expect(choices(replies)).toEqual([]);
    // A forged choice is refused the same way.
    expect(text(await pick(STRANGER, "inv:admin"))).toContain("Chỉ quản trị viên của tỉnh");
    const refusals = logs.filter((l) => l.includes("not a province admin"));
    expect(refusals).toHaveLength(2);
    expect(refusals.join()).toMatch(/"actor":"unlisted:[0-9a-f]{12}"/);
    expect(refusals.join()).not.toContain(STRANGER.chatId);
    expect(await desk.list()).toEqual([]);
  });

  it("says joining is not available without the desk, and refuses it on the web chat", async () => {
    expect(text(await bare.handle(STRANGER, { kind: "text", text: "/thamgia AAAA-BBBB-CCCC" }))).toContain(
      "chưa được bật",
    );
    const web = { channel: "web", chatId: "W".repeat(43) } as const;
    expect(text(await say(web, "/thamgia AAAA-BBBB-CCCC"))).toContain("Telegram hoặc Zalo");
  });

  it("an admin invites an officer: code and link, the officer confirms, is bound; the admin and the old holder are told", async () => {
    // The first admin comes from the command line; they open the Telegram deep link.
    const first = await desk.mint({ role: "province-admin" }, { by: "cli:test" });
    const start = await say(ADMIN, `/start ${first.code.replaceAll("-", "")}`);
    expect(text(start)).toContain("quản trị viên danh bạ của Tỉnh Sông Xanh");
    expect(choices(start)).toEqual(["join:yes", "join:no"]);
    expect(await desk.isAdmin(ADMIN)).toBe(false);
    expect(text(await pick(ADMIN, "join:yes"))).toContain("Từ bây giờ bạn là quản trị viên");
    expect(await desk.isAdmin(ADMIN)).toBe(true);

    const menu = await say(ADMIN, "/moi");
    expect(choices(menu)).toEqual(["inv:contact:0", "inv:school", "inv:admin", "inv:list"]);
    const contacts = await pick(ADMIN, "inv:contact:0");
    expect(choices(contacts)).toContain("inv:c:ca-an-hoa-minh");
    const minted = text(await pick(ADMIN, "inv:c:ca-an-hoa-minh"));
    const code = CODE.exec(minted)?.[0] as string;
    expect(code).toBeDefined();
    expect(minted).toContain(`https://t.me/truong_an_toan_bot?start=${code.replaceAll("-", "")}`);
    expect(minted).toContain("Nguyễn Văn Minh");

    // The officer types the code on Zalo, reads what joining means, and answers "1" (join).
    const asked = await say(OFFICER, `/thamgia ${code.toLowerCase()}`);
    expect(text(asked)).toContain("sẽ được chuyển tới cuộc trò chuyện này");
    expect(text(asked)).toContain("Người báo tin vẫn ẩn danh");
    expect(text(asked)).toContain("lưu mã cuộc trò chuyện");
    expect((await loadRoutingTableFromDb(handle.db)).contactById("ca-an-hoa-minh")).toMatchObject(OLD_HOLDER);
    expect(text(await say(OFFICER, "1"))).toContain("Từ bây giờ bạn là người nhận tin báo của");

    const table = await loadRoutingTableFromDb(handle.db);
    expect(table.contactById("ca-an-hoa-minh")).toMatchObject(OFFICER);
    expect(told).toEqual([
      { to: ADMIN, text: expect.stringContaining("Lời mời của bạn đã được nhận") },
      { to: OLD_HOLDER, text: expect.stringContaining("không còn nhận tin báo cho") },
    ]);
    // The code is used up: the next try is refused, and the confirm button of an old message does nothing.
    expect(text(await say(STRANGER, `/thamgia ${code}`))).toContain("không dùng được");
    expect(text(await pick(STRANGER, "join:yes"))).not.toContain("Từ bây giờ");
  });

  it("an admin invites a school's head by searching the school, lists pending invitations and revokes one", async () => {
    await pick(ADMIN, "inv:school");
    const found = await say(ADMIN, "thcs an hoa");
    expect(choices(found)).toContain("inv:s:thcs-an-hoa");
    expect(choices(await pick(ADMIN, "inv:s:thcs-an-hoa"))).toEqual([
      "inv:r:thcs-an-hoa:head",
      "inv:r:thcs-an-hoa:safety-staff",
      "inv:r:thcs-an-hoa:teacher",
    ]);
    const minted = text(await pick(ADMIN, "inv:r:thcs-an-hoa:head"));
    expect(minted).toContain("hiệu trưởng của Trường THCS An Hòa");
    const code = CODE.exec(minted)?.[0] as string;

    const listed = await pick(ADMIN, "inv:list");
    expect(text(listed)).toContain("hiệu trưởng của Trường THCS An Hòa");
    expect(text(listed)).not.toContain(code);
    const [revoke] = choices(listed);
    expect(revoke).toMatch(/^inv:x:\d+$/);
    expect(text(await pick(ADMIN, revoke as string))).toContain("Đã thu hồi lời mời");
    expect(text(await pick(ADMIN, revoke as string))).toContain("không còn chờ");
    expect(text(await say(STRANGER, `/thamgia ${code}`))).toContain("không dùng được");
    expect(text(await pick(ADMIN, "inv:list"))).toContain("Không có lời mời nào đang chờ");
  });
});
