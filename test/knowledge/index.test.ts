import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ingest } from "../../knowledge/engine.js";
import { Bm25Index } from "../../knowledge/index/bm25.js";
import { CorpusEmbeddings } from "../../knowledge/index/corpus-embeddings.js";
import { corpusEmbeddingProvider, KnowledgeIndex } from "../../knowledge/index/knowledge-index.js";
import { discoverSources } from "../../knowledge/load/sources.js";
import { removeDiacritics } from "../../text/normalize.js";
import { missingData } from "../requirements.js";

const DIMS = 64;
const provider = corpusEmbeddingProvider(DIMS);

const FILES: Record<string, string> = {
  "giao-thong.txt": [
    "An toàn giao thông trước cổng trường",
    "Học sinh đi xe đạp điện phải đội mũ bảo hiểm đúng quy cách.",
    "Phụ huynh không dừng xe dưới lòng đường khi đón con.",
  ].join("\n"),
  "chay-no.txt": [
    "Phòng cháy chữa cháy trong trường học",
    "Nhà trường trang bị bình chữa cháy ở mỗi tầng và tổ chức diễn tập thoát nạn mỗi học kỳ.",
  ].join("\n"),
  "ma-tuy.txt": [
    "Phòng chống ma túy học đường",
    "Thuốc lá điện tử có thể bị trộn chất ma túy; học sinh không nhận đồ uống lạ từ người không quen.",
  ].join("\n"),
};

let work: string;
let corpus: string;

async function writeCorpus(files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) await writeFile(join(corpus, name), text);
}

async function sources() {
  const { files, errors } = await discoverSources([corpus]);
  expect(errors).toEqual([]);
  return files;
}

