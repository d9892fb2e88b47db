import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { Document, Packer, Paragraph } from "docx";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Config, parseConfig } from "../../config.js";
import { answerQuestion } from "../../knowledge/answer/compose.js";
import { defaultSourcePaths, embeddingProviderFor, ingestVersion } from "../../knowledge/engine.js";
import { currentVersion, openCurrentVersion } from "../../knowledge/index/index-versions.js";
import { type IndexChannel, LiveIndex } from "../../knowledge/index/live-index.js";
import { DocumentLibrary } from "../../knowledge/library/document-library.js";
import { readUpload } from "../../knowledge/library/read-upload.js";
import { createLogger } from "../../logger.js";
import { DECISION, makePdf, memoryChannel, QUESTION } from "../console/one-article-pdf.js";
import { fillerRules } from "./small-corpus.js";

async function makeDocx(paragraphs: readonly string[]): Promise<Buffer> {
  const doc = new Document({ sections: [{ children: paragraphs.map((p) => new Paragraph(p)) }] });
  return Packer.toBuffer(doc);
}

const PLAN = [
  "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
  "Số: 07/2025/QĐ-SGDĐT",
  "QUYẾT ĐỊNH",
  "Ban hành quy chế bơi an toàn cho học sinh",
  "Điều 1. Phạm vi áp dụng",
  "Quy chế này áp dụng cho các trường tiểu học có hồ bơi.",
  "Điều 2. Giáo viên trực hồ bơi",
  "Mỗi buổi bơi có ít nhất hai giáo viên biết cứu đuối trực tại hồ bơi.",
  "Điều 3. Trách nhiệm thi hành",
  "Hiệu trưởng các trường chịu trách nhiệm thi hành Quyết định này.",
];

/** A zip of one stored file (method 8, deflate): not a Word document, whatever its name. */
function zipOf(name: string, data: string): Buffer {
  const body = deflateRawSync(Buffer.from(data));
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(8, 8);
  header.writeUInt32LE(body.length, 18);
  header.writeUInt32LE(data.length, 22);
  header.writeUInt16LE(Buffer.byteLength(name), 26);
  return Buffer.concat([header, Buffer.from(name), body]);
}

const logger = createLogger("silent");
let work: string;
let knowledge: Config["knowledge"];
let library: DocumentLibrary;
let channel: IndexChannel;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "library-"));
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
  channel = memoryChannel();
  library = new DocumentLibrary({ knowledge, channel, logger });
});

afterEach(async () => {
  await library.idle();
  await rm(work, { recursive: true, force: true });
});

const ask = async (question: string) =>
  answerQuestion(
    (await openCurrentVersion(knowledge.indexDir, embeddingProviderFor(knowledge))).index,
    question,
  );
