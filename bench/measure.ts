import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { quantile } from "../workers/stats.js";

/** Shared by the benchmark scripts: latency summaries, peak memory, and the result line. */

export interface Latency {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly mean: number;
}

/** Nearest-rank percentiles (the statistics report's `quantile`) in milliseconds, rounded to 0.01 ms. */
export function latency(samples: readonly number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => quantile(sorted, q) ?? 0;
  const r = (x: number) => Math.round(x * 100) / 100;
  const mean = sorted.length === 0 ? 0 : sorted.reduce((s, x) => s + x, 0) / sorted.length;
  return { n: sorted.length, p50: r(at(0.5)), p95: r(at(0.95)), p99: r(at(0.99)), mean: r(mean) };
}

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** One benchmark row: what was measured, its latency, throughput and memory. */
export interface Row {
  readonly scenario: string;
  readonly variant: string;
  readonly latencyMs?: Latency;
  /** Operations per second (queries, tips, updates). */
  readonly throughput?: number;
  readonly peakRssMb?: number;
  readonly [extra: string]: unknown;
}

/** Marks the line `bench/run.ts` reads from a scenario's output. */
export const RESULT_PREFIX = "BENCH-RESULT ";

/** Prints the scenario's rows for the runner (and readably for a person running it alone). */
export function report(rows: readonly Row[], notes: Record<string, unknown> = {}): void {
  console.log(RESULT_PREFIX + JSON.stringify({ rows, notes }));
}

/** `../shared` beside the project, where the dev question sets and seed documents live. */
export const SHARED = resolve(import.meta.dirname, "../../shared");

/** Exits with a clear message when the shared material is not there (a user's clone). */
export function requireShared(what: string): void {
  if (existsSync(SHARED)) return;
  console.log(`${what}: skipped — ${SHARED} is absent (it holds the ALQAC laws and questions)`);
  report([], { skipped: `${SHARED} absent` });
  process.exit(0);
}
