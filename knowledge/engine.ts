import { OpenAIEmbeddings } from "@langchain/openai";
import type { Config } from "../config.js";
import { type DocumentLoadError, IndexMismatchError } from "./errors.js";
import {
  corpusEmbeddingProvider,
  type EmbeddingProvider,
  KnowledgeIndex,
  type UpdateReport,
} from "./index/knowledge-index.js";
import { discoverSources } from "./load/sources.js";

/** The embedding provider the configuration asks for: an endpoint if configured, else offline. */
export function embeddingProviderFor(knowledge: Config["knowledge"]): EmbeddingProvider {
  const e = knowledge.embeddings;
  if (!e) return corpusEmbeddingProvider(knowledge.embeddingDimensions);
  return {
    info: { name: `openai-compatible:${e.model}`, dimensions: e.dimensions },
    create: () =>
      new OpenAIEmbeddings({
        model: e.model,
        apiKey: e.apiKey,
        dimensions: e.dimensions,
        maxRetries: 3,
        configuration: { baseURL: e.baseURL },
      }),
  };
}

export interface IngestResult extends UpdateReport {
  /** Paths that could not be found or listed, and manifests that failed. */
  readonly discoveryErrors: DocumentLoadError[];
}

/**
 * Builds or updates the index at `indexDir` from `paths` and saves it. With `rebuild`, the old
 * index is ignored (needed after changing the embedding model).
 */
export async function ingest(
  paths: readonly string[],
  indexDir: string,
  provider: EmbeddingProvider,
  { rebuild = false } = {},
): Promise<IngestResult> {
  const { files, errors } = await discoverSources(paths);
  let index: KnowledgeIndex;
  if (rebuild) index = KnowledgeIndex.create(provider);
  else {
    try {
      index = await KnowledgeIndex.open(indexDir, provider);
    } catch (e) {
      // No index yet is the normal first run; any other mismatch must be resolved explicitly.
      if ((e as Error).name === "IndexMismatchError" && /no index here yet/.test((e as Error).message))
        index = KnowledgeIndex.create(provider);
      else throw e;
    }
  }
  const report = await index.update(files);
  await index.save(indexDir);
  return { ...report, discoveryErrors: errors };
}

/**
 * Opens the saved index; if there is none yet, builds it from the configured corpus first so
 * that a fresh checkout answers at once.
 */
export async function openOrBuildIndex(
  knowledge: Config["knowledge"],
  onBuild?: (report: IngestResult) => void,
): Promise<KnowledgeIndex> {
  const provider = embeddingProviderFor(knowledge);
  try {
    return await KnowledgeIndex.open(knowledge.indexDir, provider);
  } catch (e) {
    if (!(e instanceof IndexMismatchError) || !/no index here yet/.test(e.message)) throw e;
  }
  const report = await ingest([knowledge.corpusDir], knowledge.indexDir, provider);
  onBuild?.(report);
  return KnowledgeIndex.open(knowledge.indexDir, provider);
}
