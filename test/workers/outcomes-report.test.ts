import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tl } from "../../i18n.js";
import {
  AGE_BUCKETS,
  dashboard,
  type PeriodicReport,
  periodicReport,
  type ReportTable,
  UNKNOWN_COMMUNE,
} from "../../workers/outcomes/report.js";
import { quantile } from "../../workers/stats.js";
import { CATEGORIES, OUTCOMES } from "../../workers/tip/tip.js";
import { ENGINES } from "../db/engines.js";
import {
  DESCRIPTION,
  type Expected,
  NOW,
  PERIOD,
  type ReportFixture,
  reportFixture,
} from "./outcomes-report-fixture.js";

const DAY = 86_400_000;
const quantiles = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9) };
};
const countOf = (tips: readonly Expected[], keep: (t: Expected) => boolean) => tips.filter(keep).length;

/** Rows add up to their totals, and the total row to the columns' sums. */
function expectConsistent(table: ReportTable) {
  for (const row of [...table.rows, table.totals]) {
    expect(row.cells).toHaveLength(table.columns.length);
    expect(row.total).toBe(row.cells.reduce((a, b) => a + b, 0));
  }
  table.columns.forEach((_, i) => {
    expect(table.totals.cells[i]).toBe(table.rows.reduce((n, r) => n + (r.cells[i] ?? 0), 0));
  });
}

