import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import { type DocumentLoadError, IndexBuildRefusedError, IndexMismatchError } from "../errors.js";
import type { SourceFile } from "../load/sources.js";
import { type EmbeddingProvider, KnowledgeIndex, type UpdateReport } from "./knowledge-index.js";

/**
 * Index versions, so that a running deployment can take a new corpus without a restart:
 *
 * ```
 * INDEX_DIR/
 *   current.json          {"version": "<id>", "previous": "<id>", "at": "…"}: the version in use
 *   versions/<id>/        one complete index each (KnowledgeIndex.save)
 *   ingest.lock           held while a version is built, so two builds never interleave
 * ```
 *
 * A build reads the current version, updates it in memory with the given files, saves it into a
 * new folder beside the live one, reads it back and runs a smoke query, and only then points
 * `current.json` at it (written under a temporary name and renamed, which is atomic). A build
 * with a file that failed to load, with no chunks, or that does not read back, is removed and
 * `current.json` is left as it was. Versions other than the current and the previous one (kept
 * for `rollbackVersion`) are deleted after each switch.
 *
 * An index saved by an older release directly in INDEX_DIR (no `current.json`) is read as the
 * version `legacy` and is the base of the first build.
 */

const POINTER = "current.json";
const VERSIONS = "versions";
const LOCK = "ingest.lock";
/** The version name of an index saved directly in INDEX_DIR by an older release. */
export const LEGACY_VERSION = "legacy";

interface Pointer {
  readonly version: string;
  readonly previous?: string;
  readonly at: string;
}

/** A saved index version and its folder. */
export interface IndexVersion {
  readonly version: string;
  readonly directory: string;
}

/**
 * The version `current.json` names, `legacy` for an index saved directly in `indexDir`, or
 * undefined when there is no index yet. Cheap: one small file read (the live index polls it).
 */
export async function currentVersion(indexDir: string): Promise<IndexVersion | undefined> {
  const pointer = await readPointer(indexDir);
  if (pointer) return { version: pointer.version, directory: versionDir(indexDir, pointer.version) };
  if (existsSync(join(indexDir, "manifest.json"))) return { version: LEGACY_VERSION, directory: indexDir };
  return undefined;
}

