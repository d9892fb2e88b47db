import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import type { Contact } from "../workers/routing/schema.js";
import type { TipRecord } from "../workers/tip/tip-store.js";
import { isTriageRefused, type Triage } from "../workers/triage.js";
import { type ConsoleDeps, fail, viewerOf } from "./context.js";
import { inboxFilterSchema, matches, summaryOf, timelineOf } from "./tip-view.js";
import type { Viewer } from "./viewer.js";

/** How far back the inbox looks when no age is asked: a year. */
const DEFAULT_WINDOW_MS = 365 * 86_400_000;
/** Photo URLs from a detail live 10 minutes. */
const PHOTO_URL_TTL_S = 600;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PHOTO_ID = /^[a-f0-9]{32}$/;

const askSchema = z.object({ question: z.string().min(1).max(2000) }).strict();
const forwardSchema = z
  .object({ contactId: z.string().max(80), note: z.string().max(1000).optional() })
  .strict();
const closeSchema = z
  .object({ outcome: z.string().max(40), duplicateOf: z.string().max(40).optional() })
  .strict();

type Action = "acknowledge" | "ask" | "forward" | "close";

/** Triage's refusals as HTTP statuses and the pages' error codes. */
const REFUSAL: Record<string, [number, string]> = {
  "not-an-officer": [403, "forbidden"],
  "not-your-tip": [403, "forbidden"],
  "no-such-tip": [404, "not-found"],
  "wrong-status": [409, "wrong-status"],
  invalid: [400, "invalid"],
  "rate-limited": [429, "rate-limited"],
  unavailable: [503, "unavailable"],
};

/**
 * The inbox: the cases a viewer may see (the triage rules for police, everything for an admin),
 * a case's detail and timeline, and the actions — through `Triage`, exactly as the chat's
 * buttons, acting as the viewer's own chat. Every view and action is audited, refusals too.
 */
