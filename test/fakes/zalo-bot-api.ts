import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";

/** A message the fake Zalo Bot API accepted. */
export interface RecordedZaloMessage {
  readonly method: "sendMessage" | "sendPhoto";
  readonly chatId: string;
  /** The text, or a photo's caption ("" without one). */
  readonly text: string;
  /** sendPhoto: the photo URL. */
  readonly photo?: string;
  readonly messageId: string;
  readonly at: number;
}

export interface ZaloScriptedFailure {
  /** The `error_code` in the body. */
  readonly status: number;
  /** The HTTP status (default: `status`). Zalo also answers `ok: false` with HTTP 200. */
  readonly httpStatus?: number;
  /** For 429: seconds to wait, sent as `parameters.retry_after`. */
  readonly retryAfter?: number;
  /** For 429: seconds to wait, sent as an HTTP `Retry-After` header. */
  readonly retryAfterHeader?: number;
  readonly description?: string;
}

/** Builds a text-message update as Zalo sends it. */
export function zaloTextUpdate(chatId: string, text: string, messageId = randomMessageId()): unknown {
  return { event_name: "message.text.received", message: baseMessage(chatId, messageId, { text }) };
}

/** Builds an image-message update as Zalo sends it (`photo_url`, optional caption). */
export function zaloImageUpdate(chatId: string, photoUrl: string, caption?: string): unknown {
  return {
    event_name: "message.image.received",
    message: baseMessage(chatId, randomMessageId(), { photo_url: photoUrl, ...(caption && { caption }) }),
  };
}

function baseMessage(chatId: string, messageId: string, extra: Record<string, unknown>): unknown {
  return {
    from: { id: chatId, display_name: "Người dùng thử", is_bot: false },
    chat: { id: chatId, chat_type: "PRIVATE" },
    message_id: messageId,
    date: Date.now(),
    ...extra,
  };
}

function randomMessageId(): string {
  return Array.from({ length: 20 }, () => Math.floor(Math.random() * 16).toString(16)).join("");
}

/**
 * POSTs a webhook body to `url` the way Zalo does: JSON, with the secret in the
 * `X-Bot-Api-Secret-Token` header (omitted when `secret` is undefined). The update is wrapped as
 * `{ok: true, result}` unless `raw` is set (to send a malformed body as is).
 */
export async function postZaloWebhook(
  url: string,
  update: unknown,
  secret: string | undefined,
  options: { raw?: boolean } = {},
): Promise<{ status: number; body: string }> {
  const res = await request(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(secret !== undefined && { "x-bot-api-secret-token": secret }),
    },
    body: JSON.stringify(options.raw ? update : { ok: true, result: update }),
  });
  return { status: res.statusCode, body: await res.body.text() };
}

interface Poll {
  readonly res: ServerResponse;
  readonly timer: NodeJS.Timeout;
}

/**
 * A local stand-in for the Zalo Bot API (`POST /bot<token>/<method>`, JSON body, or GET with
 * query parameters), answering like the real one: `{ok:true,result}` or
 * `{ok:false,error_code,description}`. Wrong token → 401 "Unauthorized"; text over 2000
 * characters → 400; getUpdates hands out one queued update per call and, when none is queued,
 * answers 408 after `timeout` seconds (capped by `maxPollWaitMs` to keep tests short); a
 * webhook being set makes getUpdates fail, as on Zalo.
 */
export class FakeZaloApi {
  readonly messages: RecordedZaloMessage[] = [];
  readonly calls: Array<{ method: string; status: number }> = [];
  readonly chatActions: Array<{ chatId: string; action: string }> = [];
  /** HTTP status of the "nothing new" answer; set to 200 to get `ok:false, error_code:408` in a 200. */
  pollTimeoutHttpStatus = 408;
  /** Longest a getUpdates call waits for an update, whatever its `timeout`. */
  maxPollWaitMs = 2000;
  private readonly updates: unknown[] = [];
  private readonly polls: Poll[] = [];
  private readonly failures: Array<{ method?: string; failure: ZaloScriptedFailure }> = [];
  private held: ServerResponse[] = [];
  private holding = false;
  private webhookState: { url: string; secret: string; updatedAt: number } | undefined;
  private server: Server | undefined;

  constructor(readonly token: string) {}

  get apiRoot(): string {
    const addr = this.server?.address() as AddressInfo | undefined;
    if (!addr) throw new Error("fake Zalo API not started");
    return `http://127.0.0.1:${addr.port}`;
  }

  /** The webhook set through setWebhook, if any. */
  get webhook(): { url: string; secret: string } | undefined {
    return this.webhookState && { url: this.webhookState.url, secret: this.webhookState.secret };
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return this;
  }

