import { z } from "zod";
import { tl } from "../../i18n.js";
import type { ChatAddress, MessageAction } from "../messenger.js";
import type { Routing } from "../routing/routing-table.js";
import { type Contact, isBound } from "../routing/schema.js";
import { OFFICER_LANG } from "../tip/officer-actions.js";
import type { IncidentDesk, IncidentRecord } from "./desk.js";
import { OUTCOMES as INCIDENT_OUTCOMES, type IncidentOutcome } from "./incident.js";

/**
 * The officer-action protocol of incidents, apart from tips' (`workers/tip/officer-actions.ts`)
 * so the bot's officer feature routes each to its own desk: choice data `inc-<verb>:<incidentId>`
 * (tips' are `<verb>:<tipId>`), `inc-out:<n>:<incidentId>` to close with the n-th outcome of
 * `OUTCOMES` (an index keeps Telegram's 64 bytes), `inc-fwdto:<contactId>` for the contact picked
 * to forward to (the incident being in the session). Typed commands are tips' (`/nhan`, `/hoi`,
 * `/chuyen`, `/dong`) plus `/hientruong`: an `SC-` code makes them an incident's.
 */
export const INCIDENT_VERBS = ["inc-ack", "inc-site", "inc-ask", "inc-fwd", "inc-close"] as const;
export type IncidentVerb = (typeof INCIDENT_VERBS)[number];
export const INCIDENT_CLOSE_WITH = "inc-out";
export const INCIDENT_FORWARD_TO = "inc-fwdto";

/** Typed commands (`/hientruong SC-7KQ3-M8`) and the verb each stands for. */
export const INCIDENT_COMMANDS: Readonly<Record<string, IncidentVerb>> = {
  nhan: "inc-ack",
  hientruong: "inc-site",
  hoi: "inc-ask",
  chuyen: "inc-fwd",
  dong: "inc-close",
};

const idSchema = z.string().uuid();
const commandOf = (verb: IncidentVerb) =>
  Object.entries(INCIDENT_COMMANDS).find(([, v]) => v === verb)?.[0] as string;

/** The button (and typed command) of each action on an incident, in this order. */
export function incidentActions(
  incident: Pick<IncidentRecord, "id" | "caseCode">,
  verbs: readonly IncidentVerb[] = INCIDENT_VERBS,
): MessageAction[] {
  return verbs.map((verb) => ({
    data: `${verb}:${incident.id}`,
    label: tl(OFFICER_LANG, `incident.action.${verb.slice(4)}`),
    command: `/${commandOf(verb)} ${incident.caseCode}${
      verb === "inc-ack" || verb === "inc-site"
        ? ""
        : ` ${tl(OFFICER_LANG, `incident.action.args.${verb.slice(4)}`)}`
    }`,
  }));
}

/** The outcomes to close with, as choices. */
export function closeChoices(incidentId: string): MessageAction[] {
  return INCIDENT_OUTCOMES.map((o, i) => ({
    data: `${INCIDENT_CLOSE_WITH}:${i}:${incidentId}`,
    label: tl(OFFICER_LANG, `incident.outcome.${o}`),
  }));
}

/** Listed contacts with a chat (but `except`) to forward to, as choices. */
export function forwardChoices(routing: Routing, except: readonly string[] = []): MessageAction[] {
  return routing.contacts
    .filter((c) => isBound(c) && !except.includes(c.id))
    .map((c) => ({ data: `${INCIDENT_FORWARD_TO}:${c.id}`, label: c.name }));
}

/** A decoded incident choice. */
export type IncidentChoice =
  | { readonly verb: IncidentVerb; readonly incidentId: string }
  | {
      readonly verb: typeof INCIDENT_CLOSE_WITH;
      readonly incidentId: string;
      readonly outcome: IncidentOutcome;
    }
  | { readonly verb: typeof INCIDENT_FORWARD_TO; readonly contactId: string };

