/** Errors of the document library. Compare by `name`; the cause is kept. */

/** Why an upload was refused before anything was written. */
export type RejectReason =
  /** Over `MAX_UPLOAD_BYTES`. */
  | "too-large"
  /** Neither a PDF (`%PDF-`) nor a DOCX (a zip with word/document.xml), whatever its name says. */
  | "unsupported-type"
  /** It claims to be a PDF or DOCX but the loader cannot read it (truncated, encrypted, corrupt). */
  | "unreadable"
  /** A PDF without a text layer (a scan): there is nothing to index until it is OCR'd. */
  | "no-text";

/** An upload that cannot become a document. Nothing was staged or written. */
export class UploadRejectedError extends Error {
  override readonly name = "UploadRejectedError";
  constructor(
    readonly filename: string,
    readonly reason: RejectReason,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${filename}: ${detail}`, options);
  }
}

/** No staged upload has this id: never previewed, confirmed already, or expired (after 1 h). */
export class UnknownUploadError extends Error {
  override readonly name = "UnknownUploadError";
  constructor(readonly uploadId: string) {
    super(`no upload ${uploadId} waiting for confirmation (confirmed already, or expired)`);
  }
}

/** No document in the library has this id. */
export class UnknownDocumentError extends Error {
  override readonly name = "UnknownDocumentError";
  constructor(readonly documentId: string) {
    super(`no document ${documentId} in the library`);
  }
}

/** A change the library refuses as asked (a replaced document without a successor, …). */
export class InvalidChangeError extends Error {
  override readonly name = "InvalidChangeError";
  constructor(reason: string) {
    super(reason);
  }
}

/**
 * The index could not be rebuilt with a library change (a file failed to load, the build did not
 * read back, the index is of another embedding …). Nothing was published — the processes keep
 * the version they answer from — and the change was undone: an upload is back in staging, old
 * metadata or a removed file restored. `reasons` are the build's (IndexBuildRefusedError).
 */
export class LibraryChangeFailedError extends Error {
  override readonly name = "LibraryChangeFailedError";
  constructor(
    readonly action: string,
    readonly documentId: string,
    readonly reasons: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(
      `${action} ${documentId}: the index was not rebuilt, the change was undone: ${reasons.join("; ")}`,
      options,
    );
  }
}
