import type { Job, Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "../../logger.js";
import { RETAINED, type TipQueues } from "../queues/tip-queues.js";
import type { TipStore } from "./tip-store.js";

/**
 * Retention of tip content (data minimisation, Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15): a
 * tip closed more than `retentionDays` ago is deleted from Redis with everything of it — its
 * hash, audit log, photos, case code, delivery ledger, PIN failures, index entries — and the
 * jobs and queue events that name it. Its anonymous statistics are kept elsewhere and are not
 * touched. Tips that are not closed are never purged, however old: police may still be working
 * on them.
 *
 * Runs as a scheduled job on the "maintenance" queue (`TipQueues.schedulePurge`, hourly);
 * candidates come from the index of closed tips by close time, so a run costs what it purges.
 */

const DAY_MS = 24 * 3_600_000;
const PAGE = 1000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

export interface RetentionDeps {
  /** A plain connection (event streams are read and trimmed on it). */
  readonly redis: Redis;
  readonly store: TipStore;
  readonly queues: TipQueues;
  readonly logger: Logger;
  readonly now: () => number;
  /** Days a closed tip is kept after it was closed. */
  readonly retentionDays: number;
}

/** Purges every tip closed before now − `retentionDays`; returns how many were purged. */
export async function purgeExpiredTips(deps: RetentionDeps, batch = 200): Promise<{ purged: number }> {
  const before = deps.now() - deps.retentionDays * DAY_MS;
  let purged = 0;
  for (;;) {
    const ids = await deps.store.closedBefore(before, batch);
    if (ids.length === 0) break;
    // Jobs first: if the run stops half-way, the tips are still candidates for the next one.
    await forgetJobs(deps.redis, deps.queues.tipQueues, new Set(ids));
    // `purge` also drops the index entry of a tip already gone, so this loop always ends.
    for (const id of ids) if (await deps.store.purge(id)) purged++;
  }
  if (purged > 0) deps.logger.info({ purged, retentionDays: deps.retentionDays }, "expired tips purged");
  return { purged };
}

/**
 * The tip (or school incident) a job is about: its own `tipId` or `incidentId`, or the one of the
 * job a dead letter keeps.
 */
function tipOf(data: unknown): string | undefined {
  const d = data as
    | { tipId?: unknown; incidentId?: unknown; data?: { tipId?: unknown; incidentId?: unknown } }
    | undefined;
  const id = d?.tipId ?? d?.incidentId ?? d?.data?.tipId ?? d?.data?.incidentId;
  return typeof id === "string" ? id : undefined;
}

/**
 * Removes the jobs about these tips (finished, failed, waiting or delayed; a running job is its
 * worker's and is left) and the entries of the queues' event streams that name them.
 */
export async function forgetJobs(
  redis: Redis,
  queues: readonly Queue[],
  ids: ReadonlySet<string>,
): Promise<void> {
  for (const queue of queues) {
    const doomed: Job[] = [];
    for (let start = 0; ; start += PAGE) {
      const jobs = await queue.getJobs([...RETAINED], start, start + PAGE - 1, true);
      for (const job of jobs) if (job && ids.has(tipOf(job.data) ?? "")) doomed.push(job);
      if (jobs.length < PAGE) break;
    }
    for (const job of doomed) await job.remove().catch(() => undefined);
    await forgetEvents(redis, queue, ids);
  }
}

/** Deletes the event stream entries (job ids like `notify-<tip id>-q-1`) that name these tips. */
async function forgetEvents(client: Redis, queue: Queue, ids: ReadonlySet<string>): Promise<void> {
  const key = queue.keys.events;
  if (!key) return;
  let from = "-";
  for (;;) {
    const entries = await client.xrange(key, from, "+", "COUNT", PAGE);
    const named = entries
      .filter(([, fields]) => fields.some((f) => (f.match(UUID) ?? []).some((id) => ids.has(id))))
      .map(([id]) => id);
    if (named.length > 0) await client.xdel(key, ...named);
    const last = entries.at(-1)?.[0];
    if (entries.length < PAGE || !last) break;
    from = `(${last}`;
  }
}
