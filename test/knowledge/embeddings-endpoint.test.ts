import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../config.js";
import { embeddingProviderFor, ingest } from "../../knowledge/engine.js";
import { KnowledgeIndex } from "../../knowledge/index/knowledge-index.js";
import { type FakeEmbeddingsServer, startFakeEmbeddingsServer } from "../fakes/openai-embeddings-server.js";

describe("OpenAI-compatible embeddings endpoint (local fake server)", () => {
  let server: FakeEmbeddingsServer;
  let dir: string;

  beforeAll(async () => {
    server = await startFakeEmbeddingsServer(32);
    dir = await mkdtemp(join(tmpdir(), "ssg-embed-"));
    await writeFile(
      join(dir, "pccc.md"),
      "---\nid: pccc\ntitle: Phòng cháy chữa cháy\n---\n## Diễn tập\nTrường phổ thông diễn tập phòng cháy hai lần mỗi năm.\n",
    );
    await writeFile(
      join(dir, "atgt.md"),
      "---\nid: atgt\ntitle: An toàn giao thông\n---\n## Mũ bảo hiểm\nNgười ngồi sau xe máy phải đội mũ bảo hiểm cài quai.\n",
    );
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("indexes through the endpoint, retries its failures, and refuses a mismatched model", async () => {
    const config = parseConfig({
      EMBEDDINGS_BASE_URL: server.baseURL,
      EMBEDDINGS_MODEL: "fake-embedding",
      EMBEDDINGS_API_KEY: "test-key",
      EMBEDDING_DIMENSIONS: "32",
    });
    const provider = embeddingProviderFor(config.knowledge);
    expect(provider.info).toEqual({ name: "openai-compatible:fake-embedding", dimensions: 32 });

    server.failNext(500, 429);
    const indexDir = join(dir, "index");
    const report = await ingest([join(dir, "pccc.md"), join(dir, "atgt.md")], indexDir, provider);
    expect(report.failed).toEqual([]);
    expect(report.chunks).toBe(2);
    // Two scripted failures, then the batch went through.
    expect(server.requests.map((r) => r.status).slice(0, 3)).toEqual([500, 429, 200]);

    const index = await KnowledgeIndex.open(indexDir, provider);
    const hits = await index.searchDense("mũ bảo hiểm khi ngồi sau xe máy", 1);
    expect(index.chunks.get(hits[0]?.slot ?? -1)?.docId).toBe("atgt");

    const offline = embeddingProviderFor(parseConfig({ EMBEDDING_DIMENSIONS: "32" }).knowledge);
    await expect(KnowledgeIndex.open(indexDir, offline)).rejects.toMatchObject({
      name: "IndexMismatchError",
    });
  });
});
