import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import { t } from "../i18n.js";
import type { ConsolePrincipal } from "../workers/directory/sign-in-links.js";
import { isBound } from "../workers/routing/schema.js";
import { CATEGORIES, OUTCOMES } from "../workers/tip/tip.js";
import { COOKIE, type ConsoleDeps, fail, viewerOf } from "./context.js";
import { resolveViewer } from "./viewer.js";

const tokenSchema = z.object({ token: z.string().max(600) }).strict();
const demoSchema = z.object({ id: z.string().max(80) }).strict();

/**
 * Signing in and out: a one-time link's token for a session cookie, the demo's picker, "who am
 * I", sign out here or everywhere.
 */
export function sessionRoutes(deps: ConsoleDeps) {
  const start = async (reply: FastifyReply, principal: ConsolePrincipal, via: string) => {
    const viewer = await resolveViewer(deps.viewers, principal);
    if (!viewer) {
      await deps.audit.record({
        actor: "unknown",
        action: "sign-in",
        allowed: false,
        detail: { via, reason: "no-role" },
      });
      return fail(reply, 403, "no-role");
    }
    const id = await deps.sessions.create(principal);
    await deps.audit.record({ actor: viewer.actor, action: "sign-in", allowed: true, detail: { via } });
    return reply
      .setCookie(COOKIE, id, {
        path: "/console",
        httpOnly: true,
        sameSite: "strict",
        secure: deps.secureCookies,
      })
      .code(204)
      .send();
  };

  return async (api: FastifyInstance) => {
    api.post(
      "/session",
      { config: { rateLimit: { max: deps.signInsPerMinute ?? 10, timeWindow: "1 minute" } } },
      async (req, reply) => {
        const body = tokenSchema.safeParse(req.body);
        const principal = body.success ? await deps.links.redeem(body.data.token) : undefined;
        if (!principal) {
          await deps.audit.record({
            actor: "unknown",
            action: "sign-in",
            allowed: false,
            detail: { via: "link", reason: "link-used-or-expired" },
          });
          return fail(reply, 401, "link-used-or-expired");
        }
        return start(reply, principal, "link");
      },
    );

    const demo = deps.demo;
    api.get("/demo/people", async (_req, reply) =>
      demo ? { people: demo.people() } : fail(reply, 404, "not-found"),
    );
    api.post("/demo/session", async (req, reply) => {
      if (!demo) return fail(reply, 404, "not-found");
      const body = demoSchema.safeParse(req.body);
      if (!body.success) return fail(reply, 400, "invalid");
      if (body.data.id === "admin") return start(reply, { kind: "operator" }, "demo");
      const contact = deps.routing.contactById(body.data.id);
      if (!contact || !isBound(contact)) return fail(reply, 404, "not-found");
      return start(reply, { kind: "chat", channel: contact.channel, chatId: contact.chatId }, "demo");
    });
  };
}

/** Routes of a signed-in viewer: who am I, sign out. */
export function meRoutes(deps: ConsoleDeps) {
  return async (api: FastifyInstance) => {
    api.get("/me", async (req) => {
      const v = viewerOf(req);
      const named = <T extends { id: string; name: string }>(list: readonly T[], ids: readonly string[]) =>
        list.filter((x) => ids.includes(x.id)).map((x) => ({ id: x.id, name: x.name }));
      const schools = v.isAdmin
        ? deps.routing.schools.map((s) => s.id)
        : [
            ...v.schools,
            ...deps.routing.schools.filter((s) => v.communes.includes(s.commune)).map((s) => s.id),
          ];
      return {
        name: v.name,
        roles: v.roles,
        scope: {
          kind: v.isAdmin ? "admin" : v.contacts.length > 0 ? "police" : "school",
          communes: named(deps.routing.communes, v.communes),
          schools: named(deps.routing.schools, [...new Set(schools)]),
        },
        canTriage: v.contacts.length > 0,
        isAdmin: v.isAdmin,
        categories: CATEGORIES.map((id) => ({ id, label: t(`category.${id}`) })),
        outcomes: OUTCOMES.map((id) => ({ id, label: t(`outcome.${id}`) })),
        provinceName: deps.routing.province.name,
      };
    });

    api.delete("/session", async (req, reply) => {
      const v = viewerOf(req);
      await deps.sessions.destroy(req.cookies[COOKIE]);
      await deps.audit.record({ actor: v.actor, action: "sign-out", allowed: true });
      return reply.clearCookie(COOKIE, { path: "/console" }).code(204).send();
    });

    api.delete("/sessions", async (req, reply) => {
      const v = viewerOf(req);
      const n = await deps.sessions.destroyAll(v.principal);
      await deps.audit.record({
        actor: v.actor,
        action: "sign-out-everywhere",
        allowed: true,
        detail: { sessions: n },
      });
      return reply.clearCookie(COOKIE, { path: "/console" }).code(204).send();
    });
  };
}
