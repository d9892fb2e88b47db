import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Document, Packer, Paragraph, TextRun } from "docx";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoadedDocument } from "../../knowledge/document.js";
import type { DocumentLoadError } from "../../knowledge/errors.js";
import { corpusEmbeddingProvider, KnowledgeIndex } from "../../knowledge/index/knowledge-index.js";
import { readManifest } from "../../knowledge/load/manifest.js";
import { buildMeta, detectSymbol, slugFromPath } from "../../knowledge/load/meta.js";
import { discoverSources, loadSource, type SourceFile } from "../../knowledge/load/sources.js";

const DOCX_TEXT = "Nhà trường phối hợp với Công an xã bảo đảm an ninh, trật tự trước cổng trường.";

async function makeDocx(): Promise<Buffer> {
  const doc = new Document({
    sections: [
      {
        children: [
          new Paragraph({ children: [new TextRun({ text: "Kế hoạch phòng cháy chữa cháy", bold: true })] }),
          new Paragraph(DOCX_TEXT),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}

async function makePdf(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const page = pdf.addPage();
  page.drawText("School gate safety plan", { x: 50, y: 700, size: 16, font });
  page.drawText("Students must wear helmets on electric bicycles.", { x: 50, y: 660, size: 12, font });
  const second = pdf.addPage();
  second.drawText("Second page about fire drills.", { x: 50, y: 700, size: 12, font });
  return pdf.save();
}

const MARKDOWN = `---
id: tt-124-2021
symbol: 124/2021/TT-BCA
title: Thông tư 124/2021/TT-BCA
kind: thông tư
issuer: Bộ Công an
date: 2021-12-28
status: hết hiệu lực một phần
replaced_by: 99/2025/TT-BCA
aliases:
  - TT 124
  - Thông tư 124
---
# Thông tư 124

Quy định về khen thưởng trong Công an nhân dân.
`;

const LEGAL_JSON = [
  {
    id: "luat-giao-duc",
    title: "Luật Giáo dục",
    articles: [
      { id: "1", text: "Phạm vi điều chỉnh\nLuật này quy định về hệ thống giáo dục quốc dân." },
      { id: 2, text: "Điều 2. Mục tiêu\nMục tiêu giáo dục nhằm phát triển toàn diện con người." },
    ],
  },
  { id: "luat-tre-em", articles: [{ id: "4", text: "Giải thích từ ngữ\nTrẻ em là người dưới 16 tuổi." }] },
];

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "knowledge-loaders-"));
  await mkdir(join(dir, "good"));
  await mkdir(join(dir, "bad"));
  await writeFile(
    join(dir, "good", "tin-bao.txt"),
    "\ufeffTiếp nhận tin báo\r\nHọc sinh có thể báo tin ẩn danh qua đường dây nóng.\r\n",
  );
  await writeFile(join(dir, "good", "thong-tu-124.md"), MARKDOWN);
  await writeFile(join(dir, "good", "Kế hoạch PCCC.docx"), await makeDocx());
  await writeFile(join(dir, "good", "plan.pdf"), await makePdf());
  await writeFile(join(dir, "good", "laws.json"), JSON.stringify(LEGAL_JSON));
  await writeFile(join(dir, "good", "notes.rtf"), "{\\rtf1 ignored in a folder}");
  await writeFile(join(dir, "good", ".hidden.txt"), "ignored: hidden");
  await writeFile(
    join(dir, "good", "manifest.json"),
    JSON.stringify([
      {
        file: "tin-bao.txt",
        id: "tiep-nhan-tin-bao",
        title: "Hướng dẫn tiếp nhận tin báo",
        kind: "hướng dẫn",
        issuer: "Công an xã",
        date: "2024-09-05",
      },
    ]),
  );
  await writeFile(join(dir, "bad", "broken.docx"), randomBytes(2048));
  await writeFile(join(dir, "bad", "wrong-shape.json"), JSON.stringify({ laws: [{ name: "x" }] }));
  await writeFile(join(dir, "bad", "not-json.json"), "{ this is not json");
  await writeFile(join(dir, "bad", "bad-front.md"), "---\ntitle: [unclosed\nid: x\n---\nNội dung.\n");
  await writeFile(join(dir, "bad", "bad-date.md"), "---\ndate: 28/12/2021\n---\nNội dung.\n");
  await writeFile(join(dir, "bad", "empty.txt"), "  \n\n");
  await writeFile(join(dir, "bad", "binary.txt"), Buffer.from([0x41, 0x00, 0x42, 0x00]));
  await writeFile(join(dir, "notes.rtf"), "{\\rtf1 given explicitly}");
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Loads every discovered file, collecting documents by file name and errors by file name. */
async function loadAll(files: readonly SourceFile[]) {
  const docs = new Map<string, LoadedDocument[]>();
  const errors = new Map<string, DocumentLoadError>();
  for (const f of files) {
    const name = f.path.split(/[\\/]/).at(-1) as string;
    try {
      docs.set(name, await loadSource(f));
    } catch (e) {
      errors.set(name, e as DocumentLoadError);
    }
  }
  return { docs, errors };
}

describe("discoverSources + loadSource on good files", () => {
  it("finds every supported, visible file and not the manifest", async () => {
    const { files, errors } = await discoverSources([join(dir, "good")]);
    expect(errors).toEqual([]);
    expect(files.map((f) => f.path.split(/[\\/]/).at(-1)).sort()).toEqual(
      ["Kế hoạch PCCC.docx", "laws.json", "plan.pdf", "thong-tu-124.md", "tin-bao.txt"].sort(),
    );
    for (const f of files) expect(f.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("loads plain text with its manifest entry", async () => {
    const { files } = await discoverSources([join(dir, "good")]);
    const { docs } = await loadAll(files);
    const [doc] = docs.get("tin-bao.txt") ?? [];
    expect(doc?.meta).toMatchObject({
      docId: "tiep-nhan-tin-bao",
      title: "Hướng dẫn tiếp nhận tin báo",
      kind: "hướng dẫn",
      issuer: "Công an xã",
      date: "2024-09-05",
    });
    // BOM dropped, CRLF turned into LF.
    expect(doc?.text).toBe("Tiếp nhận tin báo\nHọc sinh có thể báo tin ẩn danh qua đường dây nóng.\n");
  });

  it("maps Markdown front matter to the metadata, a YAML date back to its ISO day", async () => {
    const { files } = await discoverSources([join(dir, "good", "thong-tu-124.md")]);
    const { docs } = await loadAll(files);
    const [doc] = docs.get("thong-tu-124.md") ?? [];
    expect(doc?.meta).toEqual({
      docId: "tt-124-2021",
      symbol: "124/2021/TT-BCA",
      title: "Thông tư 124/2021/TT-BCA",
      kind: "thông tư",
      issuer: "Bộ Công an",
      date: "2021-12-28",
      status: "hết hiệu lực một phần",
      replacedBy: "99/2025/TT-BCA",
      aliases: ["TT 124", "Thông tư 124"],
      source: files[0]?.path,
    });
    expect(doc?.text).not.toContain("---");
    expect(doc?.text).toContain("Quy định về khen thưởng trong Công an nhân dân.");
  });

  it("extracts the Vietnamese text of a .docx, with its diacritics, in NFC", async () => {
    const { files } = await discoverSources([join(dir, "good")]);
    const { docs } = await loadAll(files);
    const [doc] = docs.get("Kế hoạch PCCC.docx") ?? [];
    expect(doc?.text).toContain(DOCX_TEXT);
    expect(doc?.text).toContain("Kế hoạch phòng cháy chữa cháy");
    expect(doc?.text).toBe(doc?.text.normalize("NFC"));
    expect(doc?.meta.docId).toBe("ke-hoach-pccc");
    expect(doc?.meta.title).toBe("Kế hoạch phòng cháy chữa cháy");
  });

  it("extracts the text of a .pdf without the page-break markers", async () => {
    const { files } = await discoverSources([join(dir, "good", "plan.pdf")]);
    const { docs } = await loadAll(files);
    const [doc] = docs.get("plan.pdf") ?? [];
    expect(doc?.text).toContain("School gate safety plan");
    expect(doc?.text).toContain("Students must wear helmets on electric bicycles.");
    expect(doc?.text).toContain("Second page about fire drills.");
    expect(doc?.text).not.toMatch(/-- \d+ of \d+ --/);
    expect(doc?.meta.docId).toBe("plan");
  });

  it("reads a legal-articles JSON file as one document per law with its articles", async () => {
    const { files } = await discoverSources([join(dir, "good", "laws.json")]);
    const { docs } = await loadAll(files);
    const laws = docs.get("laws.json") ?? [];
    expect(laws.map((d) => d.meta.docId)).toEqual(["luat-giao-duc", "luat-tre-em"]);
    expect(laws.map((d) => d.meta.title)).toEqual(["Luật Giáo dục", "luat-tre-em"]);
    expect(laws.map((d) => d.meta.kind)).toEqual(["luật", "luật"]);
    expect(laws[0]?.text).toBe("");
    // Numeric article ids are accepted and turned into strings.
    expect(laws[0]?.articles?.map((a) => a.id)).toEqual(["1", "2"]);
    expect(laws[1]?.articles).toEqual([
      { id: "4", text: "Giải thích từ ngữ\nTrẻ em là người dưới 16 tuổi." },
    ]);
  });
});

describe("discoverSources + loadSource on bad files", () => {
  it("reports each bad file with a DocumentLoadError naming it", async () => {
    const { files, errors } = await discoverSources([join(dir, "bad")]);
    expect(errors).toEqual([]); // they are found; loading them fails
    const { docs, errors: failed } = await loadAll(files);
    expect(docs.size).toBe(0);
    expect([...failed.keys()].sort()).toEqual(
      [
        "bad-date.md",
        "bad-front.md",
        "binary.txt",
        "broken.docx",
        "empty.txt",
        "not-json.json",
        "wrong-shape.json",
      ].sort(),
    );
    for (const [name, e] of failed) {
      expect(e.name).toBe("DocumentLoadError");
      expect(e.file).toContain(name);
      expect(e.message).toContain(name);
    }
    expect(failed.get("broken.docx")?.message).toMatch(/not a readable \.docx/);
    expect(failed.get("wrong-shape.json")?.message).toMatch(/expected \[\{id, articles/);
    expect(failed.get("not-json.json")?.message).toMatch(/not valid JSON/);
    expect(failed.get("bad-front.md")?.message).toMatch(/front matter is not valid YAML/);
    expect(failed.get("bad-date.md")?.message).toMatch(/date: expected a date like 2021-12-28/);
    expect(failed.get("empty.txt")?.message).toMatch(/no text found/);
    expect(failed.get("binary.txt")?.message).toMatch(/binary/);
    // The cause of a parser failure is kept.
    expect(failed.get("broken.docx")?.cause).toBeInstanceOf(Error);
  });

  it("KnowledgeIndex.update reports the bad files and still indexes the good ones", async () => {
    const { files } = await discoverSources([join(dir, "good"), join(dir, "bad")]);
    const index = KnowledgeIndex.create(corpusEmbeddingProvider(16));
    const report = await index.update(files);
    expect(report.added).toHaveLength(5);
    expect(report.failed.map((e) => e.name)).toEqual(Array(7).fill("DocumentLoadError"));
    expect(report.failed.map((e) => e.file.split(/[\\/]/).at(-1)).sort()).toEqual(
      [
        "bad-date.md",
        "bad-front.md",
        "binary.txt",
        "broken.docx",
        "empty.txt",
        "not-json.json",
        "wrong-shape.json",
      ].sort(),
    );
    expect([...index.docs.keys()].sort()).toEqual(
      ["ke-hoach-pccc", "luat-giao-duc", "luat-tre-em", "plan", "tiep-nhan-tin-bao", "tt-124-2021"].sort(),
    );
    expect(report.chunks).toBeGreaterThanOrEqual(7);
  });

  it("reports a path that does not exist and an unsupported file given explicitly", async () => {
    const missing = join(dir, "no-such-file.txt");
    const rtf = join(dir, "notes.rtf");
    const { files, errors } = await discoverSources([missing, rtf, join(dir, "good", "tin-bao.txt")]);
    expect(files).toHaveLength(1);
    expect(errors.map((e) => e.name)).toEqual(["DocumentLoadError", "DocumentLoadError"]);
    expect(errors[0]?.message).toContain(missing);
    expect(errors[0]?.message).toMatch(/no such file or folder/);
    expect(errors[1]?.message).toContain(rtf);
    expect(errors[1]?.message).toMatch(/unsupported file type/);
  });

  it("refuses a manifest given on its own and reports a broken manifest without losing its folder", async () => {
    const alone = await discoverSources([join(dir, "good", "manifest.json")]);
    expect(alone.files).toEqual([]);
    expect(alone.errors[0]?.message).toMatch(/manifest is read with its folder/);

    const folder = await mkdtemp(join(tmpdir(), "knowledge-manifest-"));
    try {
      await writeFile(join(folder, "a.txt"), "Nội dung thử.");
      await writeFile(join(folder, "manifest.json"), JSON.stringify([{ id: "no-file-field" }]));
      const { files, errors } = await discoverSources([folder]);
      expect(files.map((f) => f.path.split(/[\\/]/).at(-1))).toEqual(["a.txt"]);
      expect(files[0]?.manifest).toBeUndefined();
      expect(errors).toHaveLength(1);
      expect(errors[0]?.name).toBe("DocumentLoadError");
      expect(errors[0]?.message).toContain("manifest.json");
      expect(errors[0]?.message).toMatch(/file/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("changes a file's hash when its manifest entry changes", async () => {
    const folder = await mkdtemp(join(tmpdir(), "knowledge-hash-"));
    try {
      await writeFile(join(folder, "a.txt"), "Nội dung thử.");
      const before = (await discoverSources([folder])).files[0]?.hash;
      await writeFile(join(folder, "manifest.json"), JSON.stringify([{ file: "a.txt", title: "Tiêu đề" }]));
      const after = (await discoverSources([folder])).files[0]?.hash;
      expect(before).toBeDefined();
      expect(after).toBeDefined();
      expect(after).not.toBe(before);
      expect((await discoverSources([folder])).files[0]?.hash).toBe(after);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe("metadata helpers", () => {
  it("slugs a file name without diacritics", () => {
    expect(slugFromPath("/x/Thông tư 124.docx")).toBe("thong-tu-124");
    expect(slugFromPath("Đường dây nóng (2024).md")).toBe("duong-day-nong-2024");
    expect(slugFromPath("___.txt")).toBe("document");
  });

  it("detects an official symbol near the top of the text", () => {
    expect(detectSymbol("BỘ CÔNG AN\nSố: 124/2021/TT-BCA\nThông tư")).toBe("124/2021/TT-BCA");
    expect(detectSymbol("QUỐC HỘI\nLuật số: 36/2024/QH15\n")).toBe("36/2024/QH15");
    expect(detectSymbol("Không có số hiệu ở đây.")).toBeUndefined();
  });

  it("lets later layers override earlier ones and falls back to the text", () => {
    const meta = buildMeta(
      "a/b.txt",
      "Số: 5/2020/NĐ-CP\nTiêu đề",
      { title: "Từ manifest", kind: "x" },
      {
        title: "Từ front matter",
      },
    );
    expect(meta).toEqual({
      docId: "b",
      title: "Từ front matter",
      symbol: "5/2020/NĐ-CP",
      kind: "x",
      source: "a/b.txt",
    });
  });

  it("reads a manifest into a map by file name", async () => {
    const folder = await mkdtemp(join(tmpdir(), "knowledge-readmanifest-"));
    try {
      const path = join(folder, "manifest.json");
      await writeFile(path, JSON.stringify([{ file: "a.txt", id: "a", date: "2020-01-02", status: null }]));
      expect(await readManifest(path)).toEqual(new Map([["a.txt", { id: "a", date: "2020-01-02" }]]));
      await writeFile(path, "[");
      await expect(readManifest(path)).rejects.toMatchObject({ name: "DocumentLoadError" });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
