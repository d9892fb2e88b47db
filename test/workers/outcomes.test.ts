import { once } from "node:events";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase, queryRows } from "../../db/client.js";
import { OutcomeStatistics } from "../../workers/outcomes/statistics.js";
import { type TipStatistics, tipStatistics } from "../../workers/stats.js";
import type { TipRecord } from "../../workers/tip/tip-store.js";
import { countRows, ENGINES, freshDatabase, type TestDatabase } from "../db/engines.js";
import { exampleRouting, NO_DEADLINES, type TestRuntime, testRuntime } from "./harness.js";

// Contacts of the example province (workers/routing/example-province.yaml).
const AN_HOA_DUTY_DESK = { channel: "telegram" as const, chatId: "100000011" };
const PROVINCE_DUTY = { channel: "telegram" as const, chatId: "100000001" };
const student = { channel: "telegram" as const, chatId: "777000555", userId: "777000555" };
const DESCRIPTION = "Có người lạ bán thuốc lá điện tử có chất lạ cho học sinh lớp 8.";
const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;

/** Lists sorted by key: equal counts may come in either order. */
function normalised(s: TipStatistics) {
  const byKey = <T extends { key: string }>(rows: readonly T[]) =>
    [...rows].sort((a, b) => a.key.localeCompare(b.key));
  return {
    ...s,
    byCategory: byKey(s.byCategory),
    byCommune: byKey(s.byCommune),
    bySchool: byKey(s.bySchool),
    byOutcome: byKey(s.byOutcome),
  };
}

