import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import { type ConsoleDeps, fail, type StatisticsScope, viewerOf } from "./context.js";
import type { Viewer } from "./viewer.js";

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const periodSchema = z
  .object({
    from: z.string().regex(DAY).optional(),
    to: z.string().regex(DAY).optional(),
    commune: z.string().max(80).optional(),
    school: z.string().max(80).optional(),
  })
  .strict();

/** Today in Vietnam, `YYYY-MM-DD`. */
function vietnamToday(now: number): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh" }).format(new Date(now));
}

/**
 * The period and area a viewer asked for, within what they may see: an admin the province (or
 * the commune or school asked), police their communes, school staff their school. Undefined
 * when the query is malformed or asks for an area outside the viewer's.
 */
export function scopeFor(v: Viewer, query: unknown, now: number): StatisticsScope | "invalid" | "forbidden" {
  const q = periodSchema.safeParse(query);
  if (!q.success) return "invalid";
  const today = vietnamToday(now);
  const from = q.data.from ?? `${today.slice(0, 4)}-01-01`;
  const to = q.data.to ?? today;
  if (from > to || Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to))) return "invalid";
  const { commune, school } = q.data;
  if (v.isAdmin)
    return {
      from,
      to,
      ...(commune && { communes: new Set([commune]) }),
      ...(school && { schools: new Set([school]) }),
    };
  if (v.contacts.length > 0) {
    if (commune && !v.communes.includes(commune)) return "forbidden";
    return {
      from,
      to,
      communes: new Set(commune ? [commune] : v.communes),
      ...(school && { schools: new Set([school]) }),
    };
  }
  if (school && !v.schools.includes(school)) return "forbidden";
  return { from, to, schools: new Set(school ? [school] : v.schools) };
}

/** Dashboard figures, the periodic report and its exports: anonymous counts only. */
export function statisticsRoutes(deps: ConsoleDeps) {
  const now = deps.now ?? Date.now;
  return async (api: FastifyInstance) => {
    const scoped = async (
      req: Parameters<typeof viewerOf>[0] & { query: unknown },
      reply: FastifyReply,
      action: string,
    ): Promise<{ scope: StatisticsScope; stats: NonNullable<ConsoleDeps["statistics"]> } | undefined> => {
      const v = viewerOf(req);
      const scope = scopeFor(v, req.query, now());
      const detail = typeof scope === "string" ? { reason: scope } : { from: scope.from, to: scope.to };
      await deps.audit.record({ actor: v.actor, action, allowed: typeof scope !== "string", detail });
      if (scope === "invalid") return void fail(reply, 400, "invalid");
      if (scope === "forbidden") return void fail(reply, 403, "forbidden");
      if (!deps.statistics) return void fail(reply, 503, "unavailable");
      return { scope, stats: deps.statistics };
    };

    api.get("/stats", async (req, reply) => {
      const s = await scoped(req, reply, "view-stats");
      return s ? s.stats.dashboard(s.scope) : reply;
    });
    api.get("/report", async (req, reply) => {
      const s = await scoped(req, reply, "view-report");
      return s ? s.stats.report(s.scope) : reply;
    });
    api.get("/report.xlsx", async (req, reply) => {
      const s = await scoped(req, reply, "export-xlsx");
      if (!s) return reply;
      const bytes = await s.stats.xlsx(await s.stats.report(s.scope));
      return reply
        .type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .header("content-disposition", `attachment; filename="bao-cao-${s.scope.from}-${s.scope.to}.xlsx"`)
        .header("cache-control", "private, no-store")
        .send(bytes);
    });
    api.get("/report.csv", async (req, reply) => {
      const s = await scoped(req, reply, "export-csv");
      if (!s) return reply;
      const text = s.stats.csv(await s.stats.report(s.scope));
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="bao-cao-${s.scope.from}-${s.scope.to}.csv"`)
        .header("cache-control", "private, no-store")
        .send(text);
    });
  };
}
