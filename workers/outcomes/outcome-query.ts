import { type SQL, sql } from "drizzle-orm";
import { type Database, queryRows } from "../../db/client.js";
import type { Routing } from "../routing/routing-table.js";
import type { Quantiles } from "../stats.js";
import type { Category, Outcome } from "../tip/tip.js";
import type { TipRecord, TipStore } from "../tip/tip-store.js";
import { communeOfTip, vietnamDay, wholeMinutes } from "./outcome-row.js";

/**
 * The numbers behind `/thongke` (`OutcomeStatistics`) and the console's dashboard and periodic
 * report (`report.ts`), read once here: `tip_outcomes` rows grouped by the database, the open
 * tips still in Redis, and the acknowledgement and close times' quantiles.
 */

/** What the statistics are of. */
export interface OutcomeScope {
  /** Tips received in [from, to) (ms, on Vietnam day boundaries). */
  readonly from: number;
  readonly to: number;
  /** Only tips of these communes; every commune when absent (an empty set keeps nothing). */
  readonly communes?: ReadonlySet<string>;
  /** Only tips of these schools; every tip when absent (an empty set keeps nothing). */
  readonly schools?: ReadonlySet<string>;
}

/** How many closed tips share a category, place, outcome and month (`YYYY-MM`) of receipt. */
export interface OutcomeGroup {
  readonly category: Category;
  readonly communeId: string | null;
  readonly schoolId: string | null;
  readonly outcome: Outcome;
  readonly month: string;
  readonly n: number;
}

export interface OutcomeData {
  /** Closed tips, from `tip_outcomes`. */
  readonly groups: readonly OutcomeGroup[];
  /** Tips in the scope not closed yet, from Redis. */
  readonly open: readonly TipRecord[];
  /** Minutes from receipt to acknowledgement, over closed and open tips acknowledged. */
  readonly ackMinutes: Quantiles;
  /** Minutes from receipt to close, over closed tips. */
  readonly closeMinutes: Quantiles;
}

/** The school a tip counts under: the one routing gave it, else the one the tipster picked. */
export function schoolOfTip(tip: TipRecord): string | undefined {
  return tip.schoolId ?? tip.place.schoolId;
}

const MONTH = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Ho_Chi_Minh",
  year: "numeric",
  month: "2-digit",
});

/** The Vietnam-time month of an instant, `YYYY-MM`. */
export function vietnamMonth(at: number): string {
  return MONTH.format(new Date(at));
}

/** `{"a","b"}`: a PostgreSQL array literal of strings, for `= any(…::text[])`. */
function textArray(values: Iterable<string>): string {
  return `{${[...values].map((v) => `"${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`).join(",")}}`;
}

/**
 * Reads the scope's numbers. Counts are grouped and quantiles taken (`percentile_disc`, the
 * nearest rank, as `quantile` in `stats.ts`) by the database; durations are whole minutes.
 */
export async function outcomeData(
  deps: { readonly db: Database; readonly store: TipStore; readonly routing: Routing },
  scope: OutcomeScope,
): Promise<OutcomeData> {
  const { db, store, routing } = deps;
  const { communes, schools } = scope;
  const open = (await store.createdBetween(scope.from, scope.to)).filter(
    (t) =>
      t.status !== "closed" &&
      (!communes || communes.has(communeOfTip(t, routing) ?? "")) &&
      (!schools || schools.has(schoolOfTip(t) ?? "")),
  );
  const where: SQL[] = [
    sql`province_id = ${routing.province.id}`,
    sql`received_on between ${vietnamDay(scope.from)}::date and ${vietnamDay(scope.to - 1)}::date`,
  ];
  if (communes) where.push(sql`commune_id = any(${textArray(communes)}::text[])`);
  if (schools) where.push(sql`school_id = any(${textArray(schools)}::text[])`);
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
  const quantiles = (n: number, q: number[] | null | undefined): Quantiles => ({
    n,
    p50: n > 0 ? Number(q?.[0]) : null,
    p90: n > 0 ? Number(q?.[1]) : null,
  });
  return {
    groups: groups.map((g) => ({
      category: g.category,
      communeId: g.commune_id,
      schoolId: g.school_id,
      outcome: g.outcome,
      month: g.month,
      n: g.n,
    })),
    open,
    ackMinutes: quantiles(m?.ack_n ?? 0, m?.ack),
    closeMinutes: quantiles(m?.close_n ?? 0, m?.close),
  };
}
