import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/client.js";
import { tipOutcomes } from "../../db/schema.js";
import { outcomeRow } from "../../workers/outcomes/outcome-row.js";
import { quantile, tipStatistics } from "../../workers/stats.js";
import type { Outcome } from "../../workers/tip/tip.js";
import type { TipRecord } from "../../workers/tip/tip-store.js";
import { freshDatabase, type TestDatabase } from "../db/engines.js";
import { EXAMPLE_ROUTING, exampleRouting, type TestRuntime, testRuntime } from "./harness.js";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
const at = (iso: string) => Date.parse(iso);

function tip(over: Partial<TipRecord>): TipRecord {
  return {
    id: randomUUID(),
    caseCode: `AT-${randomUUID().slice(0, 4).toUpperCase()}-XX`,
    category: "ma-tuy",
    urgency: "binh-thuong",
    place: { schoolId: "thcs-an-hoa" },
    description: "Tin báo thử cho thống kê.",
    photoIds: [],
    createdAt: at("2026-03-10T08:00:00+07:00"),
    status: "received",
    chain: [],
    level: 0,
    pinHash: "x",
    replyHandle: "x",
    ...over,
  };
}

const TIPS: TipRecord[] = [
  tip({
    createdAt: at("2026-01-05T09:00:00+07:00"),
    acknowledgedAt: at("2026-01-05T09:10:00+07:00"),
    closedAt: at("2026-01-05T11:00:00+07:00"),
    status: "closed",
    outcome: "co-co-so",
  }),
  tip({
    createdAt: at("2026-02-14T09:00:00+07:00"),
    acknowledgedAt: at("2026-02-14T09:30:00+07:00"),
    category: "chay-no",
    place: { schoolId: "thpt-tran-phu" },
    closedAt: at("2026-02-15T09:00:00+07:00"),
    status: "closed",
    outcome: "bao-sai",
  }),
  tip({
    createdAt: at("2026-02-20T09:00:00+07:00"),
    acknowledgedAt: at("2026-02-20T11:00:00+07:00"),
    category: "bao-luc-hoc-duong",
    place: { communeId: "xa-tan-lap" },
    status: "acknowledged",
  }),
  tip({ createdAt: at("2026-05-10T23:30:00+07:00"), category: "ma-tuy" }),
  // Outside the period on both sides.
  tip({ createdAt: at("2025-12-31T23:59:00+07:00") }),
  tip({ createdAt: at("2026-05-11T00:00:00+07:00") }),
];

describe("statistics and the report command", () => {
  let rt: TestRuntime;
  let database: TestDatabase;
  const dataKey = randomBytes(32).toString("hex");
  beforeAll(async () => {
    rt = await testRuntime(undefined, {}, { TIP_DATA_KEY: dataKey });
    for (const t of TIPS) await rt.store.create(t, { at: t.createdAt, actor: "tipster", action: "received" });
    // The closed tips' statistics rows, as closing them would have written (see outcomes.test.ts).
    database = await freshDatabase("pglite");
    const handle = await openDatabase(database.config);
    const routing = await exampleRouting();
    const closed = TIPS.filter((t) => t.status === "closed");
    await handle.db
      .insert(tipOutcomes)
      .values(closed.map((t) => outcomeRow(t, t.closedAt as number, t.outcome as Outcome, routing)));
    // PGlite is one process at a time: the report command opens it next.
    await handle.close();
  });
  afterAll(async () => {
    await rt.dispose();
    await database.drop();
  });

  it("counts by category, place, outcome and month, with time-to-acknowledge quantiles", async () => {
    const routing = await exampleRouting();
    const tips = await rt.store.createdBetween(
      at("2026-01-01T00:00:00+07:00"),
      at("2026-05-11T00:00:00+07:00"),
    );
    const s = tipStatistics(tips, routing, { from: "2026-01-01", to: "2026-05-10" });
    expect(s.total).toBe(4);
    expect(s.byCategory.find((r) => r.key === "ma-tuy")?.count).toBe(2);
    expect(s.byCommune.find((r) => r.key === "phuong-an-hoa")?.count).toBe(2);
    expect(s.byCommune.find((r) => r.key === "xa-tan-lap")?.label).toBe("Xã Tân Lập");
    expect(s.bySchool.find((r) => r.key === "thpt-tran-phu")?.count).toBe(1);
    expect(s.byOutcome.find((r) => r.key === "open")?.count).toBe(2);
    expect(s.byMonth).toEqual([
      { key: "2026-01", count: 1 },
      { key: "2026-02", count: 2 },
      { key: "2026-05", count: 1 },
    ]);
    expect(s.ackMinutes).toEqual({ n: 3, p50: 30, p90: 120 });
    expect(s.closeMinutes).toEqual({ n: 2, p50: 120, p90: 1440 });
    const area = tipStatistics(tips, routing, { from: "a", to: "b" }, new Set(["xa-tan-lap"]));
    expect(area.total).toBe(1);
  });

  it("quantile uses the nearest rank", () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
  });

  it("npm run report prints the table and CSV for a period, closed tips from the database", async () => {
    const env = {
      ...process.env,
      ...database.env,
      QUEUE_PREFIX: rt.prefix,
      ROUTING_FILE: EXAMPLE_ROUTING,
      TIP_DATA_KEY: dataKey,
    };
    const args = ["--import", "tsx", "workers/cli/report.ts", "--from", "2026-01-01", "--to", "2026-05-10"];
    const table = await run(process.execPath, args, { cwd: ROOT, env });
    expect(table.stdout).toContain("2026-01-01 đến 2026-05-10: 4 tin");
    expect(table.stdout).toContain("Cháy nổ / PCCC");
    const csv = await run(process.execPath, [...args, "--csv"], { cwd: ROOT, env });
    const lines = csv.stdout.trim().split("\n");
    expect(lines[0]).toBe("dimension,key,label,count");
    expect(lines).toContain("total,,,4");
    expect(lines).toContain("outcome,bao-sai,Báo sai,1");
    expect(lines).toContain("outcome,open,Chưa đóng,2");
    expect(lines).toContain("close_minutes_p90,,,1440");
    await expect(
      run(process.execPath, [...args.slice(0, 3), "--from", "2026-05-10", "--to", "2026-01-01"], {
        cwd: ROOT,
        env,
      }),
    ).rejects.toMatchObject({ code: 2 });
  });
});
