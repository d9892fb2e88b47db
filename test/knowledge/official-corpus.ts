import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { corpusEmbeddingProvider, KnowledgeIndex } from "../../knowledge/index/knowledge-index.js";
import { discoverSources } from "../../knowledge/load/sources.js";

export const SHIPPED = resolve(import.meta.dirname, "../../knowledge/corpus");
export const SHARED_LEGAL = resolve(import.meta.dirname, "../../../shared/corpus/legal");

const idOf = (text: string) => /^id:\s*(\S+)/mu.exec(text)?.[1];

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(".md")).map((e) => join(e.parentPath, e.name));
}

/**
 * The shipped corpus, plus each official text of `../shared/corpus/legal` it does not ship yet
 * (by front-matter id): the answers are judged on the official texts whether or not they have
 * landed in knowledge/corpus.
 */
export async function officialCorpusPaths(): Promise<string[]> {
  const shipped = new Set<string>();
  for (const f of await filesUnder(SHIPPED)) {
    const id = idOf(await readFile(f, "utf8"));
    if (id) shipped.add(id);
  }
  const extra: string[] = [];
  for (const f of await filesUnder(SHARED_LEGAL)) {
    const id = idOf(await readFile(f, "utf8"));
    if (id && !shipped.has(id)) extra.push(f);
  }
  return [SHIPPED, ...extra];
}

/** An in-memory index of `officialCorpusPaths()` with the default offline embeddings. */
export async function officialIndex(): Promise<KnowledgeIndex> {
  const { files } = await discoverSources(await officialCorpusPaths());
  const index = KnowledgeIndex.create(corpusEmbeddingProvider());
  await index.update(files);
  return index;
}
