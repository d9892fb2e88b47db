import { mkdtemp, readdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { localRedis } from "../../bot/local-redis.js";
import { createLogger } from "../../logger.js";

async function unusedPort(): Promise<number> {
  return new Promise((ok) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

const logger = createLogger("silent");

describe("the embedded Redis default", () => {
  it("uses a Redis that answers", async () => {
    const r = await localRedis({ logger });
    expect(r.url).toBe("redis://127.0.0.1:6379");
  });

  it("says in one line how to get Redis when none answers and no redis-server exists", async () => {
    const probe = { host: "127.0.0.1", port: await unusedPort() };
    await expect(
      localRedis({ logger, probe, binary: "redis-server-that-is-not-installed" }),
    ).rejects.toMatchObject({
      name: "LocalRedisError",
      message: expect.stringMatching(
        /^No Redis answers on 127\.0\.0\.1:\d+ and no redis-server-that-is-not-installed is installed: .*REDIS_URL\.$/,
      ),
    });
  });

  it("starts a private redis-server with an append-only file under the data folder", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ssg-local-redis-"));
    const r = await localRedis({
      logger,
      probe: { host: "127.0.0.1", port: await unusedPort() },
      dataDir: dir,
    });
    try {
      const client = new Redis(r.url);
      await client.set("k", "v");
      expect(await client.config("GET", "maxmemory-policy")).toEqual(["maxmemory-policy", "noeviction"]);
      expect(await client.config("GET", "appendonly")).toEqual(["appendonly", "yes"]);
      client.disconnect();
      expect((await readdir(dir)).join(" ")).toMatch(/appendonly/);
    } finally {
      await r.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
