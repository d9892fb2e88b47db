import type { Channel } from "./tip/tip.js";

/**
 * How workers reach people. The Telegram and Zalo adapters implement it; tests use a recording
 * fake or the real adapters against local fake Bot API servers. Text is plain: adapters escape
 * or format it for their channel.
 */
export interface ChatAddress {
  readonly channel: Channel;
  readonly chatId: string;
}

/** An action an officer can take on a message, rendered as a button or a numbered reply. */
export interface MessageAction {
  /** Opaque, short (fits Telegram's 64-byte callback data with the adapter's prefix). */
  readonly data: string;
  readonly label: string;
  /** The same action as a typed command, for channels without buttons ("/nhan AT-7KQ3-M8"). */
  readonly command?: string;
}

export interface OutgoingPhoto {
  readonly bytes: Buffer;
  readonly mime: "image/jpeg";
}

export interface OutgoingMessage {
  readonly text: string;
  readonly photos?: readonly OutgoingPhoto[];
  readonly actions?: readonly MessageAction[];
}

export interface Messenger {
  /** Sends a message; resolves with the channel's id of the (first) message sent. */
  send(to: ChatAddress, message: OutgoingMessage): Promise<{ messageId: string }>;
}

/** The channel asked us to wait (HTTP 429 with `retry_after`). Not a failure: try later. */
export class MessengerRateLimitedError extends Error {
  override readonly name = "MessengerRateLimitedError";
  constructor(
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(`rate limited; retry after ${retryAfterMs} ms`, options);
  }
}

/** A failure worth retrying with backoff (network error, 5xx, timeout). */
export class MessengerTransientError extends Error {
  override readonly name = "MessengerTransientError";
}

/** A failure that retrying cannot fix (chat not found, bot blocked, bad request). */
export class MessengerPermanentError extends Error {
  override readonly name = "MessengerPermanentError";
}

/** Sends through the messenger of the address's channel. */
export class ChannelRouter implements Messenger {
  constructor(private readonly byChannel: Partial<Record<Channel, Messenger>>) {}

  send(to: ChatAddress, message: OutgoingMessage): Promise<{ messageId: string }> {
    const m = this.byChannel[to.channel];
    if (!m)
      return Promise.reject(new MessengerPermanentError(`no messenger configured for channel ${to.channel}`));
    return m.send(to, message);
  }
}
