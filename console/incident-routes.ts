import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import {
  type IncidentDesk,
  type IncidentRecord,
  type IncidentScope,
  type IncidentViewer,
  isIncidentRefused,
} from "../workers/incident/desk.js";
import { incidentOutcomeSchema } from "../workers/incident/incident.js";
import { type ConsoleDeps, fail, viewerOf } from "./context.js";
import { incidentReportXlsx } from "./incident-export.js";
import { type IncidentReport, incidentReport, tally } from "./incident-report.js";
import {
  filterOf,
  incidentDetail,
  incidentQuerySchema,
  incidentSummary,
  incidentTimeline,
  incidentVocabulary,
  periodOfDays,
  reportPresets,
  vietnamDay,
} from "./incident-view.js";
import type { Viewer } from "./viewer.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const reportQuerySchema = z
  .object({
    from: z.string().regex(DAY).optional(),
    to: z.string().regex(DAY).optional(),
    school: z.string().max(80).optional(),
  })
  .strict();
const noteSchema = z.object({ note: z.string().max(1000).optional() }).strict();
const askSchema = z.object({ question: z.string().trim().min(1).max(2000) }).strict();
const forwardSchema = z
  .object({ contactId: z.string().max(80), note: z.string().max(1000).optional() })
  .strict();
const closeSchema = z
  .object({ outcome: incidentOutcomeSchema, note: z.string().max(1000).optional() })
  .strict();

/** The desk's refusals as HTTP statuses and the pages' error codes. */
const REFUSAL: Record<string, [number, string]> = {
  "not-school-staff": [403, "forbidden"],
  "not-an-officer": [403, "forbidden"],
  "not-your-incident": [403, "forbidden"],
  "not-the-reporter": [403, "forbidden"],
  "no-such-incident": [404, "not-found"],
  "wrong-status": [409, "wrong-status"],
  invalid: [400, "invalid"],
  "photo-expired": [400, "invalid"],
};

type Action = "acknowledge" | "on-site" | "ask" | "forward" | "close";

/** Who the desk sees: the viewer's own chat, or the console's operator as "admin". */
function incidentViewer(v: Viewer): IncidentViewer | undefined {
  if (v.chat) return { kind: "chat", chat: v.chat };
  return v.isAdmin ? { kind: "admin" } : undefined;
}

/** The schools a scope holds whole (a head's, safety staff's), or every school ("all"). */
function wholeSchools(scope: IncidentScope): { all: boolean; schools: Set<string> } {
  const out = { all: false, schools: new Set<string>() };
  const walk = (s: IncidentScope) => {
    if (s.by === "all") out.all = true;
    else if (s.by === "schools") for (const id of s.schoolIds) out.schools.add(id);
    else if (s.by === "any") s.scopes.forEach(walk);
  };
  walk(scope);
  return out;
}

/**
 * The school's incident log (issue 15): the incidents a viewer may see — the desk's `scopeFor`
 * decides, the console never widens it —, one with its timeline, the counts per period, kind and
 * outcome, the periodic report (JSON for the printable page, XLSX) and, for an officer, the same
 * actions as the chat's buttons through `IncidentDesk`. Reads of one incident and every action
 * are audited, refusals too; counts and exports never hold a pupil's name or the text.
 */
