import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../bot/local-redis.js";
import { RecordingMessenger } from "../fakes/recording-messenger.js";
import { hasCommand, missingTool } from "../requirements.js";
import { type TestRuntime, testRuntime } from "./harness.js";

const noRedisServer = missingTool(
  "redis-server",
  hasCommand("redis-server"),
  "apt-get install redis-server, or run .ci/run",
);

/** A private redis-server with an append-only file fsynced on every write. */
class DurableRedis {
  private child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  async start(): Promise<void> {
    this.child = spawn(
      "redis-server",
      [
        "--port",
        String(this.port),
        "--bind",
        "127.0.0.1",
        "--dir",
        this.dir,
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--save",
        "",
      ],
      { stdio: "ignore" },
    );
    const probe = new Redis(this.port, "127.0.0.1", {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    // Refused connections are expected while the server starts; the loop below retries.
    probe.on("error", () => undefined);
    for (let i = 0; i < 100; i++) {
      try {
        await probe.connect();
        await probe.ping();
        break;
      } catch {
        probe.disconnect();
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    probe.disconnect();
  }

  /** Crash: SIGKILL, no shutdown save. */
  async kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((r) => {
      c.once("exit", () => r());
      c.kill("SIGKILL");
    });
  }
}

describe.skipIf(noRedisServer)(
  "tips survive a crash of a durable Redis (AOF) in the middle of a burst (needs redis-server)",
  () => {
    let rt: TestRuntime | undefined;
    let redis: DurableRedis | undefined;
    afterAll(async () => {
      await rt?.dispose();
      await redis?.kill();
      if (redis) await rm(redis.dir, { recursive: true, force: true });
    });

    it("loses no tip", { timeout: 120_000 }, async () => {
      redis = new DurableRedis(await freePort(), await mkdtemp(join(tmpdir(), "ssg-aof-")));
      await redis.start();
      const messenger = new RecordingMessenger();
      rt = await testRuntime(
        messenger,
        {},
        {
          REDIS_URL: `redis://127.0.0.1:${redis.port}`,
          TIPS_PER_SENDER_PER_HOUR: "1000",
          TIPS_PER_PLACE_PER_HOUR: "100000",
          TIPS_PER_MINUTE: "100000",
        },
      );

      const burst = 60;
      const submissions: Array<Promise<string>> = [];
      for (let i = 0; i < burst; i++) {
        submissions.push(
          rt.intake
            .submit(
              {
                category: "bao-luc-hoc-duong",
                urgency: "binh-thuong",
                place: { schoolId: "thpt-tran-phu" },
                description: `Tin báo trong lúc Redis khởi động lại, số ${i}.`,
              },
              { channel: "telegram", chatId: `s-${i % 5}` },
            )
            .then((r) => r.caseCode),
        );
        if (i === burst / 3) {
          // Crash Redis with submissions and deliveries in flight, then bring it back on its AOF.
          await redis.kill();
          await new Promise((r) => setTimeout(r, 300));
          await redis.start();
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      const codes = await Promise.all(submissions);
      expect(new Set(codes).size).toBe(burst);
      await messenger.waitFor(
        () => codes.every((c) => messenger.sent.some((s) => s.message.text.includes(c))),
        60_000,
      );
      for (const code of codes) {
        const id = await rt.store.idForCaseCode(code);
        expect(id, code).toBeDefined();
        expect((await rt.store.get(id as string))?.description).toContain("Redis khởi động lại");
      }
    });
  },
);
