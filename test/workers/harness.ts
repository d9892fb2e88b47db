import { randomBytes, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { Writable } from "node:stream";
import type { Queue } from "bullmq";
import { parse } from "yaml";
import { parseConfig } from "../../config.js";
import { createLogger } from "../../logger.js";
import type { Messenger } from "../../workers/messenger.js";
import type { PipelineOptions } from "../../workers/pipeline.js";
import { type Routing, RoutingTable } from "../../workers/routing/routing-table.js";
import { createTipRuntime, type RuntimeOptions, type TipRuntime } from "../../workers/runtime.js";

export const EXAMPLE_ROUTING = resolve(import.meta.dirname, "../../workers/routing/example-province.yaml");

/**
 * Deadlines no test waits out: for tests where an escalation firing on its own (a slow, loaded
 * machine) would only add noise.
 */
export const NO_DEADLINES = { "khan-cap": "1h", "binh-thuong": "1h" };

/** The example province with its acknowledgement deadlines shortened for tests. */
export async function exampleRouting(
  deadlines = { "khan-cap": "1s", "binh-thuong": "2s" },
): Promise<RoutingTable> {
  const doc = parse(await readFile(EXAMPLE_ROUTING, "utf8")) as Record<string, unknown>;
  return RoutingTable.parse({ ...doc, deadlines }, EXAMPLE_ROUTING);
}

export interface TestRuntime extends TipRuntime {
  readonly prefix: string;
  /** Every log line written, as text. */
  readonly logs: string[];
  /** Removes every key the test created, then closes. */
  dispose(): Promise<void>;
}

/**
 * A tip runtime on the real Redis at 127.0.0.1:6379 under a unique prefix, with captured logs
 * and fresh secrets.
 */
export async function testRuntime(
  messenger?: Messenger,
  options: Partial<PipelineOptions> = {},
  env: Record<string, string> = {},
  routing?: Routing,
  /** More runtime options, e.g. `{ database }` for the statistics rows. */
  extra: Omit<RuntimeOptions, "logger" | "workers" | "routing"> = {},
): Promise<TestRuntime> {
  const prefix = `test-${randomUUID()}`;
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString("utf8"));
      done();
    },
  });
  const config = parseConfig({
    QUEUE_PREFIX: prefix,
    TIP_REPLY_KEY: randomUUID().replaceAll("-", "").repeat(2),
    TIP_SENDER_SALT: randomUUID(),
    TIP_DATA_KEY: randomBytes(32).toString("hex"),
    CHAT_MIN_INTERVAL_MS: "0",
    NOTIFY_BACKOFF_MS: "50",
    ...env,
  });
  const runtime = await createTipRuntime(config, {
    ...extra,
    logger: createLogger("debug", sink),
    routing: routing ?? (await exampleRouting()),
    ...(messenger && {
      workers: { messenger, options: { stalledIntervalMs: 1000, lockDurationMs: 2000, ...options } },
    }),
  });
  return {
    ...runtime,
    prefix,
    logs,
    async dispose() {
      await runtime.pipeline?.close();
      for (const q of [
        runtime.queues.intake,
        runtime.queues.notify,
        runtime.queues.escalate,
        runtime.queues.deadLetter,
      ])
        await q.obliterate({ force: true });
      const keys = await runtime.redis.keys(`${prefix}:*`);
      if (keys.length > 0) await runtime.redis.del(...keys);
      await runtime.close();
    },
  };
}

/** Polls until `check` resolves truthy. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Resolves once none of the queues has a job waiting, running, delayed or retrying: nothing
 * more can be sent by them, so a test can count messages without sleeping "long enough".
 */
export async function drained(queues: readonly Queue[], timeoutMs = 30_000): Promise<void> {
  await eventually(async () => {
    for (const q of queues) {
      const counts = await q.getJobCounts("waiting", "active", "delayed", "prioritized", "paused");
      if (Object.values(counts).some((n) => n > 0)) return false;
    }
    return true;
  }, timeoutMs);
}

/** Waits for a job to finish and gives its final state and return value. */
export async function finished(
  queue: Queue,
  jobId: string,
  timeoutMs = 30_000,
): Promise<{ state: "completed" | "failed"; returnvalue: unknown }> {
  return eventually(async () => {
    // State first: a job read before it finished would carry no return value.
    const state = await queue.getJobState(jobId);
    if (state !== "completed" && state !== "failed") return undefined;
    return { state, returnvalue: (await queue.getJob(jobId))?.returnvalue };
  }, timeoutMs);
}
