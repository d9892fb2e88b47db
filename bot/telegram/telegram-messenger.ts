import { Api, GrammyError, HttpError, InputFile } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import {
  type ChatAddress,
  type Messenger,
  MessengerPermanentError,
  MessengerRateLimitedError,
  MessengerTransientError,
  type OutgoingMessage,
} from "../../workers/messenger.js";
import { splitText } from "../split-text.js";

/** Telegram's limit for one text message. */
const MAX_TEXT = 4096;

/** Prefix of callback data for tip actions, so the bot can route them. */
export const ACTION_PREFIX = "t:";

/**
 * Delivers worker messages through the Telegram Bot API (grammY's `Api`), as plain text — no
 * parse mode, so user text needs no escaping — with actions as inline buttons. Errors are
 * classified for the queue: 429 → wait `retry_after`; 5xx and network → retry; others → give up.
 */
export class TelegramMessenger implements Messenger {
  readonly api: Api;

  constructor(token: string, apiRoot?: string, timeoutSeconds = 30) {
    this.api = new Api(token, { ...(apiRoot && { apiRoot }), timeoutSeconds });
  }

  async send(to: ChatAddress, message: OutgoingMessage): Promise<{ messageId: string }> {
    if (to.channel !== "telegram") throw new MessengerPermanentError(`not a Telegram chat: ${to.channel}`);
    const keyboard: InlineKeyboardButton[][] = [];
    const actions = message.actions ?? [];
    for (let i = 0; i < actions.length; i += 2)
      keyboard.push(
        actions.slice(i, i + 2).map((a) => ({ text: a.label, callback_data: `${ACTION_PREFIX}${a.data}` })),
      );
    try {
      const pieces = splitText(message.text, MAX_TEXT);
      let first: number | undefined;
      for (const [i, piece] of pieces.entries()) {
        const last = i === pieces.length - 1;
        const sent = await this.api.sendMessage(to.chatId, piece, {
          ...(last && keyboard.length > 0 && { reply_markup: { inline_keyboard: keyboard } }),
          link_preview_options: { is_disabled: true },
        });
        first ??= sent.message_id;
      }
      for (const photo of message.photos ?? [])
        await this.api.sendPhoto(to.chatId, new InputFile(photo.bytes, "anh.jpg"));
      return { messageId: String(first) };
    } catch (err) {
      throw classify(err);
    }
  }
}

/** Maps grammY errors to the messenger's error kinds. */
export function classify(err: unknown): Error {
  if (err instanceof GrammyError) {
    if (err.error_code === 429)
      return new MessengerRateLimitedError((err.parameters.retry_after ?? 1) * 1000, { cause: err });
    if (err.error_code >= 500) return new MessengerTransientError(err.description, { cause: err });
    return new MessengerPermanentError(`${err.error_code} ${err.description}`, { cause: err });
  }
  if (err instanceof HttpError) return new MessengerTransientError(err.message, { cause: err });
  return err instanceof Error ? err : new MessengerTransientError(String(err));
}
