import { request } from "undici";
import { z } from "zod";

/**
 * A thin typed client for the Zalo Bot Platform (https://bot.zaloplatforms.com/docs): every
 * method is `POST {apiRoot}/bot{token}/{method}` with a JSON body, answered by
 * `{ok: true, result}` or `{ok: false, error_code, description}` — often with HTTP 200, so the
 * envelope, not the status, decides success. Every response is checked with zod.
 *
 * The token is part of the URL, so no URL ever goes into an error or a log: messages name the
 * method only, and anything echoed back is redacted to `bot***`.
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

function formatIssues(error: z.ZodError, prefix: string): string[] {
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

const envelopeSchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error_code: z.number().int(),
    description: z.string().optional(),
    parameters: z.object({ retry_after: z.number().nonnegative().optional() }).optional(),
  }),
]);

// ---------------------------------------------------------------------------------------------
// Client

export interface ZaloClientOptions {
  /** Defaults to `https://bot-api.zaloplatforms.com`; tests point it at a local fake. */
  readonly apiRoot?: string;
  /** Budget for one request, in ms (default 30 000). getUpdates adds its long-poll time to it. */
  readonly timeoutMs?: number;
}

export type ZaloChatAction = "typing" | "upload_photo";

export class ZaloClient {
  readonly apiRoot: string;
  readonly timeoutMs: number;
  /** A true private field: not shown by `util.inspect`, so logging the client cannot leak it. */
  readonly #token: string;

