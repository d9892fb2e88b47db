import { type SQL, sql } from "drizzle-orm";
import { type Database, queryRows } from "../../db/client.js";
import { type Lang, tl } from "../../i18n.js";
import type { Routing } from "../routing/routing-table.js";
import type { TipStatistics } from "../stats.js";
import type { Category, Outcome } from "../tip/tip.js";
import type { TipStore } from "../tip/tip-store.js";
import { communeOfTip, vietnamDay, wholeMinutes } from "./outcome-row.js";

/** What statistics are asked for: tips received in [from, to) (ms, on Vietnam day boundaries). */
export interface StatisticsQuery {
  readonly from: number;
  readonly to: number;
  /** How the period is shown ("2026-01-01"). */
  readonly label: { readonly from: string; readonly to: string };
  /** Only tips of these communes (an officer's area); every tip when absent. */
  readonly communes?: ReadonlySet<string>;
  /** Labels' language; default Vietnamese, the language of the reports. */
  readonly lang?: Lang;
}

/** Where `/thongke` and `npm run report` get their numbers. */
export interface StatisticsSource {
  statistics(query: StatisticsQuery): Promise<TipStatistics>;
}

/** `{"a","b"}`: a PostgreSQL array literal of strings, for `= any(…::text[])`. */
function textArray(values: Iterable<string>): string {
  return `{${[...values].map((v) => `"${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`).join(",")}}`;
}

const MONTH = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Ho_Chi_Minh",
  year: "numeric",
  month: "2-digit",
});

/**
 * Statistics of closed tips from `tip_outcomes` (which outlive the tips' content), plus the tips
 * not closed yet, still in Redis, counted as "open". Counts are grouped and quantiles taken
 * (`percentile_disc`, the nearest rank, as `quantile` in `stats.ts`) by the database; durations
 * are whole minutes. A tip closed while the database was unreachable is counted once its row
 * has left the outbox (`OutcomeOutbox`).
 */
export class OutcomeStatistics implements StatisticsSource {
  constructor(
    private readonly deps: {
      readonly db: Database;
      readonly store: TipStore;
      readonly routing: Routing;
    },
  ) {}

  async statistics(query: StatisticsQuery): Promise<TipStatistics> {
    const { db, store, routing } = this.deps;
    const lang = query.lang ?? "vi";
    const communes = query.communes;
    const open = (await store.createdBetween(query.from, query.to)).filter(
      (t) => t.status !== "closed" && (!communes || communes.has(communeOfTip(t, routing) ?? "")),
    );
    const where: SQL[] = [
      sql`province_id = ${routing.province.id}`,
      sql`received_on between ${vietnamDay(query.from)}::date and ${vietnamDay(query.to - 1)}::date`,
    ];
    if (communes) where.push(sql`commune_id = any(${textArray(communes)}::text[])`);
    const filter = sql.join(where, sql` and `);

    const groups = await queryRows<{
      category: Category;
      commune_id: string | null;
      school_id: string | null;
      outcome: Outcome;
      month: string;
      n: number;
    }>(
      db,
      sql`select category, commune_id, school_id, outcome, to_char(received_on, 'YYYY-MM') as month,
            count(*)::int as n
          from tip_outcomes where ${filter}
          group by category, commune_id, school_id, outcome, month`,
    );
    const openAcks = open.flatMap((t) =>
      t.acknowledgedAt === undefined ? [] : [wholeMinutes(t.createdAt, t.acknowledgedAt)],
    );
    const [m] = await queryRows<{
      ack_n: number;
      ack: number[] | null;
      close_n: number;
      close: number[] | null;
    }>(
      db,
      sql`with acks as (
            select ack_minutes as m from tip_outcomes where ${filter} and ack_minutes is not null
            union all select unnest(${`{${openAcks.join(",")}}`}::int[])
          ), closes as (
            select close_minutes as m from tip_outcomes where ${filter}
          )
          select
            (select count(*)::int from acks) as ack_n,
            (select percentile_disc(array[0.5, 0.9]::float8[]) within group (order by m) from acks) as ack,
            (select count(*)::int from closes) as close_n,
            (select percentile_disc(array[0.5, 0.9]::float8[]) within group (order by m) from closes) as close`,
    );

    const add = <K extends string>(map: Map<K, number>, key: K, n: number) =>
      map.set(key, (map.get(key) ?? 0) + n);
    const byCategory = new Map<Category, number>();
    const byCommune = new Map<string, number>();
    const bySchool = new Map<string, number>();
    const byOutcome = new Map<Outcome | "open", number>();
    const byMonth = new Map<string, number>();
    let total = 0;
    for (const g of groups) {
      total += g.n;
      add(byCategory, g.category, g.n);
      add(byCommune, g.commune_id ?? "khong-ro", g.n);
      if (g.school_id) add(bySchool, g.school_id, g.n);
      add(byOutcome, g.outcome, g.n);
      add(byMonth, g.month, g.n);
    }
    for (const t of open) {
      total += 1;
      add(byCategory, t.category, 1);
      add(byCommune, communeOfTip(t, routing) ?? "khong-ro", 1);
      const school = t.schoolId ?? t.place.schoolId;
      if (school) add(bySchool, school, 1);
      add(byOutcome, "open", 1);
      add(byMonth, MONTH.format(new Date(t.createdAt)), 1);
    }

    const byName = <T extends { id: string; name: string }>(list: readonly T[], id: string) =>
      list.find((x) => x.id === id)?.name ?? id;
    const sortDesc = <T extends { count: number }>(rows: T[]) => rows.sort((a, b) => b.count - a.count);
    const quantiles = (n: number, q: number[] | null | undefined) => ({
      n,
      p50: n > 0 ? Number(q?.[0]) : null,
      p90: n > 0 ? Number(q?.[1]) : null,
    });
    return {
      ...query.label,
      total,
      byCategory: sortDesc(
        [...byCategory].map(([key, count]) => ({ key, label: tl(lang, `category.${key}`), count })),
      ),
      byCommune: sortDesc(
        [...byCommune].map(([key, count]) => ({
          key,
          label: key === "khong-ro" ? tl(lang, "stats.unknownCommune") : byName(routing.communes, key),
          count,
        })),
      ),
      bySchool: sortDesc(
        [...bySchool].map(([key, count]) => ({ key, label: byName(routing.schools, key), count })),
      ),
      byOutcome: sortDesc(
        [...byOutcome].map(([key, count]) => ({
          key,
          label: tl(lang, key === "open" ? "stats.open" : `outcome.${key}`),
          count,
        })),
      ),
      byMonth: [...byMonth]
        .map(([key, count]) => ({ key, count }))
        .sort((a, b) => a.key.localeCompare(b.key)),
      ackMinutes: quantiles(m?.ack_n ?? 0, m?.ack),
      closeMinutes: quantiles(m?.close_n ?? 0, m?.close),
    };
  }
}
