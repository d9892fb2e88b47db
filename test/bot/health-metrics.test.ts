import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpServer } from "../../bot/http/server.js";
import { createLogger } from "../../logger.js";
import { MessengerPermanentError } from "../../workers/messenger.js";
import { RecordingMessenger } from "../fakes/recording-messenger.js";
import { type TestRuntime, testRuntime } from "../workers/harness.js";

const ADMIN = { user: "admin", password: "correct horse battery" };
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("/healthz and /metrics", () => {
  let rt: TestRuntime;
  let messenger: RecordingMessenger;
  beforeAll(async () => {
    messenger = new RecordingMessenger();
    rt = await testRuntime(messenger);
  });
  afterAll(async () => {
    await rt.dispose();
  });

  it("answers 200 when every check passes and 503 when one fails", async () => {
    const healthy = createHttpServer({
      logger: createLogger("silent"),
      health: async () => ({ redis: true, index: true }),
    });
    const r = await healthy.inject({ method: "GET", url: "/healthz" });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ ok: true, status: "ok", checks: { redis: true, index: true } });
    const sick = createHttpServer({
      logger: createLogger("silent"),
      health: async () => ({ redis: false, index: true }),
    });
    expect((await sick.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(503);
    const broken = createHttpServer({
      logger: createLogger("silent"),
      health: async () => {
        throw new Error("boom");
      },
    });
    expect((await broken.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(503);
  });

  it("answers 200 but degraded when a part the service can do without for a while fails", async () => {
    const app = createHttpServer({
      logger: createLogger("silent"),
      health: async () => ({ redis: true }),
      degraded: async () => ({ database: false }),
    });
    const r = await app.inject({ method: "GET", url: "/healthz" });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ ok: true, status: "degraded", checks: { redis: true, database: false } });
    const failing = createHttpServer({
      logger: createLogger("silent"),
      health: async () => ({ redis: false }),
      degraded: async () => ({ database: true }),
    });
    const f = await failing.inject({ method: "GET", url: "/healthz" });
    expect(f.statusCode).toBe(503);
    expect(f.json()).toMatchObject({ ok: false, status: "failing" });
  });

  it("counts tips, delivery failures, acknowledgement latency and queue depths", async () => {
    const app = createHttpServer({
      logger: createLogger("silent"),
      metrics: rt.metrics.registry,
      admin: ADMIN,
    });
    const tipster = { channel: "telegram" as const, chatId: "5550006161" };
    messenger.failNext(new MessengerPermanentError("403 Forbidden: bot was blocked by the user"));
    const { tipId } = await rt.intake.submit(
      {
        category: "chay-no",
        urgency: "khan-cap",
        place: { communeId: "xa-hoa-binh" },
        description: "Bình ga rò rỉ ở bếp ăn trường.",
      },
      tipster,
    );
    await messenger.waitFor(() => messenger.sent.some((s) => s.message.text.includes("CẢNH BÁO")));
    await rt.triage.acknowledge({ channel: "telegram", chatId: "100000001" }, tipId);
    const text = (
      await app.inject({
        method: "GET",
        url: "/metrics",
        headers: { authorization: basic(ADMIN.user, ADMIN.password) },
      })
    ).body;
    expect(text).toMatch(/ssg_tips_total\{category="chay-no",urgency="khan-cap"\} 1/);
    expect(text).toMatch(/ssg_delivery_failures_total\{kind="new-tip"\} 1/);
    expect(text).toMatch(/ssg_tip_ack_seconds_count 1/);
    expect(text).toMatch(/ssg_queue_jobs\{queue="dead-letter",state="waiting"\} 1/);
    expect(text).not.toContain("5550006161");
  });

  it("shows /metrics to the admin only, and not at all without admin credentials", async () => {
    const app = createHttpServer({
      logger: createLogger("silent"),
      metrics: rt.metrics.registry,
      admin: ADMIN,
    });
    for (const authorization of [
      undefined,
      basic(ADMIN.user, "correct horse batterx"),
      basic("root", ADMIN.password),
      basic(ADMIN.user, ""),
      "Bearer x",
    ]) {
      const r = await app.inject({
        method: "GET",
        url: "/metrics",
        ...(authorization && { headers: { authorization } }),
      });
      expect(r.statusCode, authorization).toBe(401);
      expect(r.headers["www-authenticate"]).toContain("Basic");
      expect(r.body).not.toContain("ssg_");
    }
    const ok = await app.inject({
      method: "GET",
      url: "/metrics",
      headers: { authorization: basic(ADMIN.user, ADMIN.password) },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain("ssg_tips_total");
    const noAdmin = createHttpServer({ logger: createLogger("silent"), metrics: rt.metrics.registry });
    const r = await noAdmin.inject({ method: "GET", url: "/metrics" });
    expect(r.statusCode).toBe(404);
    expect(r.body).not.toContain("ssg_");
  });
});