/** Document id of a slot's chunk (the file's slug for the files written here). */
function docOf(index: KnowledgeIndex, slot: number | undefined): string | undefined {
  return slot === undefined ? undefined : index.chunks.get(slot)?.docId;
}

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "knowledge-index-"));
  corpus = join(work, "corpus");
  await mkdir(corpus);
  await writeCorpus(FILES);
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("KnowledgeIndex", () => {
  it("finds the right chunk lexically with and without diacritics", async () => {
    const index = KnowledgeIndex.create(provider);
    const report = await index.update(await sources());
    expect(report.added).toHaveLength(3);
    expect(report.chunks).toBe(index.chunks.size);

    const cases: Array<[string, string]> = [
      ["đội mũ bảo hiểm khi đi xe đạp điện", "giao-thong"],
      ["doi mu bao hiem khi di xe dap dien", "giao-thong"],
      ["bình chữa cháy", "chay-no"],
      ["binh chua chay", "chay-no"],
      ["thuốc lá điện tử là gì", "ma-tuy"],
      ["thuoc la dien tu la gi", "ma-tuy"],
    ];
    for (const [question, doc] of cases) {
      const hits = index.searchLexical(question, 3);
      expect(hits.length, question).toBeGreaterThan(0);
      expect(docOf(index, hits[0]?.slot), question).toBe(doc);
      // Best first.
      for (let i = 1; i < hits.length; i++)
        expect(hits[i]?.score).toBeLessThanOrEqual(hits[i - 1]?.score as number);
    }
    expect(index.searchLexical("phi thuyền", 3)).toEqual([]);
  });

  it("ranks first the article whose title the question restates, with and without diacritics", async () => {
    await writeFile(
      join(corpus, "phim.md"),
      [
        "# Luật Điện ảnh",
        "## Điều 27. Cấp Giấy phép phân loại phim",
        "Bộ Văn hóa, Thể thao và Du lịch cấp Giấy phép phân loại phim phổ biến trong rạp.",
        "## Điều 29. Thu hồi Giấy phép phân loại phim",
        // Without the title, this one ranks first: it says "cấp Giấy phép phân loại phim" twice.
        "Cơ quan cấp Giấy phép phân loại phim quyết định thu hồi Giấy phép phân loại phim đã cấp.",
      ].join("\n"),
    );
    const index = KnowledgeIndex.create(provider);
    await index.update(await sources());
    for (const q of [
      "Đơn vị nào có thẩm quyền cấp giấy phép phân loại phim?",
      "ai cap giay phep phan loai phim",
    ]) {
      const hits = index.searchLexical(q, 3).map((h) => index.chunks.get(h.slot)?.article);
      expect(hits[0], q).toBe("27");
    }
  });

  it("finds a chunk densely from its own text", async () => {
    const index = KnowledgeIndex.create(provider);
    await index.update(await sources());
    for (const chunk of index.chunks.values()) {
      const [best] = await index.searchDense(chunk.text, 3);
      expect(best?.slot).toBe(chunk.slot);
      expect(best?.score).toBeGreaterThan(0.5);
      expect(best?.score).toBeLessThanOrEqual(1 + 1e-9);
    }
  });

  it("gives the same results after save() and open()", async () => {
    const index = KnowledgeIndex.create(provider);
    await index.update(await sources());
    const dir = join(work, "index");
    await index.save(dir);
    expect((await readdir(work)).sort()).toEqual(["corpus", "index"]); // no temporary folders left
    const reopened = await KnowledgeIndex.open(dir, provider);

    expect([...reopened.chunks.entries()]).toEqual([...index.chunks.entries()]);
    expect([...reopened.docs.entries()]).toEqual([...index.docs.entries()]);
    for (const q of ["mũ bảo hiểm", "binh chua chay", "ma túy học đường", "an toàn trường học"]) {
      expect(reopened.searchLexical(q, 5)).toEqual(index.searchLexical(q, 5));
      const dense = await index.searchDense(q, 3);
      const denseAgain = await reopened.searchDense(q, 3);
      expect(denseAgain.map((h) => h.slot)).toEqual(dense.map((h) => h.slot));
      for (const [i, h] of denseAgain.entries()) expect(h.score).toBeCloseTo(dense[i]?.score as number, 5);
    }
  });

  it("re-indexes only what changed: unchanged, modified and deleted files", async () => {
    const dir = join(work, "index");
    const first = KnowledgeIndex.create(provider);
    const all = await sources();
    await first.update(all);
    await first.save(dir);
    const chunksBefore = first.chunks.size;

    // Same files again: nothing to do.
    const index = await KnowledgeIndex.open(dir, provider);
    const again = await index.update(await sources());
    expect(again.added).toEqual([]);
    expect(again.updated).toEqual([]);
    expect(again.removed).toEqual([]);
    expect(again.unchanged.sort()).toEqual(all.map((f) => f.path).sort());
    expect(again.chunks).toBe(chunksBefore);

    // One file changes: only it is re-indexed.
    const changedPath = all.find((f) => f.path.endsWith("chay-no.txt"))?.path as string;
    const oldSlots = [...index.chunks.values()].filter((c) => c.docId === "chay-no").map((c) => c.slot);
    const newText = "Khi có động đất, học sinh chui xuống gầm bàn và che đầu bằng cặp sách.";
    await writeFile(join(corpus, "chay-no.txt"), `Ứng phó động đất\n${newText}`);
    const changed = await index.update(await sources());
    expect(changed.updated).toEqual([changedPath]);
    expect(changed.added).toEqual([]);
    expect(changed.removed).toEqual([]);
    expect(changed.unchanged).toHaveLength(2);

    for (const slot of oldSlots) expect(index.chunks.has(slot)).toBe(false);
    for (const q of ["bình chữa cháy", "binh chua chay", "diễn tập thoát nạn"])
      expect(index.searchLexical(q, 5).map((h) => docOf(index, h.slot))).not.toContain("chay-no");
    expect(index.searchLexical("bình chữa cháy", 5)).toEqual([]);

    const newChunk = [...index.chunks.values()].find((c) => c.docId === "chay-no");
    expect(newChunk?.text).toContain(newText);
    const newSlot = newChunk?.slot as number;
    expect(oldSlots).not.toContain(newSlot);
    expect(docOf(index, index.searchLexical("gầm bàn động đất", 3)[0]?.slot)).toBe("chay-no");
    expect(docOf(index, index.searchLexical("gam ban dong dat", 3)[0]?.slot)).toBe("chay-no");
    const dense = await index.searchDense(newText, 3);
    expect(dense[0]?.slot).toBe(newSlot);
    for (const hit of await index.searchDense("bình chữa cháy diễn tập thoát nạn", 10))
      expect(oldSlots).not.toContain(hit.slot);

    // One file is deleted: its chunks go.
    expect(docOf(index, index.searchLexical("thuốc lá ma túy", 1)[0]?.slot)).toBe("ma-tuy");
    await rm(join(corpus, "ma-tuy.txt"));
    const deleted = await index.update(await sources());
    expect(deleted.removed).toHaveLength(1);
    expect(deleted.removed[0]).toMatch(/ma-tuy\.txt$/);
    expect(deleted.unchanged).toHaveLength(2);
    expect([...index.chunks.values()].some((c) => c.docId === "ma-tuy")).toBe(false);
    expect(index.docs.has("ma-tuy")).toBe(false);
    expect(index.searchLexical("thuốc lá ma túy", 5)).toEqual([]);
    for (const hit of await index.searchDense("thuốc lá điện tử ma túy", 10))
      expect(docOf(index, hit.slot)).toBeDefined();

    // The changes survive a save and a reopen.
    await index.save(dir);
    const reopened = await KnowledgeIndex.open(dir, provider);
    expect([...reopened.docs.keys()].sort()).toEqual(["chay-no", "giao-thong"]);
    expect(reopened.searchLexical("thuốc lá ma túy", 5)).toEqual([]);
    expect((await reopened.searchDense(newText, 1))[0]?.slot).toBe(newSlot);
    const last = await reopened.update(await sources());
    expect(last.unchanged).toHaveLength(2);
    expect(last.added).toEqual([]);
  });

  it("keeps the previous version of a file that now fails to load", async () => {
    const index = KnowledgeIndex.create(provider);
    await index.update(await sources());
    await writeFile(join(corpus, "ma-tuy.txt"), "   \n");
    const report = await index.update(await sources());
    expect(report.failed.map((e) => e.name)).toEqual(["DocumentLoadError"]);
    expect(report.failed[0]?.message).toContain("ma-tuy.txt");
    expect(report.updated).toEqual([]);
    expect(docOf(index, index.searchLexical("thuốc lá điện tử", 1)[0]?.slot)).toBe("ma-tuy");
  });

  it("renames a second document that claims an id already in use", async () => {
    await writeFile(join(corpus, "ban-sao.md"), "---\nid: giao-thong\n---\nBản sao về giao thông.\n");
    const index = KnowledgeIndex.create(provider);
    await index.update(await sources());
    const ids = [...index.docs.keys()];
    expect(ids).toContain("giao-thong");
    expect(ids.filter((id) => id.startsWith("giao-thong"))).toHaveLength(2);
    expect(new Set([...index.chunks.values()].map((c) => c.id)).size).toBe(index.chunks.size);
  });

  it("refuses an index saved with another embedding dimension", async () => {
    const index = KnowledgeIndex.create(provider);
    await index.update(await sources());
    const dir = join(work, "index");
    await index.save(dir);
    await expect(KnowledgeIndex.open(dir, corpusEmbeddingProvider(32))).rejects.toMatchObject({
      name: "IndexMismatchError",
      directory: dir,
      message: expect.stringMatching(/64.*32/s),
    });
    await expect(KnowledgeIndex.open(join(work, "nothing-here"), provider)).rejects.toMatchObject({
      name: "IndexMismatchError",
      message: expect.stringMatching(/no index here yet/),
    });
  });

  it("refuses an index written by another pipeline version", async () => {
    const index = KnowledgeIndex.create(provider);
    await index.update(await sources());
    const dir = join(work, "index");
    await index.save(dir);
    const manifestPath = join(dir, "manifest.json");
    const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as { pipeline: number };
    await writeFile(manifestPath, JSON.stringify({ ...manifest, pipeline: manifest.pipeline + 1 }));
    await expect(KnowledgeIndex.open(dir, provider)).rejects.toMatchObject({ name: "IndexMismatchError" });
  });

  // Known bug (knowledge/index/knowledge-index.ts, `open`): the vectors are loaded only when the
  // saved index has chunks, so after every file was removed, a reopened index has no vectors
  // while `nextSlot` > 0, and the next update throws "vector index out of step". Remove `.fails`
  // once fixed.
  it("can be refilled after all its files were removed, saved and reopened", async () => {
    const dir = join(work, "index");
    const index = KnowledgeIndex.create(provider);
    await index.update(await sources());
    expect((await index.update([])).chunks).toBe(0);
    await index.save(dir);
    const reopened = await KnowledgeIndex.open(dir, provider);
    const report = await reopened.update(await sources());
    expect(report.added).toHaveLength(3);
  });
});

