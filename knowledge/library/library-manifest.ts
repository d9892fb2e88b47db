import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

/**
 * The library folder's `manifest.json`: the ordinary folder manifest the ingest reads
 * (knowledge/load/manifest.ts: `file`, `id`, `title`, `symbol`, `kind`, `issuer`, `date`,
 * `effective`, `status`, `replaced_by`, `replaced_on`, `split_articles`), each entry with the
 * library's own fields beside them (`original_name`, `sha256`, `size`, `uploaded_*`,
 * `changed_*`), which the ingest ignores. Written whole under another name and renamed.
 */

export const MANIFEST = "manifest.json";

/** A document's status as the console sets it; `lifeOf` (knowledge/life.ts) reads both. */
export type DocumentStatus = "in force" | "replaced";

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected a day like 2025-03-12");

const entrySchema = z.object({
  file: z.string().min(1),
  id: z.string().min(1),
  title: z.string().min(1),
  symbol: z.string().min(1).optional(),
  kind: z.string().min(1).optional(),
  issuer: z.string().min(1).optional(),
  date: isoDay.optional(),
  effective: isoDay.optional(),
  status: z.enum(["in force", "replaced"]),
  replaced_by: z.string().min(1).optional(),
  replaced_on: isoDay.optional(),
  split_articles: z.boolean().optional(),
  original_name: z.string(),
  sha256: z.string(),
  size: z.number().int().nonnegative(),
  uploaded_at: z.string(),
  uploaded_by: z.string(),
  changed_at: z.string(),
  changed_by: z.string(),
});
export type ManifestEntry = z.infer<typeof entrySchema>;

/** A document of the library, as `list()` gives it. */
export interface LibraryDocument {
  /** The document id in the index (and in citations' `docId`). */
  readonly id: string;
  /** Its file in the library folder ("15-2025-qd-ubnd.pdf"). */
  readonly file: string;
  readonly title: string;
  readonly symbol?: string;
  readonly kind?: string;
  readonly issuer?: string;
  readonly date?: string;
  readonly effective?: string;
  readonly status: DocumentStatus;
  /** Symbol of its successor, when replaced. */
  readonly replacedBy?: string;
  /** ISO day the successor applies from (before it, answers say it is still in force). */
  readonly replacedOn?: string;
  /** The name it was uploaded under. */
  readonly originalName: string;
  readonly sha256: string;
  readonly size: number;
  readonly uploadedAt: string;
  readonly uploadedBy: string;
  readonly changedAt: string;
  readonly changedBy: string;
}

export function documentOf(e: ManifestEntry): LibraryDocument {
  return {
    id: e.id,
    file: e.file,
    title: e.title,
    ...(e.symbol && { symbol: e.symbol }),
    ...(e.kind && { kind: e.kind }),
    ...(e.issuer && { issuer: e.issuer }),
    ...(e.date && { date: e.date }),
    ...(e.effective && { effective: e.effective }),
    status: e.status,
    ...(e.replaced_by && { replacedBy: e.replaced_by }),
    ...(e.replaced_on && { replacedOn: e.replaced_on }),
    originalName: e.original_name,
    sha256: e.sha256,
    size: e.size,
    uploadedAt: e.uploaded_at,
    uploadedBy: e.uploaded_by,
    changedAt: e.changed_at,
    changedBy: e.changed_by,
  };
}

/** The library's entries; none when the folder has no manifest yet. */
export async function readEntries(dir: string): Promise<ManifestEntry[]> {
  let raw: string;
  try {
    raw = await readFile(join(dir, MANIFEST), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  return z.array(entrySchema).parse(JSON.parse(raw));
}

/** Replaces the manifest atomically. */
export async function writeEntries(dir: string, entries: readonly ManifestEntry[]): Promise<void> {
  const tmp = join(dir, `.${MANIFEST}.tmp-${process.pid}`);
  await writeFile(tmp, `${JSON.stringify(entries, null, 2)}\n`);
  await rename(tmp, join(dir, MANIFEST));
}
