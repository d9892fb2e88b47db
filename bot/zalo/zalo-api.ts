import { z } from "zod";

/**
 * The Zalo Bot Platform's shapes (https://bot.zaloplatforms.com/docs): its limits, the errors
 * our client raises, the updates it sends (parsed with zod by `parseZaloUpdate`) and the
 * results of its methods. The client that talks to it is `zalo-client.ts`.
 */

/** Where the Zalo Bot API lives. */
export const ZALO_API_ROOT = "https://bot-api.zaloplatforms.com";

/** Zalo's limit for one text message (and for a photo caption), in UTF-16 code units. */
export const ZALO_MAX_TEXT = 2000;

/** Zalo's limits for a webhook `secret_token`. */
export const ZALO_SECRET_MIN = 8;
export const ZALO_SECRET_MAX = 256;

// ---------------------------------------------------------------------------------------------
// Errors

/** The API answered with `ok: false` (or an HTTP error status). */
export class ZaloApiError extends Error {
  override readonly name = "ZaloApiError";
  constructor(
    /** The API method that failed, e.g. `sendMessage`. */
    readonly method: string,
    /** Zalo's `error_code` (or the HTTP status when the body carried none): 400, 401, 408, 429… */
    readonly errorCode: number,
    readonly description: string,
    /** For 429: how long to wait, from `parameters.retry_after` or the `retry-after` header. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(`Zalo ${method} failed: ${errorCode} ${description}`, options);
  }
}

/**
 * The request did not get a usable answer: connection refused or reset, timeout, or a response
 * that is not the API's envelope (a proxy's HTML page, a truncated body). Worth retrying.
 */
export class ZaloNetworkError extends Error {
  override readonly name = "ZaloNetworkError";
  constructor(
    readonly method: string,
    message: string,
    /** The HTTP status, when a response arrived but was not the API's. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`Zalo ${method}: ${message}`, options);
  }
}

/** A request we refuse to send because Zalo would reject it (text too long, short secret…). */
export class ZaloInvalidRequestError extends Error {
  override readonly name = "ZaloInvalidRequestError";
  constructor(
    readonly method: string,
    /** The offending parameter, e.g. `text` or `secret_token`. */
    readonly field: string,
    message: string,
  ) {
    super(`Zalo ${method}: ${field} ${message}`);
  }
}

/** An update or webhook body that does not have the documented shape. */
export class ZaloUpdateError extends Error {
  override readonly name = "ZaloUpdateError";
  constructor(
    /** One line per problem, `path: message`. */
    readonly issues: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`invalid Zalo update: ${issues.join("; ")}`, options);
  }
}

// ---------------------------------------------------------------------------------------------
// Update payloads (getUpdates result, webhook body)

const idSchema = z.string().min(1);

export const zaloChatSchema = z.object({
  id: idSchema,
  /** `PRIVATE` or `GROUP`; kept as a string so that a new type does not reject the update. */
  chat_type: z.string().optional(),
});

export const zaloSenderSchema = z.object({
  id: idSchema,
  display_name: z.string().optional(),
  is_bot: z.boolean().optional(),
});

/** The fields every received message has. Unknown fields are dropped. */
export const zaloMessageSchema = z.object({
  message_id: idSchema,
  /** Milliseconds since the epoch. */
  date: z.number().finite(),
  chat: zaloChatSchema,
  from: zaloSenderSchema,
  text: z.string().optional(),
  caption: z.string().optional(),
});
export type ZaloMessage = z.infer<typeof zaloMessageSchema>;

export const zaloTextMessageSchema = zaloMessageSchema.extend({ text: z.string() });
export type ZaloTextMessage = z.infer<typeof zaloTextMessageSchema>;

export const zaloImageMessageSchema = zaloMessageSchema
  .extend({ photo: z.string().optional(), photo_url: z.string().optional() })
  .refine((m) => Boolean(m.photo || m.photo_url), {
    message: "an image message needs photo or photo_url",
    path: ["photo"],
  });
export type ZaloImageMessage = z.infer<typeof zaloImageMessageSchema>;

export const zaloStickerMessageSchema = zaloMessageSchema.extend({
  sticker: z.string().optional(),
  url: z.string().optional(),
});
export type ZaloStickerMessage = z.infer<typeof zaloStickerMessageSchema>;

/** The events we handle; anything else parses as `kind: "other"`. */
export const zaloKnownUpdateSchema = z.discriminatedUnion("event_name", [
  z.object({ event_name: z.literal("message.text.received"), message: zaloTextMessageSchema }),
  z.object({ event_name: z.literal("message.image.received"), message: zaloImageMessageSchema }),
  z.object({ event_name: z.literal("message.sticker.received"), message: zaloStickerMessageSchema }),
  z.object({ event_name: z.literal("message.unsupported.received"), message: zaloMessageSchema }),
]);

export const ZALO_EVENT_KINDS = {
  "message.text.received": "text",
  "message.image.received": "image",
  "message.sticker.received": "sticker",
  "message.unsupported.received": "unsupported",
} as const;
export type ZaloKnownEventName = keyof typeof ZALO_EVENT_KINDS;

/** An event this code does not know yet; its message is passed through unchecked. */
export const zaloOtherUpdateSchema = z.object({
  event_name: z.string().min(1),
  message: z.unknown().optional(),
});

/** What Zalo POSTs to the webhook: the update wrapped like an API response. */
export const zaloWebhookBodySchema = z.object({ ok: z.literal(true), result: z.unknown() });

export interface ZaloTextUpdate {
  readonly kind: "text";
  readonly event_name: "message.text.received";
  readonly message: ZaloTextMessage;
}
export interface ZaloImageUpdate {
  readonly kind: "image";
  readonly event_name: "message.image.received";
  readonly message: ZaloImageMessage;
  /** `message.photo_url`, else `message.photo`. */
  readonly photoUrl: string;
}
export interface ZaloStickerUpdate {
  readonly kind: "sticker";
  readonly event_name: "message.sticker.received";
  readonly message: ZaloStickerMessage;
}
export interface ZaloUnsupportedUpdate {
  readonly kind: "unsupported";
  readonly event_name: "message.unsupported.received";
  readonly message: ZaloMessage;
}
export interface ZaloOtherUpdate {
  readonly kind: "other";
  readonly event_name: string;
  readonly message?: unknown;
}
/** One update, narrowed by `kind`. */
export type ZaloUpdate =
  | ZaloTextUpdate
  | ZaloImageUpdate
  | ZaloStickerUpdate
  | ZaloUnsupportedUpdate
  | ZaloOtherUpdate;

export function formatIssues(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((i) => {
    const path = [prefix, ...i.path.map(String)].filter(Boolean).join(".");
    return `${path || "(root)"}: ${i.message}`;
  });
}

function isObject(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === "object" && raw !== null && !Array.isArray(raw);
}

/**
 * Checks one update — either bare (`{event_name, message}`, as getUpdates returns it) or in its
 * webhook envelope (`{ok: true, result: {…}}`). Known events must have the documented shape;
 * unknown event names are accepted as `kind: "other"` so that a new Zalo event does not break
 * the bot. Throws `ZaloUpdateError`, and nothing else, for any other input.
 */
export function parseZaloUpdate(raw: unknown): ZaloUpdate {
  let update = raw;
  let prefix = "";
  if (isObject(raw) && "ok" in raw && !("event_name" in raw)) {
    const body = zaloWebhookBodySchema.safeParse(raw);
    if (!body.success) throw new ZaloUpdateError(formatIssues(body.error, ""));
    update = body.data.result;
    prefix = "result";
  }
  if (!isObject(update)) throw new ZaloUpdateError([`${prefix || "(root)"}: expected an object`]);
  const name = update.event_name;
  if (typeof name !== "string" || name === "")
    throw new ZaloUpdateError([
      `${[prefix, "event_name"].filter(Boolean).join(".")}: expected a non-empty string`,
    ]);
  if (!Object.hasOwn(ZALO_EVENT_KINDS, name)) {
    const other = zaloOtherUpdateSchema.safeParse(update);
    if (!other.success) throw new ZaloUpdateError(formatIssues(other.error, prefix));
    return { kind: "other", event_name: other.data.event_name, message: other.data.message };
  }
  const parsed = zaloKnownUpdateSchema.safeParse(update);
  if (!parsed.success) throw new ZaloUpdateError(formatIssues(parsed.error, prefix));
  const u = parsed.data;
  switch (u.event_name) {
    case "message.text.received":
      return { kind: "text", ...u };
    case "message.image.received":
      // The refine above guarantees one of them is a non-empty string.
      return { kind: "image", ...u, photoUrl: u.message.photo_url || u.message.photo || "" };
    case "message.sticker.received":
      return { kind: "sticker", ...u };
    case "message.unsupported.received":
      return { kind: "unsupported", ...u };
  }
}

// ---------------------------------------------------------------------------------------------
// API results

export const zaloBotInfoSchema = z.object({
  id: idSchema,
  account_name: z.string().optional(),
  account_type: z.string().optional(),
  can_join_groups: z.boolean().optional(),
});
export type ZaloBotInfo = z.infer<typeof zaloBotInfoSchema>;

export const zaloSentMessageSchema = z.object({
  message_id: idSchema,
  date: z.number().optional(),
});
export type ZaloSentMessage = z.infer<typeof zaloSentMessageSchema>;

export const zaloWebhookInfoSchema = z.object({
  /** Empty when no webhook is set. */
  url: z.string(),
  updated_at: z.number().optional(),
});
export type ZaloWebhookInfo = z.infer<typeof zaloWebhookInfoSchema>;

export const envelopeSchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error_code: z.number().int(),
    description: z.string().optional(),
    parameters: z.object({ retry_after: z.number().nonnegative().optional() }).optional(),
  }),
]);
