import { randomUUID } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "../../db/client.js";
import { incidents } from "../../db/schema.js";
import type { Logger } from "../../logger.js";
import { cleanUserText } from "../../text/clean-user-text.js";
import type { ChatAddress } from "../messenger.js";
import type { TipQueues } from "../queues/tip-queues.js";
import type { Routing } from "../routing/routing-table.js";
import type { Contact } from "../routing/schema.js";
import { detectEmergency } from "../tip/emergency.js";
import { senderKey } from "../tip/sender-key.js";
import { parseIncidentCaseCode } from "./case-code.js";
import {
  type IncidentAnswerResult,
  type IncidentDesk,
  type IncidentEvent,
  type IncidentFilter,
  type IncidentPeriod,
  type IncidentReceipt,
  type IncidentRecord,
  IncidentRefusedError,
  type IncidentScope,
  type IncidentViewer,
  type SchoolIncidentCounts,
} from "./desk.js";
import {
  type IncidentOutcome,
  type IncidentSubmissionInput,
  incidentOutcomeSchema,
  incidentSubmissionSchema,
} from "./incident.js";
import { type IncidentRouter, permittedContact } from "./incident-routing.js";
import type { IncidentStore } from "./incident-store.js";
import { IncidentViews } from "./incident-views.js";
import { staffRolesOf } from "./staff.js";
import { incidentDeliveryId } from "./stages.js";

const YEAR_MS = 366 * 86_400_000;
/** How far ahead of the server's clock a phone's "now" may be. */
const CLOCK_SKEW_MS = 10 * 60_000;
const OPEN = ["received", "routed", "delivered", "acknowledged", "on-site"] as const;

export interface IncidentDeskDeps {
  readonly db: Database;
  readonly store: IncidentStore;
  readonly routing: Routing;
  readonly queues: TipQueues;
  /** Routes a stored incident and queues its first message (`IncidentRouter`). */
  readonly router: IncidentRouter;
  /** Where uploaded photos wait, sanitised (the tip path's `TipIntake.addPhoto`, a day). */
  readonly photos: { getPhoto(id: string): Promise<Buffer | undefined> };
  /** The sender salt: refused callers are named in the timeline by a hash of their chat. */
  readonly salt: Buffer;
  readonly logger: Logger;
  readonly now?: () => number;
}

const refuse = (reason: IncidentRefusedError["reason"], message: string, id?: string) =>
  new IncidentRefusedError(reason, message, id);

/** The incident desk (see `IncidentDesk` in desk.ts for the rules). */
export class Incidents implements IncidentDesk {
  private readonly now: () => number;

  private readonly views: IncidentViews;

  constructor(private readonly deps: IncidentDeskDeps) {
    this.now = deps.now ?? Date.now;
    this.views = new IncidentViews(deps);
  }

