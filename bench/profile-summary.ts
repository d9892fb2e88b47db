/**
 * Where a `node --cpu-prof` profile spent its time: self time per function, largest first.
 * Usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [top=15]
 */
import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { z } from "zod";

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: profile-summary.ts <file.cpuprofile> [top]");
  process.exit(2);
}
const profile = profileSchema.parse(JSON.parse(await readFile(file, "utf8")));
const nameOf = new Map(
  profile.nodes.map((n) => {
    const { functionName, url, lineNumber } = n.callFrame;
    const where = url ? ` ${relative(process.cwd(), url.replace(/^file:\/\//, ""))}:${lineNumber + 1}` : "";
    return [n.id, `${functionName || "(anonymous)"}${where}`];
  }),
);
const self = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  const name = nameOf.get(id) ?? "?";
  self.set(name, (self.get(name) ?? 0) + dt);
});
const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 15));
console.log(`${(total / 1e6).toFixed(1)} s sampled`);
for (const [name, us] of top)
  console.log(
    `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`,
  );
