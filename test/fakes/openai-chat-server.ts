import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for an OpenAI-compatible `POST /v1/chat/completions` endpoint, answering from
 * a script: each request takes the next scripted reply (or asks `fallback`), so a test says
 * exactly what the "model" writes — a faithful rephrasing, an invented fine or article, a
 * citation of a passage it was not given — or how it fails (a status with `retry-after`, or no
 * answer at all until the client gives up).
 */
export type ScriptedReply =
  /** A completion whose message is `content`. */
  | { readonly content: string }
  /** An error status, with a `retry-after` header when given. */
  | { readonly status: number; readonly retryAfter?: string }
  /** Never answers: the connection stays open until the client aborts it. */
  | { readonly hang: true };

export interface ChatRequest {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: {
    readonly model: string;
    readonly messages: ReadonlyArray<{ readonly role: string; readonly content: string }>;
    readonly [key: string]: unknown;
  };
}

export interface FakeChatServer {
  readonly baseURL: string;
  /** Requests received, in order. */
  readonly requests: ChatRequest[];
  /** Replies for the next requests, in order. */
  script(...replies: Array<ScriptedReply | ((req: ChatRequest) => ScriptedReply)>): void;
  /** Resolves once `n` hanging requests (default 1) have been given up by their client. */
  abandoned(n?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeChatServer(
  fallback: (req: ChatRequest) => ScriptedReply = () => ({ content: "Tôi không biết." }),
): Promise<FakeChatServer> {
  const requests: ChatRequest[] = [];
  const queue: Array<ScriptedReply | ((req: ChatRequest) => ScriptedReply)> = [];
  let gaveUp = 0;
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  const settle = () => {
    for (const w of waiting.filter((x) => gaveUp >= x.n)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  };
  const hanging = new Set<ServerResponse>();
  const reply = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const path = req.url ?? "";
    if (req.method !== "POST" || !path.endsWith("/chat/completions")) {
      res.writeHead(404).end();
      return;
    }
    const request: ChatRequest = {
      path,
      authorization: req.headers.authorization,
      body: JSON.parse(body) as ChatRequest["body"],
    };
    requests.push(request);
    const next = queue.shift() ?? fallback;
    const r = typeof next === "function" ? next(request) : next;
    if ("hang" in r) {
      hanging.add(res);
      // Answered only once the client has gone: too late to matter, as a slow model would be.
      res.on("close", () => {
        hanging.delete(res);
        gaveUp += 1;
        settle();
      });
      return;
    }
    if ("status" in r) {
      res.writeHead(r.status, {
        "content-type": "application/json",
        ...(r.retryAfter !== undefined && { "retry-after": r.retryAfter }),
      });
      res.end(JSON.stringify({ error: { message: "scripted failure", type: "server_error" } }));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        id: `chatcmpl-${requests.length}`,
        object: "chat.completion",
        created: 0,
        model: request.body.model,
        choices: [{ index: 0, message: { role: "assistant", content: r.content }, finish_reason: "stop" }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      }),
    );
  };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString("utf8");
    });
    req.on("end", () => reply(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...replies) => queue.push(...replies),
    abandoned: (n = 1) =>
      new Promise<void>((resolve) => {
        waiting.push({ n, resolve });
        settle();
      }),
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