  /** The school-staff roles of the person behind `chat`, head first. */
  async report(reporterChat: ChatAddress, input: IncidentSubmissionInput): Promise<IncidentReceipt> {
    const [staff] = await staffRolesOf(this.deps.db, reporterChat);
    if (!staff || reporterChat.channel === "web")
      throw refuse("not-school-staff", "report refused: the chat holds no school-staff role");
    const parsed = incidentSubmissionSchema.safeParse(input);
    if (!parsed.success) throw refuse("invalid", `invalid incident: ${parsed.error.message}`);
    const s = parsed.data;
    const now = this.now();
    if (s.occurredAt > now + CLOCK_SKEW_MS || s.occurredAt < now - YEAR_MS)
      throw refuse("invalid", "the incident's time is in the future or more than a year ago");
    const school = this.deps.routing.schools.find((x) => x.id === staff.schoolId);
    if (!school) throw refuse("invalid", `school ${staff.schoolId} is not in the directory`);
    const photos: { id: string; bytes: Buffer }[] = [];
    for (const id of [...new Set(s.photoIds)]) {
      const bytes = await this.deps.photos.getPhoto(id);
      if (!bytes) throw refuse("photo-expired", `photo ${id} has expired or does not exist`);
      photos.push({ id, bytes });
    }
    const id = randomUUID();
    for (let attempt = 0; ; attempt++) {
      const caseCode = this.deps.router.newCaseCode();
      const stored = await this.deps.store.insert(
        {
          id,
          caseCode,
          schoolId: school.id,
          communeId: school.commune,
          reporterPersonId: staff.personId,
          reporterName: staff.name,
          reporterSchoolRole: staff.schoolRole,
          reporterChannel: reporterChat.channel,
          reporterChatId: reporterChat.chatId,
          kind: s.kind,
          urgency: s.urgency,
          occurredAt: new Date(s.occurredAt),
          place: s.place,
          placeText: s.placeText || null,
          description: s.description,
          involved: s.involved,
          injuries: s.injuries || null,
          schoolAction: s.schoolAction || null,
          photoIds: photos.map((p) => p.id),
          status: "received",
          chain: [],
          level: 0,
          createdAt: new Date(now),
          updatedAt: new Date(now),
        },
        photos,
        { at: now, actor: { type: "person", personId: staff.personId }, action: "reported", detail: s.kind },
      );
      if (stored) {
        await this.deps.router.route(id);
        const emergency = detectEmergency(
          [s.description, s.placeText, s.injuries].filter(Boolean).join("\n"),
        );
        return { id, caseCode, ...(emergency && { emergency: { kinds: emergency.kinds } }) };
      }
      if (attempt >= 5) throw new Error("could not draw a free incident case code");
    }
  }

  /**
   * The contact behind `actor` that may act on the incident, or a refusal written to its
   * timeline (under a hash of the chat).
   */
  private async officer(
    actor: ChatAddress,
    incidentId: string,
    action: string,
  ): Promise<[Contact, IncidentRecord]> {
    const { routing, store } = this.deps;
    const contacts = routing.contactsByChat(actor.channel, actor.chatId);
    const incident = await store.get(incidentId);
    const caller = {
      type: "caller" as const,
      key: senderKey(this.deps.salt, actor.channel, actor.chatId).slice(0, 12),
    };
    if (contacts.length === 0) {
      if (incident)
        await store.appendEvent(incidentId, {
          at: this.now(),
          actor: caller,
          action: "refused",
          detail: action,
        });
      this.deps.logger.warn(
        { incidentId, action, caller: caller.key },
        "incident action refused: not a listed contact",
      );
      throw refuse("not-an-officer", `${action} refused: the sender is not a listed contact`, incidentId);
    }
    if (!incident) throw refuse("no-such-incident", `no incident ${incidentId}`, incidentId);
    const permitted = await permittedContact(store, routing, incident, contacts);
    if (permitted) return [permitted, incident];
    await store.appendEvent(incidentId, { at: this.now(), actor: caller, action: "refused", detail: action });
    this.deps.logger.warn(
      { incidentId, action, caller: caller.key },
      "incident action refused: not the officer's",
    );
    throw refuse(
      "not-your-incident",
      `${action} refused: the incident is not routed or forwarded to the sender, nor in their area`,
      incidentId,
    );
  }

  private async current(id: string): Promise<IncidentRecord> {
    const incident = await this.deps.store.get(id);
    if (!incident) throw refuse("no-such-incident", `no incident ${id}`, id);
    return incident;
  }

  async acknowledge(actor: ChatAddress, incidentId: string): Promise<IncidentRecord> {
    const [officer, incident] = await this.officer(actor, incidentId, "acknowledge");
    const at = this.now();
    const r = await this.deps.store.transition(
      incidentId,
      { status: "acknowledged", acknowledgedAt: at, acknowledgedBy: officer.id },
      { at, actor: { type: "contact", contactId: officer.id }, action: "acknowledged" },
      ["received", "routed", "delivered"],
    );
    if (r === "wrong-status")
      throw refuse("wrong-status", `${incident.caseCode} is already acknowledged or closed`, incidentId);
    await this.deps.queues.cancelEscalations(incidentId, incident.chain.length, "incident");
    return this.current(incidentId);
  }

