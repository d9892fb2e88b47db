import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for an OpenAI-compatible `/v1/embeddings` endpoint: deterministic
 * bag-of-words vectors, float or base64 encoding as asked, and scripted failures (HTTP status
 * codes with `retry-after`) to exercise the client's retries.
 */
export interface FakeEmbeddingsServer {
  readonly baseURL: string;
  /** Requests received, in order, with their status. */
  readonly requests: Array<{ path: string; status: number; inputs: number }>;
  /** Status codes to answer with before answering normally (e.g. [429, 500]). */
  failNext(...statuses: number[]): void;
  close(): Promise<void>;
}

function vectorOf(text: string, dimensions: number): number[] {
  const v = new Array<number>(dimensions).fill(0);
  for (const word of text
    .toLowerCase()
    .normalize("NFC")
    .split(/[^\p{L}\p{N}]+/u)) {
    if (!word) continue;
    let h = 2166136261;
    for (const ch of word) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 16777619);
    const i = (h >>> 0) % dimensions;
    v[i] = (v[i] ?? 0) + 1;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

export async function startFakeEmbeddingsServer(dimensions: number): Promise<FakeEmbeddingsServer> {
  const requests: FakeEmbeddingsServer["requests"] = [];
  const failures: number[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString("utf8");
    });
    req.on("end", () => {
      const path = req.url ?? "";
      const fail = failures.shift();
      if (fail !== undefined) {
        requests.push({ path, status: fail, inputs: 0 });
        res.writeHead(fail, { "content-type": "application/json", "retry-after": "0" });
        res.end(JSON.stringify({ error: { message: "scripted failure", type: "server_error" } }));
        return;
      }
      if (req.method !== "POST" || !path.endsWith("/embeddings")) {
        requests.push({ path, status: 404, inputs: 0 });
        res.writeHead(404).end();
        return;
      }
      const parsed = JSON.parse(body) as {
        input: string | string[];
        model: string;
        encoding_format?: string;
      };
      const inputs = Array.isArray(parsed.input) ? parsed.input : [parsed.input];
      requests.push({ path, status: 200, inputs: inputs.length });
      const data = inputs.map((text, index) => {
        const v = vectorOf(text, dimensions);
        const embedding =
          parsed.encoding_format === "base64"
            ? Buffer.from(new Float32Array(v).buffer).toString("base64")
            : v;
        return { object: "embedding", index, embedding };
      });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          object: "list",
          data,
          model: parsed.model,
          usage: { prompt_tokens: 1, total_tokens: 1 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    failNext: (...statuses) => failures.push(...statuses),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
