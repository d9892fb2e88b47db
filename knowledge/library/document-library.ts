import { createHash, randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import type { Config } from "../../config.js";
import type { Logger } from "../../logger.js";
import { defaultSourcePaths, embeddingProviderFor, ingestVersion } from "../engine.js";
import type { IndexChannel } from "../index/live-index.js";
import { type AuditAction, appendAudit } from "./audit.js";
import {
  type Applied,
  applyConfirm,
  applyRemove,
  applyStatus,
  type ChangeContext,
  type ConfirmOptions,
  checkedActor,
} from "./changes.js";
import { LibraryChangeFailedError, UnknownUploadError } from "./errors.js";
import { type DocumentStatus, documentOf, type LibraryDocument, readEntries } from "./library-manifest.js";
import { type PreviewWarning, type ReadUpload, readUpload } from "./read-upload.js";
import {
  DEFAULT_STAGING_TTL_MS,
  dropStaged,
  findStaged,
  purgeStaged,
  type StagedUpload,
  stage,
} from "./staging.js";

export type { ConfirmOptions, StatusChange } from "./changes.js";
export type { DocumentStatus, LibraryDocument } from "./library-manifest.js";
export type { PreviewWarning } from "./read-upload.js";

/** What the console shows after an upload: what was read, and the id to confirm it with. */
export interface DocumentPreview extends ReadUpload {
  readonly uploadId: string;
  /** ISO instant after which the upload is forgotten unless confirmed. */
  readonly expiresAt: string;
}

/** A change done: the document as it is now (as it was, for a removal) and the index version. */
export interface LibraryChange {
  readonly document: LibraryDocument;
  /** The index version current after the change. */
  readonly version: string;
  /** False when the index already held exactly this (nothing new was published). */
  readonly published: boolean;
}

export interface DocumentLibraryOptions {
  /** KNOWLEDGE_DIR and INDEX_DIR, the library folder (KNOWLEDGE_UPLOADS_DIR) and the embedding. */
  readonly knowledge: Config["knowledge"];
  /**
   * Tells the running processes of a new version at once (in `npm start`:
   * `redisIndexChannel(redis, prefix, logger)`); without it, or when it fails, they still take
   * it at their next poll of the pointer (30 s).
   */
  readonly channel?: Pick<IndexChannel, "announce">;
  readonly logger?: Logger;
  /** How long an upload waits for its confirmation. Default 1 h. */
  readonly stagingTtlMs?: number;
  readonly now?: () => Date;
}

export interface DocumentLibraryEvents {
  /** A change made `version` current. */
  published: [version: string];
  /** A change could not be published and was undone. */
  failed: [error: LibraryChangeFailedError];
}

interface Pending {
  readonly action: AuditAction;
  readonly by: string;
  readonly audit?: { status: string; replacedBy?: string };
  /** Changes the folder, as `by` (checked). */
  apply(by: string): Promise<Applied>;
  resolve(change: LibraryChange): void;
  reject(error: unknown): void;
}

/**
 * The documents admins upload (issue 14, "Documents for admins"), in the folder
 * KNOWLEDGE_UPLOADS_DIR: the files with a `manifest.json` holding their metadata (title,
 * symbol, status, replaced_by …, read by the ingest like any folder's manifest), staged uploads
 * in `.staging/`, and `audit.jsonl`.
 *
 * An upload is read and staged by `preview` (nothing is indexed); `confirm`, `setStatus` and
 * `remove` change the folder and then rebuild the index from KNOWLEDGE_DIR and the library
 * through the reload path (`ingestVersion`: a new version beside the live one, checked, then
 * made current) and announce it on `channel`, so every running process answers from it within
 * seconds (30 s without the announcement). A change whose build is refused is undone and
 * rejected with LibraryChangeFailedError; nothing is published. One build runs at a time:
 * changes made during a build are applied together after it, and published by one more build.
 * Across processes, the folder's lock (`.lock`) serialises them.
 */
export class DocumentLibrary extends EventEmitter<DocumentLibraryEvents> {
  readonly dir: string;
  readonly #opts: DocumentLibraryOptions;
  readonly #ttl: number;
  #pending: Pending[] = [];
  #draining: Promise<void> | undefined;

  constructor(opts: DocumentLibraryOptions) {
    super();
    this.#opts = opts;
    this.dir = opts.knowledge.uploadsDir;
    this.#ttl = opts.stagingTtlMs ?? DEFAULT_STAGING_TTL_MS;
  }

  #context(): ChangeContext {
    return { dir: this.dir, now: () => this.#now() };
  }

  #now(): Date {
    return (this.#opts.now ?? (() => new Date()))();
  }

  /**
   * Reads an upload (PDF or DOCX by content, at most 20 MB) with the ingest's loaders and
   * chunker and stages it for `confirm` (for an hour). Nothing is indexed.
   * @throws UploadRejectedError too large, not a PDF/DOCX, or unreadable: nothing was written
   */
  async preview(bytes: Buffer, filename: string, by: string): Promise<DocumentPreview> {
    const stagedBy = checkedActor(by);
    const now = this.#now();
    await purgeStaged(this.dir, now, this.#ttl);
    const read = await readUpload(bytes, filename);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const entries = await readEntries(this.dir);
    const warnings: PreviewWarning[] = [...read.warnings];
    const sameFile = entries.find((e) => e.sha256 === sha256);
    if (sameFile)
      warnings.push({ code: "same-file", message: `the library has this file already (${sameFile.id})` });
    const sameSymbol = read.symbol && entries.find((e) => e.symbol === read.symbol && e !== sameFile);
    if (sameSymbol)
      warnings.push({
        code: "same-symbol",
        message: `the library has a document ${read.symbol} already (${sameSymbol.id})`,
      });
    const upload: StagedUpload = {
      uploadId: randomUUID(),
      read: { ...read, warnings },
      sha256,
      stagedAt: now.toISOString(),
      stagedBy,
    };
    await stage(this.dir, upload, bytes);
    return {
      ...upload.read,
      uploadId: upload.uploadId,
      expiresAt: new Date(now.getTime() + this.#ttl).toISOString(),
    };
  }

  /**
   * Moves a staged upload into the library with its metadata and publishes the rebuilt index.
   * @throws UnknownUploadError no such upload waiting (confirmed already, or expired)
   * @throws UploadRejectedError a PDF without text (a scan)
   * @throws InvalidChangeError bad options
   * @throws LibraryChangeFailedError the build was refused: the upload is back in staging
   */
  confirm(uploadId: string, options: ConfirmOptions, by: string): Promise<LibraryChange> {
    return this.#submit("confirm", by, undefined, async (checkedBy) => {
      const upload = await findStaged(this.dir, uploadId, this.#now(), this.#ttl);
      if (!upload) throw new UnknownUploadError(uploadId);
      return applyConfirm(this.#context(), upload, options, checkedBy);
    });
  }

  /**
   * Drops a staged upload the admin decided not to add ("Hủy"): a later confirm of it is refused
   * as unknown. False when there was none waiting (confirmed, expired or dropped already).
   */
  async discard(uploadId: string, by: string): Promise<boolean> {
    const checkedBy = checkedActor(by);
    const upload = await findStaged(this.dir, uploadId, this.#now(), this.#ttl);
    if (!upload) return false;
    await dropStaged(this.dir, upload);
    await appendAudit(this.dir, {
      at: this.#now().toISOString(),
      by: checkedBy,
      action: "discard",
      document: upload.uploadId,
      symbol: upload.read.symbol ?? null,
      result: "discarded",
    });
    return true;
  }

  /** The documents in the library, in the order they were added. */
  async list(): Promise<LibraryDocument[]> {
    return (await readEntries(this.dir)).map(documentOf);
  }

  async get(id: string): Promise<LibraryDocument | undefined> {
    const entry = (await readEntries(this.dir)).find((e) => e.id === id);
    return entry && documentOf(entry);
  }

  /**
   * Sets a document's status ("replaced" with its successor's symbol: every answer quoting it
   * then names the successor) and publishes the rebuilt index.
   * @throws UnknownDocumentError, InvalidChangeError
   * @throws LibraryChangeFailedError the build was refused: the old status is restored
   */
  setStatus(
    id: string,
    status: DocumentStatus,
    replacement: { readonly replacedBy?: string; readonly replacedOn?: string },
    by: string,
  ): Promise<LibraryChange> {
    const audit = { status, ...(replacement.replacedBy && { replacedBy: replacement.replacedBy }) };
    return this.#submit("set-status", by, audit, (checkedBy) =>
      applyStatus(this.#context(), id, { status, ...replacement }, checkedBy),
    );
  }

  /**
   * Takes a document out of the library and publishes the index without it.
   * @throws UnknownDocumentError
   * @throws LibraryChangeFailedError the build was refused: the document is back
   */
  remove(id: string, by: string): Promise<LibraryChange> {
    return this.#submit("remove", by, undefined, () => applyRemove(this.#context(), id));
  }

  /** Resolves once every change asked for so far is published or undone. */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  #submit(
    action: AuditAction,
    by: string,
    audit: Pending["audit"],
    apply: Pending["apply"],
  ): Promise<LibraryChange> {
    return new Promise<LibraryChange>((resolve, reject) => {
      let checked: string;
      try {
        checked = checkedActor(by);
      } catch (e) {
        reject(e);
        return;
      }
      this.#pending.push({ action, by: checked, ...(audit && { audit }), apply, resolve, reject });
      // Synchronously the first change starts a build on its own; those submitted while it
      // runs wait and go together into the next one.
      this.#draining ??= this.#drain().finally(() => {
        this.#draining = undefined;
      });
    });
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0);
      await this.#run(batch).catch((e: unknown) => {
        for (const p of batch) p.reject(e);
      });
    }
  }

  /** Applies a batch of changes, builds once, and publishes or undoes them all. */
  async #run(batch: readonly Pending[]): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const release = await lockfile.lock(this.dir, {
      lockfilePath: join(this.dir, ".lock"),
      realpath: false,
      stale: 60_000,
      retries: { retries: 600, minTimeout: 100, maxTimeout: 1000 },
    });
    try {
      const applied: Array<{ pending: Pending; done: Applied }> = [];
      for (const pending of batch) {
        try {
          applied.push({ pending, done: await pending.apply(pending.by) });
        } catch (e) {
          pending.reject(e);
        }
      }
      if (applied.length === 0) return;
      const k = this.#opts.knowledge;
      let result: { version: string; published: boolean };
      try {
        // The same paths as `npm run ingest` with none given: the index keys files by path.
        result = await ingestVersion(defaultSourcePaths(k), k.indexDir, embeddingProviderFor(k));
      } catch (cause) {
        const reasons = (cause as { reasons?: string[] }).reasons ?? [(cause as Error).message];
        for (const { done } of [...applied].reverse()) await done.undo();
        for (const { pending, done } of applied) {
          const error = new LibraryChangeFailedError(pending.action, done.document.id, reasons, { cause });
          await this.#audit(pending, done.document, { result: "failed", error: reasons.join("; ") });
          this.#opts.logger?.error({ err: error.message }, "document library: change undone");
          this.emit("failed", error);
          pending.reject(error);
        }
        return;
      }
      for (const { done } of applied) await done.commit().catch(() => undefined);
      if (result.published) {
        await this.#announce(result.version);
        this.emit("published", result.version);
      }
      for (const { pending, done } of applied) {
        await this.#audit(pending, done.document, {
          result: result.published ? "published" : "unchanged",
          version: result.version,
        });
        pending.resolve({ document: done.document, ...result });
      }
    } finally {
      await release().catch(() => undefined);
    }
  }

  async #announce(version: string): Promise<void> {
    try {
      await this.#opts.channel?.announce(version);
    } catch (e) {
      // The processes read the pointer every 30 s anyway.
      this.#opts.logger?.warn({ version, err: (e as Error).message }, "document library: announce failed");
    }
  }

  #audit(
    pending: Pending,
    document: LibraryDocument,
    outcome: { result: "published" | "unchanged" | "failed"; version?: string; error?: string },
  ): Promise<void> {
    return appendAudit(this.dir, {
      at: this.#now().toISOString(),
      by: pending.by,
      action: pending.action,
      document: document.id,
      symbol: document.symbol ?? null,
      ...outcome,
      ...pending.audit,
    });
  }
}
