import { type Lang, tl } from "../i18n.js";
import type { Routing } from "./routing/routing-table.js";
import type { Category, Outcome } from "./tip/tip.js";
import type { TipRecord } from "./tip/tip-store.js";

/** Counts for the periodic reports schools and police send (e.g. 10/5 and 15/11). */
export interface TipStatistics {
  readonly from: string;
  readonly to: string;
  readonly total: number;
  readonly byCategory: Array<{ key: Category; label: string; count: number }>;
  readonly byCommune: Array<{ key: string; label: string; count: number }>;
  readonly bySchool: Array<{ key: string; label: string; count: number }>;
  readonly byOutcome: Array<{ key: Outcome | "open"; label: string; count: number }>;
  readonly byMonth: Array<{ key: string; count: number }>;
  /** Minutes from receipt to acknowledgement, over acknowledged tips. */
  readonly ackMinutes: Quantiles;
  /** Minutes from receipt to close, over closed tips. */
  readonly closeMinutes: Quantiles;
}

/** How many values, and their median and 90th percentile (nearest rank); null when none. */
export interface Quantiles {
  readonly n: number;
  readonly p50: number | null;
  readonly p90: number | null;
}

/** The q-quantile (0..1) of sorted values, nearest-rank. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] ?? null;
}

const MONTH = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Ho_Chi_Minh",
  year: "numeric",
  month: "2-digit",
});

function count<K extends string>(items: readonly K[]): Map<K, number> {
  const m = new Map<K, number>();
  for (const k of items) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

/**
 * Statistics over tips. `communes`, when given, keeps only tips of those communes (an
 * officer's area); labels are in `lang` (default Vietnamese, the language of the reports).
 */
export function tipStatistics(
  tips: readonly TipRecord[],
  routing: Routing,
  period: { from: string; to: string },
  communes?: ReadonlySet<string>,
  lang: Lang = "vi",
): TipStatistics {
  const communeOf = (t: TipRecord) =>
    t.communeId ?? routing.schools.find((s) => s.id === t.place.schoolId)?.commune ?? t.place.communeId;
  const kept = communes ? tips.filter((t) => communes.has(communeOf(t) ?? "")) : [...tips];
  const byName = <T extends { id: string; name: string }>(list: readonly T[], id: string) =>
    list.find((x) => x.id === id)?.name ?? id;
  const sortDesc = <T extends { count: number }>(rows: T[]) => rows.sort((a, b) => b.count - a.count);

  const ack = kept
    .filter((t) => t.acknowledgedAt !== undefined)
    .map((t) => ((t.acknowledgedAt as number) - t.createdAt) / 60_000)
    .sort((a, b) => a - b);
  const close = kept
    .filter((t) => t.closedAt !== undefined)
    .map((t) => ((t.closedAt as number) - t.createdAt) / 60_000)
    .sort((a, b) => a - b);
  const round = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);

  return {
    ...period,
    total: kept.length,
    byCategory: sortDesc(
      [...count(kept.map((t) => t.category))].map(([key, c]) => ({
        key,
        label: tl(lang, `category.${key}`),
        count: c,
      })),
    ),
    byCommune: sortDesc(
      [...count(kept.map((t) => communeOf(t) ?? "khong-ro"))].map(([key, c]) => ({
        key,
        label: key === "khong-ro" ? tl(lang, "stats.unknownCommune") : byName(routing.communes, key),
        count: c,
      })),
    ),
    bySchool: sortDesc(
      [...count(kept.flatMap((t) => (t.place.schoolId ? [t.place.schoolId] : [])))].map(([key, c]) => ({
        key,
        label: byName(routing.schools, key),
        count: c,
      })),
    ),
    byOutcome: sortDesc(
      [...count(kept.map((t) => t.outcome ?? ("open" as const)))].map(([key, c]) => ({
        key,
        label: tl(lang, key === "open" ? "stats.open" : `outcome.${key}`),
        count: c,
      })),
    ),
    byMonth: [...count(kept.map((t) => MONTH.format(new Date(t.createdAt))))]
      .map(([key, c]) => ({ key, count: c }))
      .sort((a, b) => a.key.localeCompare(b.key)),
    ackMinutes: { n: ack.length, p50: round(quantile(ack, 0.5)), p90: round(quantile(ack, 0.9)) },
    closeMinutes: { n: close.length, p50: round(quantile(close, 0.5)), p90: round(quantile(close, 0.9)) },
  };
}

/** The statistics as a readable table, in `lang` (default Vietnamese). */
export function statisticsTable(s: TipStatistics, lang: Lang = "vi"): string {
  const section = (title: string, rows: Array<{ label?: string; key: string; count: number }>) => [
    `${tl(lang, title)}:`,
    ...(rows.length
      ? rows.map((r) => `  ${(r.label ?? r.key).padEnd(36)} ${r.count}`)
      : [`  ${tl(lang, "stats.none")}`]),
  ];
  const { n, p50, p90 } = s.ackMinutes;
  const closed = s.closeMinutes;
  return [
    tl(lang, "stats.title", { from: s.from, to: s.to, total: s.total }),
    ...section("stats.byCategory", s.byCategory),
    ...section("stats.byCommune", s.byCommune),
    ...section("stats.bySchool", s.bySchool),
    ...section("stats.byOutcome", s.byOutcome),
    ...section("stats.byMonth", s.byMonth),
    tl(lang, "stats.ackMinutes", { p50: p50 ?? "—", p90: p90 ?? "—", n }),
    tl(lang, "stats.closeMinutes", { p50: closed.p50 ?? "—", p90: closed.p90 ?? "—", n: closed.n }),
  ].join("\n");
}

/** The statistics as CSV rows: dimension,key,label,count (RFC 4180 quoting). */
export function statisticsCsv(s: TipStatistics): string {
  const q = (v: string | number) =>
    /[",\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v);
  const rows: Array<Array<string | number>> = [["dimension", "key", "label", "count"]];
  rows.push(["total", "", "", s.total]);
  for (const r of s.byCategory) rows.push(["category", r.key, r.label, r.count]);
  for (const r of s.byCommune) rows.push(["commune", r.key, r.label, r.count]);
  for (const r of s.bySchool) rows.push(["school", r.key, r.label, r.count]);
  for (const r of s.byOutcome) rows.push(["outcome", r.key, r.label, r.count]);
  for (const r of s.byMonth) rows.push(["month", r.key, r.key, r.count]);
  rows.push(["ack_minutes_p50", "", "", s.ackMinutes.p50 ?? ""]);
  rows.push(["ack_minutes_p90", "", "", s.ackMinutes.p90 ?? ""]);
  rows.push(["close_minutes_p50", "", "", s.closeMinutes.p50 ?? ""]);
  rows.push(["close_minutes_p90", "", "", s.closeMinutes.p90 ?? ""]);
  return `${rows.map((r) => r.map(q).join(",")).join("\n")}\n`;
}
