import { once } from "node:events";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ingest, ingestVersion } from "../../knowledge/engine.js";
import {
  currentVersion,
  LEGACY_VERSION,
  openCurrentVersion,
  rollbackVersion,
} from "../../knowledge/index/index-versions.js";
import { corpusEmbeddingProvider, type KnowledgeIndex } from "../../knowledge/index/knowledge-index.js";
import { type IndexChannel, LiveIndex } from "../../knowledge/index/live-index.js";
import { createLogger } from "../../logger.js";

const provider = corpusEmbeddingProvider(64);
const logger = createLogger("silent");

const FILES: Record<string, string> = {
  "giao-thong.txt":
    "An toàn giao thông trước cổng trường\nHọc sinh đi xe đạp điện phải đội mũ bảo hiểm đúng quy cách.",
  "chay-no.txt":
    "Phòng cháy chữa cháy trong trường học\nNhà trường trang bị bình chữa cháy ở mỗi tầng và diễn tập thoát nạn.",
};
const NEW_FILE = {
  "the-zorblat.txt":
    "Quy định về thẻ Zorblat\nHọc sinh xuất trình thẻ Zorblat khi vào cổng trường trước 7 giờ.",
};

let work: string;
let corpus: string;
let indexDir: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "index-versions-"));
  corpus = join(work, "corpus");
  indexDir = join(work, "index");
  await mkdir(corpus);
  for (const [name, text] of Object.entries(FILES)) await writeFile(join(corpus, name), text);
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The report's lists by file name. */
const names = (r: { added: string[]; removed: string[]; unchanged: string[] }) => ({
  added: r.added.map((p) => basename(p)).sort(),
  removed: r.removed.map((p) => basename(p)).sort(),
  unchanged: r.unchanged.map((p) => basename(p)).sort(),
});
const versions = () => readdir(join(indexDir, "versions")).then((v) => v.sort());
const pointer = () => readFile(join(indexDir, "current.json"), "utf8");
const hasZorblat = (index: KnowledgeIndex) =>
  index.searchLexical("thẻ Zorblat", 3).some((h) => index.chunks.get(h.slot)?.docId === "the-zorblat");

async function addNewFile(): Promise<void> {
  for (const [name, text] of Object.entries(NEW_FILE)) await writeFile(join(corpus, name), text);
}

describe("index versions", () => {
  it("builds beside the live version, switches the pointer, keeps the previous one and prunes older", async () => {
    await expect(rollbackVersion(indexDir)).rejects.toMatchObject({ name: "IndexMismatchError" });
    const first = await ingestVersion([corpus], indexDir, provider);
    expect(first.published).toBe(true);
    await expect(rollbackVersion(indexDir)).rejects.toThrow(/no previous version/);
    expect(names(first).added).toEqual(["chay-no.txt", "giao-thong.txt"]);
    expect(first.previous).toBeUndefined();
    expect(await versions()).toEqual([first.version]);
    expect(JSON.parse(await pointer())).toMatchObject({ version: first.version });

    // The same files again: nothing is written, the version stays.
    const same = await ingestVersion([corpus], indexDir, provider);
    expect(same).toMatchObject({ published: false, version: first.version });
    expect(await versions()).toEqual([first.version]);

    await addNewFile();
    const second = await ingestVersion([corpus], indexDir, provider);
    expect(second).toMatchObject({ published: true, previous: first.version });
    expect(names(second).added).toEqual(["the-zorblat.txt"]);
    expect(await versions()).toEqual([first.version, second.version].sort());
    const { index, version } = await openCurrentVersion(indexDir, provider);
    expect(version).toBe(second.version);
    expect(hasZorblat(index)).toBe(true);

    // A removed file is a new version too; the oldest is pruned.
    await rm(join(corpus, "the-zorblat.txt"));
    const third = await ingestVersion([corpus], indexDir, provider);
    expect(third).toMatchObject({ published: true, previous: second.version });
    expect(names(third).removed).toEqual(["the-zorblat.txt"]);
    expect(await versions()).toEqual([second.version, third.version].sort());
    expect(hasZorblat((await openCurrentVersion(indexDir, provider)).index)).toBe(false);

    // Rollback: the previous version is current again.
    expect(await rollbackVersion(indexDir)).toEqual({ version: second.version, previous: third.version });
    expect(hasZorblat((await openCurrentVersion(indexDir, provider)).index)).toBe(true);
  });

  it("never replaces a good version with a broken build: a file that fails, no chunks, another embedding", async () => {
    const good = await ingestVersion([corpus], indexDir, provider);
    const before = await pointer();
    await addNewFile();

    await writeFile(join(corpus, "hong.docx"), "this is not a zip file");
    const failed = ingestVersion([corpus], indexDir, provider);
    await expect(failed).rejects.toMatchObject({ name: "IndexBuildRefusedError" });
    await expect(failed).rejects.toThrow(/hong\.docx/);
    await rm(join(corpus, "hong.docx"));

    const missing = ingestVersion([corpus, join(work, "nowhere")], indexDir, provider);
    await expect(missing).rejects.toThrow(/nowhere: no such file or folder/);

    const empty = join(work, "empty");
    await mkdir(empty);
    await expect(ingestVersion([empty], indexDir, provider)).rejects.toMatchObject({
      name: "IndexBuildRefusedError",
      reasons: ["it has no chunks"],
    });

    await expect(ingestVersion([corpus], indexDir, corpusEmbeddingProvider(32))).rejects.toMatchObject({
      name: "IndexMismatchError",
    });

    expect(await pointer()).toBe(before);
    expect(await versions()).toEqual([good.version]);
    expect((await readdir(indexDir)).filter((name) => name.includes("tmp"))).toEqual([]);
    const { index } = await openCurrentVersion(indexDir, provider);
    expect(hasZorblat(index)).toBe(false);
    expect(index.docs.size).toBe(2);

    // --rebuild with the other embedding is published.
    const rebuilt = await ingestVersion([corpus], indexDir, corpusEmbeddingProvider(32), { rebuild: true });
    expect(rebuilt).toMatchObject({ published: true, previous: good.version });
  });

  it("takes an index saved in place by an older release as the base of the first version", async () => {
    await ingest([corpus], indexDir, provider);
    expect(await currentVersion(indexDir)).toEqual({ version: LEGACY_VERSION, directory: indexDir });
    await addNewFile();
    const first = await ingestVersion([corpus], indexDir, provider);
    expect(first).toMatchObject({ published: true, previous: LEGACY_VERSION });
    expect(names(first)).toEqual({
      added: ["the-zorblat.txt"],
      removed: [],
      unchanged: ["chay-no.txt", "giao-thong.txt"],
    });
    expect(await rollbackVersion(indexDir)).toMatchObject({ version: LEGACY_VERSION });
    expect(hasZorblat((await openCurrentVersion(indexDir, provider)).index)).toBe(false);
  });

  it("two builds at once wait for each other: both succeed, the second finds nothing to change", async () => {
    const [a, b] = await Promise.all([
      ingestVersion([corpus], indexDir, provider),
      ingestVersion([corpus], indexDir, provider),
    ]);
    expect([a.published, b.published].sort()).toEqual([false, true]);
    expect(a.version).toBe(b.version);
    expect(await versions()).toEqual([a.version]);
  });
});