export function inboxRoutes(deps: ConsoleDeps) {
  const now = deps.now ?? Date.now;
  const photoKey = createHmac("sha256", deps.photoKey).update("ssg console photo v1").digest();
  const signPhoto = (tipId: string, photoId: string, exp: number) =>
    createHmac("sha256", photoKey).update(`${tipId}.${photoId}.${exp}`).digest("base64url");

  /** The contact the viewer acts as on `tip`, or "admin" for an admin who only looks. */
  const access = async (v: Viewer, tip: TipRecord): Promise<Contact | "admin" | undefined> => {
    const contact = v.contacts.length > 0 ? await deps.triage.permitted(tip, v.contacts) : undefined;
    return contact ?? (v.isAdmin ? "admin" : undefined);
  };

  const visibleTips = async (v: Viewer, since: number) => {
    if (v.contacts.length === 0 && !v.isAdmin) return [];
    const tips = await deps.store.createdBetween(since, now() + 1);
    const out: { tip: TipRecord; log: Awaited<ReturnType<typeof deps.store.auditLog>> }[] = [];
    for (const tip of tips)
      if (await access(v, tip)) out.push({ tip, log: await deps.store.auditLog(tip.id) });
    return out.reverse();
  };

  const actionsFor = (v: Viewer, tip: TipRecord, who: Contact | "admin"): Action[] => {
    if (who === "admin" || !v.chat || tip.status === "closed") return [];
    const acts: Action[] = ["ask", "forward", "close"];
    return tip.status === "acknowledged" ? acts : ["acknowledge", ...acts];
  };

  return async (api: FastifyInstance) => {
    api.get("/tips", async (req, reply) => {
      const v = viewerOf(req);
      const filter = inboxFilterSchema.safeParse(req.query);
      if (!filter.success) return fail(reply, 400, "invalid");
      const at = now();
      const since = at - (filter.data.age ? filter.data.age * 86_400_000 : DEFAULT_WINDOW_MS);
      const tips = (await visibleTips(v, since))
        .map(({ tip, log }) => ({ tip, summary: summaryOf(tip, log, deps.routing) }))
        .filter(({ tip, summary }) => matches(summary, tip, filter.data, at))
        .map(({ summary }) => summary);
      const etag = `"${createHash("sha256").update(JSON.stringify(tips)).digest("base64url").slice(0, 27)}"`;
      reply.header("etag", etag).header("cache-control", "private, no-cache");
      if (req.headers["if-none-match"] === etag) return reply.code(304).send();
      return { tips, etag };
    });

    api.get<{ Params: { id: string } }>("/tips/:id", async (req, reply) => {
      const v = viewerOf(req);
      const tip = UUID.test(req.params.id) ? await deps.store.get(req.params.id) : undefined;
      if (!tip) return fail(reply, 404, "not-found");
      const who = await access(v, tip);
      if (!who) {
        await deps.audit.record({ actor: v.actor, action: "view-tip", tipId: tip.id, allowed: false });
        return fail(reply, 403, "forbidden");
      }
      const log = await deps.store.auditLog(tip.id);
      // A page refreshing an open case gets 304 while nothing changed: only a view that delivers
      // the case's content is audited (and its photo URLs renewed).
      const version = `"${createHash("sha256")
        .update(JSON.stringify([tip, log.length, actionsFor(v, tip, who)]))
        .digest("base64url")
        .slice(0, 27)}"`;
      reply.header("etag", version).header("cache-control", "private, no-cache");
      if (req.headers["if-none-match"] === version) return reply.code(304).send();
      await deps.audit.record({ actor: v.actor, action: "view-tip", tipId: tip.id, allowed: true });
      const exp = Math.floor(now() / 1000) + PHOTO_URL_TTL_S;
      const forwardTo = deps.routing.contacts
        .filter((c) => c.channel !== undefined && !v.contacts.some((m) => m.id === c.id))
        .map((c) => ({ id: c.id, name: c.name }));
      return {
        tip: {
          ...summaryOf(tip, log, deps.routing),
          description: tip.description,
          place: tip.place.text ?? null,
          photoUrls: tip.photoIds.map(
            (p) => `/console/api/photos/${tip.id}/${p}.jpg?exp=${exp}&sig=${signPhoto(tip.id, p, exp)}`,
          ),
        },
        timeline: timelineOf(log, deps.routing),
        actions: actionsFor(v, tip, who),
        forwardTo,
      };
    });

    api.get<{ Params: { tipId: string; photoId: string }; Querystring: { exp?: string; sig?: string } }>(
      "/photos/:tipId/:photoId.jpg",
      async (req, reply) => {
        const v = viewerOf(req);
        const { tipId, photoId } = req.params;
        const exp = Number(req.query.exp);
        const sig = Buffer.from(String(req.query.sig ?? ""));
        const valid =
          UUID.test(tipId) &&
          PHOTO_ID.test(photoId) &&
          Number.isInteger(exp) &&
          exp * 1000 >= now() &&
          sig.length === 43 &&
          timingSafeEqual(sig, Buffer.from(signPhoto(tipId, photoId, exp)));
        const tip = valid ? await deps.store.get(tipId) : undefined;
        if (!tip?.photoIds.includes(photoId) || !(await access(v, tip))) return fail(reply, 403, "forbidden");
        const bytes = await deps.store.getPhoto(photoId);
        if (!bytes) return fail(reply, 404, "not-found");
        return reply.type("image/jpeg").header("cache-control", "private, no-store").send(bytes);
      },
    );

    /** Runs one triage action as the viewer's chat; refusals become statuses, all audited. */
    const act = async <T>(
      req: { viewer?: Viewer; params: unknown },
      reply: FastifyReply,
      action: Action,
      run: (triage: Triage, chat: NonNullable<Viewer["chat"]>, tipId: string) => Promise<T>,
      detail?: Record<string, unknown>,
    ) => {
      const v = viewerOf(req as Parameters<typeof viewerOf>[0]);
      const { id } = req.params as { id: string };
      if (!UUID.test(id)) return fail(reply, 404, "not-found");
      const record = (allowed: boolean, reason?: string) =>
        deps.audit.record({
          actor: v.actor,
          action,
          tipId: id,
          allowed,
          ...((detail || reason) && { detail: { ...detail, ...(reason && { reason }) } }),
        });
      if (!v.chat || v.contacts.length === 0) {
        await record(false, "not-an-officer");
        return fail(reply, 403, "admin-views-only");
      }
      try {
        const result = await run(deps.triage, v.chat, id);
        await record(true);
        return result;
      } catch (e) {
        if (!isTriageRefused(e)) throw e;
        await record(false, e.reason);
        const [status, code] = REFUSAL[e.reason] ?? [400, "invalid"];
        return fail(reply, status, code);
      }
    };

    const summary = async (tip: TipRecord) => ({
      tip: summaryOf(tip, await deps.store.auditLog(tip.id), deps.routing),
    });

    api.post<{ Params: { id: string } }>("/tips/:id/acknowledge", async (req, reply) =>
      act(req, reply, "acknowledge", async (triage, chat, id) => summary(await triage.acknowledge(chat, id))),
    );
    api.post<{ Params: { id: string } }>("/tips/:id/ask", async (req, reply) => {
      const body = askSchema.safeParse(req.body);
      if (!body.success) return fail(reply, 400, "invalid");
      return act(req, reply, "ask", async (triage, chat, id) => {
        await triage.ask(chat, id, body.data.question);
        return { ok: true };
      });
    });
    api.post<{ Params: { id: string } }>("/tips/:id/forward", async (req, reply) => {
      const body = forwardSchema.safeParse(req.body);
      if (!body.success) return fail(reply, 400, "invalid");
      return act(
        req,
        reply,
        "forward",
        async (triage, chat, id) => {
          await triage.forward(chat, id, body.data.contactId, body.data.note);
          return { ok: true };
        },
        { to: body.data.contactId },
      );
    });
    api.post<{ Params: { id: string } }>("/tips/:id/close", async (req, reply) => {
      const body = closeSchema.safeParse(req.body);
      if (!body.success) return fail(reply, 400, "invalid");
      return act(
        req,
        reply,
        "close",
        async (triage, chat, id) =>
          summary(await triage.close(chat, id, body.data.outcome, body.data.duplicateOf)),
        { outcome: body.data.outcome },
      );
    });
  };
}
