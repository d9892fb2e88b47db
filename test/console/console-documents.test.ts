import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Config, parseConfig } from "../../config.js";
import { answerQuestion } from "../../knowledge/answer/compose.js";
import { embeddingProviderFor, ingestVersion } from "../../knowledge/engine.js";
import { LiveIndex } from "../../knowledge/index/live-index.js";
import { DocumentLibrary } from "../../knowledge/library/document-library.js";
import { createLogger } from "../../logger.js";
import { fillerRules } from "../knowledge/small-corpus.js";
import { CHATS, type ConsoleHarness, consoleHarness } from "./console-harness.js";
import { DECISION, DOC_ID, makePdf, memoryChannel, QUESTION, SYMBOL } from "./one-article-pdf.js";

/**
 * The console's documents for admins (issue 14): an upload is previewed, confirmed with
 * corrections, and answered from by a LiveIndex that reloads on the library's announcement;
 * marked replaced, removed; everything refused to others, audited, with nothing written.
 */

const logger = createLogger("silent");
const ADMIN = { kind: "operator" } as const;

describe("documents in the console", () => {
  let work: string;
  let knowledge: Config["knowledge"];
  let h: ConsoleHarness;
  let live: LiveIndex;
  let admin: string;
  let officer: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "console-documents-"));
    knowledge = parseConfig({
      KNOWLEDGE_DIR: join(work, "corpus"),
      INDEX_DIR: join(work, "index"),
      KNOWLEDGE_UPLOADS_DIR: join(work, "documents"),
      EMBEDDING_DIMENSIONS: "64",
    }).knowledge;
    await mkdir(knowledge.corpusDir);
    for (const [id, text] of Object.entries(fillerRules()))
      await writeFile(join(knowledge.corpusDir, `${id}.txt`), text);
    await ingestVersion([knowledge.corpusDir], knowledge.indexDir, embeddingProviderFor(knowledge));
    const channel = memoryChannel();
    live = await LiveIndex.open({
      indexDir: knowledge.indexDir,
      provider: embeddingProviderFor(knowledge),
      channel,
      logger,
      pollMs: 0,
    });
    h = await consoleHarness({ documents: new DocumentLibrary({ knowledge, channel, logger }) });
    admin = await h.signIn(ADMIN);
    officer = await h.signIn(CHATS.dongTien);
  }, 60_000);

  afterAll(async () => {
    await live?.close();
    await h?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** Sends a file as the page does: its bytes as the body, its name in the query. */
  const upload = (cookie: string, bytes: Buffer, name: string, type = "application/pdf") =>
    h.app.inject({
      method: "POST",
      url: `/console/api/documents/uploads?name=${encodeURIComponent(name)}`,
      cookies: { ssg_console: cookie },
      headers: { "x-console": "1", "content-type": type },
      payload: bytes,
    });
  const auditOf = async (action: string) =>
    (await h.audit.latest({ limit: 500 })).filter((a) => a.action === action);

  it("refuses an officer's upload (403, audited) and reads nothing", async () => {
    const r = await upload(officer, makePdf(DECISION), "qd-15.pdf");
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({
      error: "admins-only",
      message: expect.stringContaining("quản trị viên"),
    });
    expect((await h.as(officer, "GET", "/console/api/documents")).statusCode).toBe(403);
    const refused = await auditOf("documents");
    expect(refused[0]).toMatchObject({
      actor: expect.stringMatching(/ca-dong-tien|^[0-9a-f-]{36}$/),
      allowed: false,
    });
    expect(refused.map((a) => a.detail?.route)).toContain("/console/api/documents/uploads");
    expect(existsSync(knowledge.uploadsDir)).toBe(false);
  });

  it("refuses what is not a PDF or DOCX with the reason in Vietnamese, writing nothing", async () => {
    const notPdf = await upload(admin, randomBytes(2048), "qd-15.pdf");
    expect(notPdf.statusCode).toBe(415);
    expect(notPdf.json()).toMatchObject({
      error: "unsupported-type",
      message: "Chỉ nhận tệp PDF hoặc Word (.docx).",
    });
    const text = await upload(admin, Buffer.from("Điều 1. Văn bản thuần"), "qd.txt", "text/plain");
    expect(text.statusCode).toBe(415);
    const image = await upload(admin, Buffer.from("GIF89a"), "anh.gif", "image/gif");
    expect(image.statusCode).toBe(415);
    const broken = await upload(admin, Buffer.from("%PDF-1.4\nnot a pdf body\n%%EOF\n"), "hong.pdf");
    expect(broken.statusCode).toBe(422);
    expect(broken.json()).toMatchObject({ error: "unreadable" });
    const big = await upload(
      admin,
      Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(20 * 1024 * 1024)]),
      "to.pdf",
    );
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ error: "too-large", message: expect.stringContaining("20 MB") });
    expect(existsSync(knowledge.uploadsDir)).toBe(false);
    const audited = await auditOf("document-upload");
    expect(audited.map((a) => a.detail?.result)).toEqual(Array(5).fill("refused"));
    expect(audited.every((a) => a.actor === "operator" && a.allowed)).toBe(true);
    // A change to what is not there.
    expect((await h.as(admin, "DELETE", "/console/api/documents/nothing-here")).statusCode).toBe(404);
    const unknown = `/console/api/documents/uploads/${"0".repeat(8)}-0000-0000-0000-${"0".repeat(12)}/confirm`;
    expect((await h.as(admin, "POST", unknown, { status: "in force" })).json()).toMatchObject({
      error: "upload-expired",
    });
  });

  it("previews an upload, confirms it with a corrected title, and a question gets a cited answer", async () => {
    const r = await upload(admin, makePdf(DECISION), "qd-15.pdf", "application/octet-stream");
    expect(r.statusCode).toBe(201);
    const { preview } = r.json() as { preview: Record<string, unknown> & { uploadId: string } };
    expect(preview).toMatchObject({
      filename: "qd-15.pdf",
      format: "pdf",
      symbol: SYMBOL,
      issuer: "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ",
      kind: "quyết định",
      date: "2025-03-12",
      effective: "2025-04-01",
      articles: [{ number: "1", title: "Điểm dừng xe đưa đón học sinh" }],
      warnings: [],
    });
    await expect(answerQuestion(live.current, QUESTION)).resolves.toMatchObject({ abstained: true });

    // A replaced document needs its successor.
    const confirmUrl = `/console/api/documents/uploads/${preview.uploadId}/confirm`;
    expect((await h.as(admin, "POST", confirmUrl, { status: "replaced" })).json()).toMatchObject({
      error: "replaced-by-missing",
    });
    expect(
      (await h.as(admin, "POST", confirmUrl, { status: "in force", date: "12/3/2025" })).statusCode,
    ).toBe(400);

    const reloaded = once(live, "reloaded");
    const confirmed = await h.as(admin, "POST", confirmUrl, {
      status: "in force",
      title: "Quyết định về điểm dừng xe đưa đón học sinh",
    });
    expect(confirmed.statusCode).toBe(200);
    const change = confirmed.json() as { version: string; published: boolean; document: { id: string } };
    expect(change).toMatchObject({ published: true, document: { id: DOC_ID, symbol: SYMBOL } });
    expect(await reloaded).toEqual([change.version]);
    const answer = await answerQuestion(live.current, QUESTION);
    expect(answer.abstained).toBe(false);
    expect(answer.body).toContain("20 mét");
    expect(answer.citations[0]).toMatchObject({ docId: DOC_ID, article: "1", symbol: SYMBOL });
    expect(answer.citations[0]?.title).toBe("Quyết định về điểm dừng xe đưa đón học sinh");

    const list = (await h.as(admin, "GET", "/console/api/documents")).json();
    expect(list).toMatchObject({
      building: false,
      documents: [
        { id: DOC_ID, symbol: SYMBOL, status: "in force", replacedBy: null, originalName: "qd-15.pdf" },
      ],
    });
    // Uploading it again warns that the library has it.
    const again = (await upload(admin, makePdf(DECISION), "lai.pdf")).json() as {
      preview: { warnings: { code: string; message: string }[] };
    };
    expect(again.preview.warnings).toEqual([
      {
        code: "same-file",
        message: "Thư viện đã có đúng tệp này (Quyết định về điểm dừng xe đưa đón học sinh).",
      },
    ]);
  });

  it("marks it replaced (still answered, its successor named), then removes it; every change audited", async () => {
    let reloaded = once(live, "reloaded");
    const replaced = await h.as(admin, "PUT", `/console/api/documents/${DOC_ID}/status`, {
      status: "replaced",
      replacedBy: "20/2026/QĐ-UBND",
      replacedOn: "2026-01-01",
    });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({
      document: { status: "replaced", replacedBy: "20/2026/QĐ-UBND" },
    });
    await reloaded;
    // The only text that answers, though replaced, is still quoted, with its successor named.
    const answer = await answerQuestion(live.current, QUESTION);
    expect(answer.citations[0]).toMatchObject({ docId: DOC_ID, replacedBy: "20/2026/QĐ-UBND" });
    expect(answer.answer).toContain("20/2026/QĐ-UBND");

    expect(
      (await h.as(admin, "PUT", `/console/api/documents/${DOC_ID}/status`, { status: "replaced" }))
        .statusCode,
    ).toBe(400);
    reloaded = once(live, "reloaded");
    const removed = await h.as(admin, "DELETE", `/console/api/documents/${DOC_ID}`);
    expect(removed.statusCode).toBe(200);
    await reloaded;
    expect((await answerQuestion(live.current, QUESTION)).abstained).toBe(true);
    expect((await h.as(admin, "GET", "/console/api/documents")).json()).toMatchObject({ documents: [] });
    expect(await readdir(knowledge.uploadsDir)).not.toContain(`${DOC_ID}.pdf`);

    const lines = (await h.audit.latest({ limit: 500 }))
      .filter((a) => a.action.startsWith("document-"))
      .reverse();
    const done = lines.filter((a) => a.detail?.result === "published");
    expect(done.map((a) => [a.action, a.actor, a.detail?.document, a.detail?.symbol])).toEqual([
      ["document-confirm", "operator", DOC_ID, SYMBOL],
      ["document-status", "operator", DOC_ID, SYMBOL],
      ["document-remove", "operator", DOC_ID, SYMBOL],
    ]);
    expect(lines.find((a) => a.action === "document-upload" && a.detail?.result === "staged")).toMatchObject({
      detail: { symbol: SYMBOL, format: "pdf", articles: 1 },
    });
    expect(JSON.stringify(lines)).not.toContain("20 mét");
  });
});
