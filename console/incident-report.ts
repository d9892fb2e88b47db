import { t } from "../i18n.js";
import type { IncidentPeriod, IncidentRecord, SchoolIncidentCounts } from "../workers/incident/desk.js";
import {
  INCIDENT_KINDS,
  type IncidentKind,
  type IncidentOutcome,
  OUTCOMES,
} from "../workers/incident/incident.js";
import { type ReportTable, table } from "../workers/outcomes/report-table.js";
import type { Routing } from "../workers/routing/routing-table.js";
import { dayLabel } from "./incident-view.js";

/**
 * The school's periodic incident report (issue 15), in the layout of a school's report to the
 * education office and the police: the school and the nation's heading, the period, I. the counts
 * by kind × outcome, II. the list of incidents (code, time, kind, place, urgency, status, outcome
 * — never a description, a place's text or anyone's name), then the recipients and the head's
 * signature. The same model feeds the XLSX and the printable page.
 */

const TIME = new Intl.DateTimeFormat("vi-VN", {
  timeZone: "Asia/Ho_Chi_Minh",
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const DATE = new Intl.DateTimeFormat("vi-VN", {
  timeZone: "Asia/Ho_Chi_Minh",
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
});

/** One incident as the report lists it. */
export interface IncidentReportLine {
  readonly caseCode: string;
  readonly occurred: string;
  readonly kind: string;
  readonly place: string;
  readonly urgency: string;
  readonly status: string;
  readonly outcome: string;
  readonly closed: string;
}

/** One school's part of the report. */
export interface IncidentReportSchool {
  readonly schoolId: string;
  readonly schoolName: string;
  readonly communeName: string;
  /**
   * True when the counts are the school's whole (its head, safety staff, an admin); false when
   * they are only the incidents this viewer may see (a teacher's own, an officer's routed ones).
   */
  readonly whole: boolean;
  readonly total: number;
  readonly open: number;
  /** Kinds (rows) × open and each outcome (columns), with totals. */
  readonly table: ReportTable;
  readonly incidents: readonly IncidentReportLine[];
}

export interface IncidentReport {
  readonly provinceName: string;
  readonly title: string;
  readonly subtitle: string;
  readonly nation: string;
  readonly motto: string;
  readonly period: { readonly from: string; readonly to: string; readonly label: string };
  readonly generatedAt: number;
  readonly generatedAtLabel: string;
  readonly countsTitle: string;
  readonly listTitle: string;
  readonly listColumns: readonly string[];
  readonly none: string;
  readonly partial: string;
  readonly privacy: string;
  readonly recipients: readonly string[];
  readonly signer: string;
  readonly signHint: string;
  readonly schools: readonly IncidentReportSchool[];
}

const COLUMNS = ["open", ...OUTCOMES] as const;
const LIST_COLUMNS = ["no", "code", "occurred", "kind", "place", "urgency", "status", "outcome", "closed"];

/** Counts of the incidents a viewer may see, per school, as `countsBySchool` answers for a school. */
export function tally(
  schoolIds: readonly string[],
  records: readonly IncidentRecord[],
): SchoolIncidentCounts[] {
  return schoolIds.map((schoolId) => {
    const mine = records.filter((r) => r.schoolId === schoolId);
    const byKind = Object.fromEntries(INCIDENT_KINDS.map((k) => [k, 0])) as Record<IncidentKind, number>;
    const byOutcome = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<IncidentOutcome, number>;
    const cells = new Map<string, { kind: IncidentKind; outcome: IncidentOutcome | "open"; count: number }>();
    for (const r of mine) {
      byKind[r.kind] += 1;
      if (r.outcome) byOutcome[r.outcome] += 1;
      const outcome = r.outcome ?? "open";
      const key = `${r.kind} ${outcome}`;
      const cell = cells.get(key) ?? { kind: r.kind, outcome, count: 0 };
      cell.count += 1;
      cells.set(key, cell);
    }
    return {
      schoolId,
      total: mine.length,
      open: mine.filter((r) => !r.outcome).length,
      byKind,
      byOutcome,
      cells: [...cells.values()],
    };
  });
}

/** A school's counts as the report's table: kinds × (open, outcomes), with totals. */
export function countsTable(counts: SchoolIncidentCounts, schoolName: string): ReportTable {
  return table({
    lang: "vi",
    title: t("console.incidents.report.countsTitle"),
    sheet: schoolName,
    rowHeader: t("console.incidents.report.rowHeader"),
    rows: INCIDENT_KINDS.map((key) => ({ key, label: t(`incident.kind.${key}`) })),
    columns: COLUMNS.map((key) => ({
      key,
      label: key === "open" ? t("console.incidents.report.open") : t(`incident.outcome.${key}`),
    })),
    cell: (kind, outcome) => counts.cells.find((c) => c.kind === kind && c.outcome === outcome)?.count ?? 0,
  });
}

function line(r: IncidentRecord): IncidentReportLine {
  return {
    caseCode: r.caseCode,
    occurred: TIME.format(new Date(r.occurredAt)),
    kind: t(`incident.kind.${r.kind}`),
    place: t(`incident.place.${r.place}`),
    urgency: t(`console.incidents.urgency.${r.urgency}`),
    status: t(`console.incidents.status.${r.status}`),
    outcome: r.outcome ? t(`incident.outcome.${r.outcome}`) : "",
    closed: r.closedAt ? DATE.format(new Date(r.closedAt)) : "",
  };
}

/**
 * The report of `counts` (one entry per school, `whole` as each was counted) and the incidents
 * listed with them, for the period of Vietnam days `from`–`to`.
 */
export function incidentReport(spec: {
  readonly routing: Routing;
  readonly from: string;
  readonly to: string;
  readonly period: IncidentPeriod;
  readonly counts: readonly { readonly counts: SchoolIncidentCounts; readonly whole: boolean }[];
  readonly records: readonly IncidentRecord[];
  readonly now: number;
}): IncidentReport {
  const { routing } = spec;
  const schools = spec.counts.map(({ counts, whole }) => {
    const school = routing.schools.find((s) => s.id === counts.schoolId);
    const schoolName = school?.name ?? counts.schoolId;
    const communeName = routing.communes.find((c) => c.id === school?.commune)?.name ?? "";
    return {
      schoolId: counts.schoolId,
      schoolName,
      communeName,
      whole,
      total: counts.total,
      open: counts.open,
      table: countsTable(counts, schoolName),
      incidents: spec.records
        .filter((r) => r.schoolId === counts.schoolId)
        .filter((r) => r.occurredAt >= spec.period.from && r.occurredAt < spec.period.to)
        .sort((a, b) => a.occurredAt - b.occurredAt)
        .map(line),
    };
  });
  const communes = [...new Set(schools.map((s) => s.communeName).filter(Boolean))];
  return {
    provinceName: routing.province.name,
    title: t("console.incidents.report.title"),
    subtitle: t("console.incidents.report.subtitle"),
    nation: t("console.incidents.report.nation"),
    motto: t("console.incidents.report.motto"),
    period: {
      from: spec.from,
      to: spec.to,
      label: t("console.incidents.report.period", { from: dayLabel(spec.from), to: dayLabel(spec.to) }),
    },
    generatedAt: spec.now,
    generatedAtLabel: t("console.incidents.report.generatedAt", { at: TIME.format(new Date(spec.now)) }),
    countsTitle: t("console.incidents.report.countsTitle"),
    listTitle: t("console.incidents.report.listTitle"),
    listColumns: LIST_COLUMNS.map((c) => t(`console.incidents.report.column.${c}`)),
    none: t("console.incidents.report.none"),
    partial: t("console.incidents.report.partial"),
    privacy: t("console.incidents.report.privacy"),
    recipients: [
      t("console.incidents.report.recipients"),
      t("console.incidents.report.recipientEducation"),
      ...communes.map((commune) => t("console.incidents.report.recipientPolice", { commune })),
      t("console.incidents.report.recipientArchive"),
    ],
    signer: t("console.incidents.report.signer"),
    signHint: t("console.incidents.report.signHint"),
    schools,
  };
}
