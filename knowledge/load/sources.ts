import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, extname, join, relative } from "node:path";
import type { LoadedDocument } from "../document.js";
import { DocumentLoadError } from "../errors.js";
import { LOADERS } from "./formats.js";
import { readManifest } from "./manifest.js";
import { type MetaFields, splitArticles } from "./meta.js";

/** Bump when loading or chunking changes, so that every file is re-indexed once. */
export const PIPELINE_VERSION = 1;

/** A file to ingest, with what decides whether it changed. */
export interface SourceFile {
  /** Path as given or found, relative to the working directory when possible. */
  readonly path: string;
  /** Hash of the bytes, the manifest entry and the pipeline version. */
  readonly hash: string;
  readonly bytes: Buffer;
  readonly manifest?: MetaFields;
}

export interface DiscoveredSources {
  readonly files: SourceFile[];
  /** Files or folders that could not be used, each with the reason. */
  readonly errors: DocumentLoadError[];
}

const MANIFEST = "manifest.json";
/** A folder's README says what the folder holds (provenance, licence); it is not a document. */
const README = /^readme\.(md|markdown|txt)$/i;

function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") ? path : rel || path;
}

/**
 * Finds every loadable file under the given paths (files or folders, recursively). A folder's
 * `manifest.json` adds metadata to its files and is not itself a document.
 */
export async function discoverSources(paths: readonly string[]): Promise<DiscoveredSources> {
  const files: SourceFile[] = [];
  const errors: DocumentLoadError[] = [];
  const seen = new Set<string>();

  async function addFile(path: string, manifest?: MetaFields): Promise<void> {
    const shown = display(path);
    if (seen.has(shown)) return;
    seen.add(shown);
    if (!(extname(path).toLowerCase() in LOADERS)) return;
    try {
      const bytes = await readFile(path);
      const hash = createHash("sha256")
        .update(`v${PIPELINE_VERSION}\n`)
        .update(JSON.stringify(manifest ?? null))
        .update(bytes)
        .digest("hex");
      files.push({ path: shown, hash, bytes, ...(manifest && { manifest }) });
    } catch (cause) {
      errors.push(new DocumentLoadError(shown, `cannot read: ${(cause as Error).message}`, { cause }));
    }
  }

  async function walk(dir: string): Promise<void> {
    let entries: string[];
    try {
      entries = (await readdir(dir)).filter((e) => !e.startsWith(".")).sort();
    } catch (cause) {
      errors.push(
        new DocumentLoadError(display(dir), `cannot list folder: ${(cause as Error).message}`, { cause }),
      );
      return;
    }
    let manifest = new Map<string, MetaFields>();
    if (entries.includes(MANIFEST)) {
      try {
        manifest = await readManifest(join(dir, MANIFEST));
      } catch (e) {
        errors.push(e as DocumentLoadError);
      }
    }
    for (const entry of entries) {
      if (entry === MANIFEST || README.test(entry)) continue;
      const full = join(dir, entry);
      const info = await stat(full).catch(() => undefined);
      if (info?.isDirectory()) await walk(full);
      else if (info?.isFile()) await addFile(full, manifest.get(entry));
    }
  }

  for (const p of paths) {
    const info = await stat(p).catch(() => undefined);
    if (!info) errors.push(new DocumentLoadError(p, "no such file or folder"));
    else if (info.isDirectory()) await walk(p);
    else if (basename(p) === MANIFEST)
      errors.push(new DocumentLoadError(p, "a manifest is read with its folder"));
    else if (!(extname(p).toLowerCase() in LOADERS))
      errors.push(new DocumentLoadError(p, `unsupported file type (${Object.keys(LOADERS).join(", ")})`));
    else await addFile(p);
  }
  return { files, errors };
}

/** Loads one source file with the loader for its extension. Throws DocumentLoadError. */
export async function loadSource(file: SourceFile): Promise<LoadedDocument[]> {
  const loader = LOADERS[extname(file.path).toLowerCase()];
  if (!loader) throw new DocumentLoadError(file.path, "unsupported file type");
  try {
    const docs = await loader(file.bytes, file.path, file.manifest);
    if (!file.manifest?.split_articles) return docs;
    return docs.map((doc) => {
      const articles = doc.articles ? [] : splitArticles(doc.text);
      return articles.length > 0 ? { meta: doc.meta, text: "", articles } : doc;
    });
  } catch (e) {
    if ((e as Error).name === "DocumentLoadError") throw e;
    throw new DocumentLoadError(file.path, (e as Error).message, { cause: e });
  }
}