describe.each(ENGINES)("closed tips' statistics rows (%s)", (engine) => {
  let target: TestDatabase;
  let handle: DatabaseHandle;
  let rt: TestRuntime | undefined;
  let clock = at("2026-03-10T08:00:00+07:00");

  async function runtime(drain: boolean): Promise<TestRuntime> {
    return testRuntime(
      undefined,
      {},
      { TIPS_PER_SENDER_PER_HOUR: "100" },
      await exampleRouting(NO_DEADLINES),
      {
        database: handle.db,
        drainOutcomes: drain,
        now: () => clock,
      },
    );
  }

  async function started(drain: boolean): Promise<TestRuntime> {
    rt = await runtime(drain);
    return rt;
  }

  beforeEach(async () => {
    target = await freshDatabase(engine);
    handle = await openDatabase(target.config);
    clock = at("2026-03-10T08:00:00+07:00");
  });
  afterEach(async () => {
    await rt?.dispose();
    rt = undefined;
    await handle.close();
    await target.drop();
  });

  it("closing a tip writes exactly one row, with days and whole minutes and nothing of the tip", async () => {
    const rt = await started(false);
    const { tipId, caseCode } = await rt.intake.submit(
      {
        category: "ma-tuy",
        urgency: "binh-thuong",
        place: { schoolId: "thcs-an-hoa" },
        description: DESCRIPTION,
      },
      student,
    );
    clock += 17.5 * MIN;
    await rt.triage.acknowledge(AN_HOA_DUTY_DESK, tipId);
    expect(await rt.outcomes.pending()).toBe(0);
    clock += 16 * 60 * MIN; // closed the next day (Vietnam time)
    await rt.triage.close(AN_HOA_DUTY_DESK, tipId, "co-co-so");
    expect(await rt.outcomes.pending()).toBe(1);
    expect(await countRows(handle.db, "tip_outcomes")).toBe(0);

    expect(await rt.outcomes.flush()).toEqual({ written: 1, removed: 1 });
    expect(await rt.outcomes.pending()).toBe(0);
    const rows = await queryRows<Record<string, unknown>>(
      handle.db,
      sql`select *, received_on::text as received, closed_on::text as closed from tip_outcomes`,
    );
    expect(rows).toHaveLength(1);
    const row = rows[0] as Record<string, unknown>;
    expect(Object.keys(row).sort()).toEqual(
      [
        "id",
        "province_id",
        "category",
        "urgency",
        "commune_id",
        "school_id",
        "received_on",
        "closed_on",
        "ack_minutes",
        "close_minutes",
        "outcome",
        "received",
        "closed",
      ].sort(),
    );
    expect(row).toMatchObject({
      province_id: "song-xanh",
      category: "ma-tuy",
      urgency: "binh-thuong",
      commune_id: "phuong-an-hoa",
      school_id: "thcs-an-hoa",
      received: "2026-03-10",
      closed: "2026-03-11",
      ack_minutes: 17,
      close_minutes: 977,
      outcome: "co-co-so",
    });
    expect(row.id).not.toBe(tipId);
    const tip = (await rt.store.get(tipId)) as TipRecord;
    const text = JSON.stringify(row);
    for (const secret of [tipId, caseCode, "thuốc lá", tip.replyHandle, tip.pinHash, student.chatId])
      expect(text).not.toContain(secret);
  });

  it("writes a row once however often it is flushed or retried", async () => {
    const rt = await started(false);
    const { tipId } = await rt.intake.submit(
      {
        category: "chay-no",
        urgency: "khan-cap",
        place: { communeId: "xa-tan-lap" },
        description: DESCRIPTION,
      },
      student,
    );
    await rt.triage.close(PROVINCE_DUTY, tipId, "bao-sai");
    const [[field, value]] = Object.entries(await rt.redis.hgetall(rt.outcomes.key)) as [[string, string]];
    expect(await rt.outcomes.flush()).toEqual({ written: 1, removed: 1 });
    expect(await rt.outcomes.flush()).toEqual({ written: 0, removed: 0 });
    // A crash after the insert and before the entry was removed: the entry comes back.
    await rt.redis.hset(rt.outcomes.key, field, value);
    expect(await rt.outcomes.flush()).toEqual({ written: 0, removed: 1 });
    expect(await countRows(handle.db, "tip_outcomes")).toBe(1);
    // A second close is refused and writes nothing.
    await expect(rt.triage.close(PROVINCE_DUTY, tipId, "co-co-so")).rejects.toMatchObject({
      reason: "wrong-status",
    });
    expect(await rt.outcomes.pending()).toBe(0);
  });

  it("statistics from the rows match the computation over the tips themselves", async () => {
    const rt = await started(false);
    const routing = await exampleRouting(NO_DEADLINES);
    const tips: Array<{ created: string; ack?: number; close?: number; over: Partial<TipRecord> }> = [
      { created: "2026-01-05T09:00:00+07:00", ack: 10, close: 600, over: { outcome: "co-co-so" } },
      {
        created: "2026-02-14T09:00:00+07:00",
        ack: 30,
        close: 45,
        over: { category: "chay-no", place: { schoolId: "thpt-tran-phu" }, outcome: "bao-sai" },
      },
      {
        created: "2026-02-20T09:00:00+07:00",
        ack: 120,
        over: { category: "bao-luc-hoc-duong", place: { communeId: "xa-tan-lap" } },
      },
      { created: "2026-05-10T23:30:00+07:00", over: { category: "ma-tuy" } },
      { created: "2026-03-01T10:00:00+07:00", close: 5, over: { outcome: "chi-de-biet" } },
      {
        created: "2026-03-02T10:00:00+07:00",
        ack: 3,
        close: 4000,
        over: { category: "an-ninh-mang", place: { text: "trên mạng" }, outcome: "khong-co-so" },
      },
      // Outside the period on both sides.
      { created: "2025-12-31T23:59:00+07:00", ack: 1, close: 2, over: { outcome: "co-co-so" } },
      { created: "2026-05-11T00:00:00+07:00", over: {} },
    ];
    for (const t of tips) {
      clock = at(t.created);
      const place = t.over.place ?? { schoolId: "thcs-an-hoa" };
      const { tipId } = await rt.intake.submit(
        { category: t.over.category ?? "ma-tuy", urgency: "binh-thuong", place, description: DESCRIPTION },
        student,
      );
      if (t.ack !== undefined) {
        clock = at(t.created) + t.ack * MIN;
        await rt.triage.acknowledge(PROVINCE_DUTY, tipId);
      }
      if (t.close !== undefined) {
        clock = at(t.created) + t.close * MIN;
        await rt.triage.close(PROVINCE_DUTY, tipId, t.over.outcome as string);
      }
    }
    await rt.outcomes.flush();
    const period = { from: at("2026-01-01T00:00:00+07:00"), to: at("2026-05-11T00:00:00+07:00") };
    const label = { from: "2026-01-01", to: "2026-05-10" };
    const source = new OutcomeStatistics({ db: handle.db, store: rt.store, routing });
    const inRedis = await rt.store.createdBetween(period.from, period.to);
    for (const communes of [
      undefined,
      new Set(["phuong-an-hoa"]),
      new Set(["xa-tan-lap", "phuong-dong-tien"]),
    ]) {
      const before = tipStatistics(inRedis, routing, label, communes);
      const after = await source.statistics({ ...period, label, ...(communes && { communes }) });
      expect(normalised(after)).toEqual(normalised(before));
    }
    const all = await source.statistics({ ...period, label });
    expect(all.total).toBe(6);
    expect(all.byOutcome.find((r) => r.key === "open")?.count).toBe(2);
    expect(all.ackMinutes).toEqual({ n: 4, p50: 10, p90: 120 });
    expect(all.closeMinutes).toEqual({ n: 4, p50: 45, p90: 4000 });
    expect(all.byCommune.find((r) => r.key === "khong-ro")?.count).toBe(1);
  });

  it("a purged tip leaves its statistics, in the row and in /thongke", async () => {
    const rt = await started(false);
    const { tipId } = await rt.intake.submit(
      {
        category: "ma-tuy",
        urgency: "binh-thuong",
        place: { schoolId: "thcs-an-hoa" },
        description: DESCRIPTION,
      },
      student,
    );
    clock += 5 * MIN;
    await rt.triage.close(AN_HOA_DUTY_DESK, tipId, "co-co-so");
    await rt.outcomes.flush();
    const from = at("2026-01-01T00:00:00+07:00");
    const to = at("2026-12-31T00:00:00+07:00");
    const label = { from: "2026-01-01", to: "2026-12-30" };
    const before = await rt.triage.statisticsFor(AN_HOA_DUTY_DESK, from, to, label);
    expect(before.total).toBe(1);

    expect(await rt.store.purge(tipId)).toBe(true);
    expect(await rt.store.get(tipId)).toBeUndefined();
    expect(await rt.store.createdBetween(from, to)).toEqual([]);
    expect(await countRows(handle.db, "tip_outcomes")).toBe(1);
    const after = await rt.triage.statisticsFor(AN_HOA_DUTY_DESK, from, to, label);
    expect(after).toEqual(before);
    expect(after.byOutcome).toEqual([{ key: "co-co-so", label: "Có cơ sở", count: 1 }]);
    // Another commune's officer sees none of it.
    const other = await rt.triage.statisticsFor(
      { channel: "telegram", chatId: "100000031" },
      from,
      to,
      label,
    );
    expect(other.total).toBe(0);
  });

  it("the drain loop writes a closed tip's row without being asked", async () => {
    const rt = await started(true);
    const flushed = once(rt.outcomes, "flushed");
    const { tipId } = await rt.intake.submit(
      {
        category: "khac",
        urgency: "binh-thuong",
        place: { communeId: "xa-hoa-binh" },
        description: DESCRIPTION,
      },
      student,
    );
    await rt.triage.close(PROVINCE_DUTY, tipId, "chi-de-biet");
    const [result] = await flushed;
    expect(result).toEqual({ written: 1, removed: 1 });
    expect(await countRows(handle.db, "tip_outcomes")).toBe(1);
    expect(await rt.outcomes.pending()).toBe(0);
  });
});