describe.each(ENGINES)("the console's dashboard and periodic report (%s)", (engine) => {
  let f: ReportFixture;
  beforeAll(async () => {
    f = await reportFixture(engine);
  });
  afterAll(async () => {
    await f?.dispose();
  });

  it("counts every tip of the period once: months × categories, communes, schools, outcomes", async () => {
    const d = await dashboard(f.deps, { ...PERIOD, now: NOW });
    const tips = f.expected;
    expect(d.total).toBe(tips.length);
    expect(d.province).toEqual({ id: "song-xanh", name: f.routing.province.name });
    expect(d.area).toBe(f.routing.province.name);
    expect(d.generatedAt).toBe(new Date(NOW).toISOString());

    // Every month of the period, February (no tip) included; every category, in order.
    expect(d.byMonth.months.map((m) => m.key)).toEqual(["2026-01", "2026-02", "2026-03", "2026-04"]);
    expect(d.byMonth.months[1]?.total).toBe(0);
    expect(d.byMonth.series.map((s) => s.key)).toEqual([...CATEGORIES]);
    for (const s of d.byMonth.series) {
      expect(s.label).toBe(tl("vi", `category.${s.key}`));
      expect(s.counts).toEqual(
        d.byMonth.months.map((m) => countOf(tips, (t) => t.category === s.key && t.month === m.key)),
      );
    }
    d.byMonth.months.forEach((m, i) => {
      expect(m.total).toBe(d.byMonth.series.reduce((n, s) => n + (s.counts[i] ?? 0), 0));
    });

    // Every commune of the province in directory order, zeros included, then "không rõ".
    expect(d.byCommune.map((c) => c.key)).toEqual([...f.routing.communes.map((c) => c.id), UNKNOWN_COMMUNE]);
    for (const c of d.byCommune)
      expect(c.count).toBe(countOf(tips, (t) => (t.commune ?? UNKNOWN_COMMUNE) === c.key));
    expect(d.byCommune.find((c) => c.key === "phuong-an-hoa")?.label).toBe(
      f.routing.communes.find((c) => c.id === "phuong-an-hoa")?.name,
    );
    expect(d.byCommune.at(-1)?.label).toBe(tl("vi", "stats.unknownCommune"));

    const schools = [...new Set(tips.flatMap((t) => (t.school ? [t.school] : [])))];
    expect(d.bySchool.map((s) => s.key).sort()).toEqual(schools.sort());
    for (const s of d.bySchool) {
      expect(s.count).toBe(countOf(tips, (t) => t.school === s.key));
      expect(s.label).toBe(f.routing.schools.find((x) => x.id === s.key)?.name);
    }
    expect(d.bySchool.map((s) => s.count)).toEqual(d.bySchool.map((s) => s.count).sort((a, b) => b - a));

    expect(d.byOutcome.map((o) => o.key)).toEqual([...OUTCOMES, "open"]);
    for (const o of d.byOutcome) expect(o.count).toBe(countOf(tips, (t) => t.outcome === o.key));
    expect(d.byOutcome.find((o) => o.key === "open")?.label).toBe(tl("vi", "stats.open"));
  });

  it("takes the median and p90 (nearest rank) of the minutes to acknowledge and to close", async () => {
    const d = await dashboard(f.deps, { ...PERIOD, now: NOW });
    const acks = f.expected.flatMap((t) => (t.ack === undefined ? [] : [t.ack]));
    const closes = f.expected.flatMap((t) => (t.close === undefined ? [] : [t.close]));
    // Open tips acknowledged count towards the acknowledgement times, not the close times.
    expect(f.expected.some((t) => t.outcome === "open" && t.ack !== undefined)).toBe(true);
    expect(d.ackMinutes).toEqual(quantiles(acks));
    expect(d.closeMinutes).toEqual(quantiles(closes));
  });

  it("sorts the open cases by their age at `now`", async () => {
    const open = f.expected.filter((t) => t.outcome === "open");
    const ageDays = open.map((t) => (NOW - (t.created as number)) / DAY);
    const d = await dashboard(f.deps, { ...PERIOD, now: NOW });
    expect(d.openByAge.map((b) => b.key)).toEqual([...AGE_BUCKETS]);
    expect(d.openByAge.map((b) => b.label)).toEqual(AGE_BUCKETS.map((b) => tl("vi", `report.age.${b}`)));
    expect(d.openByAge.map((b) => b.count)).toEqual([
      ageDays.filter((a) => a <= 1).length,
      ageDays.filter((a) => a > 1 && a <= 3).length,
      ageDays.filter((a) => a > 3 && a <= 7).length,
      ageDays.filter((a) => a > 7).length,
    ]);
    // The fixture has one open tip in each bucket, so every boundary is crossed.
    expect(d.openByAge.every((b) => b.count === 1)).toBe(true);
    // A week later, every one of them is over seven days old.
    const later = await dashboard(f.deps, { ...PERIOD, now: NOW + 7 * DAY });
    expect(later.openByAge.map((b) => b.count)).toEqual([0, 0, 0, open.length]);
  });

  it("labels in the language asked for", async () => {
    const en = await dashboard(f.deps, { ...PERIOD, now: NOW, lang: "en" });
    const vi = await dashboard(f.deps, { ...PERIOD, now: NOW });
    expect(en.byMonth.series.map((s) => s.label)).toEqual(CATEGORIES.map((c) => tl("en", `category.${c}`)));
    expect(en.byMonth.series.map((s) => s.label)).not.toEqual(vi.byMonth.series.map((s) => s.label));
    expect(en.byOutcome.map((o) => o.label)).toEqual([
      ...OUTCOMES.map((o) => tl("en", `outcome.${o}`)),
      tl("en", "stats.open"),
    ]);
    expect(en.total).toBe(vi.total);
  });

  it("keeps to its scope: other communes and schools are not counted, nor shown", async () => {
    const tanLap = await dashboard(f.deps, { ...PERIOD, now: NOW, communes: ["xa-tan-lap"] });
    const inTanLap = f.expected.filter((t) => t.commune === "xa-tan-lap");
    expect(tanLap.total).toBe(inTanLap.length);
    expect(tanLap.byCommune.map((c) => c.key)).toEqual(["xa-tan-lap"]);
    const tanLapSchools = new Set(
      f.routing.schools.filter((s) => s.commune === "xa-tan-lap").map((s) => s.id),
    );
    expect(tanLap.bySchool.every((s) => tanLapSchools.has(s.key))).toBe(true);
    expect(tanLap.openByAge.reduce((n, b) => n + b.count, 0)).toBe(
      countOf(inTanLap, (t) => t.outcome === "open"),
    );
    expect(tanLap.ackMinutes).toEqual(
      quantiles(inTanLap.flatMap((t) => (t.ack === undefined ? [] : [t.ack]))),
    );
    expect(tanLap.area).toBe(f.routing.communes.find((c) => c.id === "xa-tan-lap")?.name);

    const school = await dashboard(f.deps, { ...PERIOD, now: NOW, schools: new Set(["thcs-an-hoa"]) });
    const atSchool = f.expected.filter((t) => t.school === "thcs-an-hoa");
    expect(school.total).toBe(atSchool.length);
    expect(school.bySchool.map((s) => s.key)).toEqual(["thcs-an-hoa"]);
    expect(school.byCommune.map((c) => [c.key, c.count])).toEqual([["phuong-an-hoa", atSchool.length]]);
    expect(school.closeMinutes).toEqual(
      quantiles(atSchool.flatMap((t) => (t.close === undefined ? [] : [t.close]))),
    );

    // Both given: a tip must be in both; none is in Tân Lập and at THCS An Hòa.
    const both = await dashboard(f.deps, { ...PERIOD, communes: ["xa-tan-lap"], schools: ["thcs-an-hoa"] });
    expect(both.total).toBe(0);
    // An empty area is nothing, not the whole province.
    const none = await dashboard(f.deps, { ...PERIOD, communes: [] });
    expect(none.total).toBe(0);
    expect(none.ackMinutes).toEqual({ n: 0, p50: null, p90: null });
  });

  it("lays out a periodic report whose totals add up, every commune a row", async () => {
    const report = await periodicReport(f.deps, { ...PERIOD, now: NOW });
    const d = await dashboard(f.deps, { ...PERIOD, now: NOW });
    expect(report.rowsAre).toBe("communes");
    expect(report.byPlace.rows.map((r) => r.key)).toEqual([
      ...f.routing.communes.map((c) => c.id),
      UNKNOWN_COMMUNE,
    ]);
    expect(report.byPlace.columns.map((c) => c.key)).toEqual([...CATEGORIES]);
    expect(report.byOutcome.rows.map((r) => r.key)).toEqual([...CATEGORIES]);
    expect(report.byOutcome.columns.map((c) => c.key)).toEqual([...OUTCOMES, "open"]);
    expectConsistent(report.byPlace);
    expectConsistent(report.byOutcome);
    for (const row of report.byPlace.rows)
      report.byPlace.columns.forEach((col, i) => {
        expect(row.cells[i]).toBe(
          countOf(f.expected, (t) => (t.commune ?? UNKNOWN_COMMUNE) === row.key && t.category === col.key),
        );
      });
    // Both tables count the same tips, as the dashboard does.
    expect(report.byPlace.totals.total).toBe(f.expected.length);
    expect(report.byOutcome.totals.total).toBe(d.total);
    expect(report.byOutcome.rows.map((r) => r.total)).toEqual(report.byPlace.totals.cells);
    expect(report.byOutcome.totals.cells).toEqual(d.byOutcome.map((o) => o.count));

    expect(report.title).toBe(tl("vi", "report.periodic.title"));
    expect(report.period.label).toContain("01/01/2026");
    expect(report.period.label).toContain("30/04/2026");
    expect(report.generatedAtLabel).toContain("12:00");
    expect(report.generatedAtLabel).toContain("30/04/2026");
  });

  it("gives a commune scope its communes only, with zeros, and a school scope its schools", async () => {
    const two = await periodicReport(f.deps, { ...PERIOD, communes: ["xa-tan-lap", "phuong-dong-tien"] });
    // Directory order, whatever order they were asked in; Đồng Tiến has no tip and still a row.
    expect(two.byPlace.rows.map((r) => r.key)).toEqual(["phuong-dong-tien", "xa-tan-lap"]);
    expect(two.byPlace.rows[0]?.total).toBe(0);
    expect(two.byPlace.totals.total).toBe(countOf(f.expected, (t) => t.commune === "xa-tan-lap"));
    expectConsistent(two.byPlace);

    const schools = await periodicReport(f.deps, { ...PERIOD, schools: ["thcs-an-hoa", "mn-hoa-sen"] });
    expect(schools.rowsAre).toBe("schools");
    expect(schools.byPlace.rowHeader).toBe(tl("vi", "report.periodic.school"));
    expect(schools.byPlace.rows.map((r) => [r.key, r.total])).toEqual([
      ["mn-hoa-sen", 0],
      ["thcs-an-hoa", countOf(f.expected, (t) => t.school === "thcs-an-hoa")],
    ]);
    expect(schools.byOutcome.totals.total).toBe(schools.byPlace.totals.total);
  });

  it("holds no tip text, tip id or case code", async () => {
    const text = JSON.stringify([
      await dashboard(f.deps, { ...PERIOD, now: NOW }),
      (await periodicReport(f.deps, { ...PERIOD, now: NOW })) satisfies PeriodicReport,
    ]);
    for (const secret of [DESCRIPTION, "thuốc lá", ...f.secrets]) expect(text).not.toContain(secret);
  });

  it("refuses a period that is not two days in order", async () => {
    for (const [from, to] of [
      ["2026-02-30", "2026-03-01"],
      ["2026-1-1", "2026-03-01"],
      ["2026-03-02", "2026-03-01"],
      ["2000-01-01", "2026-03-01"],
    ] as const)
      await expect(dashboard(f.deps, { from, to })).rejects.toMatchObject({ name: "ReportQueryError" });
    // One day is a period.
    const day = await periodicReport(f.deps, { from: "2026-04-30", to: "2026-04-30" });
    expect(day.byPlace.totals.total).toBe(countOf(f.expected, (t) => t.day === "2026-04-30"));
    expect(day.byPlace.totals.total).toBeGreaterThan(1);
  });
});
