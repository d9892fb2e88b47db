import type { SchoolRole } from "../directory/invitations.js";
import type { ChatAddress } from "../messenger.js";
import type { Contact } from "../routing/schema.js";
import type { EmergencyKind } from "../tip/emergency.js";
import type {
  IncidentKind,
  IncidentOutcome,
  IncidentPlace,
  IncidentStatus,
  IncidentSubmissionInput,
  IncidentUrgency,
  Involved,
} from "./incident.js";

/**
 * The incident desk's contract (issue 15): what the bot's `/baocao` dialogue, the officers'
 * buttons and the console's school log call. Incidents are named reports by school staff, kept
 * in PostgreSQL (`incidents`, `incident_events`), routed and escalated like tips through the
 * same notify machinery, and never joined to an anonymous tip. Times are epoch milliseconds.
 *
 * Who may do what:
 * - **report**: a chat bound (by invitation) to a person holding a school-staff role; the
 *   incident is that role's school's (the first such role when a person holds several);
 * - **officer actions** (acknowledge, on site, ask, forward, close): a chat behind a listed
 *   contact that is in the incident's chain, was forwarded it, covers its commune for its routing
 *   category (`Routing.covers`, `ROUTE_CATEGORY`), or is the province's duty officer — the
 *   triage rules. A refusal is written to the incident's events under a hash of the chat;
 * - **answer**: only the reporter's own chat (the one the incident was reported from);
 * - **read** (get, timeline, list): the school's head and safety staff see every incident of
 *   their school, a teacher their own, an officer those they may act on, an admin all of them.
 */
export interface IncidentDesk {
  /**
   * Records a staff member's incident, queues its routing and answers its case code.
   * `emergency` is set when the description mentions danger to life now: the dialogue shows the
   * hotline guidance (`emergency.*`) first, as for tips.
   * @throws IncidentRefusedError "not-school-staff" (the chat holds no school-staff role, or is
   *   not bound at all: offer the anonymous tip instead), "invalid" (the submission fails
   *   `incidentSubmissionSchema`, or its time is in the future or over a year ago)
   */
  report(reporterChat: ChatAddress, submission: IncidentSubmissionInput): Promise<IncidentReceipt>;

  /** "Nhận xử lý": stops the escalation. @throws IncidentRefusedError */
  acknowledge(officer: ChatAddress, incidentId: string): Promise<IncidentRecord>;
  /** "Đã xuống hiện trường" (acknowledges too, if not yet). @throws IncidentRefusedError */
  onSite(officer: ChatAddress, incidentId: string, note?: string): Promise<IncidentRecord>;
  /**
   * Sends the officer's question straight to the reporter's chat, naming the officer (the
   * contact's name): there is no anonymity layer for named reports. ≤ 2000 characters.
   * @throws IncidentRefusedError
   */
  ask(officer: ChatAddress, incidentId: string, question: string): Promise<void>;
  /** Hands the incident to another listed contact, who may then act on it. @throws IncidentRefusedError */
  forward(officer: ChatAddress, incidentId: string, toContactId: string, note?: string): Promise<Contact>;
  /** Closes with an outcome (`incident.outcome.<id>`). @throws IncidentRefusedError */
  close(
    officer: ChatAddress,
    incidentId: string,
    outcome: IncidentOutcome,
    note?: string,
  ): Promise<IncidentRecord>;

  /**
   * The reporter's answer to the last question asked on `caseCode` ("SC-XXXX-XX", typed
   * loosely), relayed to the officer who asked. Accepted only from the reporter's own chat.
   * @throws IncidentRefusedError "not-the-reporter" (also for an unknown code), "invalid"
   */
  answer(reporterChat: ChatAddress, caseCode: string, text: string): Promise<IncidentAnswerResult>;
  /** The incident whose question waits unanswered in this reporter's chat, newest first, if any. */
  pendingQuestion(
    reporterChat: ChatAddress,
  ): Promise<{ readonly id: string; readonly caseCode: string } | undefined>;

  /** One incident as `viewer` may see it. @throws IncidentRefusedError "no-such-incident" (also when not theirs to see) */
  get(viewer: IncidentViewer, incidentId: string): Promise<IncidentRecord>;
  /** The incident's events, oldest first. @throws IncidentRefusedError as `get` */
  timeline(viewer: IncidentViewer, incidentId: string): Promise<IncidentEvent[]>;
  /** Resolves an incident id from a case code, when `viewer` may see it. */
  idForCaseCode(viewer: IncidentViewer, caseCode: string): Promise<string | undefined>;

  /** What `viewer` may list (the console's school log): never wider than `get` allows. */
  scopeFor(viewer: IncidentViewer): Promise<IncidentScope>;
  /** Incidents in `scope`, newest reported first (default limit 100, at most 500). */
  list(scope: IncidentScope, filter?: IncidentFilter): Promise<IncidentRecord[]>;
  /**
   * Counts per school, kind and outcome of incidents that occurred in `period`, for the school's
   * periodic report. Counts only: no names, no descriptions (erased incidents still count).
   */
  countsBySchool(schoolIds: readonly string[], period: IncidentPeriod): Promise<SchoolIncidentCounts[]>;
}

/** What `report` answers. */
export interface IncidentReceipt {
  readonly id: string;
  readonly caseCode: string;
  readonly emergency?: { readonly kinds: readonly EmergencyKind[] };
}

/** What became of a reporter's answer. */
export type IncidentAnswerResult = "relayed" | "no-question" | "closed";

