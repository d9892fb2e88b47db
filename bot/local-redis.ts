import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { Redis } from "ioredis";
import type { Logger } from "../logger.js";

/** No Redis to use and none can be started. The message is the one line to show. */
export class LocalRedisError extends Error {
  override readonly name = "LocalRedisError";
}

export interface LocalRedisOptions {
  /** Where to look for a running Redis first. Default 127.0.0.1:6379. */
  readonly probe?: { readonly host: string; readonly port: number };
  /** The redis-server program. Default "redis-server" on PATH. */
  readonly binary?: string;
  /** Data and AOF folder of a private server. Default ./data/redis. */
  readonly dataDir?: string;
  readonly logger: Logger;
}

export interface ResolvedRedis {
  readonly url: string;
  /** Stops the private server, if one was started. */
  stop(): Promise<void>;
}

async function answers(host: string, port: number): Promise<boolean> {
  const client = new Redis(port, host, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 500,
  });
  // A refused connection is the expected answer when nothing runs there.
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on right now (for child servers and tests). */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

/**
 * For running without configuration: uses the Redis on 127.0.0.1:6379 if one answers, else
 * starts a private `redis-server` with its data and append-only file under ./data/redis
 * (durable, `noeviction` as BullMQ needs), else fails with one clear line.
 */
export async function localRedis(opts: LocalRedisOptions): Promise<ResolvedRedis> {
  const probe = opts.probe ?? { host: "127.0.0.1", port: 6379 };
  if (await answers(probe.host, probe.port))
    return { url: `redis://${probe.host}:${probe.port}`, stop: async () => undefined };
  const binary = opts.binary ?? "redis-server";
  if (spawnSync(binary, ["--version"], { stdio: "ignore" }).error)
    throw new LocalRedisError(
      `No Redis answers on ${probe.host}:${probe.port} and no ${binary} is installed: install Redis (e.g. \`apt-get install redis-server\`) or set REDIS_URL.`,
    );
  const dir = resolve(opts.dataDir ?? "data/redis");
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--appendfsync",
      "everysec",
      "--save",
      "",
      "--maxmemory-policy",
      "noeviction",
    ],
    { stdio: "ignore" },
  );
  for (let i = 0; i < 100 && !(await answers("127.0.0.1", port)); i++)
    await new Promise((r) => setTimeout(r, 50));
  if (!(await answers("127.0.0.1", port))) {
    child.kill("SIGKILL");
    throw new LocalRedisError(
      `${binary} did not start (data in ${dir}); set REDIS_URL to use another Redis.`,
    );
  }
  opts.logger.info(
    { port, dir },
    "started a private redis-server (no Redis on 127.0.0.1:6379, REDIS_URL unset)",
  );
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      // SIGTERM lets Redis flush its append-only file.
      await new Promise<void>((r) => {
        child.once("exit", () => r());
        child.kill("SIGTERM");
      });
    },
  };
}
