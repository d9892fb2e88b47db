import { tl } from "../../i18n.js";
import {
  type ChatAddress,
  type MessageAction,
  type Messenger,
  MessengerPermanentError,
  MessengerRateLimitedError,
  MessengerTransientError,
  type OutgoingMessage,
} from "../../workers/messenger.js";
import { OFFICER_LANG } from "../../workers/tip/officer-actions.js";
import { splitText } from "../split-text.js";
import { ZALO_MAX_TEXT, type ZaloApiError } from "./zalo-api.js";
import type { ZaloClient } from "./zalo-client.js";

/**
 * Heading of the numbered action list; Zalo bots have no buttons, so officers reply with a number.
 * Actions and photos come with officers' messages only: their words are in `OFFICER_LANG`.
 */
export const NUMBERED_ACTIONS_HEADING = tl(OFFICER_LANG, "zalo.actionsByNumber");

/** Wait used when Zalo says 429 without saying how long. */
const DEFAULT_RETRY_AFTER_MS = 1000;

/**
 * Renders actions as a numbered list to append to a message ("Trả lời bằng số:\n1. Nhận xử lý…").
 * Number `n` stands for `actions[n - 1]`; `actionForReply` maps a reply back. Empty for no actions.
 */
export function renderNumberedActions(actions: readonly MessageAction[]): string {
  if (actions.length === 0) return "";
  // Actions that have a typed form are shown as commands: a bare number could not say which
  // tip it is about once several tips have arrived.
  if (actions.every((a) => a.command))
    return [
      tl(OFFICER_LANG, "zalo.actionsByCommand"),
      ...actions.map((a) => `${a.command} — ${a.label}`),
    ].join("\n");
  return [NUMBERED_ACTIONS_HEADING, ...actions.map((a, i) => `${i + 1}. ${a.label}`)].join("\n");
}

/**
 * The action a reply such as "2" or " 2. " picks from a list rendered by `renderNumberedActions`;
 * `undefined` when the reply is not one of its numbers.
 */
export function actionForReply(reply: string, actions: readonly MessageAction[]): MessageAction | undefined {
  const m = /^\s*(\d{1,3})\s*\.?\s*$/.exec(reply);
  return m ? actions[Number(m[1]) - 1] : undefined;
}

/** Shown instead of photos when there is no way to publish them as URLs. */
export function photosNotice(count: number): string {
  return tl(OFFICER_LANG, "zalo.photosElsewhere", { n: count });
}

export interface ZaloMessengerOptions {
  /**
   * Publishes photo bytes at a short-lived URL Zalo can fetch (Zalo's sendPhoto takes a URL, not
   * bytes). Without it, photos are announced in the text instead of sent.
   */
  readonly photoUrl?: (bytes: Buffer) => Promise<string>;
}

/**
 * Delivers worker messages through the Zalo Bot API as plain text in pieces of at most 2000
 * characters, with actions as a numbered list kept whole in the last piece. Errors are
 * classified for the queue: 429 → wait; 5xx, 408 and network → retry; other 4xx → give up.
 */
export class ZaloMessenger implements Messenger {
  private readonly photoUrl: ((bytes: Buffer) => Promise<string>) | undefined;

  constructor(
    readonly client: ZaloClient,
    options: ZaloMessengerOptions = {},
  ) {
    this.photoUrl = options.photoUrl;
  }

  async send(to: ChatAddress, message: OutgoingMessage): Promise<{ messageId: string }> {
    if (to.channel !== "zalo") throw new MessengerPermanentError(`not a Zalo chat: ${to.channel}`);
    const photos = message.photos ?? [];
    const body = [message.text.trim(), photos.length > 0 && !this.photoUrl ? photosNotice(photos.length) : ""]
      .filter(Boolean)
      .join("\n\n");
    const pieces = piecesWithActions(body, renderNumberedActions(message.actions ?? []));
    if (pieces.length === 0 && (photos.length === 0 || !this.photoUrl))
      throw new MessengerPermanentError("nothing to send: empty text and no photos");
    try {
      let first: string | undefined;
      for (const text of pieces) {
        const sent = await this.client.sendMessage({ chat_id: to.chatId, text });
        first ??= sent.message_id;
      }
      if (this.photoUrl)
        for (const photo of photos) {
          const url = await this.photoUrl(photo.bytes);
          const sent = await this.client.sendPhoto({ chat_id: to.chatId, photo: url });
          first ??= sent.message_id;
        }
      return { messageId: first ?? "" };
    } catch (err) {
      throw classifyZaloError(err);
    }
  }
}

/**
 * Splits `body` into sendable pieces and appends the action list to the last one if it fits,
 * else sends it as a piece of its own, so that the numbers are never cut from their heading.
 */
function piecesWithActions(body: string, actions: string): string[] {
  const pieces = splitText(body, ZALO_MAX_TEXT);
  if (!actions) return pieces;
  const last = pieces.at(-1);
  if (last !== undefined && last.length + 2 + actions.length <= ZALO_MAX_TEXT) {
    pieces[pieces.length - 1] = `${last}\n\n${actions}`;
    return pieces;
  }
  return [...pieces, ...splitText(actions, ZALO_MAX_TEXT)];
}

function isNamed<T extends Error>(err: unknown, name: string): err is T {
  return err instanceof Error && err.name === name;
}

/** Maps Zalo client errors to the messenger's error kinds; other errors pass through. */
export function classifyZaloError(err: unknown): Error {
  if (isNamed<ZaloApiError>(err, "ZaloApiError")) {
    if (err.errorCode === 429)
      return new MessengerRateLimitedError(err.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS, { cause: err });
    // 408 is Zalo's "took too long" — a transient condition even though it is a 4xx.
    if (err.errorCode >= 500 || err.errorCode === 408)
      return new MessengerTransientError(err.message, { cause: err });
    return new MessengerPermanentError(err.message, { cause: err });
  }
  if (isNamed(err, "ZaloNetworkError")) return new MessengerTransientError(err.message, { cause: err });
  if (isNamed(err, "ZaloInvalidRequestError"))
    return new MessengerPermanentError(err.message, { cause: err });
  return err instanceof Error ? err : new MessengerTransientError(String(err));
}
