import { t } from "../../../i18n.js";
import { normaliseInvitationCode } from "../../../workers/directory/invitations.js";
import type { Feature, Reply, Turn } from "../feature.js";
import { joinWithCode } from "./join.js";

/** The welcome and the main menu. */
export function welcome(turn: Turn): Reply[] {
  turn.session.flow = undefined;
  return [{ text: t("welcome"), choices: turn.menu() }];
}

/** Drops whatever step the chat is in (a draft, a question being written). */
export function cancel(turn: Turn): Reply[] {
  if (!turn.session.flow) return [{ text: t("cancel.nothing") }];
  turn.session.flow = undefined;
  return [{ text: t("cancel.done"), choices: turn.menu() }];
}

/**
 * `/start`, `/menu`, `/huy`. Telegram's deep link `t.me/<bot>?start=<payload>` arrives as
 * `/start <payload>`: a payload shaped like an invitation code goes to joining.
 */
export const menuFeature: Feature = {
  name: "menu",
  commands: {
    start: (turn, arg) => (normaliseInvitationCode(arg.trim()) ? joinWithCode(turn, arg) : welcome(turn)),
    menu: welcome,
    huy: cancel,
  },
};
