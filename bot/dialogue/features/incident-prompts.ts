import { t } from "../../../i18n.js";
import { INCIDENT_KINDS, INCIDENT_PLACES, type Involved } from "../../../workers/incident/incident.js";
import type { Choice, Reply } from "../feature.js";
import type { IncidentDraft } from "./incident-draft.js";

/**
 * The replies of `/baocao`'s steps (features/incident-report.ts): each step's question and its
 * choices (`ir:<what>[:<value>]`), and the summary shown before "Gửi". Words only, no state.
 */

export const ir = (data: string, label: string): Choice => ({ data: `ir:${data}`, label });
export const skip = (label = t("incidentReport.skip")): Choice[] => [ir("skip", label)];
export const anonymous = (): Choice => ({ data: "menu:report", label: t("incidentReport.anonymous") });

export const kindPrompt = (): Reply => ({
  text: t("incidentReport.kind"),
  choices: INCIDENT_KINDS.map((k) => ir(`kind:${k}`, t(`incident.kind.${k}`))),
});

export const whenPrompt = (): Reply => ({
  text: t("incidentReport.when"),
  choices: [
    ir("when:now", t("incidentReport.whenNow")),
    ir("when:morning", t("incidentReport.whenMorning")),
    ir("when:yesterday", t("incidentReport.whenYesterday")),
  ],
});

export const wherePrompt = (): Reply => ({
  text: t("incidentReport.where"),
  choices: INCIDENT_PLACES.map((p) => ir(`place:${p}`, t(`incident.place.${p}`))),
});

export const involvedPrompt = (): Reply => ({
  text: t("incidentReport.involved"),
  choices: [ir("inv:done", t("incidentReport.involvedNone"))],
});

export const injuriesPrompt = (): Reply => ({
  text: t("incidentReport.injuries"),
  choices: (["none", "nhe", "nang"] as const).map((s) => ir(`inj:${s}`, t(`incidentReport.injury.${s}`))),
});

export const photoPrompt = (): Reply => ({
  text: t("incidentReport.photo"),
  choices: [ir("photos:done", t("report.noPhoto"))],
});

export const done = (): Choice[] => [ir("photos:done", t("report.done"))];

export function involvedText(list: readonly Involved[]): string {
  return list
    .map((p) =>
      [
        p.count > 1 ? String(p.count) : "",
        t(`incident.involved.${p.role}`),
        p.className ? t("incidentReport.class", { class: p.className }) : "",
        p.name ? `(${p.name})` : "",
      ]
        .filter(Boolean)
        .join(" "),
    )
    .join("; ");
}

const TIME = new Intl.DateTimeFormat("vi-VN", {
  timeZone: "Asia/Ho_Chi_Minh",
  hour: "2-digit",
  minute: "2-digit",
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
});

export function summary(draft: IncidentDraft): Reply {
  const none = t("incidentReport.none");
  return {
    text: t("incidentReport.summary", {
      kind: draft.incidentKind ? t(`incident.kind.${draft.incidentKind}`) : "?",
      time: draft.occurredAt === undefined ? "?" : TIME.format(new Date(draft.occurredAt)),
      place: [draft.place && t(`incident.place.${draft.place}`), draft.placeText].filter(Boolean).join(" — "),
      description: draft.description ?? "?",
      involved: draft.involved.length ? involvedText(draft.involved) : none,
      injuries: draft.injuries ?? none,
      action: draft.schoolAction ?? none,
      photos: draft.photoIds.length,
      urgency: draft.urgency ? t(`urgency.${draft.urgency}`) : "?",
    }),
    choices: [ir("send", t("incidentReport.send")), ir("cancel", t("report.cancel"))],
  };
}

export const hourPrompt = (): Reply => ({
  text: t("incidentReport.whenHour"),
  choices: [ir("when:unsure", t("incidentReport.whenUnsure"))],
});
