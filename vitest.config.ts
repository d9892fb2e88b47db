import { defineConfig } from "vitest/config";

/**
 * Test files that touch no Redis and start no process: they run in parallel. Every other file
 * (the tip pipeline, the bots, the web chat, the crash and restart tests; and any new folder,
 * until it is listed here) uses the Redis at 127.0.0.1:6379, starts redis-server or spawns the
 * bot and worker processes, and runs one file at a time in a single fork (STYLE §7): each keeps
 * its own key prefix, and timing-sensitive tests (deadlines, pacing, crash recovery) do not share
 * the CPU and Redis with another such file. Vitest runs the parallel files first, then these.
 */
const PARALLEL = ["test/knowledge/**/*.test.ts", "test/text/**/*.test.ts", "test/*.test.ts"];

export default defineConfig({
  test: {
    // Building the ALQAC index takes a few seconds on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: "parallel", include: PARALLEL } },
      {
        extends: true,
        test: {
          name: "serial",
          include: ["test/**/*.test.ts"],
          exclude: PARALLEL,
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
