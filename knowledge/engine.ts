import { existsSync } from "node:fs";
import { OpenAIEmbeddings } from "@langchain/openai";
import { Redis } from "ioredis";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import type { DocumentLoadError } from "./errors.js";
import {
  type BuildVersionOptions,
  type BuildVersionResult,
  buildVersion,
  currentVersion,
  openCurrentVersion,
} from "./index/index-versions.js";
import {
  corpusEmbeddingProvider,
  type EmbeddingProvider,
  KnowledgeIndex,
  type UpdateReport,
} from "./index/knowledge-index.js";
import { type IndexChannel, LiveIndex, redisIndexChannel } from "./index/live-index.js";
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

/**
 * What the index is built from when no path is given (`npm run ingest`, the first start, the
 * document library's rebuilds): the shipped corpus (KNOWLEDGE_DIR) and, once it exists, the
 * document library (KNOWLEDGE_UPLOADS_DIR), so that no build drops the documents admins uploaded.
 */
export function defaultSourcePaths(
  knowledge: Pick<Config["knowledge"], "corpusDir" | "uploadsDir">,
): string[] {
  return existsSync(knowledge.uploadsDir)
    ? [knowledge.corpusDir, knowledge.uploadsDir]
    : [knowledge.corpusDir];
}

/**
 * Tells the running processes that `version` is current, over a short-lived Redis connection
 * (for commands; a process that has a connection uses `redisIndexChannel(...).announce`).
 * Fails fast (2 s) when Redis cannot be reached: callers treat it as best effort, since the
 * processes also read the pointer every 30 s.
 */
export async function announceIndexVersion(redisUrl: string, prefix: string, version: string): Promise<void> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    await redisIndexChannel(redis, prefix).announce(version);
  } finally {
    redis.disconnect();
  }
}

export interface IngestResult extends UpdateReport {
  /** Paths that could not be found or listed, and manifests that failed. */
  readonly discoveryErrors: DocumentLoadError[];
}

/**
 * Builds or updates the index at `indexDir` from `paths` and saves it in place, keeping the good
 * files when some fail. For tests, benches and an index no process serves; a running deployment
 * is updated with `ingestVersion`. With `rebuild`, the old index is ignored (needed after
 * changing the embedding model).
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

export interface IngestVersionResult extends BuildVersionResult {
  /** Paths that could not be found or listed, and manifests that failed. */
  readonly discoveryErrors: DocumentLoadError[];
}

/**
 * `npm run ingest`: builds a new version of the index at `indexDir` from `paths` beside the live
 * one and makes it current once it reads back and answers (`index-versions.ts`). Running
 * processes pick it up through `LiveIndex` (announce it to reach them at once).
 * @throws IndexBuildRefusedError when a file failed or the build is unusable: nothing changed
 */
export async function ingestVersion(
  paths: readonly string[],
  indexDir: string,
  provider: EmbeddingProvider,
  options: Omit<BuildVersionOptions, "discoveryErrors"> = {},
): Promise<IngestVersionResult> {
  const { files, errors } = await discoverSources(paths);
  const result = await buildVersion(files, indexDir, provider, { ...options, discoveryErrors: errors });
  return { ...result, discoveryErrors: errors };
}

/**
 * Opens the current index version; if there is none yet, builds it from the configured corpus
 * first so that a fresh checkout answers at once (files that fail to load are reported, the
 * others indexed).
 */
export async function openOrBuildIndex(
  knowledge: Config["knowledge"],
  onBuild?: (report: IngestVersionResult) => void,
): Promise<KnowledgeIndex> {
  await buildIfNone(knowledge, onBuild);
  return (await openCurrentVersion(knowledge.indexDir, embeddingProviderFor(knowledge))).index;
}

async function buildIfNone(
  knowledge: Config["knowledge"],
  onBuild?: (report: IngestVersionResult) => void,
): Promise<void> {
  if (await currentVersion(knowledge.indexDir)) return;
  const provider = embeddingProviderFor(knowledge);
  // Replicas starting together on one INDEX_DIR: the build's lock makes the later ones find the
  // first one's version unchanged.
  const report = await ingestVersion(defaultSourcePaths(knowledge), knowledge.indexDir, provider, {
    allowFailures: true,
  });
  if (report.published) onBuild?.(report);
}

/**
 * `npm start`'s index: the current version (built first if there is none), swapped for a newer
 * one when `npm run ingest` publishes it (announced on `channel`, and read every `pollMs`,
 * default 30 s). Close it on stop.
 */
export async function openLiveIndex(
  knowledge: Config["knowledge"],
  deps: {
    readonly logger: Logger;
    readonly channel?: IndexChannel;
    readonly pollMs?: number;
    readonly onBuild?: (report: IngestVersionResult) => void;
  },
): Promise<LiveIndex> {
  await buildIfNone(knowledge, deps.onBuild);
  return LiveIndex.open({
    indexDir: knowledge.indexDir,
    provider: embeddingProviderFor(knowledge),
    logger: deps.logger,
    ...(deps.channel && { channel: deps.channel }),
    ...(deps.pollMs !== undefined && { pollMs: deps.pollMs }),
  });
}