describe("CorpusEmbeddings", () => {
  it("gives unit vectors of the configured dimension, the same for text with and without diacritics", () => {
    const model = new CorpusEmbeddings(DIMS);
    model.observe(Object.values(FILES));
    const a = model.embed("Đội mũ bảo hiểm");
    const b = model.embed("doi mu bao hiem");
    expect(a).toHaveLength(DIMS);
    expect(Math.hypot(...a)).toBeCloseTo(1, 9);
    expect(b).toEqual(a);
    expect(model.embed("")).toEqual(Array(DIMS).fill(0));
  });

  it("round-trips its state and refuses a state of another dimension", () => {
    const model = new CorpusEmbeddings(DIMS);
    model.observe(Object.values(FILES));
    const again = new CorpusEmbeddings(DIMS, model.toJSON());
    expect(again.embed("bình chữa cháy")).toEqual(model.embed("bình chữa cháy"));
    expect(() => new CorpusEmbeddings(32, model.toJSON())).toThrow(/dimensions/);
  });
});

describe("Bm25Index", () => {
  const build = () => {
    const bm = new Bm25Index();
    bm.add(0, ["an", "toàn", "giao", "thông"]);
    bm.add(1, ["an", "toàn", "trường", "học"]);
    bm.add(2, ["an", "ninh", "trật", "tự"]);
    bm.add(3, ["phòng", "cháy", "chữa", "cháy"]);
    return bm;
  };

  it("weights a rare term above a common one, and an unknown one at 0", () => {
    const bm = build();
    expect(bm.idf("cháy")).toBeGreaterThan(bm.idf("toàn"));
    expect(bm.idf("toàn")).toBeGreaterThan(bm.idf("an"));
    expect(bm.idf("an")).toBeGreaterThan(0);
    expect(bm.idf("kỳ")).toBe(0);
  });

  it("ranks by shared rare terms and breaks ties by slot", () => {
    const bm = build();
    expect(bm.search(["an", "ninh"], 10).map((h) => h.slot)).toEqual([2, 0, 1]);
    const [first, second] = bm.search(["an"], 10);
    expect(first?.score).toBe(second?.score);
    expect(first?.slot).toBeLessThan(second?.slot as number);
    // A term repeated in the document scores higher than once.
    expect(bm.search(["cháy"], 1)[0]?.slot).toBe(3);
    expect(bm.search(["an"], 2)).toHaveLength(2);
    expect(bm.search([], 5)).toEqual([]);
    expect(new Bm25Index().search(["an"], 5)).toEqual([]);
  });

  it("excludes a removed slot at once and after compact(), and updates idf", () => {
    const bm = build();
    const idfBefore = bm.idf("toàn");
    bm.remove(1);
    expect(bm.size).toBe(3);
    expect(bm.search(["trường"], 5)).toEqual([]);
    expect(bm.search(["an", "toàn"], 5).map((h) => h.slot)).not.toContain(1);
    expect(bm.idf("toàn")).not.toBe(idfBefore);
    const idfStale = bm.idf("toàn");
    bm.compact();
    expect(bm.idf("toàn")).toBe(idfStale);
    expect(bm.idf("trường")).toBe(0); // its postings are gone
    expect(bm.search(["an", "toàn"], 5).map((h) => h.slot)).toEqual([0, 2]);
    bm.remove(1); // removing twice is harmless
    expect(bm.size).toBe(3);
    // The freed slot can be reused.
    bm.add(1, ["trường", "học"]);
    expect(bm.search(["trường"], 5).map((h) => h.slot)).toEqual([1]);
  });

  it("refuses a slot that is already in use", () => {
    const bm = build();
    expect(() => bm.add(2, ["x"])).toThrow(/slot 2/);
  });

  it("gives identical scores after toJSON/fromJSON", () => {
    const bm = build();
    bm.remove(0);
    const copy = Bm25Index.fromJSON(JSON.parse(JSON.stringify(bm.toJSON())));
    expect(copy.size).toBe(bm.size);
    expect(copy.params).toEqual({ k1: 1.2, b: 0.75 });
    for (const q of [["an"], ["an", "toàn"], ["cháy", "chữa"], ["giao"], ["an", "an", "ninh"]]) {
      expect(copy.search(q, 10)).toEqual(bm.search(q, 10));
      for (const t of q) expect(copy.idf(t)).toBe(bm.idf(t));
    }
    // Slots added after a round trip do not collide with the loaded ones.
    expect(() => copy.add(3, ["x"])).toThrow();
    copy.add(4, ["giao"]);
    expect(copy.search(["giao"], 5).map((h) => h.slot)).toEqual([4]);
  });
});