/** An in-memory IndexChannel, as Redis pub/sub would carry it. */
function memoryChannel(): IndexChannel {
  const listeners = new Set<(v: string) => void>();
  return {
    async announce(version) {
      for (const l of listeners) l(version);
    },
    async subscribe(onVersion) {
      listeners.add(onVersion);
      return { close: async () => void listeners.delete(onVersion) };
    },
  };
}

describe("LiveIndex", () => {
  it("swaps to an announced version after loading it; a question keeps the index it started with", async () => {
    const first = await ingestVersion([corpus], indexDir, provider);
    const channel = memoryChannel();
    const live = await LiveIndex.open({ indexDir, provider, channel, logger, pollMs: 0 });
    try {
      expect(live.version).toBe(first.version);
      const inFlight = live.current;
      await addNewFile();
      const second = await ingestVersion([corpus], indexDir, provider);
      const reloaded = once(live, "reloaded");
      await channel.announce(second.version);
      expect(await reloaded).toEqual([second.version]);
      expect(hasZorblat(live.current)).toBe(true);
      expect(hasZorblat(inFlight)).toBe(false);
      expect(inFlight.searchLexical("mũ bảo hiểm", 1)).toHaveLength(1);
    } finally {
      await live.close();
    }
  });

  it("finds a new version by polling the pointer when no message comes", async () => {
    await ingestVersion([corpus], indexDir, provider);
    const live = await LiveIndex.open({ indexDir, provider, logger, pollMs: 20 });
    try {
      await addNewFile();
      const reloaded = once(live, "reloaded");
      const second = await ingestVersion([corpus], indexDir, provider);
      expect(await reloaded).toEqual([second.version]);
      expect(hasZorblat(live.current)).toBe(true);
    } finally {
      await live.close();
    }
  });

  it("keeps the index in use when the new version cannot be loaded", async () => {
    const first = await ingestVersion([corpus], indexDir, provider);
    const live = await LiveIndex.open({ indexDir, provider, logger, pollMs: 0 });
    try {
      await addNewFile();
      // Published with another embedding than the processes are configured with.
      const other = await ingestVersion([corpus], indexDir, corpusEmbeddingProvider(32), { rebuild: true });
      const failed = once(live, "failed");
      void live.reload();
      const [error, version] = await failed;
      expect((error as Error).name).toBe("IndexMismatchError");
      expect(version).toBe(other.version);
      expect(live.version).toBe(first.version);
      expect(hasZorblat(live.current)).toBe(false);
      expect(live.current.searchLexical("mũ bảo hiểm", 1)).toHaveLength(1);
    } finally {
      await live.close();
    }
  });
});
