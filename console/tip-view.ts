import { z } from "zod";
import { t } from "../i18n.js";
import { communeOfTip } from "../workers/outcomes/outcome-row.js";
import type { Routing } from "../workers/routing/routing-table.js";
import { CATEGORIES, URGENCIES } from "../workers/tip/tip.js";
import type { AuditEntry, TipRecord } from "../workers/tip/tip-store.js";

/** How the inbox sorts cases: new, acknowledged, waiting for the tipster, closed. */
export const STATES = ["open", "acknowledged", "waiting", "closed"] as const;
export type TipState = (typeof STATES)[number];

/** The inbox's filters, as the query string gives them. */
export const inboxFilterSchema = z
  .object({
    status: z.enum(STATES).optional(),
    category: z.enum(CATEGORIES).optional(),
    urgency: z.enum(URGENCIES).optional(),
    commune: z.string().max(80).optional(),
    school: z.string().max(80).optional(),
    /** Received at most this many days ago. */
    age: z.coerce.number().int().min(1).max(3650).optional(),
  })
  .strict();
export type InboxFilter = z.infer<typeof inboxFilterSchema>;

/** A case as the inbox lists it: no text, no place description, nothing about the tipster. */
export interface TipSummary {
  readonly id: string;
  readonly caseCode: string;
  readonly category: string;
  readonly categoryLabel: string;
  readonly urgency: string;
  readonly urgencyLabel: string;
  readonly state: TipState;
  readonly stateLabel: string;
  readonly communeId: string | null;
  readonly communeName: string | null;
  readonly schoolName: string | null;
  readonly createdAt: number;
  readonly acknowledgedAt: number | null;
  readonly closedAt: number | null;
  readonly outcome: string | null;
  readonly outcomeLabel: string | null;
  readonly photos: number;
}

/** The case's state from its status and log: a question not answered yet is "waiting". */
export function stateOf(tip: TipRecord, log: readonly AuditEntry[]): TipState {
  if (tip.status === "closed") return "closed";
  const lastAsked = log.findLastIndex((a) => a.action === "asked");
  const lastAnswered = log.findLastIndex((a) => a.action === "answered");
  if (lastAsked >= 0 && lastAsked > lastAnswered) return "waiting";
  return tip.status === "acknowledged" ? "acknowledged" : "open";
}

export function summaryOf(tip: TipRecord, log: readonly AuditEntry[], routing: Routing): TipSummary {
  const communeId = communeOfTip(tip, routing) ?? null;
  const schoolId = tip.schoolId ?? tip.place.schoolId;
  const state = stateOf(tip, log);
  return {
    id: tip.id,
    caseCode: tip.caseCode,
    category: tip.category,
    categoryLabel: t(`category.${tip.category}`),
    urgency: tip.urgency,
    urgencyLabel: t(`urgency.${tip.urgency}`),
    state,
    stateLabel: t(`console.state.${state}`),
    communeId,
    communeName: routing.communes.find((c) => c.id === communeId)?.name ?? null,
    schoolName: routing.schools.find((s) => s.id === schoolId)?.name ?? null,
    createdAt: tip.createdAt,
    acknowledgedAt: tip.acknowledgedAt ?? null,
    closedAt: tip.closedAt ?? null,
    outcome: tip.outcome ?? null,
    outcomeLabel: tip.outcome ? t(`outcome.${tip.outcome}`) : null,
    photos: tip.photoIds.length,
  };
}

/** Whether a case passes the inbox's filters. */
export function matches(s: TipSummary, tip: TipRecord, f: InboxFilter, now: number): boolean {
  if (f.status && s.state !== f.status) return false;
  if (f.category && tip.category !== f.category) return false;
  if (f.urgency && tip.urgency !== f.urgency) return false;
  if (f.commune && s.communeId !== f.commune) return false;
  if (f.school && (tip.schoolId ?? tip.place.schoolId) !== f.school) return false;
  if (f.age && now - tip.createdAt > f.age * 86_400_000) return false;
  return true;
}

/** One step of a case's history as the detail shows it. */
export interface TimelineStep {
  readonly at: number;
  readonly who: string;
  readonly action: string;
  readonly label: string;
  readonly detail: string | null;
}

/** Actions of the tip's log shown in the console; refusals stay in the audit, not the timeline. */
const SHOWN = new Set([
  "received",
  "routed",
  "delivered",
  "escalated",
  "escalation-exhausted",
  "acknowledged",
  "asked",
  "answered",
  "forwarded",
  "closed",
]);

/** The contact a `→ <id>…` detail names, replaced by the contact's name. */
const ARROW = /^→ ([a-z0-9]+(?:-[a-z0-9]+)*)/;

export function timelineOf(log: readonly AuditEntry[], routing: Routing): TimelineStep[] {
  const nameOf = (actor: string) =>
    actor === "tipster"
      ? t("console.who.tipster")
      : actor === "system"
        ? t("console.who.system")
        : (routing.contactById(actor)?.name ?? actor);
  // "ma-tuy → ca-dong-tien-truc-ban → …", "→ tipster", "→ pc04-truc-ban (level 2)": ids as names.
  const named = (text: string) =>
    text.replace(/[a-z0-9]+(?:-[a-z0-9]+)*/g, (id) =>
      id === "tipster"
        ? t("console.who.tipster")
        : (routing.contactById(id)?.name ??
          ((CATEGORIES as readonly string[]).includes(id) ? t(`category.${id}`) : id)),
    );
  return log.flatMap((a) => {
    const action = a.action.startsWith("delivered:") ? "delivered" : a.action;
    if (!SHOWN.has(action)) return [];
    let detail = a.detail ?? null;
    if (detail && (action === "routed" || action === "delivered" || action === "escalated"))
      detail = named(detail);
    const to = detail && action === "forwarded" ? ARROW.exec(detail)?.[1] : undefined;
    const contact = to ? routing.contactById(to) : undefined;
    if (detail && contact) detail = detail.replace(ARROW, `→ ${contact.name}`);
    if (action === "closed" && a.detail) {
      const [outcome = "", rest] = a.detail.split(" ", 2);
      detail = `${t(`outcome.${outcome}`, { defaultValue: outcome })}${rest ? ` ${rest}` : ""}`;
    }
    return [{ at: a.at, who: nameOf(a.actor), action, label: t(`console.timeline.${action}`), detail }];
  });
}
