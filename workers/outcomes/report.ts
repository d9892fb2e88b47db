import type { Database } from "../../db/client.js";
import { type Lang, tl } from "../../i18n.js";
import type { Routing } from "../routing/routing-table.js";
import type { Quantiles } from "../stats.js";
import { CATEGORIES, type Category, OUTCOMES, type Outcome } from "../tip/tip.js";
import type { TipStore } from "../tip/tip-store.js";
import {
  type OutcomeData,
  type OutcomeScope,
  outcomeData,
  schoolOfTip,
  vietnamMonth,
} from "./outcome-query.js";
import { communeOfTip, vietnamDay } from "./outcome-row.js";
import { type ReportTable, table } from "./report-table.js";

export type { ReportRow, ReportTable } from "./report-table.js";

/**
 * The console's dashboard and periodic report: anonymous statistics only (the `tip_outcomes`
 * rows and the open tips' category, place ids and times), never a tip's text, place text or
 * anything about its tipster. Read through `outcomeData`, as `/thongke` is.
 */

export interface ReportDeps {
  readonly db: Database;
  readonly store: TipStore;
  readonly routing: Routing;
}

/**
 * What is asked: tips received from `from` to `to` (Vietnam days `YYYY-MM-DD`, both included),
 * in the whole province unless `communes` and/or `schools` narrow it (a tip must match both when
 * both are given; an empty list keeps nothing, so an officer with no area sees nothing).
 */
export interface ReportQuery {
  readonly from: string;
  readonly to: string;
  readonly communes?: ReadonlySet<string> | readonly string[];
  readonly schools?: ReadonlySet<string> | readonly string[];
  /** Labels' language; default Vietnamese, the language of the reports. */
  readonly lang?: Lang;
  /** The time the open cases' ages and "generated at" are taken from; default `Date.now()`. */
  readonly now?: number;
}

/** A period that is not two valid days, ends before it starts or spans more than ten years. */
export class ReportQueryError extends Error {
  override readonly name = "ReportQueryError";
  constructor(
    readonly field: "from" | "to",
    readonly value: string,
    reason: string,
  ) {
    super(`report period: ${field} "${value}" ${reason}`);
  }
}

export interface ReportPeriod {
  /** `YYYY-MM-DD`, first day. */
  readonly from: string;
  /** `YYYY-MM-DD`, last day (included). */
  readonly to: string;
  /** "Từ ngày 01/01/2026 đến ngày 10/05/2026". */
  readonly label: string;
}

export interface Counted<K extends string = string> {
  readonly key: K;
  readonly label: string;
  readonly count: number;
}

/** How long an open case has waited: up to 1 day, (1, 3], (3, 7] and over 7 days. */
export const AGE_BUCKETS = ["le-1d", "1d-3d", "3d-7d", "gt-7d"] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number];

/** The key of the row or column of tips that name no commune. */
export const UNKNOWN_COMMUNE = "khong-ro";

export interface Dashboard {
  readonly province: { readonly id: string; readonly name: string };
  readonly period: ReportPeriod;
  /** The scope's names: the province's, or the communes' or schools' asked for. */
  readonly area: string;
  /** ISO time of `now`. */
  readonly generatedAt: string;
  readonly total: number;
  /**
   * For a stacked bar chart: every month from `from` to `to` (none skipped), and per category
   * (all of them, in the catalogue's order) the count of each month, aligned with `months`.
   */
  readonly byMonth: {
    readonly months: ReadonlyArray<{ readonly key: string; readonly label: string; readonly total: number }>;
    readonly series: ReadonlyArray<{
      readonly key: Category;
      readonly label: string;
      readonly counts: number[];
    }>;
  };
  /** Every commune of the scope in directory order (zeros included), then "không rõ" if any. */
  readonly byCommune: readonly Counted[];
  /** The scope's schools and every school with a tip, most tips first. */
  readonly bySchool: readonly Counted[];
  /** Minutes to acknowledge (closed and open tips acknowledged) and to close (closed tips). */
  readonly ackMinutes: Quantiles;
  readonly closeMinutes: Quantiles;
  /** Every outcome, then "open" (not closed yet), zeros included. */
  readonly byOutcome: readonly Counted<Outcome | "open">[];
  /** The open tips of the period by their age at `now`; they add up to `byOutcome`'s "open". */
  readonly openByAge: readonly Counted<AgeBucket>[];
}

export interface PeriodicReport {
  readonly title: string;
  readonly province: { readonly id: string; readonly name: string };
  readonly period: ReportPeriod;
  readonly area: string;
  readonly generatedAt: string;
  /** "Lập lúc 14:05 ngày 10/05/2026" (Vietnam time). */
  readonly generatedAtLabel: string;
  /** Whether `byPlace`'s rows are communes or (for a school scope) schools. */
  readonly rowsAre: "communes" | "schools";
  /** Rows: every commune of the scope (or school), columns: categories. */
  readonly byPlace: ReportTable;
  /** Rows: categories, columns: outcomes and "open". */
  readonly byOutcome: ReportTable;
}

const DAY_MS = 86_400_000;
const MAX_DAYS = 3660;

