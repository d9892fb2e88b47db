import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Dialogue, Incoming, Reply } from "../../bot/dialogue/dialogue.js";
import type { ChatAddress } from "../../workers/messenger.js";
import { type TestRuntime, testRuntime } from "../workers/harness.js";
import { testDialogue } from "./dialogue-harness.js";
import { FakeIncidentDesk } from "./incident-fake-desk.js";

const OFFICER: ChatAddress = { channel: "telegram", chatId: "100000012" }; // ca-an-hoa-minh in the file
const STRANGER: ChatAddress = { channel: "telegram", chatId: "800000009" };
const ID = "00000000-0000-4000-8000-0000000000aa";

const text = (replies: Reply[]) => replies.map((r) => r.text).join("\n");
const choices = (replies: Reply[]) => replies.flatMap((r) => r.choices ?? []).map((c) => c.data);

describe("an officer's buttons and commands on a school's incident", () => {
  let rt: TestRuntime;
  let dialogue: Dialogue;
  let dispose: () => Promise<void>;
  const desk = new FakeIncidentDesk();
  const say = (chat: ChatAddress, input: string | Incoming): Promise<Reply[]> =>
    dialogue.handle(chat, typeof input === "string" ? { kind: "text", text: input } : input);
  const pick = (chat: ChatAddress, data: string) => say(chat, { kind: "choice", data });
  const last = () => desk.calls.at(-1);

  beforeAll(async () => {
    rt = await testRuntime();
    ({ dialogue, dispose } = await testDialogue(rt, undefined, { incidents: desk }));
    desk.officers.push(OFFICER);
  });
  afterAll(async () => {
    await rt?.dispose();
    await dispose?.();
  });
  beforeEach(() => {
    desk.calls.length = 0;
  });

  it("acknowledges, goes on site, asks (the question typed next), forwards and closes with an outcome", async () => {
    expect(text(await pick(OFFICER, `inc-ack:${ID}`))).toContain("Đã nhận xử lý vụ việc SC-7KQ3-M8");
    expect(last()).toMatchObject({ method: "acknowledge", chat: OFFICER, args: [ID] });
    expect(text(await pick(OFFICER, `inc-site:${ID}`))).toContain("xuống hiện trường vụ việc SC-7KQ3-M8");
    expect(last()?.method).toBe("onSite");

    expect(text(await pick(OFFICER, `inc-ask:${ID}`))).toContain("kèm tên đồng chí");
    expect(text(await say(OFFICER, "Các em học lớp nào?"))).toContain("Đã gửi câu hỏi");
    expect(last()).toMatchObject({ method: "ask", args: [ID, "Các em học lớp nào?"] });

    const contacts = await pick(OFFICER, `inc-fwd:${ID}`);
    expect(choices(contacts)).toContain("inc-fwdto:pc04-truc-ban");
    expect(choices(contacts)).not.toContain("inc-fwdto:ca-an-hoa-minh");
    expect(text(await pick(OFFICER, "inc-fwdto:pc04-truc-ban"))).toContain("Đã chuyển vụ việc");
    expect(last()).toMatchObject({ method: "forward", args: [ID, "pc04-truc-ban", undefined] });
    // Picked again, with no incident in the session: stale.
    expect(text(await pick(OFFICER, "inc-fwdto:pc04-truc-ban"))).toContain("không còn");

    const outcomes = await pick(OFFICER, `inc-close:${ID}`);
    expect(choices(outcomes)).toEqual([0, 1, 2, 3].map((i) => `inc-out:${i}:${ID}`));
    expect(text(await pick(OFFICER, `inc-out:0:${ID}`))).toContain("Đã đóng vụ việc SC-7KQ3-M8: Đã xử lý");
    expect(last()).toMatchObject({ method: "close", args: [ID, "da-xu-ly", undefined] });
  });

  it("takes the typed commands of Zalo with an SC- code, and leaves AT- codes to tips", async () => {
    expect(text(await say(OFFICER, "/nhan SC-7KQ3-M8"))).toContain("Đã nhận xử lý");
    expect(last()).toMatchObject({ method: "acknowledge", args: [ID] });
    await say(OFFICER, "/hientruong sc-7kq3-m8 đã có mặt");
    expect(last()).toMatchObject({ method: "onSite", args: [ID, "đã có mặt"] });
    await say(OFFICER, "/hoi SC-7KQ3-M8 Có camera ở cổng không?");
    expect(last()).toMatchObject({ method: "ask", args: [ID, "Có camera ở cổng không?"] });
    await say(OFFICER, "/chuyen SC-7KQ3-M8 pc04-truc-ban");
    expect(last()).toMatchObject({ method: "forward", args: [ID, "pc04-truc-ban", undefined] });
    expect(text(await say(OFFICER, "/dong SC-7KQ3-M8 xong"))).toContain("/dong <mã vụ việc> <kết quả>");
    expect(text(await say(OFFICER, "/dong SC-7KQ3-M8 khong co co so"))).toContain("Không có cơ sở");
    expect(last()).toMatchObject({ method: "close", args: [ID, "khong-co-co-so", undefined] });
    expect(text(await say(OFFICER, "/nhan SC-AAAA-AA"))).toContain("Cần mã vụ việc đúng");
    const calls = desk.calls.length;
    expect(text(await say(OFFICER, "/nhan AT-7KQ3-M8"))).toContain("Cần mã tin báo đúng");
    expect(desk.calls).toHaveLength(calls);
  });

  it("words the desk's refusals, asks nobody unlisted for a question, and ignores forged data", async () => {
    expect(text(await pick(STRANGER, `inc-ack:${ID}`))).toContain("Chỉ cán bộ công an có trong danh bạ");
    // The unlisted caller is refused (and audited by the desk) before being asked for text.
    expect(text(await pick(STRANGER, `inc-ask:${ID}`))).toContain("Chỉ cán bộ công an có trong danh bạ");
    expect(last()).toMatchObject({ method: "ask", args: [ID, ""] });
    expect(text(await say(STRANGER, "xin chào"))).not.toContain("Đã gửi câu hỏi");
    expect(text(await pick(OFFICER, "inc-ack:not-a-uuid"))).toContain("không còn");
    expect(text(await pick(OFFICER, `inc-out:9:${ID}`))).toContain("không còn");
  });
});
