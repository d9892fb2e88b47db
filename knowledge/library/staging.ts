import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ReadUpload } from "./read-upload.js";

/**
 * Uploads waiting for an admin's confirmation: `<library>/.staging/<uploadId>.<pdf|docx>` and
 * `<uploadId>.json` (what was read, who uploaded it, when). The folder starts with a dot, so an
 * ingest of the library folder never reads it. Entries older than the time to live are deleted.
 */

export const STAGING = ".staging";
/** How long an upload waits for its confirmation. */
export const DEFAULT_STAGING_TTL_MS = 60 * 60 * 1000;

export interface StagedUpload {
  readonly uploadId: string;
  readonly read: ReadUpload;
  readonly sha256: string;
  readonly stagedAt: string;
  readonly stagedBy: string;
}

const UPLOAD_ID = /^[0-9a-f-]{36}$/;

export const stagingDir = (library: string) => join(library, STAGING);
export const stagedFile = (library: string, s: Pick<StagedUpload, "uploadId" | "read">) =>
  join(stagingDir(library), `${s.uploadId}.${s.read.format}`);
const metaFile = (library: string, uploadId: string) => join(stagingDir(library), `${uploadId}.json`);

/** Keeps the bytes and what was read, for `confirm`. */
export async function stage(library: string, upload: StagedUpload, bytes: Buffer): Promise<void> {
  await mkdir(stagingDir(library), { recursive: true });
  await writeFile(stagedFile(library, upload), bytes);
  await writeStaged(library, upload);
}

/** Writes the record atomically: a purge running meanwhile never reads half of it. */
export async function writeStaged(library: string, upload: StagedUpload): Promise<void> {
  const tmp = join(stagingDir(library), `.${upload.uploadId}.json.tmp`);
  await writeFile(tmp, JSON.stringify(upload));
  await rename(tmp, metaFile(library, upload.uploadId));
}

/** The staged upload `uploadId`, if it is there and not expired at `now`. */
export async function findStaged(
  library: string,
  uploadId: string,
  now: Date,
  ttlMs: number,
): Promise<StagedUpload | undefined> {
  if (!UPLOAD_ID.test(uploadId)) return undefined;
  let upload: StagedUpload;
  try {
    upload = JSON.parse(await readFile(metaFile(library, uploadId), "utf8")) as StagedUpload;
  } catch {
    return undefined;
  }
  if (now.getTime() - Date.parse(upload.stagedAt) > ttlMs) return undefined;
  const present = await stat(stagedFile(library, upload)).catch(() => undefined);
  return present?.isFile() ? upload : undefined;
}

/** Forgets a staged upload (its bytes too, unless they were moved away). */
export async function dropStaged(
  library: string,
  upload: Pick<StagedUpload, "uploadId" | "read">,
): Promise<void> {
  await rm(metaFile(library, upload.uploadId), { force: true });
  await rm(stagedFile(library, upload), { force: true });
}

/**
 * Deletes the uploads staged more than `ttlMs` before `now`, and bytes left without their
 * record (a crash between the two writes) once they are as old.
 */
export async function purgeStaged(library: string, now: Date, ttlMs: number): Promise<void> {
  let names: string[];
  try {
    names = await readdir(stagingDir(library));
  } catch {
    return;
  }
  const expired = (at: number) => now.getTime() - at > ttlMs;
  for (const name of names) {
    const full = join(stagingDir(library), name);
    const [id] = name.split(".");
    if (name.endsWith(".json")) {
      const upload = await readFile(full, "utf8")
        .then((t) => JSON.parse(t) as StagedUpload)
        .catch(() => undefined);
      if (!upload) await rm(full, { force: true });
      else if (expired(Date.parse(upload.stagedAt))) await dropStaged(library, upload);
    } else if (!names.includes(`${id}.json`)) {
      const info = await stat(full).catch(() => undefined);
      if (info && expired(info.mtimeMs)) await rm(full, { force: true });
    }
  }
}
