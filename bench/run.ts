/**
 * `npm run bench`: every scenario in its own process (so each peak RSS is its own), one table per
 * scenario, and the same as JSON in bench/results/latest.json.
 *   npm run bench                  retrieval at 2k/20k/100k chunks, tip burst 200/s × 30 s,
 *                                  webhook ingress 10 s per kind, ALQAC accuracy (~11 min)
 *   npm run bench -- --quick       2k/20k chunks, 200/s × 10 s, 5 s per kind (~2 min)
 *   npm run bench -- --only tips   one scenario: retrieval | tips | webhook | accuracy
 * Needs Redis (REDIS_URL, default 127.0.0.1:6379); retrieval and accuracy need ../shared.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { RESULT_PREFIX, type Row } from "./measure.js";

const { values } = parseArgs({
  options: { quick: { type: "boolean", default: false }, only: { type: "string" } },
});
const ROOT = resolve(import.meta.dirname, "..");
const quick = values.quick;

interface Step {
  readonly scenario: string;
  readonly script: string;
  readonly args: string[];
}
const steps: Step[] = [
  ...(quick ? ["2000", "20000"] : ["2000", "20000", "100000"]).map((n) => ({
    scenario: "retrieval",
    script: "retrieval.ts",
    args: [n],
  })),
  { scenario: "tips", script: "tip-burst.ts", args: ["200", quick ? "10" : "30"] },
  { scenario: "webhook", script: "webhook-ingress.ts", args: [quick ? "5" : "10", "32"] },
  { scenario: "accuracy", script: "accuracy.ts", args: [] },
].filter((s) => !values.only || s.scenario === values.only);

function runStep(step: Step): Promise<{ rows: Row[]; notes: Record<string, unknown> }> {
  return new Promise((ok, fail) => {
    console.error(`… ${step.script} ${step.args.join(" ")}`);
    const child = spawn(process.execPath, ["--import", "tsx", join("bench", step.script), ...step.args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
      if (code !== 0 || !line) return fail(new Error(`${step.script} failed (exit ${code}):\n${out}`));
      ok(JSON.parse(line.slice(RESULT_PREFIX.length)) as { rows: Row[]; notes: Record<string, unknown> });
    });
  });
}

const fmt = (x: unknown) =>
  x === undefined || x === null ? "" : typeof x === "object" ? JSON.stringify(x) : String(x);

function printTable(title: string, rows: readonly Row[], notes: Record<string, unknown>): void {
  console.log(`\n## ${title}`);
  console.table(
    rows.map((r) => {
      const { scenario: _s, variant, latencyMs, throughput, peakRssMb, ...extra } = r;
      return {
        variant,
        "p50 ms": fmt(latencyMs?.p50),
        "p95 ms": fmt(latencyMs?.p95),
        "p99 ms": fmt(latencyMs?.p99),
        "per s": fmt(throughput),
        "peak RSS MB": fmt(peakRssMb),
        ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, fmt(v)])),
      };
    }),
  );
  if (Object.keys(notes).length > 0) console.log(notes);
}

const results: Record<string, { rows: Row[]; notes: Record<string, unknown>[] }> = {};
for (const step of steps) {
  const r = await runStep(step);
  const entry = results[step.scenario] ?? { rows: [], notes: [] };
  entry.rows.push(...r.rows);
  entry.notes.push(r.notes);
  results[step.scenario] = entry;
}
for (const [scenario, r] of Object.entries(results))
  printTable(scenario, r.rows, Object.assign({}, ...r.notes.filter((n) => Object.keys(n).length > 0)));

const rev = (() => {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT }).toString().trim();
  } catch {
    return undefined;
  }
})();
const out = join(ROOT, "bench/results/latest.json");
await mkdir(join(ROOT, "bench/results"), { recursive: true });
await writeFile(
  out,
  `${JSON.stringify(
    {
      at: new Date().toISOString(),
      rev,
      quick,
      machine: {
        cpus: cpus().length,
        cpu: cpus()[0]?.model,
        memGb: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      results,
    },
    null,
    2,
  )}\n`,
);
console.log(`\nwritten to ${out}`);