describe("ingest", () => {
  it("saves an index of the good files and reports the bad one", async () => {
    await writeFile(join(corpus, "hong.docx"), "this is not a zip file");
    const indexDir = join(work, "index");
    const result = await ingest([corpus, join(work, "missing")], indexDir, provider);
    expect(result.added).toHaveLength(3);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]?.name).toBe("DocumentLoadError");
    expect(result.failed[0]?.message).toContain("hong.docx");
    expect(result.discoveryErrors.map((e) => e.message)).toEqual([
      `${join(work, "missing")}: no such file or folder`,
    ]);

    const index = await KnowledgeIndex.open(indexDir, provider);
    expect([...index.docs.keys()].sort()).toEqual(["chay-no", "giao-thong", "ma-tuy"]);
    expect(docOf(index, index.searchLexical("mũ bảo hiểm", 1)[0]?.slot)).toBe("giao-thong");

    // A second run keeps the good files and retries the bad one.
    const second = await ingest([corpus], indexDir, provider);
    expect(second.unchanged).toHaveLength(3);
    expect(second.failed).toHaveLength(1);
  });

  it("refuses to update an index built with another embedding unless asked to rebuild", async () => {
    const indexDir = join(work, "index");
    await ingest([corpus], indexDir, provider);
    const other = corpusEmbeddingProvider(32);
    await expect(ingest([corpus], indexDir, other)).rejects.toMatchObject({ name: "IndexMismatchError" });
    const rebuilt = await ingest([corpus], indexDir, other, { rebuild: true });
    expect(rebuilt.added).toHaveLength(3);
    await expect(KnowledgeIndex.open(indexDir, other)).resolves.toBeInstanceOf(KnowledgeIndex);
  });
});