export function incidentRoutes(deps: ConsoleDeps) {
  const now = deps.now ?? Date.now;

  /** The desk and the viewer, or a reply sent (503 without a desk, 403 for a viewer it cannot name). */
  const open = (req: FastifyRequest, reply: FastifyReply) => {
    const v = viewerOf(req);
    if (!deps.incidents) return void fail(reply, 503, "unavailable");
    const viewer = incidentViewer(v);
    if (!viewer) return void fail(reply, 403, "forbidden");
    return { v, viewer, desk: deps.incidents };
  };

  /** Whether the viewer sees pupils' names: the school's staff and the officers it was routed to. */
  const withNames = (v: Viewer, r: IncidentRecord) =>
    v.schools.includes(r.schoolId) || (v.contacts.length > 0 && !v.isAdmin);

  /** The actions offered to an officer (the desk decides again when one is taken). */
  const actionsFor = (v: Viewer, r: IncidentRecord): Action[] => {
    if (!v.chat || v.contacts.length === 0 || r.status === "closed") return [];
    const ours =
      v.contacts.some((c) => r.chain.includes(c.id) || c.id === deps.routing.dutyOfficer.id) ||
      v.communes.includes(r.communeId);
    if (!ours) return [];
    const acts: Action[] = ["ask", "forward", "close"];
    if (r.status !== "on-site") acts.unshift("on-site");
    if (r.status !== "acknowledged" && r.status !== "on-site") acts.unshift("acknowledge");
    return acts;
  };

  /**
   * The report a viewer asked for: the schools their scope holds whole counted by the desk
   * (`countsBySchool`), the rest of what they may see (a teacher's own, an officer's) tallied
   * from `list`. A school outside both: 403, audited.
   */
  const reportOf = async (
    req: FastifyRequest,
    reply: FastifyReply,
    action: string,
  ): Promise<IncidentReport | undefined> => {
    const o = open(req, reply);
    if (!o) return undefined;
    const { v, viewer, desk } = o;
    const q = reportQuerySchema.safeParse(req.query);
    const today = vietnamDay(now());
    const [preset] = reportPresets(now());
    const from = (q.success && q.data.from) || preset?.from || today;
    const to = (q.success && q.data.to) || today;
    const period = q.success ? periodOfDays(from, to) : undefined;
    const record = (allowed: boolean, reason?: string) =>
      deps.audit.record({
        actor: v.actor,
        action,
        allowed,
        detail: { from, to, school: (q.success && q.data.school) || null, ...(reason && { reason }) },
      });
    if (!q.success || !period) {
      await record(false, "invalid");
      return void fail(reply, 400, "invalid");
    }
    const asked = q.data.school;
    const scope = await desk.scopeFor(viewer);
    const whole = wholeSchools(scope);
    const known = (id: string) => deps.routing.schools.some((s) => s.id === id);
    const near = (id: string) =>
      v.schools.includes(id) ||
      deps.routing.schools.some((s) => s.id === id && v.communes.includes(s.commune) && !v.isAdmin);
    if (asked && !(known(asked) && (whole.all || whole.schools.has(asked) || near(asked)))) {
      await record(false, "forbidden");
      return void fail(reply, 403, "forbidden");
    }
    const counted = whole.all
      ? asked
        ? [asked]
        : deps.routing.schools.map((s) => s.id)
      : [...whole.schools].filter((id) => !asked || id === asked);
    const records = await desk.list(scope, { period, limit: 500 });
    const tallied = [...new Set([...v.schools, ...records.map((r) => r.schoolId)])].filter(
      (id) => !counted.includes(id) && (!asked || id === asked),
    );
    const byDesk = counted.length > 0 ? await desk.countsBySchool(counted, period) : [];
    const counts = [
      // An admin's province-wide report names only the schools that had incidents.
      ...byDesk.filter((c) => !whole.all || asked || c.total > 0).map((c) => ({ counts: c, whole: true })),
      ...tally(tallied, records).map((c) => ({ counts: c, whole: false })),
    ];
    await record(true);
    return incidentReport({ routing: deps.routing, from, to, period, counts, records, now: now() });
  };

  return async (api: FastifyInstance) => {
    api.get("/incidents", async (req, reply) => {
      const o = open(req, reply);
      if (!o) return reply;
      const q = incidentQuerySchema.safeParse(req.query);
      const filter = q.success ? filterOf(q.data) : "invalid";
      if (!q.success || filter === "invalid") return fail(reply, 400, "invalid");
      const records = (await o.desk.list(await o.desk.scopeFor(o.viewer), filter)).filter(
        (r) => !q.data.school || r.schoolId === q.data.school,
      );
      reply.header("cache-control", "private, no-cache");
      return {
        incidents: records.map((r) => incidentSummary(r, deps.routing)),
        ...incidentVocabulary(),
        presets: reportPresets(now()),
      };
    });

    api.get("/incidents/counts", async (req, reply) => {
      const report = await reportOf(req, reply, "view-incident-counts");
      if (!report) return reply;
      return {
        period: report.period,
        presets: reportPresets(now()),
        schools: report.schools.map(({ incidents: _, ...school }) => school),
      };
    });

    api.get("/incidents/report", async (req, reply) => {
      const report = await reportOf(req, reply, "view-incident-report");
      return report ?? reply;
    });

    api.get("/incidents/report.xlsx", async (req, reply) => {
      const report = await reportOf(req, reply, "export-incidents-xlsx");
      if (!report) return reply;
      return reply
        .type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .header(
          "content-disposition",
          `attachment; filename="bao-cao-su-viec-${report.period.from}-${report.period.to}.xlsx"`,
        )
        .header("cache-control", "private, no-store")
        .send(await incidentReportXlsx(report));
    });

    api.get<{ Params: { id: string } }>("/incidents/:id", async (req, reply) => {
      const o = open(req, reply);
      if (!o) return reply;
      const { v, viewer, desk } = o;
      const incidentId = req.params.id;
      const record = (allowed: boolean, reason?: string) =>
        deps.audit.record({
          actor: v.actor,
          action: "view-incident",
          allowed,
          detail: { incidentId: incidentId.slice(0, 80), ...(reason && { reason }) },
        });
      if (!UUID.test(incidentId)) {
        await record(false, "no-such-incident");
        return fail(reply, 404, "not-found");
      }
      try {
        const incident = await desk.get(viewer, incidentId);
        const events = await desk.timeline(viewer, incidentId);
        await record(true);
        const forwardTo = deps.routing.contacts
          .filter((c) => c.channel !== undefined && !v.contacts.some((m) => m.id === c.id))
          .map((c) => ({ id: c.id, name: c.name }));
        const actions = actionsFor(v, incident);
        reply.header("cache-control", "private, no-store");
        return {
          incident: incidentDetail(incident, deps.routing, withNames(v, incident)),
          timeline: incidentTimeline(events, incident, deps.routing),
          actions,
          ...(actions.includes("forward") && { forwardTo }),
          outcomes: incidentVocabulary().outcomes,
        };
      } catch (e) {
        if (!isIncidentRefused(e)) throw e;
        await record(false, e.reason);
        const [status, code] = REFUSAL[e.reason] ?? [404, "not-found"];
        return fail(reply, status, code);
      }
    });

    /** Runs one officer action as the viewer's chat; refusals become statuses, all audited. */
    const act = async (
      req: FastifyRequest<{ Params: { id: string } }>,
      reply: FastifyReply,
      action: Action,
      run: (desk: IncidentDesk, chat: NonNullable<Viewer["chat"]>, id: string) => Promise<unknown>,
      detail: Record<string, unknown> = {},
    ) => {
      const v = viewerOf(req);
      const { id } = req.params;
      const record = (allowed: boolean, reason?: string) =>
        deps.audit.record({
          actor: v.actor,
          action: `incident-${action}`,
          allowed,
          detail: { incidentId: id.slice(0, 80), ...detail, ...(reason && { reason }) },
        });
      if (!deps.incidents) return fail(reply, 503, "unavailable");
      if (!v.chat || v.contacts.length === 0) {
        await record(false, "not-an-officer");
        return fail(reply, 403, v.isAdmin ? "admin-views-only" : "forbidden");
      }
      if (!UUID.test(id)) {
        await record(false, "no-such-incident");
        return fail(reply, 404, "not-found");
      }
      try {
        await run(deps.incidents, v.chat, id);
        await record(true);
        const incident = await deps.incidents.get({ kind: "chat", chat: v.chat }, id);
        return { incident: incidentSummary(incident, deps.routing) };
      } catch (e) {
        if (!isIncidentRefused(e)) throw e;
        await record(false, e.reason);
        const [status, code] = REFUSAL[e.reason] ?? [400, "invalid"];
        return fail(reply, status, code);
      }
    };
    const body = <T>(schema: z.ZodType<T>, req: FastifyRequest, reply: FastifyReply) => {
      const parsed = schema.safeParse(req.body ?? {});
      if (!parsed.success) return void fail(reply, 400, "invalid");
      return parsed.data;
    };

    type Req = FastifyRequest<{ Params: { id: string } }>;
    api.post<{ Params: { id: string } }>("/incidents/:id/acknowledge", async (req: Req, reply) =>
      act(req, reply, "acknowledge", (desk, chat, id) => desk.acknowledge(chat, id)),
    );
    api.post<{ Params: { id: string } }>("/incidents/:id/on-site", async (req: Req, reply) => {
      const b = body(noteSchema, req, reply);
      if (!b) return reply;
      return act(req, reply, "on-site", (desk, chat, id) => desk.onSite(chat, id, b.note || undefined));
    });
    api.post<{ Params: { id: string } }>("/incidents/:id/ask", async (req: Req, reply) => {
      const b = body(askSchema, req, reply);
      if (!b) return reply;
      return act(req, reply, "ask", (desk, chat, id) => desk.ask(chat, id, b.question));
    });
    api.post<{ Params: { id: string } }>("/incidents/:id/forward", async (req: Req, reply) => {
      const b = body(forwardSchema, req, reply);
      if (!b) return reply;
      return act(req, reply, "forward", (desk, chat, id) => desk.forward(chat, id, b.contactId, b.note), {
        to: b.contactId,
      });
    });
    api.post<{ Params: { id: string } }>("/incidents/:id/close", async (req: Req, reply) => {
      const b = body(closeSchema, req, reply);
      if (!b) return reply;
      return act(req, reply, "close", (desk, chat, id) => desk.close(chat, id, b.outcome, b.note), {
        outcome: b.outcome,
      });
    });
  };
}
