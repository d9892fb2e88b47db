import { mkdir, rename, rm, utimes } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { removeDiacritics } from "../../text/normalize.js";
import { InvalidChangeError, UnknownDocumentError, UploadRejectedError } from "./errors.js";
import {
  type DocumentStatus,
  documentOf,
  type LibraryDocument,
  type ManifestEntry,
  readEntries,
  writeEntries,
} from "./library-manifest.js";
import { dropStaged, type StagedUpload, stagedFile, writeStaged } from "./staging.js";

/**
 * The library's changes to its folder, each with its undo: `DocumentLibrary` applies them, then
 * rebuilds the index, and undoes them when the build is refused.
 */

/** What the admin decides when confirming; the text's own values are used for what is not given. */
export interface ConfirmOptions {
  readonly status: DocumentStatus;
  /** Symbol of the successor; only with status "replaced". */
  readonly replacedBy?: string;
  /** ISO day the successor applies from; only with status "replaced". */
  readonly replacedOn?: string;
  readonly title?: string;
  readonly symbol?: string;
  readonly kind?: string;
  readonly issuer?: string;
  /** ISO day of signing. */
  readonly date?: string;
  /** ISO day it takes effect. */
  readonly effective?: string;
}

/** A status and its successor, as `setStatus` takes them. */
export interface StatusChange {
  readonly status: DocumentStatus;
  readonly replacedBy?: string;
  readonly replacedOn?: string;
}

const day = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected a day like 2025-03-12");
const text = z.string().trim().min(1).max(500);
const confirmSchema = z
  .object({
    status: z.enum(["in force", "replaced"]),
    replacedBy: text.optional(),
    replacedOn: day.optional(),
    title: text.optional(),
    symbol: text.optional(),
    kind: text.optional(),
    issuer: text.optional(),
    date: day.optional(),
    effective: day.optional(),
  })
  .strict()
  .refine((o) => o.status === "replaced" || (!o.replacedBy && !o.replacedOn), {
    message: "replacedBy and replacedOn go with the status 'replaced'",
  });

function valid<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InvalidChangeError(
    parsed.error.issues.map((i) => `${i.path.join(".") || "options"}: ${i.message}`).join("; "),
  );
}

/** Who makes a change: a non-empty name, trimmed. @throws InvalidChangeError */
export const checkedActor = (by: string): string => valid(text, by);

/** A change applied to the library folder, waiting for the build that publishes it. */
export interface Applied {
  readonly document: LibraryDocument;
  /** Puts the folder back as it was before the change. */
  undo(): Promise<void>;
  /** Cleans up once the change is published (a staged record, a removed file). */
  commit(): Promise<void>;
}

export interface ChangeContext {
  /** The library folder. */
  readonly dir: string;
  readonly now: () => Date;
}

/** Moves a staged upload into the library with its manifest entry. */
export async function applyConfirm(
  { dir, now }: ChangeContext,
  upload: StagedUpload,
  options: ConfirmOptions,
  by: string,
): Promise<Applied> {
  const o = valid(confirmSchema, options);
  const { read } = upload;
  if (read.chunks === 0)
    throw new UploadRejectedError(read.filename, "no-text", "has no text to index (a scan needs OCR first)");
  const entries = await readEntries(dir);
  const symbol = o.symbol ?? read.symbol;
  const title = o.title ?? read.title;
  const id = uniqueId(slugOf(symbol ?? title), entries);
  const at = now().toISOString();
  const kind = o.kind ?? read.kind;
  const issuer = o.issuer ?? read.issuer;
  const date = o.date ?? read.date;
  const effective = o.effective ?? read.effective;
  const entry: ManifestEntry = {
    file: `${id}.${read.format}`,
    id,
    title,
    ...(symbol && { symbol }),
    ...(kind && { kind }),
    ...(issuer && { issuer }),
    ...(date && { date }),
    ...(effective && { effective }),
    status: o.status,
    ...(o.replacedBy && { replaced_by: o.replacedBy }),
    ...(o.replacedOn && { replaced_on: o.replacedOn }),
    ...(read.splitArticles && { split_articles: true }),
    original_name: read.filename,
    sha256: upload.sha256,
    size: read.size,
    uploaded_at: at,
    uploaded_by: upload.stagedBy,
    changed_at: at,
    changed_by: by,
  };
  const from = stagedFile(dir, upload);
  const to = join(dir, entry.file);
  await rename(from, to);
  await writeEntries(dir, [...entries, entry]);
  return {
    document: documentOf(entry),
    undo: async () => {
      await writeEntries(
        dir,
        (await readEntries(dir)).filter((e) => e.id !== id),
      );
      await rename(to, from);
      // Another hour to try again (a purge of strays looks at the file's time).
      const again = now();
      await utimes(from, again, again);
      await writeStaged(dir, { ...upload, stagedAt: again.toISOString() });
    },
    commit: () => dropStaged(dir, upload),
  };
}

/** Sets a document's status and successor in its manifest entry. */
export async function applyStatus(
  { dir, now }: ChangeContext,
  id: string,
  change: StatusChange,
  by: string,
): Promise<Applied> {
  const o = valid(confirmSchema, change);
  const entries = await readEntries(dir);
  const before = entries.find((e) => e.id === id);
  if (!before) throw new UnknownDocumentError(id);
  const { replaced_by: _by, replaced_on: _on, ...rest } = before;
  const after: ManifestEntry = {
    ...rest,
    status: o.status,
    ...(o.replacedBy && { replaced_by: o.replacedBy }),
    ...(o.replacedOn && { replaced_on: o.replacedOn }),
    changed_at: now().toISOString(),
    changed_by: by,
  };
  await writeEntries(
    dir,
    entries.map((e) => (e === before ? after : e)),
  );
  return {
    document: documentOf(after),
    undo: async () =>
      writeEntries(
        dir,
        (await readEntries(dir)).map((e) => (e.id === id ? before : e)),
      ),
    commit: async () => undefined,
  };
}

/** Takes a document's file and entry out (the file waits in `.trash/` until published). */
export async function applyRemove({ dir }: ChangeContext, id: string): Promise<Applied> {
  const entries = await readEntries(dir);
  const entry = entries.find((e) => e.id === id);
  if (!entry) throw new UnknownDocumentError(id);
  const file = join(dir, entry.file);
  const held = join(dir, ".trash", entry.file);
  await mkdir(join(dir, ".trash"), { recursive: true });
  await rename(file, held);
  await writeEntries(
    dir,
    entries.filter((e) => e !== entry),
  );
  return {
    document: documentOf(entry),
    undo: async () => {
      await rename(held, file);
      await writeEntries(dir, entries);
    },
    commit: () => rm(held, { force: true }),
  };
}

/** "15/2025/QĐ-UBND" → "15-2025-qd-ubnd". */
function slugOf(name: string): string {
  const slug = removeDiacritics(name)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 80)
    .replace(/-$/, "");
  return slug || "tai-lieu";
}

/** `base`, or `base-2`, `base-3` … when the library has it already. */
function uniqueId(base: string, entries: readonly ManifestEntry[]): string {
  const taken = new Set(entries.map((e) => e.id));
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}
