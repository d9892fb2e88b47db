import { z } from "zod";
import { removeDiacritics } from "../../../text/normalize.js";
import {
  INCIDENT_URGENCIES,
  INVOLVED_ROLES,
  type Involved,
  incidentKindSchema,
  incidentPlaceSchema,
} from "../../../workers/incident/incident.js";

/**
 * The session's side of `/baocao` (issue 15): the incident draft and the reporter's and
 * officer's small flows, their schemas (part of `sessionSchema`), the fields sealed at rest like
 * a tip draft's, and the parsers of what a teacher types (a time, a group of people involved).
 * Pure: no dialogue, no desk.
 */

export const INCIDENT_STEPS = [
  /** The reporter's name, asked once when the directory has none (the officer sees it). */
  "name",
  "kind",
  "when",
  "when-time",
  "place",
  "place-text",
  "description",
  "involved",
  "injuries",
  "injuries-text",
  "school-action",
  "photo",
  "urgency",
  "confirm",
] as const;
export type IncidentStep = (typeof INCIDENT_STEPS)[number];

const involvedDraft = z.object({
  role: z.enum(INVOLVED_ROLES),
  className: z.string().max(20).optional(),
  /** Sealed at rest: a pupil's name, only when the teacher says it is needed. */
  name: z.string().optional(),
  count: z.number().int().min(1).max(500),
});

/** An incident report being written (`/baocao`), dropped after `DRAFT_TIMEOUT_MS` idle. */
export const incidentDraftSchema = z.object({
  kind: z.literal("incident"),
  step: z.enum(INCIDENT_STEPS),
  incidentKind: incidentKindSchema.optional(),
  occurredAt: z.number().optional(),
  /** The start (Vietnam midnight) of the day picked with "hôm qua", waiting for its hour. */
  day: z.number().optional(),
  place: incidentPlaceSchema.optional(),
  placeText: z.string().optional(),
  description: z.string().optional(),
  involved: z.array(involvedDraft).max(20).default([]),
  /** The severity picked ("nhe", "nang"), waiting for its description. */
  severity: z.enum(["nhe", "nang"]).optional(),
  injuries: z.string().optional(),
  schoolAction: z.string().optional(),
  photoIds: z.array(z.string()).default([]),
  urgency: z.enum(INCIDENT_URGENCIES).optional(),
  /** To the minute, as the tip draft's. */
  touchedAt: z.number().default(0),
});
export type IncidentDraft = z.infer<typeof incidentDraftSchema>;

/** A plain message typed after an officer's question, waiting for "send it as the answer?". */
export const incidentAnswerConfirmSchema = z.object({
  kind: z.literal("incident-answer-confirm"),
  caseCode: z.string(),
  /** Sealed at rest. */
  text: z.string(),
});
/** An officer typing a question for an incident's reporter. */
export const incidentAskSchema = z.object({ kind: z.literal("incident-ask"), incidentId: z.string() });
/** An officer picking the contact to forward an incident to. */
export const incidentForwardSchema = z.object({
  kind: z.literal("incident-forward"),
  incidentId: z.string(),
});

type Sealer = (text: string, field: string) => string;

/** Seals (or opens) the free text of an incident flow; other flows come back as they are. */
export function mapIncidentText<F extends { kind: string }>(flow: F, map: Sealer): F {
  if (flow.kind === "incident-answer-confirm") {
    const f = flow as F & { text: string };
    return { ...f, text: map(f.text, "incident-answer:text") };
  }
  if (flow.kind !== "incident") return flow;
  const draft = flow as unknown as IncidentDraft;
  const out: IncidentDraft = { ...draft };
  for (const field of ["description", "placeText", "injuries", "schoolAction"] as const) {
    const value = draft[field];
    if (value) out[field] = map(value, `incident:${field}`);
  }
  out.involved = draft.involved.map((p) => (p.name ? { ...p, name: map(p.name, "incident:name") } : p));
  return out as unknown as F;
}

const TZ_OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;

/** The start of the Vietnam day `days` after the one holding `now` (0: today, -1: yesterday). */
export function vietnamDay(now: number, days = 0): number {
  return Math.floor((now + TZ_OFFSET_MS) / DAY_MS) * DAY_MS - TZ_OFFSET_MS + days * DAY_MS;
}

/**
 * A time as a teacher types it, Vietnam time: "14h30", "14:30", "7 giờ", "2h chiều",
 * "hôm qua 16h", "tối qua 21h", "12/5 8h", "sáng nay" (8h), "vừa xong". `day` is the day already
 * picked (a button). Undefined when no time of day can be read; a time later than now today
 * without a day given is taken as yesterday's.
 */