const seeds = resolve(import.meta.dirname, "../../../shared/corpus/seeds");

describe.skipIf(missingData(seeds, "the index over the seed documents"))(
  "index over ../shared/corpus/seeds",
  () => {
    let index: KnowledgeIndex;
    let dir: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "knowledge-seeds-"));
      const { files, errors } = await discoverSources([seeds]);
      expect(errors).toEqual([]);
      expect(files.length).toBeGreaterThan(0);
      index = KnowledgeIndex.create(provider);
      const report = await index.update(files);
      expect(report.failed).toEqual([]);
      expect(report.added).toHaveLength(files.length);
    });

    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("finds each document from a passage of its own", () => {
      const byDoc = new Map<string, string>();
      for (const c of index.chunks.values())
        if (!byDoc.has(c.docId) && c.text.length > 80) byDoc.set(c.docId, c.text);
      expect(byDoc.size).toBeGreaterThan(0);
      for (const [docId, text] of byDoc) {
        const hits = index.searchLexical(text, 5);
        expect(
          hits.map((h) => docOf(index, h.slot)),
          docId,
        ).toContain(docId);
        const folded = index.searchLexical(removeDiacritics(text), 5);
        expect(
          folded.map((h) => docOf(index, h.slot)),
          `${docId} without diacritics`,
        ).toContain(docId);
      }
    });

    it("saves and reopens to the same lexical results", async () => {
      await index.save(join(dir, "index"));
      const reopened = await KnowledgeIndex.open(join(dir, "index"), provider);
      expect(reopened.chunks.size).toBe(index.chunks.size);
      for (const c of [...index.chunks.values()].slice(0, 5))
        expect(reopened.searchLexical(c.text, 5)).toEqual(index.searchLexical(c.text, 5));
    });
  },
);
