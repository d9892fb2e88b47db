import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { UserFromGetMe } from "grammy/types";

/** What getMe would answer for the fake bot: lets tests build a bot without calling it. */
export const FAKE_BOT_INFO = {
  id: 1,
  is_bot: true,
  first_name: "Cổng trường an toàn",
  username: "ssg_test_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
} satisfies UserFromGetMe;

/** A message the fake Bot API accepted. */
export interface RecordedMessage {
  readonly method: string;
  readonly chatId: string;
  readonly text: string;
  /** Raw bytes of an uploaded photo (sendPhoto with a file). */
  readonly photo?: Buffer;
  readonly replyMarkup?: unknown;
  readonly messageId: number;
  readonly at: number;
}

export interface ScriptedFailure {
  readonly status: number;
  /** For 429: seconds the client must wait. */
  readonly retryAfter?: number;
  readonly description?: string;
}

/**
 * A local stand-in for the Telegram Bot API (`POST /bot<token>/<method>`, JSON or multipart),
 * answering like the real one: `{ok:true,result}` or `{ok:false,error_code,description}`,
 * 429 with `parameters.retry_after`, 401 for a wrong token, 400 "chat not found".
 * It can also hold requests unanswered (to kill a client in the middle of sending).
 */
export class FakeTelegramApi {
  readonly messages: RecordedMessage[] = [];
  readonly calls: Array<{ method: string; status: number }> = [];
  /** Chats that answer 403 "bot was blocked by the user". */
  readonly blocked = new Set<string>();
  /** Updates handed out by getUpdates (long polling), oldest first. */
  readonly updates: unknown[] = [];
  /** Files served by getFile and /file/bot<token>/<path>, by file id. */
  readonly files = new Map<string, Buffer>();
  private readonly failures: Array<{ method?: string; failure: ScriptedFailure }> = [];
  private held: ServerResponse[] = [];
  private holding = false;
  private nextId = 1;
  private server: Server | undefined;
  /** While true, every request's connection is reset unanswered (the API is unreachable). */
  down = false;
  /** Called after each recorded message (e.g. to start holding at some count). */
  onRecord: ((count: number) => void) | undefined;

  constructor(readonly token: string) {}

