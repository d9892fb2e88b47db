import type { Context } from "grammy";
import { tl } from "../../i18n.js";
import type { Logger } from "../../logger.js";
import type { Dialogue, Incoming, Reply } from "../dialogue/dialogue.js";
import { splitText } from "../split-text.js";

/** What every Telegram feature needs. */
export interface TelegramDeps {
  readonly dialogue: Dialogue;
  readonly logger: Logger;
  readonly token: string;
  readonly apiRoot: string;
}

/** Prefix of callback data the dialogue's choices carry ("d:"); tip actions use "t:". */
export const CHOICE_PREFIX = "d:";
const MAX_CALLBACK_BYTES = 64;

/** Sends the dialogue's replies: text split to Telegram's limit, choices as inline buttons. */
export async function sendReplies(ctx: Context, replies: readonly Reply[]): Promise<void> {
  const chatId = ctx.chat?.id;
  if (chatId === undefined) return;
  for (const reply of replies) {
    const buttons = (reply.choices ?? [])
      .map((c) => ({ text: c.label.slice(0, 64), callback_data: `${CHOICE_PREFIX}${c.data}` }))
      .filter((b) => Buffer.byteLength(b.callback_data) <= MAX_CALLBACK_BYTES)
      .map((b) => [b]);
    const pieces = splitText(reply.text, 4096);
    for (const [i, piece] of pieces.entries()) {
      const last = i === pieces.length - 1;
      // Plain text, no parse mode: nothing a user typed can become markup.
      await ctx.api.sendMessage(chatId, piece, {
        ...(last && buttons.length > 0 && { reply_markup: { inline_keyboard: buttons } }),
        link_preview_options: { is_disabled: true },
      });
    }
  }
}

/** Runs one incoming event through the dialogue and sends the replies. */
export async function converse(ctx: Context, deps: TelegramDeps, input: Incoming): Promise<void> {
  const chatId = ctx.chat?.id;
  if (chatId === undefined) return;
  const replies = await deps.dialogue.handle({ channel: "telegram", chatId: String(chatId) }, input);
  await sendReplies(ctx, replies);
}

/**
 * A notice of the adapter's own (a photo too large to fetch, an update that failed), in the
 * chat's language as the dialogue knows it; Vietnamese when that cannot be read.
 */
export async function notice(ctx: Context, deps: TelegramDeps, key: string): Promise<void> {
  const chatId = ctx.chat?.id;
  if (chatId === undefined) return;
  const lang = await deps.dialogue
    .languageOf({ channel: "telegram", chatId: String(chatId) })
    .catch(() => "vi" as const);
  await ctx.reply(tl(lang, key));
}
