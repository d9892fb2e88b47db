import { randomUUID } from "node:crypto";
import { tl } from "../../i18n.js";
import type { Logger } from "../../logger.js";
import type { OutgoingMessage, OutgoingPhoto } from "../messenger.js";
import type { IncidentEscalateJob, IncidentNotifyJob } from "../queues/jobs.js";
import { type Routing, VacantContactError } from "../routing/routing-table.js";
import { isBound } from "../routing/schema.js";
import { type Recipient, type SubjectStages, unrecoverable } from "../stage.js";
import { OFFICER_LANG } from "../tip/officer-actions.js";
import type { IncidentRecord } from "./desk.js";
import type { IncidentStore } from "./incident-store.js";
import {
  incidentAlertMessage,
  officerAnswerMessage,
  officerIncidentMessage,
  reporterQuestionMessage,
} from "./render.js";

export interface IncidentStageDeps {
  readonly store: IncidentStore;
  readonly routing: Routing;
  readonly logger: Logger;
  readonly now: () => number;
}

/** Deliveries of an incident: `incident-<id>-<what>`, apart from tips' ledger entries. */
export function incidentDeliveryId(incidentId: string, what: string): string {
  return `incident-${incidentId}-${what}`;
}

const SETTLED = new Set(["acknowledged", "on-site", "closed"]);

/**
 * How the notify and escalate stages (`workers/notify.ts`, `workers/escalate.ts`) handle incidents:
 * the content and recipients of each message, and what a delivery or an escalation changes. The
 * machinery — ledger, pacing, 429s, dead letters with an alert to the duty officer, one job per
 * level — is the tips'.
 */
export function incidentStages(
  deps: IncidentStageDeps,
): SubjectStages<IncidentNotifyJob, IncidentEscalateJob> {
  const { store, routing } = deps;
  const system = { type: "system" } as const;

  return {
    async prepare(job) {
      const incident = await store.get(job.incidentId);
      if (!incident) throw unrecoverable(`incident ${job.incidentId} not found`);
      const reporterChat = job.to.type === "reporter" ? await store.reporterChat(incident.id) : undefined;
      return {
        recipient(): Recipient {
          if (job.to.type === "reporter") {
            if (!reporterChat) throw unrecoverable(`incident ${incident.id}: the reporter's chat is erased`);
            return { address: reporterChat, label: "reporter", lang: "vi" };
          }
          const contact = routing.contactById(job.to.contactId);
          if (!contact) throw unrecoverable(`contact ${job.to.contactId} is not in the routing table`);
          if (!isBound(contact)) throw new VacantContactError(contact.id);
          return {
            address: { channel: contact.channel, chatId: contact.chatId },
            label: contact.id,
            lang: OFFICER_LANG,
          };
        },
        message: () => render(deps, job, incident),
        async delivered(to) {
          const at = deps.now();
          const event = {
            at,
            actor: system,
            action: "delivered" as const,
            detail: `${job.kind} → ${to.label}`,
          };
          if (job.kind === "new-incident" || job.kind === "escalation" || job.kind === "forwarded") {
            const r = await store.transition(incident.id, { status: "delivered", deliveredAt: at }, event, [
              "routed",
            ]);
            if (r === "ok") return;
          }
          await store.appendEvent(incident.id, event);
        },
      };
    },

    alert: (job, reason) => ({
      subject: "incident",
      deliveryId: `${job.deliveryId}-dead-${randomUUID().slice(0, 8)}`,
      incidentId: job.incidentId,
      kind: "alert",
      to: { type: "contact", contactId: routing.dutyOfficer.id },
      text: tl(OFFICER_LANG, "officerMessage.deliveryFailed", {
        kind: job.kind,
        to: job.to.type === "contact" ? job.to.contactId : tl(OFFICER_LANG, "incident.message.theReporter"),
        reason,
      }),
    }),

    async escalatable(job) {
      const incident = await store.get(job.incidentId);
      return (
        incident && {
          id: incident.id,
          chain: incident.chain,
          urgency: incident.urgency,
          settled: SETTLED.has(incident.status),
        }
      );
    },
    escalationNotice: (it, level, contactId) => ({
      subject: "incident",
      deliveryId: incidentDeliveryId(it.id, `esc-${level}-${contactId}`),
      incidentId: it.id,
      kind: "escalation",
      to: { type: "contact", contactId },
    }),
    nextEscalation: (it, level) => ({ subject: "incident", incidentId: it.id, level: level + 1 }),
    async escalated(it, level, contactId) {
      await store.transition(
        it.id,
        { level },
        { at: deps.now(), actor: system, action: "escalated", detail: `→ ${contactId} (level ${level + 1})` },
        ["routed", "delivered"],
      );
    },
    async exhausted(it, level) {
      await store.appendEvent(it.id, { at: deps.now(), actor: system, action: "escalation-exhausted" });
      deps.logger.error(
        { incidentId: it.id, level },
        "incident still not acknowledged after the whole chain",
      );
    },
  };
}

async function render(
  deps: IncidentStageDeps,
  job: IncidentNotifyJob,
  incident: IncidentRecord,
): Promise<OutgoingMessage> {
  const { routing } = deps;
  switch (job.kind) {
    case "new-incident":
    case "escalation":
    case "forwarded": {
      const message = officerIncidentMessage(incident, routing, job.kind, job.text);
      const photos: OutgoingPhoto[] = [];
      for (const id of incident.photoIds) {
        const bytes = await deps.store.photo(incident.id, id);
        if (bytes) photos.push({ bytes, mime: "image/jpeg" });
        else deps.logger.warn({ incidentId: incident.id, photoId: id }, "photo of an incident is missing");
      }
      return photos.length > 0 ? { ...message, photos } : message;
    }
    case "question": {
      const officer = job.from ? routing.contactById(job.from)?.name : undefined;
      return reporterQuestionMessage(incident, officer ?? job.from ?? "", job.text ?? "");
    }
    case "answer":
      return officerAnswerMessage(incident, routing, job.text ?? "");
    case "alert":
      return incidentAlertMessage(incident, routing, job.text ?? "");
  }
}
