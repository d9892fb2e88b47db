import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../bot/local-redis.js";
import { indexKeys } from "../../knowledge/index/live-index.js";
import { freshDatabase, type TestDatabase } from "../db/engines.js";

const ROOT = resolve(import.meta.dirname, "../..");

/**
 * Three of the shipped documents (the first by name, whatever they are), so that the processes'
 * first build takes a moment, not a minute, and everyday words are known.
 */
async function smallCorpus(into: string): Promise<void> {
  const shipped = join(ROOT, "knowledge/corpus");
  const md = (await readdir(shipped)).filter((f) => f.endsWith(".md")).sort();
  for (const f of md.slice(0, 3)) await cp(join(shipped, f), join(into, f));
}

/** The new document: a term no other document has. */
const NEW_FILE = "quy-dinh-the-zorblat.md";
const NEW_DOC = [
  "---\nid: quy-dinh-the-zorblat\ntitle: Quy định về thẻ Zorblat ra vào cổng trường\nkind: quy định\nissuer: Trường THCS Thử Nghiệm\ndate: 2026-01-05\n---",
  "## Điều 1. Thẻ Zorblat\n\nHọc sinh phải xuất trình thẻ Zorblat cho bảo vệ khi vào cổng trường. Học sinh quên thẻ Zorblat được ghi tên vào sổ trực và báo giáo viên chủ nhiệm trong ngày.",
].join("\n\n");
const QUESTION = "Học sinh có phải xuất trình thẻ Zorblat khi vào cổng trường không?";
/** What a change may take to reach every process (the promise). */
const WITHIN_MS = 60_000;

interface Replica {
  readonly child: ChildProcess;
  readonly base: string;
  readonly database: TestDatabase;
  cookie: string;
}

/** Sends a question to a process's web chat: answered (with sources to show) or abstained. */
async function ask(r: Replica, text: string): Promise<{ answered: boolean; text: string }> {
  const res = await fetch(`${r.base}/chat/message`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: r.cookie },
    body: JSON.stringify({ text }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { replies: { text: string; choices: { data: string }[] }[] };
  const first = body.replies[0];
  return { answered: first?.choices.some((c) => c.data === "src") ?? false, text: first?.text ?? "" };
}

/** Asks every replica until each gives the expected kind of answer; the time it took. */
async function untilAll(replicas: readonly Replica[], answered: boolean): Promise<number> {
  const started = Date.now();
  const pending = new Set(replicas);
  let last = "";
  while (pending.size > 0) {
    for (const r of [...pending]) {
      const reply = await ask(r, QUESTION);
      last = reply.text;
      if (reply.answered === answered) {
        if (answered) expect(reply.text).toContain("Quy định về thẻ Zorblat");
        pending.delete(r);
      }
    }
    if (pending.size === 0) break;
    if (Date.now() - started > WITHIN_MS)
      throw new Error(
        `${pending.size} process(es) still ${answered ? "abstain" : "answer"} after ${WITHIN_MS} ms: ${last}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - started;
}

/** Runs `npm run ingest` (no arguments: KNOWLEDGE_DIR) and returns its exit code and output. */
function runIngest(env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "knowledge/cli/ingest.ts"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((done) => child.once("exit", (code) => done({ code, out })));
}

describe("a changed corpus reaches every running npm start", () => {
  const prefix = `test-${randomUUID()}`;
  const replicas: Replica[] = [];
  let dir = "";
  afterAll(async () => {
    for (const r of replicas) if (r.child.exitCode === null) r.child.kill("SIGKILL");
    for (const r of replicas) await r.database.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
    const redis = new Redis();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it("a document ingested while two processes run is answered by both, a removed one no more, a broken build changes nothing", {
    timeout: 240_000,
  }, async () => {
    dir = await mkdtemp(join(tmpdir(), "ssg-corpus-update-"));
    const corpus = join(dir, "corpus");
    await mkdir(corpus);
    await smallCorpus(corpus);
    // One INDEX_DIR, one Redis prefix and one set of secrets; a database each.
    const shared = {
      ...process.env,
      QUEUE_PREFIX: prefix,
      INDEX_DIR: join(dir, "index"),
      KNOWLEDGE_DIR: corpus,
      SECRETS_DIR: join(dir, "secrets"),
      TELEGRAM_BOT_TOKEN: "",
      ZALO_BOT_TOKEN: "",
      LOG_LEVEL: "warn",
    };
    // Both start at once: the first build's lock makes one build and the other find it.
    await Promise.all(
      [0, 1].map(async () => {
        const database = await freshDatabase("pglite");
        const port = await freePort();
        const child = spawn(process.execPath, ["--import", "tsx", "app/main.ts"], {
          cwd: ROOT,
          env: { ...shared, ...database.env, PORT: String(port) },
          stdio: ["ignore", "pipe", "inherit"],
        });
        const replica: Replica = { child, base: `http://127.0.0.1:${port}`, database, cookie: "" };
        replicas.push(replica);
        let printed = "";
        await new Promise<void>((ready, failed) => {
          child.stdout?.on("data", (d: Buffer) => {
            printed += d.toString();
            if (printed.includes("Channels:")) ready();
          });
          child.once("exit", (code) => failed(new Error(`npm start exited (${code}) before it was ready`)));
        });
        const session = await fetch(`${replica.base}/chat/session`, { method: "POST" });
        replica.cookie = (session.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
        expect(replica.cookie).toMatch(/^ssg_chat=/);
      }),
    );

    // Before: nobody knows the document.
    for (const r of replicas) expect((await ask(r, QUESTION)).answered).toBe(false);

    await writeFile(join(corpus, NEW_FILE), NEW_DOC);
    const added = await runIngest(shared);
    expect(added.out).toContain(`announced`);
    expect(added.code).toBe(0);
    const redis = new Redis();
    const announced = await redis.get(indexKeys(prefix).version);
    redis.disconnect();
    expect(added.out).toContain(`version ${announced} is current`);
    const addedMs = await untilAll(replicas, true);
    console.log(`the new document was answered by both processes ${addedMs} ms after the ingest`);

    // A broken build (a file that does not load) publishes nothing: both keep answering.
    const pointer = await readFile(join(dir, "index", "current.json"), "utf8");
    await writeFile(join(corpus, "hong.docx"), "this is not a zip file");
    const broken = await runIngest(shared);
    expect(broken.code).toBe(1);
    expect(broken.out).toContain("hong.docx");
    expect(broken.out).toContain("nothing was published");
    expect(await readFile(join(dir, "index", "current.json"), "utf8")).toBe(pointer);
    for (const r of replicas) expect((await ask(r, QUESTION)).answered).toBe(true);

    // The document removed: both abstain again.
    await rm(join(corpus, "hong.docx"));
    await rm(join(corpus, NEW_FILE));
    const removed = await runIngest(shared);
    expect(removed.code).toBe(0);
    const removedMs = await untilAll(replicas, false);
    console.log(`the removed document was no longer answered ${removedMs} ms after the ingest`);

    for (const r of replicas) expect((await fetch(`${r.base}/healthz`)).status).toBe(200);
    for (const r of replicas) r.child.kill("SIGTERM");
    const codes = await Promise.all(
      replicas.map((r) => new Promise<number | null>((done) => r.child.once("exit", (c) => done(c)))),
    );
    expect(codes).toEqual([0, 0]);
  });
});
