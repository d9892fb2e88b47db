import { randomUUID } from "node:crypto";
import { type DatabaseHandle, openDatabase } from "../../db/client.js";
import { tipOutcomes } from "../../db/schema.js";
import type { ReportDeps } from "../../workers/outcomes/report.js";
import type { RoutingTable } from "../../workers/routing/routing-table.js";
import type { Category, Outcome, Place } from "../../workers/tip/tip.js";
import { freshDatabase, type TestDatabase, type TestEngine } from "../db/engines.js";
import { exampleRouting, NO_DEADLINES, type TestRuntime, testRuntime } from "./harness.js";

/**
 * Statistics for the report tests, in the example province (workers/routing/example-province.yaml):
 * `tip_outcomes` rows in two communes (An Hòa, Tân Lập) and with no commune, rows outside the
 * period or of another province, and tips in Redis — open ones of every age, one closed through
 * triage whose row was flushed, one after the period. `expected` lists what the period
 * 2026-01-01 … 2026-04-30 holds, one entry per tip, for the tests to count from. On PGlite unless
 * another engine is asked for.
 */

export const PERIOD = { from: "2026-01-01", to: "2026-04-30" } as const;
export const NOW = Date.parse("2026-04-30T12:00:00+07:00");
export const DESCRIPTION = "Có người lạ bán thuốc lá điện tử có chất lạ cho học sinh lớp 8.";
const PROVINCE_DUTY = { channel: "telegram" as const, chatId: "100000001" };
const student = { channel: "telegram" as const, chatId: "777000555", userId: "777000555" };
const MIN = 60_000;

/** One tip of the period as the report should count it. */
export interface Expected {
  readonly category: Category;
  readonly commune: string | null;
  readonly school: string | null;
  readonly outcome: Outcome | "open";
  /** `YYYY-MM-DD` received (Vietnam time). */
  readonly day: string;
  /** `YYYY-MM` received. */
  readonly month: string;
  readonly ack?: number;
  readonly close?: number;
  /** When received (open tips only, for their age). */
  readonly created?: number;
}

interface Row {
  category: Category;
  commune: string | null;
  school: string | null;
  received: string;
  ack: number | null;
  close: number;
  outcome: Outcome;
  province?: string;
}

const AN_HOA = "phuong-an-hoa";
const TAN_LAP = "xa-tan-lap";
const ROWS: Row[] = [
  {
    category: "ma-tuy",
    commune: AN_HOA,
    school: "thcs-an-hoa",
    received: "2026-01-05",
    ack: 10,
    close: 100,
    outcome: "co-co-so",
  },
  {
    category: "ma-tuy",
    commune: AN_HOA,
    school: "thcs-an-hoa",
    received: "2026-01-20",
    ack: 20,
    close: 200,
    outcome: "khong-co-so",
  },
  {
    category: "bao-luc-hoc-duong",
    commune: AN_HOA,
    school: "th-an-hoa",
    received: "2026-03-03",
    ack: null,
    close: 50,
    outcome: "trung",
  },
  {
    category: "chay-no",
    commune: AN_HOA,
    school: null,
    received: "2026-03-31",
    ack: 5,
    close: 30,
    outcome: "co-co-so",
  },
  {
    category: "ma-tuy",
    commune: TAN_LAP,
    school: "th-thcs-tan-lap",
    received: "2026-01-10",
    ack: 40,
    close: 400,
    outcome: "bao-sai",
  },
  {
    category: "an-ninh-mang",
    commune: TAN_LAP,
    school: null,
    received: "2026-03-15",
    ack: 60,
    close: 600,
    outcome: "co-co-so",
  },
  {
    category: "bao-luc-hoc-duong",
    commune: TAN_LAP,
    school: "th-thcs-tan-lap",
    received: "2026-04-30",
    ack: 7,
    close: 70,
    outcome: "co-co-so",
  },
  {
    category: "khac",
    commune: null,
    school: null,
    received: "2026-03-20",
    ack: 3,
    close: 3,
    outcome: "chi-de-biet",
  },
];
/** Rows the period or the province leaves out. */
const OTHER_ROWS: Row[] = [
  {
    category: "ma-tuy",
    commune: AN_HOA,
    school: "thcs-an-hoa",
    received: "2025-12-31",
    ack: 1,
    close: 2,
    outcome: "co-co-so",
  },
  {
    category: "ma-tuy",
    commune: AN_HOA,
    school: "thcs-an-hoa",
    received: "2026-05-01",
    ack: 1,
    close: 2,
    outcome: "co-co-so",
  },
  {
    category: "khac",
    commune: AN_HOA,
    school: null,
    received: "2026-02-10",
    ack: 1,
    close: 2,
    outcome: "trung",
    province: "tinh-khac",
  },
];