  /** Stops at once: waiting getUpdates calls are cut off (their connections reset). */
  async close(): Promise<void> {
    this.dropHeld();
    for (const p of this.polls.splice(0)) {
      clearTimeout(p.timer);
      p.res.destroy();
    }
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Queues an update (any JSON, valid or not) for getUpdates; a waiting call gets it at once. */
  queueUpdate(update: unknown): void {
    const poll = this.polls.shift();
    if (poll) {
      clearTimeout(poll.timer);
      this.answer(poll.res, "getUpdates", 200, { ok: true, result: update });
    } else this.updates.push(update);
  }

  get pendingUpdates(): number {
    return this.updates.length;
  }

  /** The next matching call (any method if none given) fails as scripted. */
  failNext(failure: ZaloScriptedFailure, method?: string): void {
    this.failures.push({ ...(method && { method }), failure });
  }

  /** From now on requests get no answer and are not recorded (to test client timeouts). */
  hold(): void {
    this.holding = true;
  }

  /** Drops held requests unanswered (their connections are reset) and answers normally again. */
  dropHeld(): void {
    for (const res of this.held.splice(0)) res.destroy();
    this.holding = false;
  }

  messagesTo(chatId: string): RecordedZaloMessage[] {
    return this.messages.filter((m) => m.chatId === chatId);
  }

  private answer(
    res: ServerResponse,
    method: string,
    status: number,
    payload: unknown,
    headers: Record<string, string> = {},
  ): void {
    this.calls.push({ method, status });
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(payload));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
    const method = match?.[2] ?? "?";
    const fail = (status: number, description: string, httpStatus = status) =>
      this.answer(res, method, httpStatus, { ok: false, error_code: status, description });
    if (!match || (req.method !== "POST" && req.method !== "GET")) return fail(404, "Not Found");
    if (match[1] !== this.token) return fail(401, "Unauthorized");
    if (this.holding) {
      this.held.push(res);
      return;
    }

    const i = this.failures.findIndex((f) => !f.method || f.method === method);
    if (i >= 0) {
      const [{ failure }] = this.failures.splice(i, 1) as [{ failure: ZaloScriptedFailure }];
      return this.answer(
        res,
        method,
        failure.httpStatus ?? failure.status,
        {
          ok: false,
          error_code: failure.status,
          description:
            failure.description ?? (failure.status === 429 ? "Quota exceeded" : "Internal server error"),
          ...(failure.retryAfter !== undefined && { parameters: { retry_after: failure.retryAfter } }),
        },
        failure.retryAfterHeader !== undefined ? { "retry-after": String(failure.retryAfterHeader) } : {},
      );
    }

    let params: Record<string, unknown>;
    if (req.method === "GET") params = Object.fromEntries(url.searchParams);
    else {
      try {
        const text = Buffer.concat(chunks).toString("utf8");
        const parsed: unknown = text ? JSON.parse(text) : {};
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
          throw new Error("not an object");
        params = parsed as Record<string, unknown>;
      } catch {
        return fail(400, "Bad request: body is not a JSON object");
      }
    }
    const str = (name: string): string | undefined => {
      const v = params[name];
      return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
    };

    const now = Date.now();
    switch (method) {
      case "getMe":
        return this.answer(res, method, 200, {
          ok: true,
          result: {
            id: "1459232241454765289",
            account_name: "bot.CongTruong",
            account_type: "BASIC",
            can_join_groups: false,
          },
        });
      case "getUpdates": {
        if (this.webhookState) return fail(400, "Bad request: webhook is active, call deleteWebhook first");
        if (this.updates.length > 0)
          return this.answer(res, method, 200, { ok: true, result: this.updates.shift() });
        const seconds = Number(str("timeout") ?? 30);
        const waitMs = Math.min(
          Number.isFinite(seconds) ? Math.max(0, seconds) * 1000 : 30_000,
          this.maxPollWaitMs,
        );
        const poll: Poll = {
          res,
          timer: setTimeout(() => {
            const at = this.polls.indexOf(poll);
            if (at >= 0) this.polls.splice(at, 1);
            fail(408, "Request timeout", this.pollTimeoutHttpStatus);
          }, waitMs),
        };
        this.polls.push(poll);
        res.on("close", () => {
          const at = this.polls.indexOf(poll);
          if (at >= 0) {
            this.polls.splice(at, 1);
            clearTimeout(poll.timer);
          }
        });
        return;
      }
      case "setWebhook": {
        const hook = str("url");
        const secret = str("secret_token") ?? "";
        if (!hook || !URL.canParse(hook)) return fail(400, "Bad request: url is invalid");
        if (secret.length < 8 || secret.length > 256)
          return fail(400, "Bad request: secret_token must be 8-256 characters");
        this.webhookState = { url: hook, secret, updatedAt: now };
        return this.answer(res, method, 200, { ok: true, result: { url: hook, updated_at: now } });
      }
      case "deleteWebhook":
        this.webhookState = undefined;
        return this.answer(res, method, 200, { ok: true, result: { url: "", updated_at: now } });
      case "getWebhookInfo":
        return this.answer(res, method, 200, {
          ok: true,
          result: { url: this.webhookState?.url ?? "", updated_at: this.webhookState?.updatedAt ?? now },
        });
      case "sendMessage":
      case "sendPhoto": {
        const chatId = str("chat_id");
        if (!chatId) return fail(400, "Bad request: chat_id is required");
        const text = str(method === "sendMessage" ? "text" : "caption");
        const photo = str("photo");
        if (method === "sendMessage" && !text) return fail(400, "Bad request: text is required");
        if (method === "sendPhoto" && (!photo || !/^https?:\/\//.test(photo)))
          return fail(400, "Bad request: photo must be a URL");
        if (text !== undefined && text.length > 2000)
          return fail(400, "Bad request: text must be 1-2000 characters");
        const message: RecordedZaloMessage = {
          method,
          chatId,
          text: text ?? "",
          ...(photo && method === "sendPhoto" && { photo }),
          messageId: randomMessageId(),
          at: now,
        };
        this.messages.push(message);
        return this.answer(res, method, 200, {
          ok: true,
          result: { message_id: message.messageId, date: now },
        });
      }
      case "sendChatAction": {
        const chatId = str("chat_id");
        const action = str("action");
        if (!chatId || (action !== "typing" && action !== "upload_photo"))
          return fail(400, "Bad request: chat_id and a valid action are required");
        this.chatActions.push({ chatId, action });
        return this.answer(res, method, 200, { ok: true });
      }
      default:
        return fail(400, "Bad request: unknown API name");
    }
  }
}
