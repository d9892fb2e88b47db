import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MediaUrlSigner } from "../../bot/http/media-urls.js";
import { createHttpServer } from "../../bot/http/server.js";
import { createLogger } from "../../logger.js";
import { photoWithMetadata } from "../fixtures/photos.js";
import { type TestRuntime, testRuntime } from "../workers/harness.js";

describe("signed, expiring photo URLs", () => {
  let rt: TestRuntime;
  let app: FastifyInstance;
  let signer: MediaUrlSigner;
  let clock = Date.now();

  beforeAll(async () => {
    rt = await testRuntime();
    signer = new MediaUrlSigner(randomBytes(32), "https://bot.example.vn", 60_000, () => clock);
    app = createHttpServer({ logger: createLogger("silent"), media: { signer, store: rt.store } });
  });
  afterAll(async () => {
    await app.close();
    await rt.dispose();
  });

  it("serves a stored photo only with a valid, unexpired signature", async () => {
    const id = await rt.intake.addPhoto(await photoWithMetadata(32, 24));
    const stored = await rt.store.getPhoto(id);
    expect(MediaUrlSigner.idOf(stored as Buffer)).toBe(id);
    const url = new URL(signer.urlFor(id));
    expect(url.origin).toBe("https://bot.example.vn");
    const path = `${url.pathname}${url.search}`;

    const ok = await app.inject({ method: "GET", url: path });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers["content-type"]).toBe("image/jpeg");
    expect(ok.rawPayload.equals(stored as Buffer)).toBe(true);

    const tampered = path.replace(/sig=./, (m) => (m.endsWith("A") ? "sig=B" : "sig=A"));
    expect((await app.inject({ method: "GET", url: tampered })).statusCode).toBe(403);
    expect((await app.inject({ method: "GET", url: url.pathname })).statusCode).toBe(403);
    const other = "0".repeat(32);
    expect((await app.inject({ method: "GET", url: `/media/${other}.jpg${url.search}` })).statusCode).toBe(
      403,
    );
    const missing = new URL(signer.urlFor("f".repeat(32)));
    expect(
      (await app.inject({ method: "GET", url: `${missing.pathname}${missing.search}` })).statusCode,
    ).toBe(404);

    clock += 120_000;
    expect((await app.inject({ method: "GET", url: path })).statusCode).toBe(403);
  });
});