  get apiRoot(): string {
    const addr = this.server?.address() as AddressInfo | undefined;
    if (!addr) throw new Error("fake Telegram API not started");
    return `http://127.0.0.1:${addr.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.held = [];
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next matching call (any method if none given) fails as scripted. */
  failNext(failure: ScriptedFailure, method?: string): void {
    this.failures.push({ ...(method && { method }), failure });
  }

  /** From now on requests get no answer and are not recorded. */
  hold(): void {
    this.holding = true;
  }

  /** Drops held requests unanswered (their connections are reset) and answers normally again. */
  dropHeld(): void {
    for (const res of this.held) res.destroy();
    this.held = [];
    this.holding = false;
  }

  messagesTo(chatId: string): RecordedMessage[] {
    return this.messages.filter((m) => m.chatId === chatId);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const file = /^\/file\/bot([^/]+)\/photos\/([\w-]+)\.jpg$/.exec(req.url ?? "");
    if (file && req.method === "GET") {
      const bytes = file[1] === this.token ? this.files.get(file[2] ?? "") : undefined;
      res.writeHead(bytes ? 200 : 404, { "content-type": "application/octet-stream" });
      res.end(bytes ?? "");
      return;
    }
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? "");
    if (this.down) {
      this.calls.push({ method: match?.[2] ?? "?", status: 0 });
      res.socket?.destroy();
      return;
    }
    const reply = (status: number, payload: unknown) => {
      this.calls.push({ method: match?.[2] ?? "?", status });
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(payload));
    };
    if (!match || req.method !== "POST")
      return reply(404, { ok: false, error_code: 404, description: "Not Found" });
    const [, token, method = ""] = match;
    if (token !== this.token) return reply(401, { ok: false, error_code: 401, description: "Unauthorized" });
    if (this.holding) {
      this.held.push(res);
      return;
    }
    const i = this.failures.findIndex((f) => !f.method || f.method === method);
    if (i >= 0) {
      const [{ failure }] = this.failures.splice(i, 1) as [{ failure: ScriptedFailure }];
      return reply(failure.status, {
        ok: false,
        error_code: failure.status,
        description:
          failure.description ??
          (failure.status === 429 ? "Too Many Requests: retry later" : "Internal Server Error"),
        ...(failure.retryAfter !== undefined && { parameters: { retry_after: failure.retryAfter } }),
      });
    }
    const params = await parseParams(req, body);
    switch (method) {
      case "getMe":
        return reply(200, {
          ok: true,
          result: { id: 1, is_bot: true, first_name: "Cổng trường an toàn", username: "ssg_test_bot" },
        });
      case "sendMessage":
      case "sendPhoto": {
        const chatId = String(params.fields.chat_id ?? "");
        if (!chatId)
          return reply(400, { ok: false, error_code: 400, description: "Bad Request: chat_id is empty" });
        if (this.blocked.has(chatId))
          return reply(403, {
            ok: false,
            error_code: 403,
            description: "Forbidden: bot was blocked by the user",
          });
        const text = String(params.fields.text ?? params.fields.caption ?? "");
        const markup = params.fields.reply_markup;
        const message: RecordedMessage = {
          method,
          chatId,
          text,
          ...(params.file && { photo: params.file }),
          ...(markup !== undefined && {
            replyMarkup: typeof markup === "string" ? JSON.parse(markup) : markup,
          }),
          messageId: this.nextId++,
          at: Date.now(),
        };
        this.messages.push(message);
        this.onRecord?.(this.messages.length);
        return reply(200, {
          ok: true,
          result: {
            message_id: message.messageId,
            date: Math.floor(message.at / 1000),
            chat: { id: Number(chatId), type: "private" },
            text,
          },
        });
      }
      case "getUpdates": {
        // A short long-poll: answer at once when something is queued, else after 100 ms.
        if (this.updates.length === 0) await new Promise((r) => setTimeout(r, 100));
        return reply(200, { ok: true, result: this.updates.splice(0, this.updates.length) });
      }
      case "getFile": {
        const id = String(params.fields.file_id ?? "");
        const bytes = this.files.get(id);
        if (!bytes)
          return reply(400, { ok: false, error_code: 400, description: "Bad Request: invalid file_id" });
        return reply(200, {
          ok: true,
          result: { file_id: id, file_unique_id: id, file_size: bytes.length, file_path: `photos/${id}.jpg` },
        });
      }
      default:
        return reply(200, { ok: true, result: true });
    }
  }
}

async function parseParams(
  req: IncomingMessage,
  body: Buffer,
): Promise<{ fields: Record<string, unknown>; file?: Buffer }> {
  const type = req.headers["content-type"] ?? "";
  if (type.startsWith("application/json"))
    return { fields: JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown> };
  if (type.startsWith("multipart/form-data")) {
    const boundary = /boundary=("?)([^";]+)\1/.exec(type)?.[2];
    if (!boundary) return { fields: {} };
    return parseMultipart(body, boundary);
  }
  return { fields: Object.fromEntries(new URLSearchParams(body.toString("utf8"))) };
}

/** Minimal multipart/form-data parser: text fields, and the last file part as bytes. */
function parseMultipart(body: Buffer, boundary: string): { fields: Record<string, unknown>; file?: Buffer } {
  const fields: Record<string, unknown> = {};
  let file: Buffer | undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2); // skip CRLF after/before
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd >= 0) {
      const headers = part.subarray(0, headerEnd).toString("utf8");
      const content = part.subarray(headerEnd + 4);
      const name = /name="([^"]*)"/.exec(headers)?.[1];
      if (/filename=/.test(headers)) file = Buffer.from(content);
      else if (name) fields[name] = content.toString("utf8");
    }
    start = next;
  }
  return file ? { fields, file } : { fields };
}
