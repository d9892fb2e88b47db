import { setTimeout as delay } from "node:timers/promises";
import { request } from "undici";
import { z } from "zod";

/**
 * A minimal client for an OpenAI-compatible chat completions endpoint (`POST
 * {baseURL}/chat/completions`: vLLM, Ollama, llama.cpp server, or a hosted API). Only what the
 * grounded answer needs: one non-streamed completion, a time budget for the whole call, one
 * retry on 429/5xx that honours `retry-after` when it fits in what is left of the budget, and
 * one typed error for everything that goes wrong, so that the caller can fall back.
 *
 * The API key is never put into an error or a log.
 */

export interface ChatMessage {
  readonly role: "system" | "user" | "assistant";
  readonly content: string;
}

/** What the grounded answer asks of a chat model: messages in, text out, or `ChatModelError`. */
export interface ChatClient {
  complete(messages: readonly ChatMessage[], options?: { signal?: AbortSignal }): Promise<string>;
}

export interface ChatEndpoint {
  /** e.g. `http://127.0.0.1:11434/v1` (Ollama) or `http://127.0.0.1:8000/v1` (vLLM). */
  readonly baseURL: string;
  readonly model: string;
  /** Sent as a bearer token when given; local servers usually need none. */
  readonly apiKey?: string;
  /** Budget of one `complete` call, retry and its wait included. Default 8000 ms. */
  readonly timeoutMs?: number;
  /** Default 300: a ≤60-word answer with citations fits with room to spare. */
  readonly maxTokens?: number;
}

/** Why a completion failed: the label of the fallback it causes. */
export type ChatFailure = "timeout" | "http" | "network" | "response";

/** The chat model could not answer: timed out, refused (HTTP status), unreachable, or answered nonsense. */
export class ChatModelError extends Error {
  override readonly name = "ChatModelError";
  /** HTTP status, for `http` (and a `response` that came with one). */
  readonly status: number | undefined;
  /** Set on 429 and 5xx: worth one more try. */
  readonly retryable: boolean;
  /** What the server's `retry-after` asked for, in ms. */
  readonly retryAfterMs: number | undefined;
  constructor(
    readonly failure: ChatFailure,
    message: string,
    data: { status?: number; retryable?: boolean; retryAfterMs?: number | undefined; cause?: unknown } = {},
  ) {
    super(message, data.cause === undefined ? undefined : { cause: data.cause });
    this.status = data.status;
    this.retryable = data.retryable ?? false;
    this.retryAfterMs = data.retryAfterMs;
  }
}

const completionSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable().optional() }) })).min(1),
});

/** Wait asked by a `retry-after` header (seconds or an HTTP date), in ms; undefined when absent or bad. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.ceil(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Wait before the retry when the server does not say (ms). */
const DEFAULT_RETRY_WAIT = 250;

export class OpenAIChatClient implements ChatClient {
  readonly baseURL: string;
  readonly model: string;
  readonly timeoutMs: number;
  readonly maxTokens: number;
  /** A true private field: `util.inspect` (and so a logged client) does not show it. */
  readonly #apiKey: string | undefined;

  constructor(endpoint: ChatEndpoint) {
    this.baseURL = endpoint.baseURL.replace(/\/+$/, "");
    this.model = endpoint.model;
    this.timeoutMs = endpoint.timeoutMs ?? 8000;
    this.maxTokens = endpoint.maxTokens ?? 300;
    this.#apiKey = endpoint.apiKey;
  }

  async complete(messages: readonly ChatMessage[], options: { signal?: AbortSignal } = {}): Promise<string> {
    const deadline = Date.now() + this.timeoutMs;
    const budget = AbortSignal.timeout(this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([budget, options.signal]) : budget;
    try {
      return await this.attempt(messages, signal, budget);
    } catch (err) {
      if (!(err instanceof ChatModelError) || !err.retryable) throw err;
      // One retry, only when the wait it asks for still leaves time for the request itself.
      const wait = err.retryAfterMs ?? DEFAULT_RETRY_WAIT;
      if (Date.now() + wait >= deadline) throw err;
      try {
        await delay(wait, undefined, { signal });
      } catch (cause) {
        throw this.aborted(budget, cause);
      }
      return await this.attempt(messages, signal, budget);
    }
  }

  private aborted(budget: AbortSignal, cause?: unknown): ChatModelError {
    const what = budget.aborted ? `no answer within ${this.timeoutMs} ms` : "aborted by the caller";
    return new ChatModelError("timeout", `chat model: ${what}`, { cause });
  }

  private async attempt(
    messages: readonly ChatMessage[],
    signal: AbortSignal,
    budget: AbortSignal,
  ): Promise<string> {
    let status: number;
    let headers: Record<string, string | string[] | undefined>;
    let text: string;
    try {
      const res = await request(`${this.baseURL}/chat/completions`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          ...(this.#apiKey && { authorization: `Bearer ${this.#apiKey}` }),
        },
        body: JSON.stringify({
          model: this.model,
          messages,
          temperature: 0,
          max_tokens: this.maxTokens,
          stream: false,
        }),
        signal,
      });
      status = res.statusCode;
      headers = res.headers;
      text = await res.body.text();
    } catch (err) {
      if (signal.aborted) throw this.aborted(budget, err);
      const reason = err instanceof Error ? err.message : String(err);
      throw new ChatModelError("network", `chat model unreachable: ${this.scrub(reason)}`);
    }
    if (status === 429 || status >= 500) {
      throw new ChatModelError("http", `chat model: HTTP ${status}`, {
        status,
        retryable: true,
        retryAfterMs: retryAfterMs(headers["retry-after"]),
      });
    }
    if (status >= 400) throw new ChatModelError("http", `chat model: HTTP ${status}`, { status });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ChatModelError("response", `chat model: not JSON (HTTP ${status})`, { status });
    }
    const parsed = completionSchema.safeParse(json);
    const content = parsed.success ? parsed.data.choices[0]?.message.content?.trim() : undefined;
    if (!content) throw new ChatModelError("response", "chat model: no message content", { status });
    return content;
  }

  private scrub(text: string): string {
    return this.#apiKey ? text.split(this.#apiKey).join("***") : text;
  }
}