  constructor(token: string, options: ZaloClientOptions = {}) {
    if (!token) throw new TypeError("Zalo bot token is empty");
    this.#token = token;
    this.apiRoot = (options.apiRoot ?? ZALO_API_ROOT).replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Checks the token; returns the bot's account. */
  async getMe(): Promise<ZaloBotInfo> {
    return this.call("getMe", {}, zaloBotInfoSchema);
  }

  /**
   * Long-polls for the next update: Zalo hands out at most one per call. Resolves `undefined`
   * when nothing arrived within `timeout` seconds (default 30; HTTP 408 or `error_code` 408).
   * A malformed update rejects with `ZaloUpdateError` (it is consumed either way).
   */
  async getUpdates(params: { timeout?: number; signal?: AbortSignal } = {}): Promise<ZaloUpdate | undefined> {
    const timeout = params.timeout ?? 30;
    try {
      const result = await this.call("getUpdates", { timeout: String(timeout) }, z.unknown(), {
        timeoutMs: timeout * 1000 + this.timeoutMs,
        ...(params.signal && { signal: params.signal }),
      });
      // An empty result is "nothing new", like 408.
      if (result === undefined || result === null || (Array.isArray(result) && result.length === 0))
        return undefined;
      return parseZaloUpdate(result);
    } catch (err) {
      if (err instanceof ZaloApiError && err.errorCode === 408) return undefined;
      throw err;
    }
  }

  /**
   * Sends updates to `url` instead of getUpdates. Zalo echoes `secret_token` (8–256 characters)
   * in the `X-Bot-Api-Secret-Token` header of every delivery; it is checked here before sending.
   */
  async setWebhook(params: { url: string; secret_token: string }): Promise<ZaloWebhookInfo> {
    const secret = params.secret_token;
    if (secret.length < ZALO_SECRET_MIN || secret.length > ZALO_SECRET_MAX)
      throw new ZaloInvalidRequestError(
        "setWebhook",
        "secret_token",
        `must be ${ZALO_SECRET_MIN}–${ZALO_SECRET_MAX} characters, got ${secret.length}`,
      );
    if (!URL.canParse(params.url)) throw new ZaloInvalidRequestError("setWebhook", "url", "is not a URL");
    return this.call("setWebhook", { url: params.url, secret_token: secret }, zaloWebhookInfoSchema);
  }

  /** Removes the webhook so that getUpdates works again. */
  async deleteWebhook(): Promise<ZaloWebhookInfo> {
    return this.call("deleteWebhook", {}, zaloWebhookInfoSchema);
  }

  async getWebhookInfo(): Promise<ZaloWebhookInfo> {
    return this.call("getWebhookInfo", {}, zaloWebhookInfoSchema);
  }

  /** Sends plain text of 1–2000 characters; longer text is refused, not cut (split it first). */
  async sendMessage(params: { chat_id: string; text: string }): Promise<ZaloSentMessage> {
    checkChatId("sendMessage", params.chat_id);
    checkText("sendMessage", "text", params.text);
    return this.call("sendMessage", { chat_id: params.chat_id, text: params.text }, zaloSentMessageSchema);
  }

  /** Sends a photo by URL (Zalo fetches it; it takes no bytes), with an optional caption. */
  async sendPhoto(params: { chat_id: string; photo: string; caption?: string }): Promise<ZaloSentMessage> {
    checkChatId("sendPhoto", params.chat_id);
    if (!/^https?:\/\//i.test(params.photo) || !URL.canParse(params.photo))
      throw new ZaloInvalidRequestError("sendPhoto", "photo", "must be an http(s) URL");
    if (params.caption !== undefined) checkText("sendPhoto", "caption", params.caption);
    return this.call(
      "sendPhoto",
      {
        chat_id: params.chat_id,
        photo: params.photo,
        ...(params.caption !== undefined && { caption: params.caption }),
      },
      zaloSentMessageSchema,
    );
  }

  /** Shows "typing…" (or "sending a photo…") in the chat for a moment. */
  async sendChatAction(params: { chat_id: string; action: ZaloChatAction }): Promise<void> {
    checkChatId("sendChatAction", params.chat_id);
    await this.call("sendChatAction", { chat_id: params.chat_id, action: params.action }, z.unknown());
  }

  /** Replaces the token wherever it might appear in text that came back from the network. */
  private redact(text: string): string {
    return text.split(`bot${this.#token}`).join("bot***").split(this.#token).join("***");
  }

  private async call<T>(
    method: string,
    body: Record<string, unknown>,
    resultSchema: z.ZodType<T, z.ZodTypeDef, unknown>,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<T> {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    let status: number;
    let headers: Record<string, string | string[] | undefined>;
    let text: string;
    try {
      const res = await request(`${this.apiRoot}/bot${this.#token}/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(body),
        signal,
      });
      status = res.statusCode;
      headers = res.headers;
      text = await res.body.text();
    } catch (err) {
      const reason = timeout.aborted
        ? "request timed out"
        : options.signal?.aborted
          ? "request aborted"
          : this.redact(err instanceof Error ? err.message : String(err));
      throw new ZaloNetworkError(method, reason, undefined, { cause: this.scrub(err) });
    }

    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const envelope = envelopeSchema.safeParse(json);
    if (!envelope.success) {
      // Not the API talking: an HTML error page from a proxy, an empty body, a truncated one.
      if (status >= 400) throw new ZaloApiError(method, status, `HTTP ${status} without an API response`);
      throw new ZaloNetworkError(method, `unexpected response (HTTP ${status})`, status);
    }
    const data = envelope.data;
    if (!data.ok) {
      const code = data.error_code;
      const retryAfter =
        code === 429 || status === 429
          ? (data.parameters?.retry_after ?? retryAfterHeaderSeconds(headers["retry-after"]))
          : undefined;
      const retryAfterMs = retryAfter === undefined ? undefined : Math.ceil(retryAfter * 1000);
      throw new ZaloApiError(method, code, this.redact(data.description ?? `HTTP ${status}`), retryAfterMs);
    }
    const result = resultSchema.safeParse(data.result);
    if (!result.success)
      throw new ZaloNetworkError(
        method,
        `unexpected result: ${formatIssues(result.error, "result").join("; ")}`,
        status,
      );
    return result.data;
  }

  /** The cause to chain: the original error, unless its message carries the token. */
  private scrub(err: unknown): unknown {
    if (err instanceof Error && err.message.includes(this.#token)) return new Error(this.redact(err.message));
    return err;
  }
}

function checkChatId(method: string, chatId: string): void {
  if (!chatId) throw new ZaloInvalidRequestError(method, "chat_id", "is empty");
}

function checkText(method: string, field: string, text: string): void {
  if (text.length === 0) throw new ZaloInvalidRequestError(method, field, "is empty");
  if (text.length > ZALO_MAX_TEXT)
    throw new ZaloInvalidRequestError(
      method,
      field,
      `is ${text.length} characters, over Zalo's limit of ${ZALO_MAX_TEXT}`,
    );
}

/** `Retry-After` as seconds: either a number of seconds or an HTTP date. */
function retryAfterHeaderSeconds(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const seconds = Number(v);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
}