  async onSite(actor: ChatAddress, incidentId: string, note?: string): Promise<IncidentRecord> {
    const [officer, incident] = await this.officer(actor, incidentId, "on-site");
    const at = this.now();
    const detail = note ? cleanUserText(note).trim().slice(0, 1000) : undefined;
    const r = await this.deps.store.transition(
      incidentId,
      {
        status: "on-site",
        onSiteAt: at,
        onSiteBy: officer.id,
        acknowledgedAt: at,
        acknowledgedBy: officer.id,
      },
      { at, actor: { type: "contact", contactId: officer.id }, action: "on-site", ...(detail && { detail }) },
      ["received", "routed", "delivered", "acknowledged"],
    );
    if (r === "wrong-status")
      throw refuse("wrong-status", `${incident.caseCode} is closed or already on site`, incidentId);
    await this.deps.queues.cancelEscalations(incidentId, incident.chain.length, "incident");
    return this.current(incidentId);
  }

  async ask(actor: ChatAddress, incidentId: string, question: string): Promise<void> {
    const [officer, incident] = await this.officer(actor, incidentId, "ask");
    const text = cleanUserText(question).trim();
    if (!text || text.length > 2000)
      throw refuse("invalid", "the question is empty or longer than 2000 characters", incidentId);
    if (incident.status === "closed")
      throw refuse("wrong-status", `${incident.caseCode} is closed`, incidentId);
    const events = await this.deps.store.events(incidentId);
    const n = events.filter((e) => e.action === "asked").length;
    await this.deps.store.appendEvent(incidentId, {
      at: this.now(),
      actor: { type: "contact", contactId: officer.id },
      action: "asked",
      detail: text,
    });
    await this.deps.queues.addNotify(
      {
        subject: "incident",
        deliveryId: incidentDeliveryId(incidentId, `q-${n + 1}`),
        incidentId,
        kind: "question",
        to: { type: "reporter" },
        text,
        from: officer.id,
      },
      2,
    );
  }

  async forward(
    actor: ChatAddress,
    incidentId: string,
    toContactId: string,
    note?: string,
  ): Promise<Contact> {
    const [officer, incident] = await this.officer(actor, incidentId, "forward");
    const to = this.deps.routing.contactById(toContactId);
    if (!to) throw refuse("invalid", `contact ${toContactId} is not in the routing table`, incidentId);
    if (incident.status === "closed")
      throw refuse("wrong-status", `${incident.caseCode} is closed`, incidentId);
    const clean = note ? cleanUserText(note).trim().slice(0, 1000) : "";
    const n = (await this.deps.store.events(incidentId)).filter((e) => e.action === "forwarded").length;
    await this.deps.store.appendEvent(incidentId, {
      at: this.now(),
      actor: { type: "contact", contactId: officer.id },
      action: "forwarded",
      detail: `→ ${to.id}${clean ? `: ${clean}` : ""}`,
    });
    await this.deps.queues.addNotify(
      {
        subject: "incident",
        deliveryId: incidentDeliveryId(incidentId, `fwd-${n + 1}-${to.id}`),
        incidentId,
        kind: "forwarded",
        to: { type: "contact", contactId: to.id },
        ...(clean && { text: clean }),
        from: officer.id,
      },
      2,
    );
    return to;
  }

  async close(
    actor: ChatAddress,
    incidentId: string,
    outcome: IncidentOutcome,
    note?: string,
  ): Promise<IncidentRecord> {
    const [officer, incident] = await this.officer(actor, incidentId, "close");
    const parsed = incidentOutcomeSchema.safeParse(outcome);
    if (!parsed.success) throw refuse("invalid", `unknown outcome ${outcome}`, incidentId);
    const at = this.now();
    const clean = note ? cleanUserText(note).trim().slice(0, 1000) : "";
    const r = await this.deps.store.transition(
      incidentId,
      { status: "closed", closedAt: at, closedBy: officer.id, outcome: parsed.data },
      {
        at,
        actor: { type: "contact", contactId: officer.id },
        action: "closed",
        detail: clean ? `${parsed.data}: ${clean}` : parsed.data,
      },
      [...OPEN],
    );
    if (r === "wrong-status")
      throw refuse("wrong-status", `${incident.caseCode} is already closed`, incidentId);
    await this.deps.queues.cancelEscalations(incidentId, incident.chain.length, "incident");
    return this.current(incidentId);
  }