/** One count of tips alike: closed ones grouped by the database, or one open tip. */
interface Count {
  readonly category: Category;
  readonly communeId: string | null;
  readonly schoolId: string | null;
  readonly outcome: Outcome | "open";
  readonly month: string;
  readonly n: number;
}

interface Read {
  readonly lang: Lang;
  readonly now: number;
  readonly scope: OutcomeScope;
  readonly period: ReportPeriod;
  readonly area: string;
  readonly data: OutcomeData;
  readonly counts: readonly Count[];
}

function dayStart(field: "from" | "to", value: string): number {
  const at = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00+07:00`) : Number.NaN;
  if (Number.isNaN(at) || vietnamDay(at) !== value) throw new ReportQueryError(field, value, "is not a day");
  return at;
}

const parts = (isoDay: string) => {
  const [y = "", m = "", d = ""] = isoDay.split("-");
  return { y, m, d };
};
const dateLabel = (lang: Lang, day: string) => tl(lang, "report.periodic.date", parts(day));
const byName = (list: ReadonlyArray<{ id: string; name: string }>, id: string) =>
  list.find((x) => x.id === id)?.name ?? id;
const sum = (counts: readonly Count[], keep: (c: Count) => boolean) =>
  counts.reduce((n, c) => (keep(c) ? n + c.n : n), 0);

/** Ids known to the directory in its order, then the others in the order met. */
function inDirectoryOrder(ids: Iterable<string>, directory: ReadonlyArray<{ id: string }>): string[] {
  const wanted = new Set(ids);
  const known = directory.map((x) => x.id).filter((id) => wanted.has(id));
  return [...known, ...[...wanted].filter((id) => !directory.some((x) => x.id === id))];
}

function months(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split("-").map(Number) as [number, number];
  for (let key = from.slice(0, 7); key <= to.slice(0, 7); ) {
    out.push(key);
    [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
    key = `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}`;
  }
  return out;
}

function ageBucket(ageMs: number): AgeBucket {
  if (ageMs <= DAY_MS) return "le-1d";
  if (ageMs <= 3 * DAY_MS) return "1d-3d";
  if (ageMs <= 7 * DAY_MS) return "3d-7d";
  return "gt-7d";
}

async function read(deps: ReportDeps, query: ReportQuery): Promise<Read> {
  const { routing } = deps;
  const lang = query.lang ?? "vi";
  const from = dayStart("from", query.from);
  const to = dayStart("to", query.to) + DAY_MS;
  if (to <= from) throw new ReportQueryError("to", query.to, `is before ${query.from}`);
  if (to - from > MAX_DAYS * DAY_MS)
    throw new ReportQueryError("to", query.to, "makes a period of over ten years");
  const scope: OutcomeScope = {
    from,
    to,
    ...(query.communes && { communes: new Set(query.communes) }),
    ...(query.schools && { schools: new Set(query.schools) }),
  };
  const data = await outcomeData(deps, scope);
  const counts: Count[] = [
    ...data.groups,
    ...data.open.map((t) => ({
      category: t.category,
      communeId: communeOfTip(t, routing) ?? null,
      schoolId: schoolOfTip(t) ?? null,
      outcome: "open" as const,
      month: vietnamMonth(t.createdAt),
      n: 1,
    })),
  ];
  const area = scope.schools
    ? inDirectoryOrder(scope.schools, routing.schools).map((id) => byName(routing.schools, id))
    : scope.communes
      ? inDirectoryOrder(scope.communes, routing.communes).map((id) => byName(routing.communes, id))
      : [routing.province.name];
  const period = {
    from: query.from,
    to: query.to,
    label: tl(lang, "report.periodic.period", {
      from: dateLabel(lang, query.from),
      to: dateLabel(lang, query.to),
    }),
  };
  return { lang, now: query.now ?? Date.now(), scope, period, area: area.join(", "), data, counts };
}

/** The commune rows: the scope's communes (or all), those met, then "không rõ" if any. */
function communeKeys(r: Read, routing: Routing): string[] {
  const { communes, schools } = r.scope;
  const base = communes
    ? [...communes]
    : schools
      ? routing.schools.filter((s) => schools.has(s.id)).map((s) => s.commune)
      : routing.communes.map((c) => c.id);
  const met = r.counts.flatMap((c) => (c.communeId === null ? [] : [c.communeId]));
  const keys = inDirectoryOrder([...base, ...met], routing.communes);
  return r.counts.some((c) => c.communeId === null) ? [...keys, UNKNOWN_COMMUNE] : keys;
}

const communeOf = (c: Count) => c.communeId ?? UNKNOWN_COMMUNE;
const communeLabel = (lang: Lang, routing: Routing, key: string) =>
  key === UNKNOWN_COMMUNE ? tl(lang, "stats.unknownCommune") : byName(routing.communes, key);
const outcomeLabel = (lang: Lang, key: Outcome | "open") =>
  tl(lang, key === "open" ? "stats.open" : `outcome.${key}`);

/**
 * The dashboard of a period and scope: tips per month by category, per commune and school,
 * times to acknowledge and close (n, median, p90 in whole minutes, nearest rank), outcomes and
 * the open cases by age. Throws `ReportQueryError` on a bad period.
 */
export async function dashboard(deps: ReportDeps, query: ReportQuery): Promise<Dashboard> {
  const { routing } = deps;
  const r = await read(deps, query);
  const { lang, counts } = r;
  const monthKeys = months(r.period.from, r.period.to);
  const schoolCounts = new Map<string, number>([...(r.scope.schools ?? [])].map((id) => [id, 0]));
  for (const c of counts)
    if (c.schoolId) schoolCounts.set(c.schoolId, (schoolCounts.get(c.schoolId) ?? 0) + c.n);
  const schoolOrder = inDirectoryOrder(schoolCounts.keys(), routing.schools);
  const openByAge = new Map<AgeBucket, number>(AGE_BUCKETS.map((b) => [b, 0]));
  for (const t of r.data.open) {
    const bucket = ageBucket(r.now - t.createdAt);
    openByAge.set(bucket, (openByAge.get(bucket) ?? 0) + 1);
  }
  return {
    province: { id: routing.province.id, name: routing.province.name },
    period: r.period,
    area: r.area,
    generatedAt: new Date(r.now).toISOString(),
    total: sum(counts, () => true),
    byMonth: {
      months: monthKeys.map((key) => {
        const { y, m } = parts(key);
        return {
          key,
          label: tl(lang, "report.periodic.month", { y, m }),
          total: sum(counts, (c) => c.month === key),
        };
      }),
      series: CATEGORIES.map((key) => ({
        key,
        label: tl(lang, `category.${key}`),
        counts: monthKeys.map((month) => sum(counts, (c) => c.category === key && c.month === month)),
      })),
    },
    byCommune: communeKeys(r, routing).map((key) => ({
      key,
      label: communeLabel(lang, routing, key),
      count: sum(counts, (c) => communeOf(c) === key),
    })),
    bySchool: [...schoolCounts]
      .map(([key, count]) => ({ key, label: byName(routing.schools, key), count }))
      .sort((a, b) => b.count - a.count || schoolOrder.indexOf(a.key) - schoolOrder.indexOf(b.key)),
    ackMinutes: r.data.ackMinutes,
    closeMinutes: r.data.closeMinutes,
    byOutcome: [...OUTCOMES, "open" as const].map((key) => ({
      key,
      label: outcomeLabel(lang, key),
      count: sum(counts, (c) => c.outcome === key),
    })),
    openByAge: AGE_BUCKETS.map((key) => ({
      key,
      label: tl(lang, `report.age.${key}`),
      count: openByAge.get(key) ?? 0,
    })),
  };
}

const TIME = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Asia/Ho_Chi_Minh",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/**
 * The tables of a periodic report (the seed plans ask for them by 10/5 and 15/11): tips by
 * commune × category — every commune of the scope, in directory order, even with none; the
 * scope's schools instead when `schools` is given — and by category × outcome, each with a
 * total column and row. Throws `ReportQueryError` on a bad period.
 */
export async function periodicReport(deps: ReportDeps, query: ReportQuery): Promise<PeriodicReport> {
  const { routing } = deps;
  const r = await read(deps, query);
  const { lang, counts } = r;
  const categories = CATEGORIES.map((key) => ({ key, label: tl(lang, `category.${key}`) }));
  const schools = r.scope.schools;
  const places = schools
    ? inDirectoryOrder(schools, routing.schools).map((key) => ({ key, label: byName(routing.schools, key) }))
    : communeKeys(r, routing).map((key) => ({ key, label: communeLabel(lang, routing, key) }));
  return {
    title: tl(lang, "report.periodic.title"),
    province: { id: routing.province.id, name: routing.province.name },
    period: r.period,
    area: r.area,
    generatedAt: new Date(r.now).toISOString(),
    generatedAtLabel: tl(lang, "report.periodic.generatedAt", {
      time: TIME.format(new Date(r.now)),
      date: dateLabel(lang, vietnamDay(r.now)),
    }),
    rowsAre: schools ? "schools" : "communes",
    byPlace: table({
      lang,
      title: tl(lang, schools ? "report.periodic.bySchool" : "report.periodic.byCommune"),
      sheet: tl(lang, "report.periodic.sheetByPlace"),
      rowHeader: tl(lang, schools ? "report.periodic.school" : "report.periodic.commune"),
      rows: places,
      columns: categories,
      cell: (place, category) =>
        sum(counts, (c) => c.category === category && (schools ? c.schoolId : communeOf(c)) === place),
    }),
    byOutcome: table({
      lang,
      title: tl(lang, "report.periodic.byOutcome"),
      sheet: tl(lang, "report.periodic.sheetByOutcome"),
      rowHeader: tl(lang, "report.periodic.category"),
      rows: categories,
      columns: [...OUTCOMES, "open" as const].map((key) => ({ key, label: outcomeLabel(lang, key) })),
      cell: (category, outcome) => sum(counts, (c) => c.category === category && c.outcome === outcome),
    }),
  };
}
