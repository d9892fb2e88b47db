import { request } from "undici";
import { z } from "zod";
import {
  envelopeSchema,
  formatIssues,
  parseZaloUpdate,
  ZALO_API_ROOT,
  ZALO_MAX_TEXT,
  ZALO_SECRET_MAX,
  ZALO_SECRET_MIN,
  ZaloApiError,
  type ZaloBotInfo,
  ZaloInvalidRequestError,
  ZaloNetworkError,
  type ZaloSentMessage,
  type ZaloUpdate,
  type ZaloWebhookInfo,
  zaloBotInfoSchema,
  zaloSentMessageSchema,
  zaloWebhookInfoSchema,
} from "./zalo-api.js";

/**
 * A thin typed client for the Zalo Bot Platform (https://bot.zaloplatforms.com/docs): every
 * method is `POST {apiRoot}/bot{token}/{method}` with a JSON body, answered by
 * `{ok: true, result}` or `{ok: false, error_code, description}` — often with HTTP 200, so the
 * envelope, not the status, decides success. Every response is checked with zod.
 *
 * The token is part of the URL, so no URL ever goes into an error or a log: messages name the
 * method only, and anything echoed back is redacted to `bot***`.
 */

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
