import { z } from "zod";
import { t } from "../i18n.js";
import type {
  IncidentEvent,
  IncidentFilter,
  IncidentPeriod,
  IncidentRecord,
} from "../workers/incident/desk.js";
import {
  INCIDENT_KINDS,
  INCIDENT_STATUSES,
  type IncidentStatus,
  incidentKindSchema,
  OUTCOMES,
} from "../workers/incident/incident.js";
import type { Routing } from "../workers/routing/routing-table.js";

/**
 * How the console shows incidents (issue 15): the list's summaries (never the text or a pupil's
 * name), the detail, the timeline with people named, and the report periods. Labels come from
 * the catalogue (`console.incidents.*`).
 */

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;
/** Statuses of an incident not closed yet: the list's "open" filter. */
export const OPEN_STATUSES = INCIDENT_STATUSES.filter((s) => s !== "closed");

/** The list's query: `status` is a status, `open` (any but closed); days are Vietnam days. */
export const incidentQuerySchema = z
  .object({
    status: z.enum(["open", ...INCIDENT_STATUSES]).optional(),
    kind: incidentKindSchema.optional(),
    from: z.string().regex(DAY).optional(),
    to: z.string().regex(DAY).optional(),
    school: z.string().max(80).optional(),
  })
  .strict();
export type IncidentQuery = z.infer<typeof incidentQuerySchema>;

/** Midnight of a Vietnam day (UTC+7, no daylight saving), or NaN for a day the calendar lacks. */
function vietnamMidnight(day: string): number {
  const ms = Date.parse(`${day}T00:00:00+07:00`);
  // Date.parse rolls 2026-02-30 over to March: read it back to refuse it.
  return Number.isNaN(ms) || new Date(ms + 7 * 3_600_000).toISOString().slice(0, 10) !== day ? NaN : ms;
}

/** `[from 00:00, the day after to 00:00)` in Vietnam time; undefined when invalid or reversed. */
export function periodOfDays(from: string, to: string): IncidentPeriod | undefined {
  const start = vietnamMidnight(from);
  const end = vietnamMidnight(to);
  if (Number.isNaN(start) || Number.isNaN(end) || end < start || end - start > 10 * 366 * DAY_MS)
    return undefined;
  return { from: start, to: end + DAY_MS };
}

/** The desk's filter for a parsed query; "invalid" when the period is. */
export function filterOf(q: IncidentQuery): IncidentFilter | "invalid" {
  const status: IncidentFilter["status"] =
    q.status === "open" ? OPEN_STATUSES : (q.status as IncidentStatus | undefined);
  let period: IncidentPeriod | undefined;
  if (q.from || q.to) {
    period = periodOfDays(q.from ?? "2000-01-01", q.to ?? "2999-12-31");
    if (!period) return "invalid";
  }
  return {
    ...(status && { status }),
    ...(q.kind && { kind: q.kind }),
    ...(period && { period }),
    limit: 500,
  };
}

/** "dd/mm/yyyy" of a Vietnam day. */
export const dayLabel = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;
/** The Vietnam day of an instant, `YYYY-MM-DD`. */
export const vietnamDay = (ms: number) => new Date(ms + 7 * 3_600_000).toISOString().slice(0, 10);

/**
 * The deadlines of the school's plan: the seeds' Củ Chi plan asks every school for its report by
 * 15/11 (the school year's first part, "sơ kết") and by 10/5 (the school year, "tổng kết"). A
 * school year is counted from 1 September.
 */
export const REPORT_DEADLINES = [
  { id: "so-ket", month: 11, day: 15, yearOffset: 0 },
  { id: "tong-ket", month: 5, day: 10, yearOffset: 1 },
] as const;
const SCHOOL_YEAR_START = { month: 9, day: 1 };

