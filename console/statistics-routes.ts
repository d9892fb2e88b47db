import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import type { ReportDeps } from "../workers/outcomes/report.js";
import { dashboard, periodicReport } from "../workers/outcomes/report.js";
import { reportCsv, reportXlsx } from "../workers/outcomes/report-export.js";
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
    ): Promise<{ scope: StatisticsScope; reports: ReportDeps } | undefined> => {
      const v = viewerOf(req);
      const scope = scopeFor(v, req.query, now());
      const detail = typeof scope === "string" ? { reason: scope } : { from: scope.from, to: scope.to };
      await deps.audit.record({ actor: v.actor, action, allowed: typeof scope !== "string", detail });
      if (scope === "invalid") return void fail(reply, 400, "invalid");
      if (scope === "forbidden") return void fail(reply, 403, "forbidden");
      if (!deps.reports) return void fail(reply, 503, "unavailable");
      return { scope, reports: deps.reports };
    };
    const query = (scope: StatisticsScope) => ({ ...scope, now: now() });
    /** A period the calendar does not have (30/02) is the caller's mistake, not the server's. */
    const badPeriod = (e: unknown, reply: FastifyReply) => {
      if ((e as Error).name === "ReportQueryError") return fail(reply, 400, "invalid");
      throw e;
    };

    api.get("/stats", async (req, reply) => {
      const s = await scoped(req, reply, "view-stats");
      if (!s) return reply;
      return dashboard(s.reports, query(s.scope)).catch((e) => badPeriod(e, reply));
    });
    api.get("/report", async (req, reply) => {
      const s = await scoped(req, reply, "view-report");
      if (!s) return reply;
      return periodicReport(s.reports, query(s.scope)).catch((e) => badPeriod(e, reply));
    });
    const download = (ext: "xlsx" | "csv", type: string) =>
      api.get(`/report.${ext}`, async (req, reply) => {
        const s = await scoped(req, reply, `export-${ext}`);
        if (!s) return reply;
        let report: Awaited<ReturnType<typeof periodicReport>>;
        try {
          report = await periodicReport(s.reports, query(s.scope));
        } catch (e) {
          return badPeriod(e, reply);
        }
        const body = ext === "xlsx" ? await reportXlsx(report) : reportCsv(report);
        return reply
          .type(type)
          .header(
            "content-disposition",
            `attachment; filename="bao-cao-${s.scope.from}-${s.scope.to}.${ext}"`,
          )
          .header("cache-control", "private, no-store")
          .send(body);
      });
    download("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    download("csv", "text/csv; charset=utf-8");
  };
}
