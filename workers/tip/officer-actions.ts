import { z } from "zod";
import { type Lang, tl } from "../../i18n.js";
import type { MessageAction } from "../messenger.js";
import { type Outcome, outcomeSchema } from "./tip.js";

/**
 * The officer-action protocol, in one place: what a tip message offers an officer (buttons on
 * Telegram and the web, typed commands on Zalo), how it is encoded into a choice's data, and
 * how the dialogue decodes it. Data is `<verb>:<tipId>` (≤ 64 bytes with an adapter's prefix);
 * the follow-up choices are `out:<outcome>:<tipId>` (close with an outcome) and
 * `fwdto:<contactId>` (the contact picked to forward to, the tip being in the session).
 */
export const OFFICER_VERBS = ["ack", "ask", "fwd", "close"] as const;
export type OfficerVerb = (typeof OFFICER_VERBS)[number];

/** Choice verbs of the follow-up steps. */
export const CLOSE_WITH = "out";
export const FORWARD_TO = "fwdto";

/** The typed command of each action, for channels without buttons (`/nhan AT-7KQ3-M8`). */
export const OFFICER_COMMANDS: Readonly<Record<string, OfficerVerb>> = {
  nhan: "ack",
  hoi: "ask",
  chuyen: "fwd",
  dong: "close",
};

/**
 * The language of what the workers send officers (tip messages, answers, alerts, their buttons):
 * the police work in Vietnamese, whatever language a tipster chose.
 */
export const OFFICER_LANG: Lang = "vi";

const commandOf = (verb: OfficerVerb) =>
  Object.entries(OFFICER_COMMANDS).find(([, v]) => v === verb)?.[0] as string;

const tipIdSchema = z.string().uuid();

/** The label officers see for an action (a button, or its line on Zalo). */
export function officerActionLabel(verb: OfficerVerb, lang: Lang = OFFICER_LANG): string {
  return tl(lang, `officerAction.${verb}`);
}

/** The typed form of an action on a tip ("/hoi AT-7KQ3-M8 <câu hỏi>"); "ack" takes no argument. */
export function officerCommand(verb: OfficerVerb, caseCode: string, lang: Lang = OFFICER_LANG): string {
  const args = verb === "ack" ? "" : ` ${tl(lang, `officerAction.args.${verb}`)}`;
  return `/${commandOf(verb)} ${caseCode}${args}`;
}

/** Actions offered on a tip, in this order. */
export function officerActions(
  tip: { readonly id: string; readonly caseCode: string },
  verbs: readonly OfficerVerb[] = OFFICER_VERBS,
): MessageAction[] {
  return verbs.map((verb) => ({
    data: `${verb}:${tip.id}`,
    label: officerActionLabel(verb),
    command: officerCommand(verb, tip.caseCode),
  }));
}

/** The tip id of an action's argument, if it is one. */
export function tipIdArg(arg: string | undefined): string | undefined {
  const r = tipIdSchema.safeParse(arg);
  return r.success ? r.data : undefined;
}

/** `out:<outcome>:<tipId>`: close a tip with an outcome. */
export function closeWithData(outcome: Outcome, tipId: string): string {
  return `${CLOSE_WITH}:${outcome}:${tipId}`;
}

/** The outcome of a `out:` choice's first argument, if it is one. */
export function outcomeArg(arg: string | undefined): Outcome | undefined {
  const r = outcomeSchema.safeParse(arg);
  return r.success ? r.data : undefined;
}

/** `fwdto:<contactId>`: forward the tip being handled to a contact. */
export function forwardToData(contactId: string): string {
  return `${FORWARD_TO}:${contactId}`;
}
