import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Update } from "grammy/types";
import type { Redis } from "ioredis";
import type { Registry } from "prom-client";
import type { Logger } from "../../logger.js";
import type { TipStore } from "../../workers/tip/tip-store.js";
import type { Dialogue } from "../dialogue/dialogue.js";
import type { TelegramBot } from "../telegram/bot.js";
import { parseZaloUpdate } from "../zalo/zalo-api.js";
import type { ZaloClient } from "../zalo/zalo-client.js";
import { handleZaloUpdate } from "../zalo/zalo-updates.js";
import { type AdminCredentials, basicAuth } from "./basic-auth.js";
import type { MediaUrlSigner } from "./media-urls.js";
import { secretMatches } from "./secret.js";

/** A readiness check: each part of the service says whether it works. */
export type HealthCheck = () => Promise<Record<string, boolean>>;

export interface HttpServerDeps {
  readonly logger: Logger;
  /** Behind a load balancer: the client address comes from X-Forwarded-For. */
  readonly trustProxy?: boolean;
  /** `/healthz` answers 200 only when every check passes (503 otherwise). */
  readonly health?: HealthCheck;
  /**
   * Parts the service works without, for a while: one that fails makes `/healthz` answer 200
   * with `"status": "degraded"` (e.g. the directory's database is down, routing goes on with the
   * last good directory), so a load balancer keeps sending traffic and monitoring sees it.
   */
  readonly degraded?: HealthCheck;
  /**
   * Served at `/metrics` in Prometheus text format, to `admin` only (it shows when tips of each
   * kind came in); not served at all without `admin`.
   */
  readonly metrics?: Registry;
  /** ADMIN_USER / ADMIN_PASSWORD: HTTP basic authentication of `/metrics`. */
  readonly admin?: AdminCredentials;
  /** Serves tip photos at signed, expiring URLs (for Zalo, which fetches photos by URL). */
  readonly media?: { readonly signer: MediaUrlSigner; readonly store: TipStore };
  /** `/healthz` fails, with the reason, until the bot is initialised (getMe answered). */
  readonly telegram?: { readonly bot: TelegramBot; readonly secret: string };
  readonly zalo?: {
    readonly client: ZaloClient;
    readonly dialogue: Dialogue;
    readonly secret: string;
    /** Redis and key prefix to remember delivered events (Zalo redelivers on slow answers). */
    readonly redis: Redis;
    readonly prefix: string;
  };
}

/** Webhook updates are small; anything bigger is not a real update. */
const BODY_LIMIT = 1024 * 1024;

/**
 * An `onRequest` hook: 401 unless `header` holds `secret` (constant time). It runs before the
 * body is read, so an unauthenticated request never reaches the JSON parser.
 */
function requireSecret(header: string, secret: string) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (!secretMatches(req.headers[header], secret)) return reply.code(401).send({ ok: false });
    return undefined;
  };
}

/**
 * The HTTP server: Telegram and Zalo webhooks (each checks its secret header in constant time
 * and answers 401 without reading the body when it is missing or wrong), a health check and,
 * for the admin, metrics.
 */
