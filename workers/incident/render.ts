import { tl } from "../../i18n.js";
import type { OutgoingMessage } from "../messenger.js";
import { formatTime } from "../render.js";
import type { Routing } from "../routing/routing-table.js";
import { OFFICER_LANG } from "../tip/officer-actions.js";
import type { IncidentRecord } from "./desk.js";
import type { Involved } from "./incident.js";
import { incidentActions } from "./officer-actions.js";

const say = (key: string, vars?: Record<string, string | number>) => tl(OFFICER_LANG, key, vars);

/** Why an officer receives an incident: its first delivery, an escalation, a colleague's forward. */
export type IncidentMessageKind = "new-incident" | "escalation" | "forwarded";

/** "Trường THCS An Hòa (Phường An Hòa)". */
export function schoolText(
  incident: Pick<IncidentRecord, "schoolId" | "communeId">,
  routing: Routing,
): string {
  const school = routing.schools.find((s) => s.id === incident.schoolId)?.name ?? incident.schoolId;
  const commune = routing.communes.find((c) => c.id === incident.communeId)?.name;
  return commune ? `${school} (${commune})` : school;
}

/** "Nguyễn Thị Lan — giáo viên". */
export function reporterText(incident: Pick<IncidentRecord, "reporter">): string {
  const role = say(`incident.role.${incident.reporter.schoolRole}`);
  return incident.reporter.name ? `${incident.reporter.name} — ${role}` : role;
}

function involvedText(list: readonly Involved[]): string {
  return list
    .map((p) =>
      [
        say(`incident.involved.${p.role}`),
        p.className ? say("incident.message.class", { class: p.className }) : "",
        p.count > 1 ? `×${p.count}` : "",
        p.name ? `(${p.name})` : "",
      ]
        .filter(Boolean)
        .join(" "),
    )
    .join("; ");
}

/**
 * The message an officer receives for an incident (Vietnamese): the school, the reporter by name
 * and role, what happened, and that questions go straight to the reporter. Pupils' names appear
 * only when the reporter gave them (the routed officer may read them).
 */
export function officerIncidentMessage(
  incident: IncidentRecord,
  routing: Routing,
  kind: IncidentMessageKind,
  note?: string,
): OutgoingMessage {
  const heading = say(`incident.message.heading.${kind}`);
  const place = [say(`incident.place.${incident.place}`), incident.placeText && `“${incident.placeText}”`]
    .filter(Boolean)
    .join(" — ");
  const lines = [
    say(incident.urgency === "khan-cap" ? "incident.message.urgentTitle" : "incident.message.title", {
      heading,
      code: incident.caseCode,
    }),
    say("incident.message.school", { school: schoolText(incident, routing) }),
    say("incident.message.reporter", { reporter: reporterText(incident) }),
    say("incident.message.kind", { kind: say(`incident.kind.${incident.kind}`) }),
    say("incident.message.urgency", { urgency: say(`urgency.${incident.urgency}`) }),
    say("incident.message.occurredAt", { time: formatTime(incident.occurredAt) }),
    say("incident.message.place", { place }),
    say("incident.message.description", { description: incident.description }),
    ...(incident.involved.length > 0
      ? [say("incident.message.involved", { involved: involvedText(incident.involved) })]
      : []),
    ...(incident.injuries ? [say("incident.message.injuries", { injuries: incident.injuries })] : []),
    ...(incident.schoolAction
      ? [say("incident.message.schoolAction", { action: incident.schoolAction })]
      : []),
    ...(note ? [say("officerMessage.forwardNote", { note })] : []),
    say("incident.message.named", { ask: say("incident.action.ask") }),
  ];
  return { text: lines.join("\n"), actions: incidentActions(incident) };
}

/** The officer's question as the reporter reads it: who asks, and how to answer. */
export function reporterQuestionMessage(
  incident: IncidentRecord,
  officerName: string,
  question: string,
): OutgoingMessage {
  return {
    text: [
      say("incident.reporterMessage.question", { officer: officerName, code: incident.caseCode }),
      question,
      say("incident.reporterMessage.howToAnswer", { code: incident.caseCode }),
    ].join("\n"),
  };
}

/** The reporter's answer as the officer who asked reads it. */
export function officerAnswerMessage(
  incident: IncidentRecord,
  routing: Routing,
  answer: string,
): OutgoingMessage {
  return {
    text: [
      say("incident.message.answer", {
        reporter: reporterText(incident),
        school: schoolText(incident, routing),
        code: incident.caseCode,
      }),
      answer,
    ].join("\n"),
    actions: incidentActions(incident, ["inc-ask", "inc-site", "inc-close"]),
  };
}

/** An alert about an incident to the duty officer (a delivery that failed for good). */
export function incidentAlertMessage(
  incident: IncidentRecord,
  routing: Routing,
  text: string,
): OutgoingMessage {
  return {
    text: [
      say("incident.message.alert", {
        code: incident.caseCode,
        kind: say(`incident.kind.${incident.kind}`),
        school: schoolText(incident, routing),
      }),
      text,
    ].join("\n"),
    actions: incidentActions(incident, ["inc-ack"]),
  };
}