/** The staff member who reported, as they were when they reported. */
export interface IncidentReporter {
  readonly personId: string;
  /** Their name in the directory (`people.name`); empty when they never gave one. */
  readonly name: string;
  readonly schoolRole: SchoolRole;
}

/**
 * An incident as stored. The reporter's chat is never part of it (the desk alone uses it to
 * send questions). After retention (`erasedAt`) the pupils' names, description, place text,
 * injuries, school action and photos are gone: empty strings and arrays, `involved` keeps roles,
 * classes and counts only.
 */
export interface IncidentRecord {
  readonly id: string;
  readonly caseCode: string;
  readonly schoolId: string;
  readonly communeId: string;
  readonly reporter: IncidentReporter;
  readonly kind: IncidentKind;
  readonly urgency: IncidentUrgency;
  readonly occurredAt: number;
  readonly place: IncidentPlace;
  readonly placeText?: string;
  readonly description: string;
  readonly involved: readonly Involved[];
  readonly injuries?: string;
  readonly schoolAction?: string;
  readonly photoIds: readonly string[];
  readonly status: IncidentStatus;
  /** Contact ids the incident was routed to, in escalation order. */
  readonly chain: readonly string[];
  /** How far along `chain` it has escalated (0: the first contact). */
  readonly level: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly deliveredAt?: number;
  readonly acknowledgedAt?: number;
  readonly acknowledgedBy?: string;
  readonly onSiteAt?: number;
  readonly onSiteBy?: string;
  readonly closedAt?: number;
  readonly closedBy?: string;
  readonly outcome?: IncidentOutcome;
  /** When retention erased its content. */
  readonly erasedAt?: number;
}

/** Who an event is by. A refused caller is named by a hash of its chat, never the raw id. */
export type IncidentActor =
  | { readonly type: "system" }
  | { readonly type: "contact"; readonly contactId: string }
  | { readonly type: "person"; readonly personId: string }
  | { readonly type: "caller"; readonly key: string };

export const INCIDENT_ACTIONS = [
  "reported",
  "routed",
  "delivered",
  "escalated",
  "escalation-exhausted",
  "acknowledged",
  "on-site",
  "asked",
  "answered",
  "forwarded",
  "closed",
  "refused",
  "erased",
] as const;
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

/**
 * One line of an incident's timeline. `detail`: the question or answer text, `→ <contact id>`
 * for a delivery, escalation or forward (`: note` after it), the outcome for a close, the
 * refused action's name for "refused". Texts are erased with the incident's content.
 */
export interface IncidentEvent {
  readonly at: number;
  readonly actor: IncidentActor;
  readonly action: IncidentAction;
  readonly detail?: string;
}

/**
 * Who is looking. A chat is resolved by the desk itself (its person's roles and the contacts
 * behind it); "admin" (a province admin or the console's operator) reads everything, acts on
 * nothing.
 */
export type IncidentViewer =
  | { readonly kind: "chat"; readonly chat: ChatAddress }
  | { readonly kind: "admin" };

/** What `list` reads: incidents of these schools, of one reporter, or an officer's. */
export type IncidentScope =
  | { readonly by: "schools"; readonly schoolIds: readonly string[] }
  | { readonly by: "reporter"; readonly reporterPersonId: string }
  /** Those the contacts may act on (chain, area and category, forwarded; all for the duty officer). */
  | { readonly by: "contacts"; readonly contactIds: readonly string[] }
  /** Several of the above, merged (a head who also holds a contact). */
  | { readonly by: "any"; readonly scopes: readonly IncidentScope[] }
  | { readonly by: "all" };

/** [from, to) in epoch ms. */
export interface IncidentPeriod {
  readonly from: number;
  readonly to: number;
}

export interface IncidentFilter {
  readonly status?: IncidentStatus | readonly IncidentStatus[];
  readonly kind?: IncidentKind;
  /** By `occurredAt`. */
  readonly period?: IncidentPeriod;
  readonly limit?: number;
}

/** One school's figures for a period. Open incidents count under `open`, not an outcome. */
export interface SchoolIncidentCounts {
  readonly schoolId: string;
  readonly total: number;
  readonly open: number;
  readonly byKind: Readonly<Record<IncidentKind, number>>;
  readonly byOutcome: Readonly<Record<IncidentOutcome, number>>;
  /** Kind × outcome ("open" for not yet closed), only the non-zero cells. */
  readonly cells: readonly {
    readonly kind: IncidentKind;
    readonly outcome: IncidentOutcome | "open";
    readonly count: number;
  }[];
}

export type IncidentRefusal =
  /** The chat is not bound to a person with a school-staff role. */
  | "not-school-staff"
  /** The chat is behind no listed contact. */
  | "not-an-officer"
  /** A listed contact, but not one that may act on this incident. */
  | "not-your-incident"
  /** Unknown, or not the viewer's to see (the same answer, so ids cannot be probed). */
  | "no-such-incident"
  | "wrong-status"
  | "invalid"
  /** A photo of the submission is gone (uploads wait a day) or never existed. */
  | "photo-expired"
  /** An answer not from the reporter's own chat, or to an unknown code (the same answer). */
  | "not-the-reporter";

/** Why the desk refused. The dialogue words `reason` from `incident.refused.<reason>`. */
export class IncidentRefusedError extends Error {
  override readonly name = "IncidentRefusedError";
  constructor(
    readonly reason: IncidentRefusal,
    message: string,
    readonly incidentId?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Type guard for refusals, by name (works across module copies, unlike instanceof alone). */
export function isIncidentRefused(e: unknown): e is IncidentRefusedError {
  return e instanceof Error && e.name === "IncidentRefusedError";
}
