import { randomBytes, randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { RedisSessionStore, type ReportFlow } from "../../bot/dialogue/session-store.js";
import { ContentSealError, ContentSealer } from "../../workers/tip/content-sealer.js";
import { resealTipContent } from "../../workers/tip/reseal.js";
import { RecordingMessenger } from "../fakes/recording-messenger.js";
import { photoWithMetadata } from "../fixtures/photos.js";
import { drained, exampleRouting, NO_DEADLINES, type TestRuntime, testRuntime } from "./harness.js";
import { dumpValues } from "./redis-dump.js";

const TIPSTER = { channel: "web" as const, chatId: "T".repeat(43) };
const OFFICER = { channel: "telegram" as const, chatId: "100000011" }; // Trực ban CA phường An Hòa

// Words nobody else writes, so that finding one means finding the tip's own text.
const DESCRIPTION = "Xuongrongtim bán gói bột trắng cho học sinh sau nhà xe Quasarvang mỗi chiều thứ sáu.";
const PLACE_TEXT = "cạnh quán Lantanuoc";
const QUESTION = "Người đó đi xe Zephyrion màu gì?";
const ANSWER = "Xe máy Kalimbaxanh, biển số có số 7.";
const WORDS = ["Xuongrongtim", "Quasarvang", "Lantanuoc", "Zephyrion", "Kalimbaxanh"];

/** The forms a value can take in a dump: its bytes, and its text in UTF-8, hex and base64(url). */
function forms(needle: Buffer): Buffer[] {
  return [
    needle,
    Buffer.from(needle.toString("hex")),
    Buffer.from(needle.toString("base64").replace(/=+$/, "")),
    Buffer.from(needle.toString("base64url").replace(/=+$/, "")),
    // JSON escapes non-ASCII letters as \uXXXX only if asked; the UTF-8 form covers JSON.stringify.
  ];
}

describe("tip content at rest", () => {
  let rt: TestRuntime | undefined;
  afterEach(async () => {
    await rt?.dispose();
    rt = undefined;
  });

  it("leaves no tip text, answer or photo readable in a dump of Redis", async () => {
    const messenger = new RecordingMessenger();
    rt = await testRuntime(messenger, {}, {}, await exampleRouting(NO_DEADLINES));
    const photoId = await rt.intake.addPhoto(await photoWithMetadata(64, 48));
    const { tipId, caseCode } = await rt.intake.submit(
      {
        category: "ma-tuy",
        urgency: "binh-thuong",
        place: { schoolId: "thcs-an-hoa", text: PLACE_TEXT },
        description: DESCRIPTION,
        photoIds: [photoId],
      },
      TIPSTER,
    );
    await messenger.waitFor(() => messenger.to(OFFICER.chatId).length === 1);
    await rt.triage.ask(OFFICER, tipId, QUESTION);
    await messenger.waitFor(() => messenger.to(TIPSTER.chatId).length === 1);
    // The web chat's way of answering: the typed answer is stashed, then confirmed.
    expect(await rt.triage.stashAnswer(TIPSTER, ANSWER)).toBe(true);
    const dumpWithDraft = await dumpValues(rt.redis, rt.prefix);
    expect(await rt.triage.sendStashedAnswer(TIPSTER)).toBe("relayed");
    await messenger.waitFor(() => messenger.to(OFFICER.chatId).length === 2);
    // The escalation stays delayed (an hour away): only what was sent must be done.
    await drained([rt.queues.intake, rt.queues.notify]);

    // The officer got the tip, its photo and the answer, in clear.
    const [tipMessage, answerMessage] = messenger.to(OFFICER.chatId);
    expect(tipMessage?.text).toContain(DESCRIPTION);
    expect(tipMessage?.text).toContain(PLACE_TEXT);
    expect(tipMessage?.text).toContain(caseCode);
    expect(messenger.to(TIPSTER.chatId)[0]?.text).toContain(QUESTION);
    expect(answerMessage?.text).toContain(ANSWER);
    const photo = tipMessage?.photos?.[0]?.bytes;
    expect(photo?.length).toBeGreaterThan(200);
    expect((await rt.store.get(tipId))?.description).toBe(DESCRIPTION);
    expect((await rt.store.getPhoto(photoId))?.equals(photo as Buffer)).toBe(true);
    const log = await rt.store.auditLog(tipId);
    expect(log.find((a) => a.action === "asked")?.detail).toBe(QUESTION);
    expect(log.find((a) => a.action === "answered")?.detail).toBe(ANSWER);

    const dump = [...dumpWithDraft, ...(await dumpValues(rt.redis, rt.prefix))];
    // The dump looked at something real: the tip's keys, its jobs, the photo's key.
    expect(dump.some((d) => d.key.endsWith(`:tip:${tipId}`))).toBe(true);
    expect(dump.some((d) => d.key.endsWith(`:photo:${photoId}`))).toBe(true);
    expect(dump.some((d) => d.key.includes(":notify:"))).toBe(true);
    const needles = [
      ...WORDS.map((w) => Buffer.from(w, "utf8")),
      // Slices of the photo, wherever they might be cut.
      (photo as Buffer).subarray(0, 48),
      (photo as Buffer).subarray(100, 148),
      (photo as Buffer).subarray(-48),
    ];
    for (const needle of needles) {
      for (const form of forms(needle)) {
        const hits = dump.filter((d) => d.value.includes(form)).map((d) => d.key);
        expect(hits, `"${form.toString("latin1").slice(0, 40)}" found`).toEqual([]);
      }
    }
  });
});

describe("sealed content", () => {
  const sealer = new ContentSealer({ current: randomBytes(32) });
  const [tipA, tipB] = [randomUUID(), randomUUID()];

  it("opens only for the tip and field it was sealed for", () => {
    const sealed = sealer.seal(DESCRIPTION, { owner: tipA, field: "description" });
    expect(sealed).not.toContain("Xuongrongtim");
    expect(sealer.open(sealed, { owner: tipA, field: "description" })).toBe(DESCRIPTION);
    for (const wrong of [
      { owner: tipB, field: "description" },
      { owner: tipA, field: "place" },
    ]) {
      const err = (() => {
        try {
          sealer.open(sealed, wrong);
        } catch (e) {
          return e as ContentSealError;
        }
        throw new Error("opened for the wrong context");
      })();
      expect(err.name).toBe("ContentSealError");
      expect(err.reason).toBe("authentication-failed");
      expect(err.message).not.toContain("Xuongrongtim");
    }
  });

  it("gives unrelated envelopes for the same text, and refuses a key it does not hold", () => {
    const context = { owner: tipA, field: "description" };
    expect(sealer.seal("same", context)).not.toBe(sealer.seal("same", context));
    const other = new ContentSealer({ current: randomBytes(32) });
    expect(() => other.open(sealer.seal("same", context), context)).toThrow(ContentSealError);
    const bytes = sealer.sealBytes(Buffer.from("photo"), { owner: "p", field: "photo" });
    bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 1;
    expect(() => sealer.openBytes(bytes, { owner: "p", field: "photo" })).toThrow(/authentication-failed/);
  });

  it("moved onto another tip in Redis, a sealed description does not open", async () => {
    const rt = await testRuntime(undefined, {}, {}, await exampleRouting(NO_DEADLINES));
    try {
      const tip = { category: "ma-tuy", urgency: "binh-thuong", place: { schoolId: "thcs-an-hoa" } } as const;
      const a = await rt.intake.submit({ ...tip, description: DESCRIPTION }, TIPSTER);
      const b = await rt.intake.submit({ ...tip, description: "Một tin báo khác về trường." }, TIPSTER);
      const sealed = await rt.redis.hget(`${rt.prefix}:tip:${a.tipId}`, "description");
      await rt.redis.hset(`${rt.prefix}:tip:${b.tipId}`, "description", sealed ?? "");
      await expect(rt.store.get(b.tipId)).rejects.toMatchObject({
        name: "ContentSealError",
        reason: "authentication-failed",
      });
      expect((await rt.store.get(a.tipId))?.description).toBe(DESCRIPTION);
    } finally {
      await rt.dispose();
    }
  });
});

describe("a tip draft in the dialogue's session", () => {
  it("is sealed in Redis, opens for its own session only, and is dropped (not the session) when it cannot", async () => {
    const rt = await testRuntime(undefined, {}, {}, await exampleRouting(NO_DEADLINES));
    try {
      const sessions = new RedisSessionStore(rt.redis, rt.prefix, undefined, rt.content);
      const draft = {
        kind: "report" as const,
        step: "photo" as const,
        category: "ma-tuy" as const,
        schoolId: "thcs-an-hoa",
        placeText: PLACE_TEXT,
        description: DESCRIPTION,
        photoIds: [],
        touchedAt: 0,
      } satisfies ReportFlow;
      await sessions.save("chat-a", { lang: "vi", role: "hoc-sinh", flow: draft });
      const stored = (await rt.redis.get(`${rt.prefix}:session:chat-a`)) ?? "";
      expect(stored).toContain("hoc-sinh");
      for (const word of WORDS.slice(0, 3)) expect(stored).not.toContain(word);
      expect((await sessions.load("chat-a")).flow).toEqual(draft);
      // Copied under another chat's key, the draft does not open: it is dropped, the rest stays.
      await rt.redis.set(`${rt.prefix}:session:chat-b`, stored);
      expect(await sessions.load("chat-b")).toEqual({ lang: "vi", role: "hoc-sinh" });
    } finally {
      await rt.dispose();
    }
  });
});

describe("data key rotation", () => {
  const runtimes: TestRuntime[] = [];
  afterEach(async () => {
    // The last one disposes of the prefix; the others only close.
    const last = runtimes.pop();
    for (const rt of runtimes.splice(0)) await rt.close();
    await last?.dispose();
  });

  it("reseals tips, photos, answers and queued texts under the new key; the old key can then go", async () => {
    const [keyA, keyB] = [randomBytes(32).toString("hex"), randomBytes(32).toString("hex")];
    const shared = {
      QUEUE_PREFIX: `test-${randomUUID()}`,
      TIP_REPLY_KEY: randomBytes(32).toString("hex"),
      TIP_SENDER_SALT: randomUUID(),
    };
    const routing = await exampleRouting(NO_DEADLINES);
    const messenger = new RecordingMessenger();
    const a = await testRuntime(messenger, {}, { ...shared, TIP_DATA_KEY: keyA }, routing);
    runtimes.push(a);
    const photoId = await a.intake.addPhoto(await photoWithMetadata(32, 24));
    const { tipId } = await a.intake.submit(
      {
        category: "ma-tuy",
        urgency: "binh-thuong",
        place: { schoolId: "thcs-an-hoa", text: PLACE_TEXT },
        description: DESCRIPTION,
        photoIds: [photoId],
      },
      TIPSTER,
    );
    await messenger.waitFor(() => messenger.to(OFFICER.chatId).length === 1);
    const photo = await a.store.getPhoto(photoId);
    await a.triage.ask(OFFICER, tipId, QUESTION);
    await messenger.waitFor(() => messenger.to(TIPSTER.chatId).length === 1);
    await drained([a.queues.intake, a.queues.notify]);
    expect(await a.triage.stashAnswer(TIPSTER, ANSWER)).toBe(true);
    await a.pipeline?.close();

    // Only the new key: what was sealed under A does not open.
    const onlyB = await testRuntime(undefined, {}, { ...shared, TIP_DATA_KEY: keyB }, routing);
    runtimes.push(onlyB);
    await expect(onlyB.store.get(tipId)).rejects.toMatchObject({ reason: "unknown-key" });

    // The rotation: B seals, A still opens; reseal; then a second run finds nothing to do.
    const rotating = await testRuntime(
      undefined,
      {},
      { ...shared, TIP_DATA_KEY: keyB, TIP_DATA_KEY_PREVIOUS: keyA },
      routing,
    );
    runtimes.push(rotating);
    expect((await rotating.store.get(tipId))?.description).toBe(DESCRIPTION);
    const first = await resealTipContent(rotating);
    expect(first).toMatchObject({
      tips: 1,
      // description and place; the audit details (received, delivered, asked…)
      fields: { current: 0 },
      photos: { resealed: 1, current: 0 },
      drafts: { resealed: 1, current: 0 },
    });
    expect(first.fields.resealed).toBeGreaterThanOrEqual(3);
    expect(first.jobTexts.resealed).toBeGreaterThanOrEqual(1);
    const second = await resealTipContent(rotating);
    expect(second).toMatchObject({
      fields: { resealed: 0, current: first.fields.resealed },
      photos: { resealed: 0, current: 1 },
      drafts: { resealed: 0, current: 1 },
      jobTexts: { resealed: 0, current: first.jobTexts.resealed },
    });

    // The previous key dropped: everything opens with B alone.
    const tip = await onlyB.store.get(tipId);
    expect(tip?.description).toBe(DESCRIPTION);
    expect(tip?.place.text).toBe(PLACE_TEXT);
    expect((await onlyB.store.getPhoto(photoId))?.equals(photo as Buffer)).toBe(true);
    const log = await onlyB.store.auditLog(tipId);
    expect(log.find((e) => e.action === "asked")?.detail).toBe(QUESTION);
    const question = (await onlyB.queues.notify.getJobs(["completed"])).find(
      (j) => j.data.kind === "question",
    );
    expect(question && onlyB.queues.textOf(question.data)).toBe(QUESTION);
    expect(await onlyB.triage.dropStashedAnswer(TIPSTER)).toBe(ANSWER);
  });
});