async function readPointer(indexDir: string): Promise<Pointer | undefined> {
  let raw: string;
  try {
    raw = await readFile(join(indexDir, POINTER), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  const pointer = JSON.parse(raw) as Pointer;
  if (typeof pointer.version !== "string" || !/^[\w.-]+$/.test(pointer.version))
    throw new IndexMismatchError(indexDir, `${POINTER} names no valid version`);
  return pointer;
}

function versionDir(indexDir: string, version: string): string {
  return version === LEGACY_VERSION ? indexDir : join(indexDir, VERSIONS, version);
}

/**
 * Opens the current version fully into memory.
 * @throws IndexMismatchError "no index here yet" when there is none, or when it was built by
 * another pipeline or embedding
 */
export async function openCurrentVersion(
  indexDir: string,
  provider: EmbeddingProvider,
): Promise<{ index: KnowledgeIndex; version: string }> {
  const current = await currentVersion(indexDir);
  if (!current) throw new IndexMismatchError(indexDir, "no index here yet (run `npm run ingest`)");
  return { index: await KnowledgeIndex.open(current.directory, provider), version: current.version };
}

export interface BuildVersionOptions {
  /** Start from an empty index instead of the current version (after changing the embedding). */
  readonly rebuild?: boolean;
  /**
   * Publish even though some files failed to load (the good ones are indexed). For the first
   * build at start, which has nothing better to serve; never for an update of a live index.
   */
  readonly allowFailures?: boolean;
  /** Discovery problems (missing paths, bad manifests): they refuse the build like a failed file. */
  readonly discoveryErrors?: readonly DocumentLoadError[];
  /** Age after which an abandoned build's lock is taken over. Default 60 s. */
  readonly lockStaleMs?: number;
  readonly now?: () => Date;
}

/** What `buildVersion` did. */
export interface BuildVersionResult extends UpdateReport {
  /** The version now current (the new one, or the old one when nothing changed). */
  readonly version: string;
  /** The version it replaced, kept for a rollback. */
  readonly previous?: string;
  /** False when the files were those of the current version: nothing was written. */
  readonly published: boolean;
}

/**
 * Builds a version of the index from `sources` beside the live one, checks it and makes it
 * current (see the top of this file). Concurrent builds on one `indexDir` wait for each other.
 * @throws IndexBuildRefusedError when the build is not published (current.json unchanged)
 * @throws IndexMismatchError when the current version was built with another embedding (use `rebuild`)
 */
export async function buildVersion(
  sources: readonly SourceFile[],
  indexDir: string,
  provider: EmbeddingProvider,
  options: BuildVersionOptions = {},
): Promise<BuildVersionResult> {
  await mkdir(join(indexDir, VERSIONS), { recursive: true });
  let compromised: Error | undefined;
  const release = await lockIndex(indexDir, options.lockStaleMs, (e) => {
    compromised = e;
  });
  try {
    const before = await currentVersion(indexDir);
    const current = options.rebuild ? undefined : before;
    const index = current
      ? await KnowledgeIndex.open(current.directory, provider)
      : KnowledgeIndex.create(provider);
    const report = await index.update(sources);
    const failures = [...(options.discoveryErrors ?? []), ...report.failed];
    const reasons = options.allowFailures ? [] : failures.map((e) => e.message);
    if (report.chunks === 0) reasons.push("it has no chunks");
    if (reasons.length > 0) throw new IndexBuildRefusedError(indexDir, reasons);
    const changed = report.added.length + report.updated.length + report.removed.length > 0;
    if (current && !changed) return { ...report, version: current.version, published: false };

    const version = versionName(sources, provider, (options.now ?? (() => new Date()))());
    const directory = versionDir(indexDir, version);
    await index.save(directory);
    const problems = await check(directory, provider, index);
    if (problems.length > 0) {
      await rm(directory, { recursive: true, force: true });
      throw new IndexBuildRefusedError(indexDir, problems);
    }
    if (compromised) {
      await rm(directory, { recursive: true, force: true });
      throw new IndexBuildRefusedError(indexDir, [
        `another build took the lock over (${compromised.message}); run the ingest again`,
      ]);
    }
    const previous = before?.version;
    await writePointer(indexDir, { version, ...(previous && { previous }) });
    await prune(indexDir, [version, previous]);
    return { ...report, version, ...(previous && { previous }), published: true };
  } finally {
    await release().catch(() => undefined);
  }
}

/**
 * Points `current.json` back at the previous version (kept by the last build).
 * @throws IndexMismatchError when there is no previous version to go back to
 */
export async function rollbackVersion(indexDir: string): Promise<{ version: string; previous: string }> {
  if (!(await readPointer(indexDir))?.previous)
    throw new IndexMismatchError(indexDir, "no previous version to go back to");
  const release = await lockIndex(indexDir);
  try {
    const pointer = await readPointer(indexDir);
    const back = pointer?.previous;
    if (!pointer || !back || !existsSync(join(versionDir(indexDir, back), "manifest.json")))
      throw new IndexMismatchError(indexDir, "no previous version to go back to");
    await writePointer(indexDir, { version: back, previous: pointer.version });
    return { version: back, previous: pointer.version };
  } finally {
    await release().catch(() => undefined);
  }
}

/**
 * Takes the index folder's build lock, waiting for another build (a replica's first start,
 * another ingest) to finish: up to ~10 minutes. A lock nobody refreshes for `staleMs` (default
 * 60 s: the holder died) is taken over; `onCompromised` hears if that happens to ours.
 */
function lockIndex(
  indexDir: string,
  staleMs = 60_000,
  onCompromised: (e: Error) => void = () => undefined,
): Promise<() => Promise<void>> {
  return lockfile.lock(indexDir, {
    lockfilePath: join(indexDir, LOCK),
    realpath: false,
    stale: staleMs,
    retries: { retries: 600, minTimeout: 100, maxTimeout: 1000 },
    onCompromised,
  });
}

/** `20260510T101500123Z-3f2a9c1b`: sorts by time; the hash names the content and the embedding. */
function versionName(sources: readonly SourceFile[], provider: EmbeddingProvider, at: Date): string {
  const hash = createHash("sha256").update(`${provider.info.name}/${provider.info.dimensions}\n`);
  for (const s of [...sources].sort((a, b) => a.path.localeCompare(b.path)))
    hash.update(`${s.path}\0${s.hash}\n`);
  const time = at.toISOString().replace(/[-:.]/g, "");
  return `${time}-${hash.digest("hex").slice(0, 8)}`;
}

/** Reads the saved version back and asks it something; returns what is wrong with it. */
async function check(
  directory: string,
  provider: EmbeddingProvider,
  built: KnowledgeIndex,
): Promise<string[]> {
  let saved: KnowledgeIndex;
  try {
    saved = await KnowledgeIndex.open(directory, provider);
  } catch (e) {
    return [`it does not read back: ${(e as Error).message}`];
  }
  const problems: string[] = [];
  if (saved.chunks.size !== built.chunks.size || saved.docs.size !== built.docs.size)
    problems.push(
      `it reads back with ${saved.chunks.size} chunks and ${saved.docs.size} documents, built with ` +
        `${built.chunks.size} and ${built.docs.size}`,
    );
  const sample = saved.chunks.values().next().value;
  if (!sample) return [...problems, "it reads back with no chunks"];
  // The first words of a chunk must find chunks, lexically and by vector.
  const query = sample.text.split(/\s+/).slice(0, 12).join(" ");
  const known = (hits: readonly { slot: number }[]) =>
    hits.length > 0 && hits.every((h) => saved.chunks.has(h.slot));
  if (!known(saved.searchLexical(query, 5))) problems.push("the smoke query finds nothing lexically");
  try {
    if (!known(await saved.searchDense(query, 5))) problems.push("the smoke query finds no vectors");
  } catch (e) {
    problems.push(`the smoke query's vector search fails: ${(e as Error).message}`);
  }
  return problems;
}

async function writePointer(indexDir: string, pointer: Omit<Pointer, "at">): Promise<void> {
  const tmp = join(indexDir, `${POINTER}.tmp-${process.pid}`);
  await writeFile(tmp, JSON.stringify({ ...pointer, at: new Date().toISOString() } satisfies Pointer));
  await rename(tmp, join(indexDir, POINTER));
}

/** Deletes every version folder but `keep` (and leftovers of builds that died). */
async function prune(indexDir: string, keep: ReadonlyArray<string | undefined>): Promise<void> {
  const kept = new Set(keep.filter((v): v is string => v !== undefined));
  for (const name of await readdir(join(indexDir, VERSIONS)))
    if (!kept.has(name)) await rm(join(indexDir, VERSIONS, name), { recursive: true, force: true });
}
