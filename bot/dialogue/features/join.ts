import { type Lang, t, tl } from "../../../i18n.js";
import {
  type DescribedTarget,
  isInvitationRefused,
  normaliseInvitationCode,
  type PersonChat,
} from "../../../workers/directory/invitations.js";
import type { ChatAddress } from "../../../workers/messenger.js";
import { formatTime } from "../../../workers/render.js";
import { senderKey } from "../../../workers/tip/sender-key.js";
import type { Feature, Reply, Turn } from "../feature.js";

/** What a role is, as a noun phrase in `lang` ("the recipient of tips for …", "head of …"). */
export function roleText(target: DescribedTarget, lang: Lang): string {
  switch (target.role) {
    case "police-contact":
      return tl(lang, "join.role.police-contact", { contact: target.contactName });
    case "school-staff":
      return tl(lang, "join.role.school-staff", {
        role: tl(lang, `schoolRole.${target.schoolRole}`),
        school: target.schoolName,
      });
    case "province-admin":
      return tl(lang, "join.role.province-admin", { province: target.provinceName });
  }
}

/** The chat as a place people hold roles; undefined on the web chat (tipsters only). */
export function personChat(turn: Turn): PersonChat | undefined {
  const { channel, chatId } = turn.chat;
  return channel === "telegram" || channel === "zalo" ? { channel, chatId } : undefined;
}

/** Tells another chat something, in that chat's language; a failure does not undo the turn. */
export async function tellOther(turn: Turn, to: ChatAddress, text: (lang: Lang) => string): Promise<void> {
  if (!turn.deps.tell || (to.channel === turn.chat.channel && to.chatId === turn.chat.chatId)) return;
  try {
    const { lang } = await turn.deps.sessions.load(senderKey(turn.deps.salt, to.channel, to.chatId));
    await turn.deps.tell(to, text(lang));
  } catch {
    // `tell` logs its own failures; the join is committed whatever happens to the news.
  }
}

const refusal = (e: unknown): Reply[] => {
  if (!isInvitationRefused(e)) throw e;
  if (e.reason === "rate-limited")
    return [{ text: t("join.tooMany", { minutes: Math.max(1, Math.ceil(e.retryAfterMs / 60_000)) }) }];
  return [{ text: t("join.invalid") }];
};

/**
 * `/thamgia <code>`, or Telegram's `/start <code>` from a deep link: reads what the code is for
 * and asks the person to confirm, saying what joining means. Nothing is bound yet.
 */
export async function joinWithCode(turn: Turn, arg: string): Promise<Reply[]> {
  const desk = turn.deps.directory;
  if (!desk) return [{ text: t("join.unavailable") }];
  const chat = personChat(turn);
  if (!chat) return [{ text: t("join.web") }];
  const code = normaliseInvitationCode(arg.trim());
  if (!code) return [{ text: t("join.usage") }];
  try {
    const preview = await desk.preview(code, chat);
    turn.session.flow = { kind: "join-confirm", ticket: preview.ticket };
    const { target } = preview;
    const lang = turn.session.lang;
    return [
      {
        text: [
          t("join.confirm", { what: roleText(target, lang) }),
          target.role === "police-contact"
            ? t("join.meaning.police-contact", { contact: target.contactName })
            : target.role === "school-staff"
              ? t("join.meaning.school-staff")
              : t("join.meaning.province-admin"),
          t("join.stored"),
          t("join.anonymous"),
          t("join.question", { expires: formatTime(preview.expiresAt.getTime()) }),
        ].join("\n"),
        choices: [
          { data: "join:yes", label: t("join.yes") },
          { data: "join:no", label: t("join.no") },
        ],
      },
    ];
  } catch (e) {
    return refusal(e);
  }
}

/** The confirmed join: binds the chat, then tells the minter and the released holder. */
async function confirm(turn: Turn, ticket: string): Promise<Reply[]> {
  const desk = turn.deps.directory;
  const chat = personChat(turn);
  if (!desk || !chat) return [{ text: t("join.unavailable") }];
  try {
    const joined = await desk.join({ ticket }, chat);
    const { target } = joined;
    for (const to of joined.minter.chats)
      await tellOther(turn, to, (lang) => tl(lang, "join.minterTold", { what: roleText(target, lang) }));
    if (target.role === "police-contact")
      for (const to of joined.released)
        await tellOther(turn, to, (lang) => tl(lang, "join.released", { contact: target.contactName }));
    return [{ text: t("join.done", { what: roleText(target, turn.session.lang) }) }];
  } catch (e) {
    return refusal(e);
  }
}

/**
 * Joining by invitation: `/thamgia <code>` (Telegram, Zalo; refused on the web chat, which is
 * the tipsters'), then `join:yes` / `join:no`. Flow "join-confirm" holds the code's ticket
 * between the two; the service (`InvitationDesk`) decides and limits attempts per chat.
 */
export const joinFeature: Feature = {
  name: "join",
  commands: { thamgia: joinWithCode },
  choices: {
    join: (turn, [answer]) => {
      const flow = turn.session.flow;
      if (flow?.kind !== "join-confirm" || (answer !== "yes" && answer !== "no")) return undefined;
      turn.session.flow = undefined;
      if (answer === "no") return [{ text: t("join.declined") }];
      return confirm(turn, flow.ticket);
    },
  },
};