const pointer = () => readFile(join(knowledge.indexDir, "current.json"), "utf8");
const audit = async () =>
  (await readFile(join(knowledge.uploadsDir, "audit.jsonl"), "utf8"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const staged = () => readdir(join(knowledge.uploadsDir, ".staging")).catch(() => []);

describe("document library", () => {
  it("previews a PDF with one article, and once confirmed every process answers from it citing Điều 1", async () => {
    const before = await pointer();
    const preview = await library.preview(makePdf(DECISION), "qd-15.pdf", "admin:lan");
    expect(preview).toMatchObject({
      filename: "qd-15.pdf",
      format: "pdf",
      symbol: "15/2025/QĐ-UBND",
      title: "Quyết định về việc quy định điểm dừng xe đưa đón học sinh trước cổng trường",
      issuer: "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ",
      kind: "quyết định",
      date: "2025-03-12",
      effective: "2025-04-01",
      articles: [{ number: "1", title: "Điểm dừng xe đưa đón học sinh" }],
      chunks: 1,
      warnings: [],
      splitArticles: true,
    });
    expect(preview.firstLines[0]).toBe("ỦY BAN NHÂN DÂN");
    // Nothing is indexed before the confirmation.
    expect(await pointer()).toBe(before);
    expect(await library.list()).toEqual([]);

    const live = await LiveIndex.open({
      indexDir: knowledge.indexDir,
      provider: embeddingProviderFor(knowledge),
      channel,
      logger,
      pollMs: 0,
    });
    try {
      const reloaded = once(live, "reloaded");
      const change = await library.confirm(preview.uploadId, { status: "in force" }, "admin:lan");
      expect(change).toMatchObject({
        published: true,
        document: { id: "15-2025-qd-ubnd", symbol: "15/2025/QĐ-UBND" },
      });
      expect(await reloaded).toEqual([change.version]);
      const answer = await answerQuestion(live.current, QUESTION);
      expect(answer.abstained).toBe(false);
      expect(answer.body).toContain("20 mét");
      expect(answer.citations[0]).toMatchObject({
        docId: "15-2025-qd-ubnd",
        article: "1",
        symbol: "15/2025/QĐ-UBND",
      });
      expect(answer.basis).toContain("Điều 1");
    } finally {
      await live.close();
    }
    expect(await library.list()).toMatchObject([
      { id: "15-2025-qd-ubnd", file: "15-2025-qd-ubnd.pdf", status: "in force", uploadedBy: "admin:lan" },
    ]);
    expect(await staged()).toEqual([]);
    // An operator's `npm run ingest` (no paths) keeps the library's document.
    expect(defaultSourcePaths(knowledge)).toEqual([knowledge.corpusDir, knowledge.uploadsDir]);
    const operator = await ingestVersion(
      defaultSourcePaths(knowledge),
      knowledge.indexDir,
      embeddingProviderFor(knowledge),
    );
    expect(operator.published).toBe(false);
  });

  it("names the successor once replaced, abstains once removed, and audits each change", async () => {
    const { uploadId } = await library.preview(makePdf(DECISION), "qd-15.pdf", "admin:lan");
    await library.confirm(uploadId, { status: "in force" }, "admin:lan");

    const replaced = await library.setStatus(
      "15-2025-qd-ubnd",
      "replaced",
      { replacedBy: "20/2026/QĐ-UBND" },
      "admin:minh",
    );
    expect(replaced.document).toMatchObject({ status: "replaced", replacedBy: "20/2026/QĐ-UBND" });
    // Asked by its name (a replaced text ranks behind the others that match otherwise: see the
    // replacedFactor of hybridSearch), it is quoted with its successor named.
    const answer = await ask(`Theo Quyết định 15/2025/QĐ-UBND, ${QUESTION.toLowerCase()}`);
    expect(answer.citations[0]).toMatchObject({ docId: "15-2025-qd-ubnd", replacedBy: "20/2026/QĐ-UBND" });
    expect(answer.answer).toContain("20/2026/QĐ-UBND");

    const removed = await library.remove("15-2025-qd-ubnd", "admin:minh");
    expect(removed.published).toBe(true);
    const after = await ask(QUESTION);
    expect(after.abstained).toBe(true);
    expect(after.citations.some((c) => c.docId === "15-2025-qd-ubnd")).toBe(false);
    expect(await library.list()).toEqual([]);
    expect(existsSync(join(knowledge.uploadsDir, "15-2025-qd-ubnd.pdf"))).toBe(false);

    const log = await audit();
    expect(log.map((r) => [r.action, r.by, r.document, r.symbol, r.result])).toEqual([
      ["confirm", "admin:lan", "15-2025-qd-ubnd", "15/2025/QĐ-UBND", "published"],
      ["set-status", "admin:minh", "15-2025-qd-ubnd", "15/2025/QĐ-UBND", "published"],
      ["remove", "admin:minh", "15-2025-qd-ubnd", "15/2025/QĐ-UBND", "published"],
    ]);
    expect(log[1]).toMatchObject({ status: "replaced", replacedBy: "20/2026/QĐ-UBND" });
    expect(JSON.stringify(log)).not.toContain("20 mét");
  });

  it("reads a DOCX (three articles: the legal chunker's own split) and answers from it", async () => {
    const preview = await library.preview(await makeDocx(PLAN), "quy-che.docx", "admin:lan");
    expect(preview).toMatchObject({
      format: "docx",
      symbol: "07/2025/QĐ-SGDĐT",
      title: "Quyết định ban hành quy chế bơi an toàn cho học sinh",
      issuer: "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
      articles: [
        { number: "1", title: "Phạm vi áp dụng" },
        { number: "2", title: "Giáo viên trực hồ bơi" },
        { number: "3", title: "Trách nhiệm thi hành" },
      ],
      splitArticles: false,
      warnings: [],
    });
    await library.confirm(
      preview.uploadId,
      { status: "in force", title: "Quy chế bơi an toàn" },
      "admin:lan",
    );
    const answer = await ask("Mỗi buổi bơi cần bao nhiêu giáo viên trực hồ bơi?");
    expect(answer.citations[0]).toMatchObject({ title: "Quy chế bơi an toàn", article: "2" });
  });

  it("refuses what is not a readable PDF or DOCX, writing nothing", async () => {
    const before = await pointer();
    const refused = async (bytes: Buffer, name: string, reason: string) => {
      await expect(library.preview(bytes, name, "admin:lan")).rejects.toMatchObject({
        name: "UploadRejectedError",
        reason,
      });
    };
    await refused(randomBytes(4096), "qd.pdf", "unsupported-type");
    await refused(Buffer.from("Điều 1. Văn bản thuần"), "qd.docx", "unsupported-type");
    await refused(zipOf("xl/workbook.xml", "<workbook/>"), "bang.docx", "unsupported-type");
    await refused(zipOf("word/document.xml", "<not-word"), "hong.docx", "unreadable");
    await refused(Buffer.from("%PDF-1.4\nthis is not a pdf body at all\n%%EOF\n"), "hong.pdf", "unreadable");
    await refused(
      Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(21 * 1024 * 1024)]),
      "to.pdf",
      "too-large",
    );
    expect(existsSync(knowledge.uploadsDir)).toBe(false);
    expect(await pointer()).toBe(before);
  });

  it("warns of a scanned PDF (no text) and will not confirm it", async () => {
    const read = await readUpload(makePdf([]), "scan.pdf");
    expect(read.warnings.map((w) => w.code)).toEqual(["no-text"]);
    const preview = await library.preview(makePdf([]), "scan.pdf", "admin:lan");
    await expect(
      library.confirm(preview.uploadId, { status: "in force" }, "admin:lan"),
    ).rejects.toMatchObject({
      name: "UploadRejectedError",
      reason: "no-text",
    });
    expect(await library.list()).toEqual([]);
  });

  it("leaves the previous version current when the build fails, and puts the upload back in staging", async () => {
    const before = await pointer();
    const { uploadId } = await library.preview(makePdf(DECISION), "qd-15.pdf", "admin:lan");
    await writeFile(join(knowledge.corpusDir, "hong.md"), "---\ndate: 28/12/2021\n---\nNội dung.\n");
    const failed = once(library, "failed");
    const change = library.confirm(uploadId, { status: "in force" }, "admin:lan");
    await expect(change).rejects.toMatchObject({ name: "LibraryChangeFailedError", action: "confirm" });
    await expect(change).rejects.toThrow(/hong\.md/);
    await failed;
    expect(await pointer()).toBe(before);
    expect(await library.list()).toEqual([]);
    expect((await audit()).map((r) => r.result)).toEqual(["failed"]);
    expect(existsSync(join(knowledge.uploadsDir, "15-2025-qd-ubnd.pdf"))).toBe(false);

    // Fixed, the same upload goes through.
    await rm(join(knowledge.corpusDir, "hong.md"));
    const retried = await library.confirm(uploadId, { status: "in force" }, "admin:lan");
    expect(retried.published).toBe(true);
    expect((await currentVersion(knowledge.indexDir))?.version).toBe(retried.version);
  });

  it("builds one at a time: changes asked during a build are published together by the next", async () => {
    const a = await library.preview(makePdf(DECISION), "a.pdf", "admin:lan");
    const b = await library.preview(await makeDocx(PLAN), "b.docx", "admin:lan");
    const c = await library.preview(
      makePdf(DECISION.map((l) => l.replace("15/2025", "16/2025"))),
      "c.pdf",
      "x",
    );
    expect(c.warnings.map((w) => w.code)).toEqual([]);
    const published: string[] = [];
    library.on("published", (v) => published.push(v));
    const [first, second, third] = await Promise.all([
      library.confirm(a.uploadId, { status: "in force" }, "admin:lan"),
      library.confirm(b.uploadId, { status: "in force" }, "admin:lan"),
      library.confirm(c.uploadId, { status: "in force" }, "admin:lan"),
    ]);
    expect(second.version).toBe(third.version);
    expect(first.version).not.toBe(second.version);
    expect(published).toEqual([first.version, second.version]);
    expect((await library.list()).map((d) => d.id)).toEqual([
      "15-2025-qd-ubnd",
      "07-2025-qd-sgddt",
      "16-2025-qd-ubnd",
    ]);
  });

  it("forgets an upload after an hour, and refuses bad changes before building", async () => {
    let now = new Date("2026-01-05T08:00:00Z");
    const timed = new DocumentLibrary({ knowledge, logger, now: () => now });
    const { uploadId, expiresAt } = await timed.preview(makePdf(DECISION), "qd.pdf", "admin:lan");
    expect(expiresAt).toBe("2026-01-05T09:00:00.000Z");
    now = new Date("2026-01-05T09:00:01Z");
    await expect(timed.confirm(uploadId, { status: "in force" }, "admin:lan")).rejects.toMatchObject({
      name: "UnknownUploadError",
    });
    await timed.preview(makePdf(["Một trang khác"]), "khac.pdf", "admin:lan");
    expect((await staged()).filter((n) => n.startsWith(uploadId))).toEqual([]);

    await expect(timed.remove("no-such-id", "admin:lan")).rejects.toMatchObject({
      name: "UnknownDocumentError",
    });
    await expect(
      timed.setStatus("no-such-id", "in force", { replacedBy: "1/2026/QĐ-UBND" }, "admin:lan"),
    ).rejects.toMatchObject({ name: "InvalidChangeError" });
    await expect(timed.remove("no-such-id", " ")).rejects.toMatchObject({ name: "InvalidChangeError" });
    expect(existsSync(join(knowledge.uploadsDir, "audit.jsonl"))).toBe(false);
  });
});
