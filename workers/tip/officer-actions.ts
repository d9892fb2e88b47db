import { z } from "zod";
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

const LABELS: Record<OfficerVerb, string> = {
  ack: "Nhận xử lý",
  ask: "Hỏi thêm",
  fwd: "Chuyển",
  close: "Đóng",
};
const USAGE: Record<OfficerVerb, string> = {
  ack: "",
  ask: " <câu hỏi>",
  fwd: " <mã cán bộ>",
  close: " <kết quả>",
};
const commandOf = (verb: OfficerVerb) =>
  Object.entries(OFFICER_COMMANDS).find(([, v]) => v === verb)?.[0] as string;

const tipIdSchema = z.string().uuid();

/** The label officers see for an action (a button, or its line on Zalo). */
export function officerActionLabel(verb: OfficerVerb): string {
  return LABELS[verb];
}

/** The typed form of an action on a tip ("/hoi AT-7KQ3-M8 <câu hỏi>"). */
export function officerCommand(verb: OfficerVerb, caseCode: string): string {
  return `/${commandOf(verb)} ${caseCode}${USAGE[verb]}`;
}

/** Actions offered on a tip, in this order. */
export function officerActions(
  tip: { readonly id: string; readonly caseCode: string },
  verbs: readonly OfficerVerb[] = OFFICER_VERBS,
): MessageAction[] {
  return verbs.map((verb) => ({
    data: `${verb}:${tip.id}`,
    label: LABELS[verb],
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