  /** Whether `chat` is the one the incident was reported from. */
  private async isReporterChat(incidentId: string, chat: ChatAddress): Promise<boolean> {
    const stored = await this.deps.store.reporterChat(incidentId);
    return stored !== undefined && stored.channel === chat.channel && stored.chatId === String(chat.chatId);
  }

  async answer(reporterChat: ChatAddress, caseCode: string, text: string): Promise<IncidentAnswerResult> {
    const body = cleanUserText(text).trim().slice(0, 4000);
    if (!body) throw refuse("invalid", "the answer is empty");
    const code = parseIncidentCaseCode(caseCode);
    const id = code && (await this.deps.store.idForCaseCode(code));
    if (!id || !(await this.isReporterChat(id, reporterChat)))
      throw refuse("not-the-reporter", "answer not accepted: unknown case, or not the reporter's chat");
    const incident = await this.current(id);
    if (incident.status === "closed") return "closed";
    const events = await this.deps.store.events(id);
    const asked = events.filter((e) => e.action === "asked").at(-1);
    if (asked?.actor.type !== "contact") return "no-question";
    const n = events.filter((e) => e.action === "answered").length;
    await this.deps.store.appendEvent(id, {
      at: this.now(),
      actor: { type: "person", personId: incident.reporter.personId },
      action: "answered",
      detail: body,
    });
    await this.deps.queues.addNotify(
      {
        subject: "incident",
        deliveryId: incidentDeliveryId(id, `a-${n + 1}`),
        incidentId: id,
        kind: "answer",
        to: { type: "contact", contactId: asked.actor.contactId },
        text: body,
      },
      2,
    );
    return "relayed";
  }

  async pendingQuestion(reporterChat: ChatAddress): Promise<{ id: string; caseCode: string } | undefined> {
    if (reporterChat.channel === "web") return undefined;
    const open = await this.deps.store.select(
      and(
        eq(incidents.reporterChannel, reporterChat.channel),
        eq(incidents.reporterChatId, reporterChat.chatId),
        inArray(incidents.status, [...OPEN]),
      ),
      {},
      20,
    );
    for (const incident of open) {
      const events = await this.deps.store.events(incident.id);
      const lastAsked = events.findLastIndex((e) => e.action === "asked");
      if (lastAsked >= 0 && !events.slice(lastAsked).some((e) => e.action === "answered"))
        return { id: incident.id, caseCode: incident.caseCode };
    }
    return undefined;
  }

  /** Whether `viewer` may see `incident`. */
  get(viewer: IncidentViewer, incidentId: string): Promise<IncidentRecord> {
    return this.views.get(viewer, incidentId);
  }

  timeline(viewer: IncidentViewer, incidentId: string): Promise<IncidentEvent[]> {
    return this.views.timeline(viewer, incidentId);
  }

  idForCaseCode(viewer: IncidentViewer, caseCode: string): Promise<string | undefined> {
    return this.views.idForCaseCode(viewer, caseCode);
  }

  scopeFor(viewer: IncidentViewer): Promise<IncidentScope> {
    return this.views.scopeFor(viewer);
  }

  list(scope: IncidentScope, filter?: IncidentFilter): Promise<IncidentRecord[]> {
    return this.views.list(scope, filter);
  }

  countsBySchool(schoolIds: readonly string[], period: IncidentPeriod): Promise<SchoolIncidentCounts[]> {
    return this.views.countsBySchool(schoolIds, period);
  }
}