export interface ReportPreset {
  readonly id: string;
  readonly label: string;
  readonly from: string;
  readonly to: string;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** The plan's periods of this school year and the last one, the nearest deadline first. */
export function reportPresets(now: number): ReportPreset[] {
  const today = vietnamDay(now);
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  const current = month >= SCHOOL_YEAR_START.month ? year : year - 1;
  const presets: ReportPreset[] = [];
  for (const start of [current, current - 1])
    for (const d of REPORT_DEADLINES) {
      const from = `${start}-${pad(SCHOOL_YEAR_START.month)}-${pad(SCHOOL_YEAR_START.day)}`;
      const to = `${start + d.yearOffset}-${pad(d.month)}-${pad(d.day)}`;
      presets.push({
        id: `${d.id}-${start}`,
        label: t(`console.incidents.preset.${d.id}`, {
          due: dayLabel(to),
          year: `${start}–${start + 1}`,
        }),
        from,
        to,
      });
    }
  return presets;
}

/** The kinds, statuses and outcomes with their labels, for the page's filters. */
export function incidentVocabulary() {
  return {
    kinds: INCIDENT_KINDS.map((id) => ({ id, label: t(`incident.kind.${id}`) })),
    statuses: INCIDENT_STATUSES.map((id) => ({ id, label: t(`console.incidents.status.${id}`) })),
    outcomes: OUTCOMES.map((id) => ({ id, label: t(`incident.outcome.${id}`) })),
  };
}

/** One line of the list: what, where, when, how far — never the text or anyone's pupil. */
export function incidentSummary(r: IncidentRecord, routing: Routing) {
  const school = routing.schools.find((s) => s.id === r.schoolId);
  return {
    id: r.id,
    caseCode: r.caseCode,
    schoolId: r.schoolId,
    schoolName: school?.name ?? r.schoolId,
    communeName: routing.communes.find((c) => c.id === r.communeId)?.name ?? r.communeId,
    kind: r.kind,
    kindLabel: t(`incident.kind.${r.kind}`),
    urgency: r.urgency,
    urgencyLabel: t(`console.incidents.urgency.${r.urgency}`),
    place: r.place,
    placeLabel: t(`incident.place.${r.place}`),
    occurredAt: r.occurredAt,
    createdAt: r.createdAt,
    status: r.status,
    statusLabel: t(`console.incidents.status.${r.status}`),
    outcome: r.outcome ?? null,
    outcomeLabel: r.outcome ? t(`incident.outcome.${r.outcome}`) : null,
    closedAt: r.closedAt ?? null,
    reporterName: r.reporter.name || t("console.incidents.who.staff"),
    reporterRoleLabel: t(`incident.role.${r.reporter.schoolRole}`),
    photos: r.photoIds.length,
    erased: r.erasedAt !== undefined,
  };
}
export type IncidentSummary = ReturnType<typeof incidentSummary>;

const contactName = (routing: Routing, id: string | undefined) =>
  id ? (routing.contactById(id)?.name ?? id) : null;

/**
 * The detail: the summary with the text, the place, who was involved (a pupil's name only when
 * `withNames`: the school and the routed officer), injuries, what the school did and who acted.
 */
export function incidentDetail(r: IncidentRecord, routing: Routing, withNames: boolean) {
  return {
    ...incidentSummary(r, routing),
    description: r.description,
    placeText: r.placeText || null,
    involved: r.involved.map((p) => ({
      role: p.role,
      roleLabel: t(`incident.involved.${p.role}`),
      className: p.className || null,
      count: p.count ?? 1,
      name: withNames ? p.name || null : null,
      nameHidden: !withNames && Boolean(p.name),
    })),
    injuries: r.injuries || null,
    schoolAction: r.schoolAction || null,
    deliveredAt: r.deliveredAt ?? null,
    acknowledgedAt: r.acknowledgedAt ?? null,
    acknowledgedBy: contactName(routing, r.acknowledgedBy),
    onSiteAt: r.onSiteAt ?? null,
    onSiteBy: contactName(routing, r.onSiteBy),
    closedBy: contactName(routing, r.closedBy),
    erasedAt: r.erasedAt ?? null,
  };
}

/**
 * The timeline as the page shows it: who (a contact's name, the reporter, the school, the
 * system, or someone refused), what, and the detail with contact ids named and outcomes worded.
 */
export function incidentTimeline(events: readonly IncidentEvent[], r: IncidentRecord, routing: Routing) {
  const who = (e: IncidentEvent): string => {
    switch (e.actor.type) {
      case "system":
        return t("console.who.system");
      case "contact":
        return contactName(routing, e.actor.contactId) ?? "";
      case "person":
        return e.actor.personId === r.reporter.personId
          ? r.reporter.name || t("console.incidents.who.reporter")
          : t("console.incidents.who.staff");
      case "caller":
        return t("console.incidents.who.refused");
    }
  };
  const detail = (e: IncidentEvent): string | null => {
    if (!e.detail) return null;
    if (e.action === "closed")
      return (OUTCOMES as readonly string[]).includes(e.detail)
        ? t(`incident.outcome.${e.detail}`)
        : e.detail;
    // "→ <contact id>" or "→ <contact id>: note".
    const to = /^→ ([^:]+)(?::\s*([\s\S]*))?$/.exec(e.detail);
    if (to?.[1]) {
      const name = contactName(routing, to[1].trim()) ?? to[1];
      return to[2] ? `→ ${name}: ${to[2]}` : `→ ${name}`;
    }
    return e.detail;
  };
  return events.map((e) => ({
    at: e.at,
    who: who(e),
    action: e.action,
    label: t(`console.incidents.timeline.${e.action}`),
    detail: detail(e),
  }));
}
