import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import cookie from "@fastify/cookie";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { COOKIE, type ConsoleDeps, fail } from "./context.js";
import { directoryRoutes } from "./directory-routes.js";
import { documentRoutes } from "./document-routes.js";
import { inboxRoutes } from "./inbox-routes.js";
import { incidentRoutes } from "./incident-routes.js";
import { meRoutes, sessionRoutes } from "./session-routes.js";
import { statisticsRoutes } from "./statistics-routes.js";
import { resolveViewer } from "./viewer.js";

const PUBLIC_DIR = fileURLToPath(new URL("./public/", import.meta.url));
/** Chart.js's browser build, served from the installed package (no CDN: strict CSP, offline). */
const CHART_JS = join(dirname(createRequire(import.meta.url).resolve("chart.js")), "chart.umd.js");

/** Methods that change something: they must carry `x-console: 1`, which no cross-site form can send. */
const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * The console for police and schools at `/console/`: pages (console/public) and their JSON API
 * (console/API.md) under a strict CSP. Sessions come from one-time links (`/dangnhap` in the
 * bot, or the command line) and live in Redis; every API request is authorised from the
 * directory at the time it is made.
 */
export async function registerConsole(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(helmet, {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          imgSrc: ["'self'", "data:"],
          styleSrc: ["'self'"],
          scriptSrc: ["'self'"],
          connectSrc: ["'self'"],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
          baseUri: ["'none'"],
          upgradeInsecureRequests: deps.secureCookies ? [] : null,
        },
      },
      frameguard: { action: "deny" },
      referrerPolicy: { policy: "no-referrer" },
      hsts: deps.secureCookies,
    });
    await scope.register(cookie);
    await scope.register(rateLimit, { global: false });
    await scope.register(fastifyStatic, { root: PUBLIC_DIR, prefix: "/console/", index: "index.html" });
    scope.get("/console", async (_req, reply) => reply.redirect("/console/"));
    scope.get("/console/dang-nhap", async (_req, reply) => reply.sendFile("login.html"));
    const chart = await readFile(CHART_JS);
    scope.get("/console/vendor/chart.umd.js", async (_req, reply) =>
      reply
        .type("text/javascript; charset=utf-8")
        .header("cache-control", "public, max-age=86400")
        .send(chart),
    );

    await scope.register(
      async (api) => {
        api.addHook("onRequest", async (req, reply) => {
          if (WRITES.has(req.method) && req.headers["x-console"] !== "1") return fail(reply, 403, "csrf");
          return undefined;
        });
        api.setErrorHandler(async (err: Error & { statusCode?: number }, req, reply) => {
          if (err.statusCode === 429) return fail(reply, 429, "rate-limited");
          if (err.statusCode && err.statusCode < 500) return fail(reply, err.statusCode, "invalid");
          deps.logger.error({ route: req.routeOptions.url, err: err.message }, "console request failed");
          return fail(reply, 503, "unavailable");
        });
        await api.register(sessionRoutes(deps));
        await api.register(async (signedIn) => {
          signedIn.addHook("onRequest", requireSession(deps));
          await signedIn.register(meRoutes(deps));
          await signedIn.register(inboxRoutes(deps));
          await signedIn.register(statisticsRoutes(deps));
          await signedIn.register(directoryRoutes(deps));
          await signedIn.register(documentRoutes(deps));
          await signedIn.register(incidentRoutes(deps));
        });
      },
      { prefix: "/console/api" },
    );
  });
}

/**
 * Opens the session behind the cookie and works out its viewer from the directory now. No
 * cookie: 401. A cookie that opens no session (forged, expired, signed out — a stolen copy
 * after sign-out included) or whose person holds no role any more: 401, audited.
 */
function requireSession(deps: ConsoleDeps) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const id = req.cookies[COOKIE];
    if (!id) return fail(reply, 401, "signed-out");
    const session = await deps.sessions.get(id);
    const viewer = session && (await resolveViewer(deps.viewers, session.principal));
    if (!session || !viewer) {
      if (session) await deps.sessions.destroy(id);
      await deps.audit.record({
        actor: "unknown",
        action: "session",
        allowed: false,
        detail: { reason: session ? "no-role" : "no-session", route: req.routeOptions.url ?? null },
      });
      reply.clearCookie(COOKIE, { path: "/console" });
      return fail(reply, 401, "signed-out");
    }
    req.viewer = viewer;
    return undefined;
  };
}
