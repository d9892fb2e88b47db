/** Errors of the knowledge engine. Compare by `name`; the cause is kept. */

/** A source file could not be read or parsed. The ingest goes on with the other files. */
export class DocumentLoadError extends Error {
  override readonly name = "DocumentLoadError";
  constructor(
    readonly file: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${reason}`, options);
  }
}

/** The saved index cannot be used as it is (missing, other version, other embedding). */
export class IndexMismatchError extends Error {
  override readonly name = "IndexMismatchError";
  constructor(
    readonly directory: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`index at ${directory}: ${reason}`, options);
  }
}

/** The optional chat model or embeddings endpoint failed or answered nonsense. */
export class ModelEndpointError extends Error {
  override readonly name = "ModelEndpointError";
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
  }
}

/**
 * A new index version was built but not published: a file failed to load, it has no chunks, or
 * it did not read back and answer a smoke query. The current version stays in use.
 */
export class IndexBuildRefusedError extends Error {
  override readonly name = "IndexBuildRefusedError";
  constructor(
    readonly directory: string,
    readonly reasons: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`index at ${directory}: the new version was not published: ${reasons.join("; ")}`, options);
  }
}
