import type { Database } from "../../db/client.js";
import { type Lang, tl } from "../../i18n.js";
import type { Routing } from "../routing/routing-table.js";
import type { TipStatistics } from "../stats.js";
import type { Category, Outcome } from "../tip/tip.js";
import type { TipStore } from "../tip/tip-store.js";
import { outcomeData, schoolOfTip, vietnamMonth } from "./outcome-query.js";
import { communeOfTip } from "./outcome-row.js";

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

/**
 * Statistics of closed tips from `tip_outcomes` (which outlive the tips' content), plus the tips
 * not closed yet, still in Redis, counted as "open", as `outcomeData` reads them (the database
 * groups the counts and takes the quantiles; durations are whole minutes). A tip closed while
 * the database was unreachable is counted once its row has left the outbox (`OutcomeOutbox`).
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
    const { routing } = this.deps;
    const lang = query.lang ?? "vi";
    const { groups, open, ackMinutes, closeMinutes } = await outcomeData(this.deps, query);

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
      add(byCommune, g.communeId ?? "khong-ro", g.n);
      if (g.schoolId) add(bySchool, g.schoolId, g.n);
      add(byOutcome, g.outcome, g.n);
      add(byMonth, g.month, g.n);
    }
    for (const t of open) {
      total += 1;
      add(byCategory, t.category, 1);
      add(byCommune, communeOfTip(t, routing) ?? "khong-ro", 1);
      const school = schoolOfTip(t);
      if (school) add(bySchool, school, 1);
      add(byOutcome, "open", 1);
      add(byMonth, vietnamMonth(t.createdAt), 1);
    }

    const byName = <T extends { id: string; name: string }>(list: readonly T[], id: string) =>
      list.find((x) => x.id === id)?.name ?? id;
    const sortDesc = <T extends { count: number }>(rows: T[]) => rows.sort((a, b) => b.count - a.count);
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
      ackMinutes,
      closeMinutes,
    };
  }
}
