import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerQueueBoard } from "../../bot/http/queue-board.js";
import { createHttpServer } from "../../bot/http/server.js";
import { createLogger } from "../../logger.js";
import { type TestRuntime, testRuntime } from "../workers/harness.js";

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("the queue dashboard (Bull Board)", () => {
  let rt: TestRuntime;
  const app = createHttpServer({ logger: createLogger("silent") });
  beforeAll(async () => {
    rt = await testRuntime();
    await registerQueueBoard(app, rt.queues, { user: "admin", password: "correct horse battery" });
  });
  afterAll(async () => {
    await app.close();
    await rt.dispose();
  });

  it("refuses requests without the right credentials", async () => {
    for (const authorization of [
      undefined,
      basic("admin", "wrong password!!"),
      basic("root", "correct horse battery"),
      "Bearer x",
    ]) {
      const r = await app.inject({
        method: "GET",
        url: "/admin/queues",
        ...(authorization && { headers: { authorization } }),
      });
      expect(r.statusCode).toBe(401);
      expect(r.headers["www-authenticate"]).toContain("Basic");
    }
    const api = await app.inject({ method: "GET", url: "/admin/queues/api/queues" });
    expect(api.statusCode).toBe(401);
  });

  it("shows the pipeline's queues to an admin", async () => {
    const headers = { authorization: basic("admin", "correct horse battery") };
    expect((await app.inject({ method: "GET", url: "/admin/queues", headers })).statusCode).toBe(200);
    const api = await app.inject({ method: "GET", url: "/admin/queues/api/queues", headers });
    expect(api.statusCode).toBe(200);
    expect(api.body).toContain("notify");
    expect(api.body).toContain("dead-letter");
  });
});
