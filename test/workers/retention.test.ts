import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../logger.js";
import { PURGE_SCHEDULER_ID } from "../../workers/queues/tip-queues.js";
import { PURGE_EVERY_MS } from "../../workers/runtime.js";
import { purgeExpiredTips } from "../../workers/tip/retention.js";
import { RecordingMessenger } from "../fakes/recording-messenger.js";
import { photoWithMetadata } from "../fixtures/photos.js";
import { drained, exampleRouting, finished, NO_DEADLINES, type TestRuntime, testRuntime } from "./harness.js";
import { dumpValues } from "./redis-dump.js";

const DAY = 24 * 3_600_000;
const TIPSTER = { channel: "web" as const, chatId: "R".repeat(43) };
const OFFICER = { channel: "telegram" as const, chatId: "100000011" }; // Trực ban CA phường An Hòa
const tip = (description: string, photoIds: string[] = []) => ({
  category: "ma-tuy" as const,
  urgency: "binh-thuong" as const,
  place: { schoolId: "thcs-an-hoa" },
  description,
  photoIds,
});

describe("retention of closed tips", () => {
  let rt: TestRuntime | undefined;
  afterEach(async () => {
    await rt?.dispose();
    rt = undefined;
  });

  it("purges a tip closed longer ago than the retention, with all its keys; keeps open and recent ones", async () => {
    const messenger = new RecordingMessenger();
    rt = await testRuntime(
      messenger,
      {},
      { STATUS_CHECKS_PER_HOUR: "100" },
      await exampleRouting(NO_DEADLINES),
    );
    const photoId = await rt.intake.addPhoto(await photoWithMetadata(32, 24));
    // Old: delivered, asked, answered, a wrong PIN, then closed.
    const old = await rt.intake.submit(tip("Một tin báo cũ, đã đóng từ lâu.", [photoId]), TIPSTER);
    await messenger.waitFor(() => messenger.to(OFFICER.chatId).length === 1);
    await rt.triage.ask(OFFICER, old.tipId, "Khi nào?");
    await messenger.waitFor(() => messenger.to(TIPSTER.chatId).length === 1);
    expect(await rt.triage.tipsterAnswer({ from: TIPSTER }, old.caseCode, "Hôm qua.")).toBe("relayed");
    await messenger.waitFor(() => messenger.to(OFFICER.chatId).length === 2);
    const wrongPin = old.pin === "000000" ? "111111" : "000000";
    await expect(rt.triage.status(TIPSTER, old.caseCode, wrongPin)).rejects.toThrow();
    const closed = await rt.triage.close(OFFICER, old.tipId, "co-co-so");
    const closedAt = closed.closedAt ?? 0;
    // Open, and as old as the other (never purged: police may still work on it); it holds the
    // same photo, which must outlive the purged tip.
    const open = await rt.intake.submit(tip("Một tin báo vẫn đang xử lý.", [photoId]), TIPSTER);
    // Closed two days after the old one: younger than the retention when the old one goes.
    const recent = await rt.intake.submit(tip("Một tin báo mới đóng gần đây."), TIPSTER);
    await messenger.waitFor(() => messenger.to(OFFICER.chatId).length === 4);
    await drained([rt.queues.intake, rt.queues.notify]);
    expect(
      await rt.store.transition(
        recent.tipId,
        { status: "closed", closedAt: closedAt + 2 * DAY, outcome: "chi-de-biet" },
        { at: closedAt + 2 * DAY, actor: "ca-an-hoa-truc-ban", action: "closed" },
      ),
    ).toBe("ok");
    // The old tip really has keys of every kind before the purge.
    const before = await dumpValues(rt.redis, rt.prefix);
    const named = (id: string) =>
      new Set(
        before.filter((d) => d.value.includes(Buffer.from(id))).map((d) => d.key.slice(rt?.prefix.length)),
      );
    expect([...named(old.tipId)]).toEqual(
      expect.arrayContaining([
        `:tip:${old.tipId}`,
        `:tip:${old.tipId}:audit`,
        `:tip:${old.tipId}:sent`,
        `:pinfail:${old.tipId}`,
        `:case:${old.caseCode}`,
        ":tips",
        ":closed",
      ]),
    );

    const logger = createLogger("silent");
    const purge = (days: number, now: number) =>
      purgeExpiredTips({ ...(rt as TestRuntime), logger, retentionDays: days, now: () => now });
    // A day short of the retention: nothing goes.
    expect(await purge(180, closedAt + 179 * DAY)).toEqual({ purged: 0 });
    expect(await purge(180, closedAt + 181 * DAY)).toEqual({ purged: 1 });

    expect(await rt.store.get(old.tipId)).toBeUndefined();
    expect(await rt.triage.tipIdForCode(old.caseCode)).toBeUndefined();
    const after = await dumpValues(rt.redis, rt.prefix);
    for (const needle of [old.tipId, old.caseCode]) {
      const hits = after.filter((d) => d.value.includes(Buffer.from(needle))).map((d) => d.key);
      expect(hits, `${needle} still found`).toEqual([]);
    }
    // What is not the old tip's is still there, and still works.
    expect((await rt.store.get(open.tipId))?.description).toBe("Một tin báo vẫn đang xử lý.");
    expect((await rt.store.get(recent.tipId))?.status).toBe("closed");
    expect((await rt.store.getPhoto(photoId))?.length).toBeGreaterThan(100);
    expect(await rt.triage.tipIdForCode(open.caseCode)).toBe(open.tipId);
    expect(await rt.triage.tipIdForCode(recent.caseCode)).toBe(recent.tipId);
    // A second run finds nothing; much later the recent one goes, the open one never.
    expect(await purge(180, closedAt + 181 * DAY)).toEqual({ purged: 0 });
    expect(await purge(180, closedAt + 3650 * DAY)).toEqual({ purged: 1 });
    expect(await rt.store.get(recent.tipId)).toBeUndefined();
    expect(await rt.store.get(open.tipId)).toBeDefined();
    // The last tip holding the photo keeps it.
    expect((await rt.store.getPhoto(photoId))?.length).toBeGreaterThan(100);
    // A second purge of one tip is a no-op.
    expect(await rt.store.purge(old.tipId)).toBe(false);
  });

  it("runs hourly on the maintenance queue, registered by the runtime that runs the workers", async () => {
    rt = await testRuntime(new RecordingMessenger(), {}, {}, await exampleRouting(NO_DEADLINES));
    const schedulers = await rt.queues.maintenance.getJobSchedulers();
    expect(schedulers).toEqual([
      expect.objectContaining({ key: PURGE_SCHEDULER_ID, every: PURGE_EVERY_MS, name: "purge-expired-tips" }),
    ]);
    // The worker takes a purge job and answers with its count (nothing is old enough here).
    const job = await rt.queues.maintenance.add("purge-expired-tips", { task: "purge-expired-tips" });
    expect(await finished(rt.queues.maintenance, String(job.id))).toEqual({
      state: "completed",
      returnvalue: { purged: 0 },
    });
  });
});
