import type { Redis } from "ioredis";
import type { Logger } from "../../logger.js";
import type { TipQueues } from "../queues/tip-queues.js";
import { forgetJobs } from "../tip/retention.js";
import type { IncidentStore } from "./incident-store.js";

/**
 * Retention of incidents' content, like tips' (TIP_RETENTION_DAYS after the close): the pupils'
 * names, description, place text, injuries, school action, photos, the reporter's chat and the
 * timeline's texts are erased (`IncidentStore.erase`), and so are the incident's jobs, queue
 * events and delivery-ledger entries in Redis (questions and answers wait there sealed). Kind,
 * school, commune, dates, statuses and outcome stay: the school's periodic counts need them, and
 * they name no pupil. Open incidents are never erased, however old.
 */

const DAY_MS = 24 * 3_600_000;
const UUID = /incident-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-/;

export interface IncidentRetentionDeps {
  readonly redis: Redis;
  readonly store: IncidentStore;
  readonly queues: TipQueues;
  readonly logger: Logger;
  readonly now: () => number;
  /** Days a closed incident keeps its content after the close. */
  readonly retentionDays: number;
}

/** Erases every incident closed before now − `retentionDays`; returns how many. */
export async function eraseExpiredIncidents(
  deps: IncidentRetentionDeps,
  batch = 200,
): Promise<{ erased: number }> {
  const now = deps.now();
  const before = now - deps.retentionDays * DAY_MS;
  let erased = 0;
  for (;;) {
    const ids = await deps.store.closedBefore(before, batch);
    if (ids.length === 0) break;
    const doomed = new Set(ids);
    // Redis first: if the run stops half-way, the incidents are still candidates for the next one.
    await forgetJobs(deps.redis, deps.queues.tipQueues, doomed);
    await forgetLedger(deps.redis, deps.queues.prefix, doomed);
    for (const id of ids) if (await deps.store.erase(id, now)) erased++;
  }
  if (erased > 0) deps.logger.info({ erased, retentionDays: deps.retentionDays }, "expired incidents erased");
  return { erased };
}

/** Deletes the delivery ledger's entries (`sent:`, `sending:`) of these incidents' messages. */
async function forgetLedger(redis: Redis, prefix: string, ids: ReadonlySet<string>): Promise<void> {
  for (const kind of ["sent", "sending"]) {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:${kind}:incident-*`, "COUNT", 1000);
      cursor = next;
      const named = keys.filter((k) => ids.has(UUID.exec(k)?.[1] ?? ""));
      if (named.length > 0) await redis.del(...named);
    } while (cursor !== "0");
  }
}