/** The incident action of a choice's data, or undefined (a tip's, or anything else). */
export function decodeIncidentChoice(data: string): IncidentChoice | undefined {
  const [verb = "", a, b] = data.split(":");
  if ((INCIDENT_VERBS as readonly string[]).includes(verb)) {
    const id = idSchema.safeParse(a);
    return id.success ? { verb: verb as IncidentVerb, incidentId: id.data } : undefined;
  }
  if (verb === INCIDENT_CLOSE_WITH) {
    const outcome = INCIDENT_OUTCOMES[Number(a)];
    const id = idSchema.safeParse(b);
    return outcome && /^\d$/.test(a ?? "") && id.success ? { verb, incidentId: id.data, outcome } : undefined;
  }
  if (verb === INCIDENT_FORWARD_TO && a && /^[a-z0-9-]{1,48}$/.test(a)) return { verb, contactId: a };
  return undefined;
}

/** What running a choice did, or what the dialogue must ask for before it can. */
export type IncidentActionResult =
  | { readonly done: "acknowledged" | "on-site" | "closed"; readonly incident: IncidentRecord }
  | { readonly done: "asked"; readonly incidentId: string }
  | { readonly done: "forwarded"; readonly incidentId: string; readonly to: Contact }
  /** Ask the officer to type the question, then call again with `question`. */
  | { readonly need: "question"; readonly incidentId: string }
  /** Offer these outcomes (their choices come back as `inc-out:…`). */
  | { readonly need: "outcome"; readonly incidentId: string; readonly choices: MessageAction[] }
  /** Keep `incidentId` in the session and offer these contacts (`inc-fwdto:…` comes back). */
  | { readonly need: "contact"; readonly incidentId: string; readonly choices: MessageAction[] };

/**
 * Runs an incident choice through the desk as the officer's chat. `input.question` completes an
 * "inc-ask"; `input.incidentId` (from the session) completes an "inc-fwdto". Undefined when the
 * data is no incident choice, or an "inc-fwdto" without its incident.
 * @throws IncidentRefusedError from the desk (word it with `incident.refused.<reason>`)
 */
export async function runIncidentChoice(
  desk: IncidentDesk,
  routing: Routing,
  officer: ChatAddress,
  data: string,
  input: { readonly question?: string; readonly incidentId?: string; readonly note?: string } = {},
): Promise<IncidentActionResult | undefined> {
  const choice = decodeIncidentChoice(data);
  if (!choice) return undefined;
  switch (choice.verb) {
    case "inc-ack":
      return { done: "acknowledged", incident: await desk.acknowledge(officer, choice.incidentId) };
    case "inc-site":
      return { done: "on-site", incident: await desk.onSite(officer, choice.incidentId, input.note) };
    case "inc-ask":
      if (input.question === undefined) return { need: "question", incidentId: choice.incidentId };
      await desk.ask(officer, choice.incidentId, input.question);
      return { done: "asked", incidentId: choice.incidentId };
    case "inc-fwd": {
      // Refused here already when the officer may not act on it (get alone would not say so).
      const incident = await desk.get({ kind: "chat", chat: officer }, choice.incidentId);
      const self = routing.contactsByChat(officer.channel, officer.chatId).map((c) => c.id);
      return { need: "contact", incidentId: incident.id, choices: forwardChoices(routing, self) };
    }
    case "inc-close":
      return { need: "outcome", incidentId: choice.incidentId, choices: closeChoices(choice.incidentId) };
    case INCIDENT_CLOSE_WITH:
      return {
        done: "closed",
        incident: await desk.close(officer, choice.incidentId, choice.outcome, input.note),
      };
    case INCIDENT_FORWARD_TO: {
      if (!input.incidentId) return undefined;
      const to = await desk.forward(officer, input.incidentId, choice.contactId, input.note);
      return { done: "forwarded", incidentId: input.incidentId, to };
    }
  }
}
