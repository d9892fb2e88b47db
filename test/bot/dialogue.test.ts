import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Dialogue, type DialogueDeps, DRAFT_TIMEOUT_MS } from "../../bot/dialogue/dialogue.js";
import { TOPIC_TTL_MS } from "../../bot/dialogue/features/ask.js";
import { RedisFeedbackStore } from "../../bot/dialogue/feedback-store.js";
import { senderKey } from "../../workers/tip/sender-key.js";
import { RecordingMessenger } from "../fakes/recording-messenger.js";
import { type TestRuntime, testRuntime } from "../workers/harness.js";
import { testDialogue } from "./dialogue-harness.js";

const parent = { channel: "telegram" as const, chatId: "880001" };
const student = { channel: "zalo" as const, chatId: "zalo-student-42" };
const officer = { channel: "telegram" as const, chatId: "100000011" }; // Trực ban CA phường An Hòa

describe("the shared dialogue", () => {
  let rt: TestRuntime;
  let messenger: RecordingMessenger;
  let dialogue: Dialogue;
  let deps: DialogueDeps;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    messenger = new RecordingMessenger();
    rt = await testRuntime(messenger);
    ({ dialogue, deps, dispose } = await testDialogue(rt));
  });
  afterAll(async () => {
    await rt.dispose();
    await dispose();
  });

  it("answers a parent's question typed without diacritics, with sources and the commitment explained", async () => {
    await dialogue.handle(parent, { kind: "choice", data: "role:phu-huynh" });
    const replies = await dialogue.handle(parent, {
      kind: "text",
      text: "khong doi mu bao hiem bi phat bao nhieu",
    });
    // The fine first, then one compact "Căn cứ:" line; the full list is behind "Xem nguồn".
    expect(replies[0]?.text).toMatch(/^Phạt tiền từ 400\.000 đồng đến 600\.000 đồng/u);
    expect(replies[0]?.text).toMatch(/\n\nCăn cứ: \[\d\] Điều \d+ Nghị định 168\/2024\/NĐ-CP$/u);
    expect(replies[0]?.text).not.toContain("Nguồn:");
    expect(replies.at(-1)?.text).toContain("cam kết an toàn giao thông");
  });

  it("shows an answer's sources on request and stores 👍/👎 without who gave it", async () => {
    const asker = { channel: "telegram" as const, chatId: "880555" };
    const [answer] = await dialogue.handle(asker, {
      kind: "text",
      text: "Thông tư 124 áp dụng cho trường nào?",
    });
    expect(answer?.choices?.map((c) => c.data)).toEqual(["src", "fb:up", "fb:down"]);
    const [sources] = await dialogue.handle(asker, { kind: "choice", data: "src" });
    expect(sources?.text).toContain("Thông tư 124/2021/TT-BCA");
    // Named by kind and symbol, not by the 25-word title.
    expect(sources?.text).not.toContain("khu dân cư, xã, phường");
    expect((await dialogue.handle(asker, { kind: "choice", data: "fb:down" }))[0]?.text).toContain("Cảm ơn");
    const [stored] = await new RedisFeedbackStore(rt.redis, rt.prefix).recent(1);
    expect(stored).toMatchObject({
      vote: "down",
      question: "Thông tư 124 áp dụng cho trường nào?",
      abstained: false,
    });
    // The official text itself (knowledge/corpus/van-ban), not a summary of it.
    expect(stored?.docIds).toContain("tt-124-2021-tt-bca");
    expect(JSON.stringify(stored)).not.toContain("880555");
    // One vote per answer.
    expect((await dialogue.handle(asker, { kind: "choice", data: "fb:up" }))[0]?.text).toContain(
      "không còn hiệu lực",
    );
  });

  const HELMET = "Đi xe máy điện có phải đội mũ bảo hiểm không?";
  const FOLLOW_UP = "còn xe đạp điện thì sao?";
  const sessionOf = async (chat: { channel: "telegram" | "zalo" | "web"; chatId: string }) =>
    (await rt.redis.get(`${rt.prefix}:session:${senderKey(deps.salt, chat.channel, chat.chatId)}`)) ?? "";

  it("answers a follow-up as what it means: the previous question's topic, the new vehicle", async () => {
    const asker = { channel: "telegram" as const, chatId: "880601" };
    const [first] = await dialogue.handle(asker, { kind: "text", text: HELMET });
    expect(first?.text).toMatch(/^Có\./);
    expect(first?.text).toContain("xe gắn máy");
    const [next] = await dialogue.handle(asker, { kind: "text", text: FOLLOW_UP });
    // About helmets on e-bikes (the law's "xe đạp máy"), citing the traffic law.
    expect(next?.text).toMatch(/^Có\./);
    expect(next?.text).toContain("xe đạp máy phải đội mũ bảo hiểm");
    expect(next?.text).toContain("Căn cứ:");
    expect(next?.text).toContain("Luật 36/2024/QH15");
    expect(next?.text).toBe((await deps.ask("Đi xe đạp điện có phải đội mũ bảo hiểm không?", "vi")).answer);
    // Typed without diacritics, a second follow-up goes on from there.
    const [car] = await dialogue.handle(asker, { kind: "text", text: "the con xe may dien?" });
    expect(car?.text).toBe((await deps.ask(HELMET, "vi")).answer);
  });

  it("keeps only the topic of a question, never the person, and not for long", async () => {
    const asker = { channel: "zalo" as const, chatId: "zalo-topic-1" };
    await dialogue.handle(asker, {
      kind: "text",
      text: "Con tôi 15 tuổi học trường Lê Lợi đi xe máy điện có phải đội mũ bảo hiểm không?",
    });
    const session = await sessionOf(asker);
    expect(session).toContain("đi xe máy điện có phải đội mũ bảo hiểm không");
    const { topic } = JSON.parse(session) as { topic: { text: string } };
    expect(topic.text).not.toMatch(/15|tuổi|Lê Lợi|con tôi/i);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + TOPIC_TTL_MS + 60_000);
      // Half an hour later the same words are a question of their own.
      const [later] = await dialogue.handle(asker, { kind: "text", text: FOLLOW_UP });
      expect(later?.text).toBe((await deps.ask(FOLLOW_UP, "vi")).answer);
    } finally {
      vi.useRealTimers();
    }
  });

  it("handles a follow-up in a new chat as a question of its own", async () => {
    const stranger = { channel: "web" as const, chatId: "F".repeat(43) };
    const [reply] = await dialogue.handle(stranger, { kind: "text", text: FOLLOW_UP });
    expect(reply?.text).toBe((await deps.ask(FOLLOW_UP, "vi")).answer);
    expect(reply?.text).not.toContain("xe đạp máy phải đội mũ bảo hiểm");
  });

  it("gives the full text of the quoted article under 'Xem nguồn', read again from the index", async () => {
    const asker = { channel: "telegram" as const, chatId: "880602" };
    await dialogue.handle(asker, { kind: "text", text: HELMET });
    await dialogue.handle(asker, { kind: "text", text: FOLLOW_UP });
    const [sources, article, ...more] = await dialogue.handle(asker, { kind: "choice", data: "src" });
    expect(sources?.text).toContain("Luật 36/2024/QH15");
    expect(more).toEqual([]);
    // Titled with its citation, then the whole article, every clause.
    const lines = article?.text.split("\n") ?? [];
    expect(lines[0]).toBe("Điều 31 Luật 36/2024/QH15");
    expect(lines[1]).toMatch(/^Điều 31\. Người điều khiển, người được chở/);
    expect(lines.filter((l) => /^\d\. /.test(l)).map((l) => l.slice(0, 2))).toEqual([
      "1.",
      "2.",
      "3.",
      "4.",
      "5.",
    ]);
    // The session keeps where the article is, not its text.
    const session = await sessionOf(asker);
    expect(session).toContain('"docId":"luat-36-2024-qh15","article":"31"');
    expect(session).not.toContain("cài quai đúng quy cách");
  });

  it("splits a long article for Zalo's 2000 characters, each message titled", async () => {
    const asker = { channel: "zalo" as const, chatId: "zalo-source-1" };
    await dialogue.handle(asker, {
      kind: "text",
      text: "Người được chở trên xe đạp máy có phải đội mũ bảo hiểm không?",
    });
    await dialogue.handle(asker, { kind: "text", text: "còn xe máy thì sao?" });
    const [, ...articles] = await dialogue.handle(asker, { kind: "choice", data: "src" });
    expect(articles.length).toBeGreaterThan(1);
    for (const [i, a] of articles.entries()) {
      expect(a.text.length).toBeLessThanOrEqual(2000);
      expect(a.text.split("\n")[0]).toBe(`Điều 33 Luật 36/2024/QH15 (${i + 1}/${articles.length})`);
    }
    // Nothing lost between the pieces.
    const body = articles.map((a) => a.text.split("\n").slice(1).join("\n")).join("\n");
    expect(body).toContain("Người lái xe, người được chở trên xe mô tô hai bánh");
    expect(body.length).toBeGreaterThan(1900);
  });

  it("without a way to read the index, keeps the quoted article's text in the session until it is asked for", async () => {
    const { article: _reader, ...withoutIndex } = deps;
    const plain = new Dialogue(withoutIndex);
    const asker = { channel: "web" as const, chatId: "G".repeat(43) };
    await plain.handle(asker, { kind: "text", text: HELMET });
    expect(await sessionOf(asker)).toContain("cài quai đúng quy cách");
    const [, article] = await plain.handle(asker, { kind: "choice", data: "src" });
    expect(article?.text.split("\n")[0]).toBe("Điều 33 Luật 36/2024/QH15");
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + TOPIC_TTL_MS + 60_000);
      await plain.handle(asker, { kind: "text", text: "/gioithieu" });
      expect(await sessionOf(asker)).not.toContain("cài quai đúng quy cách");
    } finally {
      vi.useRealTimers();
    }
  });

  it("says it does not know rather than guessing", async () => {
    const [reply] = await dialogue.handle(parent, { kind: "text", text: "Giá vàng SJC hôm nay bao nhiêu?" });
    expect(reply?.text).toContain("chưa có thông tin");
  });

  it("takes a tip step by step on Zalo-style numbered choices, and forgets it once sent", async () => {
    const intro = await dialogue.handle(student, { kind: "text", text: "/baotin" });
    expect(intro[0]?.text).toContain("KHÔNG lưu tên");
    expect(intro[1]?.choices?.map((c) => c.data)).toContain("cat:ma-tuy");
    await dialogue.handle(student, { kind: "choice", data: "cat:ma-tuy" });
    const places = await dialogue.handle(student, { kind: "text", text: "thcs an hoa" });
    expect(places[0]?.choices?.[0]).toEqual({
      data: "place:school:thcs-an-hoa",
      label: "Trường THCS An Hòa",
    });
    await dialogue.handle(student, { kind: "choice", data: "place:school:thcs-an-hoa" });
    await dialogue.handle(student, {
      kind: "text",
      text: "Có anh lớp trên rủ hút thuốc lá điện tử lạ ở nhà vệ sinh.",
    });
    await dialogue.handle(student, { kind: "choice", data: "photo:done" });
    const confirm = await dialogue.handle(student, { kind: "choice", data: "urg:binh-thuong" });
    expect(confirm[0]?.text).toContain("Trường THCS An Hòa");
    const done = await dialogue.handle(student, { kind: "choice", data: "send:yes" });
    const code = /AT-[A-Z0-9]{4}-[A-Z0-9]{2}/.exec(done.at(-1)?.text ?? "")?.[0];
    expect(code).toBeDefined();
    expect(done.at(-1)?.text).toMatch(/Mã PIN: \d{6}/);
    await messenger.waitFor(() => messenger.to(officer.chatId).some((m) => m.text.includes(code as string)));
    // The session keeps neither the draft nor the case code.
    const sessions = await rt.redis.keys(`${rt.prefix}:session:*`);
    const values = await Promise.all(sessions.map((k) => rt.redis.get(k)));
    expect(values.join("\n")).not.toContain(code);
    expect(values.join("\n")).not.toContain("thuốc lá điện tử");

    // The officer acknowledges and asks; the student answers by replying to the question.
    const tipId = await rt.store.idForCaseCode(code as string);
    expect((await dialogue.handle(officer, { kind: "choice", data: `ack:${tipId}` }))[0]?.text).toContain(
      "Đã nhận xử lý",
    );
    await dialogue.handle(officer, { kind: "choice", data: `ask:${tipId}` });
    await dialogue.handle(officer, { kind: "text", text: "Em thấy việc này vào buổi nào?" });
    await messenger.waitFor(() => messenger.to(student.chatId).length === 1);
    const question = messenger.to(student.chatId)[0]?.text ?? "";
    const answered = await dialogue.handle(student, {
      kind: "text",
      text: "Buổi chiều thứ Ba ạ.",
      quoted: question,
    });
    expect(answered[0]?.text).toContain("Đã chuyển câu trả lời");
    await messenger.waitFor(() =>
      messenger.to(officer.chatId).some((m) => m.text.includes("Buổi chiều thứ Ba")),
    );
    const picker = await dialogue.handle(officer, { kind: "choice", data: `fwd:${tipId}` });
    expect(picker[0]?.choices?.map((c) => c.data)).toContain("fwdto:pc04-truc-ban");
    for (const c of picker[0]?.choices ?? [])
      expect(Buffer.byteLength(`d:${c.data}`)).toBeLessThanOrEqual(64);
    expect(
      (await dialogue.handle(officer, { kind: "choice", data: "fwdto:pc04-truc-ban" }))[0]?.text,
    ).toContain("Đã chuyển");
    await messenger.waitFor(() => messenger.to("100000002").some((m) => m.text.includes("ĐƯỢC CHUYỂN")));
    const closed = await dialogue.handle(officer, { kind: "choice", data: `out:co-co-so:${tipId}` });
    expect(closed[0]?.text).toContain("Đã đóng");
  });

  it("gives officers the statistics of their area and nobody else", async () => {
    const [stats] = await dialogue.handle(officer, { kind: "text", text: "/thongke" });
    expect(stats?.text).toMatch(/Thống kê tin báo từ \d{4}-01-01/);
    expect(stats?.text).toContain("Ma túy");
    const [refused] = await dialogue.handle(parent, { kind: "text", text: "/thongke" });
    expect(refused?.text).toContain("Chỉ cán bộ");
  });

  it("gives hotline guidance first when a message mentions danger to life", async () => {
    const replies = await dialogue.handle(parent, { kind: "text", text: "truong dang chay, khoi rat nhieu" });
    expect(replies[0]?.text).toContain("114");
    expect(replies[0]?.text).toContain("không thay thế 113/114/115");
  });

  it("ignores forged or stale choices and refuses officer actions from anyone else", async () => {
    expect((await dialogue.handle(parent, { kind: "choice", data: "cat:ma-tuy" }))[0]?.text).toContain(
      "không còn hiệu lực",
    );
    expect((await dialogue.handle(parent, { kind: "choice", data: "send:yes" }))[0]?.text).toContain(
      "không còn hiệu lực",
    );
    const before = (await rt.redis.keys(`${rt.prefix}:tip:*`)).sort();
    const refused = await dialogue.handle(parent, {
      kind: "choice",
      data: "ack:00000000-0000-4000-8000-000000000000",
    });
    expect(refused[0]?.text).toContain("không có trong danh sách");
    // Nothing was written: no key for the forged tip, no new key at all.
    expect((await rt.redis.keys(`${rt.prefix}:tip:*`)).sort()).toEqual(before);
  });

  it("drops a draft left alone for more than 30 minutes, and says so", async () => {
    const someone = { channel: "telegram" as const, chatId: "880777" };
    await dialogue.handle(someone, { kind: "text", text: "/baotin" });
    await dialogue.handle(someone, { kind: "choice", data: "cat:khac" });
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + DRAFT_TIMEOUT_MS + 60_000);
      const replies = await dialogue.handle(someone, { kind: "text", text: "thcs an hoa" });
      expect(replies[0]?.text).toContain("quá 30 phút");
      expect((await dialogue.handle(someone, { kind: "choice", data: "place:other" }))[0]?.text).toContain(
        "không còn hiệu lực",
      );
    } finally {
      vi.useRealTimers();
    }
  });

  it("remembers the school a user picks, and offers it first when they report", async () => {
    const teacher = { channel: "zalo" as const, chatId: "zalo-teacher-5" };
    await dialogue.handle(teacher, { kind: "text", text: "/truong" });
    const [choices] = await dialogue.handle(teacher, { kind: "text", text: "tran phu" });
    expect(choices?.choices?.[0]).toEqual({ data: "school:thpt-tran-phu", label: "Trường THPT Trần Phú" });
    expect((await dialogue.handle(teacher, { kind: "text", text: "1" }))[0]?.text).toContain(
      "Trường THPT Trần Phú",
    );
    await dialogue.handle(teacher, { kind: "text", text: "/baotin" });
    const [place] = await dialogue.handle(teacher, { kind: "choice", data: "cat:chay-no" });
    expect(place?.choices?.[0]?.data).toBe("place:school:thpt-tran-phu");
  });

  it("speaks English on request, remembered per chat, and Vietnamese to everyone else", async () => {
    const visitor = { channel: "telegram" as const, chatId: "880999" };
    const [set] = await dialogue.handle(visitor, { kind: "text", text: "/lang en" });
    expect(set?.text).toContain("English");
    expect(set?.choices?.map((c) => c.label)).toContain("Send an anonymous tip");
    const intro = await dialogue.handle(visitor, { kind: "choice", data: "menu:report" });
    expect(intro[0]?.text).toContain("does NOT store your name");
    expect(intro[1]?.choices?.map((c) => c.label)).toContain("Drugs");
    const answer = await dialogue.handle(visitor, { kind: "text", text: "/huy" });
    expect(answer[0]?.text).toContain("Cancelled");
    const [other] = await dialogue.handle(
      { channel: "telegram", chatId: "880998" },
      { kind: "text", text: "/start" },
    );
    expect(other?.text).toContain("Xin chào");
    const danger = await dialogue.handle(visitor, {
      kind: "text",
      text: "co nguoi dang danh nhau o cong truong",
    });
    expect(danger[0]?.text).toContain("call 113 now");
    const [status] = await dialogue.handle(visitor, { kind: "text", text: "/trangthai AT-2345-67 123456" });
    expect(status?.text).toBe("Wrong case code or PIN.");
    const [back] = await dialogue.handle(visitor, { kind: "choice", data: "menu:language" });
    expect(back?.text).toContain("tiếng Việt");
  });

  it("abstains in the chat's language, and cites the Vietnamese documents in Vietnamese", async () => {
    const visitor = { channel: "telegram" as const, chatId: "880888" };
    await dialogue.handle(visitor, { kind: "text", text: "/lang en" });
    const [unknown] = await dialogue.handle(visitor, {
      kind: "text",
      text: "Giá vàng SJC hôm nay bao nhiêu?",
    });
    expect(unknown?.text).toContain("do not cover this question");
    expect(unknown?.text).toContain("Emergency: 113 (police)");
    expect(unknown?.text).not.toContain("chưa có thông tin");
    const [known] = await dialogue.handle(visitor, {
      kind: "text",
      text: "Không đội mũ bảo hiểm bị phạt bao nhiêu?",
    });
    expect(known?.text).toContain("Căn cứ:");
  });

  it("words the officer's question in the tipster's language", async () => {
    const visitor = { channel: "telegram" as const, chatId: "880777" };
    await dialogue.handle(visitor, { kind: "text", text: "/lang en" });
    await dialogue.handle(visitor, { kind: "choice", data: "menu:report" });
    await dialogue.handle(visitor, { kind: "choice", data: "cat:bao-luc-hoc-duong" });
    await dialogue.handle(visitor, { kind: "choice", data: "place:school:thcs-an-hoa" });
    await dialogue.handle(visitor, { kind: "text", text: "Older boys push younger ones at the gate." });
    await dialogue.handle(visitor, { kind: "choice", data: "photo:done" });
    await dialogue.handle(visitor, { kind: "choice", data: "urg:binh-thuong" });
    const done = await dialogue.handle(visitor, { kind: "choice", data: "send:yes" });
    const code = /AT-[A-Z0-9]{4}-[A-Z0-9]{2}/.exec(done.at(-1)?.text ?? "")?.[0] as string;
    const tipId = await rt.store.idForCaseCode(code);
    await dialogue.handle(officer, { kind: "choice", data: `ask:${tipId}` });
    await dialogue.handle(officer, { kind: "text", text: "Em thấy việc này lúc mấy giờ?" });
    await messenger.waitFor(() => messenger.to(visitor.chatId).length === 1);
    const question = messenger.to(visitor.chatId)[0]?.text ?? "";
    expect(question).toContain(`The officer handling tip ${code} has a question:`);
    expect(question).toContain("Em thấy việc này lúc mấy giờ?");
    expect(question).not.toContain("Cán bộ phụ trách");
  });

  it("cancels a draft with /huy", async () => {
    await dialogue.handle(parent, { kind: "text", text: "/baotin" });
    await dialogue.handle(parent, { kind: "choice", data: "cat:chay-no" });
    expect((await dialogue.handle(parent, { kind: "text", text: "/huy" }))[0]?.text).toContain("Đã hủy");
    expect((await dialogue.handle(parent, { kind: "choice", data: "place:other" }))[0]?.text).toContain(
      "không còn hiệu lực",
    );
  });
});
