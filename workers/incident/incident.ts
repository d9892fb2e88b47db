import { z } from "zod";
import { cleanUserText } from "../../text/clean-user-text.js";
import type { Category } from "../tip/tip.js";

/**
 * Incidents reported by school staff as their school (issue 15): named, structured, routed to
 * the police like a tip but with who reports them, followed up in the reporter's own chat and
 * counted in the school's periodic report. An incident is not a tip: it lives apart from tips
 * (PostgreSQL, not the tip store), names its reporter, and nothing of it is ever joined to an
 * anonymous tip. Labels: `incident.kind.<id>`, `incident.place.<id>`, `incident.role.<id>`.
 */

/** Kinds of incident a school reports. */
export const INCIDENT_KINDS = [
  "bao-luc-hoc-duong",
  "ma-tuy",
  "chay-no",
  "tai-nan-giao-thong",
  "xam-nhap",
  "an-ninh-mang",
  "khac",
] as const;
export const incidentKindSchema = z.enum(INCIDENT_KINDS);
export type IncidentKind = z.infer<typeof incidentKindSchema>;

/** The routing table's category an incident of each kind is routed by. */
export const ROUTE_CATEGORY: Readonly<Record<IncidentKind, Category>> = {
  "bao-luc-hoc-duong": "bao-luc-hoc-duong",
  "ma-tuy": "ma-tuy",
  "chay-no": "chay-no",
  "tai-nan-giao-thong": "khac",
  "xam-nhap": "khac",
  "an-ninh-mang": "an-ninh-mang",
  khac: "khac",
};

/** Where it happened, relative to the school. */
export const INCIDENT_PLACES = [
  "trong-truong",
  "cong-truong",
  "duong-den-truong",
  "gan-truong",
  "tren-mang",
  "khac",
] as const;
export const incidentPlaceSchema = z.enum(INCIDENT_PLACES);
export type IncidentPlace = z.infer<typeof incidentPlaceSchema>;

/** Who was involved, described by role (and class), not by name unless needed. */
export const INVOLVED_ROLES = [
  "hoc-sinh",
  "giao-vien",
  "nhan-vien",
  "phu-huynh",
  "nguoi-ngoai",
  "khac",
] as const;

const text = (max: number) => z.string().transform(cleanUserText).pipe(z.string().trim().max(max));

export const involvedSchema = z
  .object({
    role: z.enum(INVOLVED_ROLES),
    /** "8A3": the pupil's class, when a pupil. */
    className: text(20).optional(),
    /** Only when needed: shown to the school and the routed officer, never in statistics. */
    name: text(100).optional(),
    count: z.number().int().min(1).max(500).default(1),
  })
  .strict();
export type Involved = z.infer<typeof involvedSchema>;

export const INCIDENT_URGENCIES = ["khan-cap", "binh-thuong"] as const;
export type IncidentUrgency = (typeof INCIDENT_URGENCIES)[number];
export const OUTCOMES = ["da-xu-ly", "chuyen-co-quan-khac", "khong-co-co-so", "trung"] as const;
export const incidentOutcomeSchema = z.enum(OUTCOMES);
export type IncidentOutcome = z.infer<typeof incidentOutcomeSchema>;

/** What a staff member submits (the dialogue's draft, the console's form). */
export const incidentSubmissionSchema = z
  .object({
    kind: incidentKindSchema,
    urgency: z.enum(INCIDENT_URGENCIES),
    /** When it happened (epoch ms): not in the future, not more than a year ago. */
    occurredAt: z.number().int(),
    place: incidentPlaceSchema,
    placeText: text(300).optional(),
    description: text(4000).pipe(z.string().min(10, "describe what happened in a sentence or two")),
    involved: z.array(involvedSchema).max(20).default([]),
    injuries: text(1000).optional(),
    schoolAction: text(2000).optional(),
    /** Sanitised photos (the tip path's `sanitizePhoto`: re-encoded, no metadata). */
    photoIds: z
      .array(z.string().regex(/^[a-f0-9]{32}$/))
      .max(5)
      .default([]),
  })
  .strict();
export type IncidentSubmission = z.infer<typeof incidentSubmissionSchema>;
/** A submission as callers build it (`involved`, `photoIds` and counts may be left out). */
export type IncidentSubmissionInput = z.input<typeof incidentSubmissionSchema>;

export const INCIDENT_STATUSES = [
  "received",
  "routed",
  "delivered",
  "acknowledged",
  "on-site",
  "closed",
] as const;
export const incidentStatusSchema = z.enum(INCIDENT_STATUSES);
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
