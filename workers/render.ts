import { tl } from "../i18n.js";
import type { OutgoingMessage } from "./messenger.js";
import type { Routing } from "./routing/routing-table.js";
import { OFFICER_LANG, officerActionLabel, officerActions, officerCommand } from "./tip/officer-actions.js";
import type { TipRecord } from "./tip/tip-store.js";

const TIME = new Intl.DateTimeFormat("vi-VN", {
  timeZone: "Asia/Ho_Chi_Minh",
  dateStyle: "short",
  timeStyle: "short",
});

export function formatTime(ms: number): string {
  return TIME.format(new Date(ms));
}

/** Where a tip happened, in words: school, commune and the tipster's own description. */
export function placeText(tip: TipRecord, routing: Routing): string {
  const school = tip.place.schoolId ? routing.schools.find((s) => s.id === tip.place.schoolId) : undefined;
  const communeId = tip.communeId ?? school?.commune ?? tip.place.communeId;
  const commune = communeId ? routing.communes.find((c) => c.id === communeId) : undefined;
  const parts = [school?.name, commune?.name].filter(Boolean).join(", ");
  const text = tip.place.text ? `“${tip.place.text}”` : "";
  return [parts, text].filter(Boolean).join(" — ") || tl(OFFICER_LANG, "place.unknown");
}

/** Why an officer receives a tip: its first delivery, an escalation, or a colleague's forward. */
export type TipMessageKind = "new-tip" | "escalation" | "forwarded";

/** The message an officer receives for a tip (in Vietnamese). Holds nothing about who sent it. */
export function officerTipMessage(
  tip: TipRecord,
  routing: Routing,
  kind: TipMessageKind,
  note?: string,
): OutgoingMessage {
  const say = (key: string, vars?: Record<string, string | number>) => tl(OFFICER_LANG, key, vars);
  const heading = say(`officerMessage.heading.${kind}`);
  const lines = [
    say(tip.urgency === "khan-cap" ? "officerMessage.urgentTitle" : "officerMessage.title", {
      heading,
      code: tip.caseCode,
    }),
    say("officerMessage.category", { category: say(`category.${tip.category}`) }),
    say("officerMessage.urgency", { urgency: say(`urgency.${tip.urgency}`) }),
    say("officerMessage.place", { place: placeText(tip, routing) }),
    say("officerMessage.time", { time: formatTime(tip.createdAt) }),
    say("officerMessage.description", { description: tip.description }),
    ...(note ? [say("officerMessage.forwardNote", { note })] : []),
    say("officerMessage.anonymous", {
      ask: officerActionLabel("ask"),
      command: officerCommand("ask", tip.caseCode),
    }),
  ];
  return { text: lines.join("\n"), actions: officerActions(tip) };
}