export function createHttpServer(deps: HttpServerDeps): FastifyInstance {
  const app = Fastify({ bodyLimit: BODY_LIMIT, logger: false, trustProxy: deps.trustProxy ?? false });

  // One line per request with only what is safe by construction: method, route *pattern* (never
  // the URL, whose query may hold a signature or a case code), status and time. No address, no
  // headers, no cookie, no body.
  app.addHook("onResponse", async (req, reply) => {
    const route = req.routeOptions.url ?? "(no route)";
    const level = route === "/healthz" || route === "/metrics" ? "debug" : "info";
    deps.logger[level](
      { method: req.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      "http request",
    );
  });

  app.get("/healthz", async (_req, reply) => {
    let checks: Record<string, boolean> = {};
    try {
      checks = deps.health ? await deps.health() : {};
    } catch (err) {
      deps.logger.error({ err: (err as Error).message }, "health check failed");
      return reply.code(503).send({ ok: false });
    }
    const reasons: Record<string, string> = {};
    const telegramProblem = deps.telegram?.bot.initProblem();
    if (deps.telegram) checks = { ...checks, telegram: telegramProblem === undefined };
    if (telegramProblem) reasons.telegram = telegramProblem;
    const ok = Object.values(checks).every(Boolean);
    let optional: Record<string, boolean> = {};
    try {
      optional = deps.degraded ? await deps.degraded() : {};
    } catch (err) {
      deps.logger.error({ err: (err as Error).message }, "health check failed");
      optional = { degraded: false };
    }
    const status = !ok ? "failing" : Object.values(optional).every(Boolean) ? "ok" : "degraded";
    return reply.code(ok ? 200 : 503).send({
      ok,
      status,
      checks: { ...checks, ...optional },
      ...(Object.keys(reasons).length > 0 && { reasons }),
    });
  });

  const registry = deps.metrics;
  const admin = deps.admin;
  if (registry && admin)
    app.get("/metrics", { onRequest: basicAuth(admin, "metrics") }, async (_req, reply) =>
      reply.header("content-type", registry.contentType).send(await registry.metrics()),
    );
  else if (registry) deps.logger.info("/metrics is not served: it needs the admin's credentials");

  const media = deps.media;
  if (media) {
    app.get<{ Params: { id: string }; Querystring: { exp?: string; sig?: string } }>(
      "/media/:id.jpg",
      async (req, reply) => {
        const { id } = req.params;
        if (!/^[a-f0-9]{32}$/.test(id) || !media.signer.verify(id, req.query.exp, req.query.sig))
          return reply.code(403).send({ ok: false });
        const bytes = await media.store.getPhoto(id);
        if (!bytes) return reply.code(404).send({ ok: false });
        return reply
          .header("content-type", "image/jpeg")
          .header("cache-control", "private, no-store")
          .send(bytes);
      },
    );
  }

  const telegram = deps.telegram;
  if (telegram) {
    const onRequest = requireSecret("x-telegram-bot-api-secret-token", telegram.secret);
    app.post("/webhook/telegram", { onRequest }, async (req, reply) => {
      const body = req.body as Partial<Update> | undefined;
      if (!body || typeof body !== "object" || typeof body.update_id !== "number")
        return reply.code(400).send({ ok: false, error: "not a Telegram update" });
      // Until getMe has answered, updates cannot be handled: Telegram redelivers after a 503.
      if (!telegram.bot.isInited())
        return reply.code(503).header("retry-after", "10").send({ ok: false, error: "bot not ready" });
      await telegram.bot.handleUpdate(body as Update);
      return { ok: true };
    });
  }

  const zalo = deps.zalo;
  if (zalo) {
    const onRequest = requireSecret("x-bot-api-secret-token", zalo.secret);
    app.post("/webhook/zalo", { onRequest }, async (req, reply) => {
      let update: ReturnType<typeof parseZaloUpdate>;
      try {
        update = parseZaloUpdate(req.body);
      } catch (err) {
        deps.logger.warn({ err: (err as Error).message }, "bad zalo webhook body");
        return reply.code(400).send({ ok: false, error: "not a Zalo update" });
      }
      // Zalo redelivers an event it thinks was lost: handle each (event, message) once.
      const key =
        update.kind === "other"
          ? undefined
          : `${zalo.prefix}:zalo-seen:${update.kind}:${update.message.message_id}`;
      if (key && (await zalo.redis.set(key, "1", "EX", 86_400, "NX")) !== "OK")
        return { ok: true, duplicate: true };
      try {
        await handleZaloUpdate(zalo.client, zalo.dialogue, update);
      } catch (err) {
        // Forget the event so that Zalo's redelivery is handled, rather than lost.
        if (key) await zalo.redis.del(key);
        throw err;
      }
      return { ok: true };
    });
  }
  return app;
}