export function parseIncidentTime(typed: string, now: number, day?: number): number | undefined {
  const s = removeDiacritics(typed).toLowerCase().replace(/\s+/g, " ").trim();
  if (/^(vua xong|vua roi|bay gio|ngay bay gio|dang xay ra|just now|now)$/.test(s)) return now;
  let base = day;
  const date = /\b(\d{1,2})\s*[/-]\s*(\d{1,2})(?:\s*[/-]\s*(\d{2,4}))?\b/.exec(s);
  if (date) {
    const today = new Date(vietnamDay(now) + TZ_OFFSET_MS);
    const y = date[3] ? Number(date[3]) + (date[3].length === 2 ? 2000 : 0) : today.getUTCFullYear();
    let at = Date.UTC(y, Number(date[2]) - 1, Number(date[1])) - TZ_OFFSET_MS;
    if (!date[3] && at > now) at = Date.UTC(y - 1, Number(date[2]) - 1, Number(date[1])) - TZ_OFFSET_MS;
    base = at;
  } else if (/\b(hom kia)\b/.test(s)) base = vietnamDay(now, -2);
  else if (/\b(hom qua|toi qua|dem qua|yesterday)\b/.test(s)) base = vietnamDay(now, -1);
  else if (/\b(hom nay|sang nay|trua nay|chieu nay|toi nay|today)\b/.test(s)) base = vietnamDay(now);
  const rest = date ? s.replace(date[0], " ") : s;
  const time = /\b(\d{1,2})\s*(?:gio|h|g|:)\s*(\d{1,2})?(?:\s*(?:p|phut))?/.exec(rest);
  let hour: number;
  let minute = 0;
  if (time) {
    hour = Number(time[1]);
    minute = Number(time[2] ?? 0);
    if (hour < 12 && /\b(chieu|toi|dem|pm)\b/.test(rest)) hour += 12;
    if (hour > 23 || minute > 59) return undefined;
  } else if (/\bsang\b/.test(rest)) hour = 8;
  else if (/\btrua\b/.test(rest)) hour = 12;
  else if (/\bchieu\b/.test(rest)) hour = 15;
  else if (/\btoi\b/.test(rest)) hour = 19;
  else return undefined;
  const start = base ?? vietnamDay(now);
  let at = start + hour * 3_600_000 + minute * 60_000;
  if (base === undefined && at > now + 10 * 60_000) at -= DAY_MS;
  return at;
}

/** Words for each role, diacritics removed, longest first where one contains another. */
const ROLE_WORDS: ReadonlyArray<[Involved["role"], RegExp]> = [
  ["hoc-sinh", /\b(hoc sinh|hs|em|chau|pupils?|students?)\b/],
  ["giao-vien", /\b(giao vien|gv|co giao|thay giao|teachers?)\b/],
  ["phu-huynh", /\b(phu huynh|ph|bo|me|parents?)\b/],
  ["nhan-vien", /\b(nhan vien|bao ve|lao cong|cap duong|staff|guards?)\b/],
  ["nguoi-ngoai", /\b(nguoi ngoai|nguoi la|thanh nien|doi tuong|ke la|strangers?|outsiders?)\b/],
];

/**
 * One group of people involved, as typed: "2 học sinh lớp 8A3", "1 người ngoài trường",
 * "học sinh lớp 9A1: Nguyễn Văn A" (a name after ":" or in brackets). Undefined when empty.
 */
export function parseInvolved(typed: string): Involved | undefined {
  const raw = typed.trim();
  if (!raw) return undefined;
  const named = /^(.*?)(?::\s*(.+)|\((.+)\))\s*$/s.exec(raw);
  const body = (named ? named[1] : raw) ?? "";
  const name = (named?.[2] ?? named?.[3])?.trim().slice(0, 100);
  const s = removeDiacritics(body).toLowerCase();
  const count = /^\s*(\d{1,3})\b/.exec(s);
  const cls =
    /\blop\s*([0-9]{1,2}\s*[a-z0-9]{0,4})\b/.exec(s) ?? /\b(1[0-2]|[1-9])([a-z][0-9]{0,2})\b/.exec(s);
  const className = cls ? (cls[2] === undefined ? cls[1] : `${cls[1]}${cls[2]}`) : undefined;
  const role = ROLE_WORDS.find(([, words]) => words.test(s))?.[0] ?? (className ? "hoc-sinh" : "khac");
  return {
    role,
    count: Math.min(500, Math.max(1, count ? Number(count[1]) : 1)),
    ...(className && { className: className.replace(/\s+/g, "").toUpperCase().slice(0, 20) }),
    ...(name && { name }),
  };
}