/** Tips submitted to Redis (`closeAfter`: closed through triage, its row flushed to the database). */
const TIPS: Array<{
  created: string;
  category: Category;
  place: Place;
  commune: string;
  school: string | null;
  ackAfter?: number;
  closeAfter?: { minutes: number; outcome: Outcome };
  inPeriod: boolean;
}> = [
  {
    created: "2026-04-30T09:00:00+07:00",
    category: "ma-tuy",
    place: { schoolId: "thcs-an-hoa" },
    commune: AN_HOA,
    school: "thcs-an-hoa",
    ackAfter: 15,
    inPeriod: true,
  },
  {
    created: "2026-04-29T10:00:00+07:00",
    category: "ma-tuy",
    place: { schoolId: "thcs-an-hoa" },
    commune: AN_HOA,
    school: "thcs-an-hoa",
    inPeriod: true,
  },
  {
    created: "2026-04-25T08:00:00+07:00",
    category: "chay-no",
    place: { communeId: TAN_LAP },
    commune: TAN_LAP,
    school: null,
    ackAfter: 90,
    inPeriod: true,
  },
  {
    created: "2026-04-10T08:00:00+07:00",
    category: "bao-luc-hoc-duong",
    place: { communeId: AN_HOA },
    commune: AN_HOA,
    school: null,
    inPeriod: true,
  },
  {
    created: "2026-04-01T08:00:00+07:00",
    category: "khac",
    place: { communeId: TAN_LAP },
    commune: TAN_LAP,
    school: null,
    ackAfter: 30,
    closeAfter: { minutes: 120, outcome: "bao-sai" },
    inPeriod: true,
  },
  {
    created: "2026-05-01T08:00:00+07:00",
    category: "ma-tuy",
    place: { communeId: AN_HOA },
    commune: AN_HOA,
    school: null,
    inPeriod: false,
  },
];

export interface ReportFixture {
  readonly deps: ReportDeps;
  readonly routing: RoutingTable;
  readonly expected: readonly Expected[];
  /** Tip ids and case codes of the Redis tips: none may show in a report. */
  readonly secrets: readonly string[];
  dispose(): Promise<void>;
}

/** Makes the fixture; throws away what it made when a step fails. */
export async function reportFixture(engine: TestEngine = "pglite"): Promise<ReportFixture> {
  const target: TestDatabase = await freshDatabase(engine);
  let handle: DatabaseHandle | undefined;
  let rt: TestRuntime | undefined;
  const dispose = async () => {
    await rt?.dispose();
    await handle?.close();
    await target.drop();
  };
  try {
    handle = await openDatabase(target.config);
    const routing = await exampleRouting(NO_DEADLINES);
    let clock = NOW;
    rt = await testRuntime(undefined, {}, { TIPS_PER_SENDER_PER_HOUR: "100" }, routing, {
      database: handle.db,
      drainOutcomes: false,
      now: () => clock,
    });
    await insertRows(handle, routing.province.id);
    const secrets: string[] = [];
    const expected: Expected[] = ROWS.map((r) => ({
      category: r.category,
      commune: r.commune,
      school: r.school,
      outcome: r.outcome,
      day: r.received,
      month: r.received.slice(0, 7),
      ...(r.ack !== null && { ack: r.ack }),
      close: r.close,
    }));
    for (const t of TIPS) {
      const created = Date.parse(t.created);
      clock = created;
      const { tipId, caseCode } = await rt.intake.submit(
        { category: t.category, urgency: "binh-thuong", place: t.place, description: DESCRIPTION },
        student,
      );
      secrets.push(tipId, caseCode);
      if (t.ackAfter !== undefined) {
        clock = created + t.ackAfter * MIN;
        await rt.triage.acknowledge(PROVINCE_DUTY, tipId);
      }
      if (t.closeAfter) {
        clock = created + t.closeAfter.minutes * MIN;
        await rt.triage.close(PROVINCE_DUTY, tipId, t.closeAfter.outcome);
      }
      if (t.inPeriod)
        expected.push({
          category: t.category,
          commune: t.commune,
          school: t.school,
          outcome: t.closeAfter?.outcome ?? "open",
          day: t.created.slice(0, 10),
          month: t.created.slice(0, 7),
          ...(t.ackAfter !== undefined && { ack: t.ackAfter }),
          ...(t.closeAfter ? { close: t.closeAfter.minutes } : { created }),
        });
    }
    // The closed tip's row goes to the database; the tip itself stays in Redis, closed.
    if ((await rt.outcomes.flush()).written !== 1) throw new Error("the closed tip's row was not written");
    return { deps: { db: handle.db, store: rt.store, routing }, routing, expected, secrets, dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}

async function insertRows(handle: DatabaseHandle, provinceId: string): Promise<void> {
  await handle.db.insert(tipOutcomes).values(
    [...ROWS, ...OTHER_ROWS].map((r) => ({
      id: randomUUID(),
      provinceId: r.province ?? provinceId,
      category: r.category,
      urgency: "binh-thuong" as const,
      communeId: r.commune,
      schoolId: r.school,
      receivedOn: r.received,
      closedOn: r.received,
      ackMinutes: r.ack,
      closeMinutes: r.close,
      outcome: r.outcome,
    })),
  );
}
