import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { Piscina } from "piscina";
import type { Logger } from "../../logger.js";
import { checkPhoto, PhotoRejectedError, type SanitizedPhoto, type SanitizePhotoOptions } from "./photo.js";
import type { PhotoTask, PhotoTaskResult } from "./photo-worker.js";

/**
 * Photo sanitising off the main thread. Decoding a phone photo takes seconds of CPU and up to
 * 1.3 GB at the 40-megapixel limit; done on the main thread, three large uploads stalled every
 * chat and `/healthz` for 45 s. Here it runs on a few worker threads (piscina), with a short
 * queue in front of them, and a photo that finds both full is refused at once as "busy" rather
 * than waiting, so memory is bounded by the thread count. A photo not done by its deadline
 * (waiting included) is given up, its thread stopped, and refused as "busy" too, so an upload
 * gets its answer within the deadline however loaded the machine is.
 *
 * What can be refused without decoding (file size, type, pixel count declared in the header) is
 * refused on the calling thread before a slot is taken (`checkPhoto`).
 */

/** Turns uploaded bytes into a sanitised photo: PhotoPool, or a fake in tests. */
export interface PhotoSanitizer {
  /** Rejects with PhotoRejectedError ("too-large", "not-an-image", "too-many-pixels", "busy"). */
  sanitize(bytes: Buffer): Promise<SanitizedPhoto>;
}

export interface PhotoPoolOptions {
  /** Worker threads, each decoding one photo at a time. Default `defaultPhotoThreads()`. */
  readonly threads?: number;
  /** Photos that may wait for a thread; the next one is refused as "busy". Default 8. */
  readonly queue?: number;
  /**
   * A photo not sanitised this long after it was admitted, waiting included, is given up (its
   * thread is stopped) and refused as "busy". Default 50 s: under the minute after which
   * proxies commonly give up on a request.
   */
  readonly timeoutMs?: number;
  /** Limits of each sanitisation (largest input, longest output side). */
  readonly sanitize?: SanitizePhotoOptions;
  /**
   * An idle thread exits after this long, giving its memory back; the next photo starts one
   * again (a fraction of a second). Default 60 s.
   */
  readonly idleTimeoutMs?: number;
  /** Told about failures of a thread that was not running a photo. */
  readonly logger?: Logger;
}

/**
 * One less than the cores, at least 1 and at most 2: the main thread keeps a core for chats and
 * health checks, and each thread may hold about 1.3 GB while it decodes a 40-megapixel photo.
 */
export function defaultPhotoThreads(): number {
  return Math.min(2, Math.max(1, availableParallelism() - 1));
}

const DEFAULT_QUEUE = 8;
const DEFAULT_TIMEOUT_MS = 50_000;
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/**
 * V8 heap of a thread. jpeg-js keeps about 9 bytes of JS objects per pixel (365 MB at 40 MP) and
 * the pixels themselves in ArrayBuffers outside this heap (bounded by the pixel limit instead);
 * a thread that needs more than this is stopped and its photo refused as "too-large".
 */
const THREAD_HEAP_MB = 512;
/** Photo threads yield the CPU to the main thread (chats, health checks) when both want it. */
const THREAD_NICE = 10;
/** How long `close` lets running photos finish before the threads are stopped. */
const CLOSE_TIMEOUT_MS = 15_000;

// From source (tsx, vitest) this module is a .ts file and so is its worker; from `dist/` both are
// .js. A worker thread starts with the parent's node options only: under tsx those load tsx into
// the thread too, but vitest transforms files itself, so the thread is given tsx's loader.
const FROM_SOURCE = import.meta.url.endsWith(".ts");
const WORKER_FILE = new URL(FROM_SOURCE ? "./photo-worker.ts" : "./photo-worker.js", import.meta.url).href;

function threadExecArgv(): string[] | undefined {
  if (!FROM_SOURCE || process.execArgv.some((a) => a.includes("tsx"))) return undefined;
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return [...process.execArgv, "--import", tsx];
}

/** A bounded pool of photo threads with a bounded queue; see the top of this file. */
export class PhotoPool implements PhotoSanitizer {
  /** Threads plus queue: how many photos may be admitted at once. */
  readonly capacity: number;
  private readonly pool: Piscina<PhotoTask, PhotoTaskResult>;
  private readonly options: SanitizePhotoOptions;
  private readonly timeoutMs: number;
  private admitted = 0;
  private closing: Promise<void> | undefined;

  constructor(opts: PhotoPoolOptions = {}) {
    const threads = opts.threads ?? defaultPhotoThreads();
    const queue = opts.queue ?? DEFAULT_QUEUE;
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError("threads must be a positive integer");
    if (!Number.isInteger(queue) || queue < 0) throw new RangeError("queue must be a non-negative integer");
    this.capacity = threads + queue;
    this.options = opts.sanitize ?? {};
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const execArgv = threadExecArgv();
    this.pool = new Piscina<PhotoTask, PhotoTaskResult>({
      filename: WORKER_FILE,
      minThreads: 0,
      maxThreads: threads,
      idleTimeout: opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB },
      niceIncrement: THREAD_NICE,
      closeTimeout: CLOSE_TIMEOUT_MS,
      recordTiming: false,
      ...(execArgv && { execArgv }),
    });
    // Without a listener, an 'error' event (a thread failing between photos) would end the process.
    this.pool.on("error", (err: Error) => opts.logger?.error({ err: err.message }, "photo thread failed"));
  }

  /**
   * Sanitises `bytes` on a photo thread (see `sanitizePhoto`). Refuses at once, without taking a
   * slot, what the header already condemns, and with "busy" when every thread and queue slot is
   * taken or the pool is closing; later with "busy" when the deadline passes. The slot is taken
   * synchronously, before this returns.
   */
  async sanitize(bytes: Buffer): Promise<SanitizedPhoto> {
    checkPhoto(bytes, this.options);
    if (this.closing || this.admitted >= this.capacity) throw new PhotoRejectedError("busy");
    this.admitted++;
    let result: PhotoTaskResult;
    try {
      // One copy of exactly these bytes, moved (not cloned again) to the thread.
      const copy = new Uint8Array(bytes);
      result = await this.pool.run(
        { bytes: copy, options: this.options },
        { transferList: [copy.buffer], signal: AbortSignal.timeout(this.timeoutMs) },
      );
    } catch (err) {
      // Closing, or the deadline passed (piscina then stops the thread, and its memory with it).
      if (this.closing || (err as Error).name === "AbortError")
        throw new PhotoRejectedError("busy", { cause: err });
      // The thread outgrew its heap: the photo needs more memory than a photo may have.
      if ((err as NodeJS.ErrnoException).code === "ERR_WORKER_OUT_OF_MEMORY")
        throw new PhotoRejectedError("too-large", { cause: err });
      throw err;
    } finally {
      this.admitted--;
    }
    if (!result.ok) throw new PhotoRejectedError(result.reason);
    return {
      bytes: Buffer.from(result.bytes.buffer, result.bytes.byteOffset, result.bytes.byteLength),
      mime: "image/jpeg",
      width: result.width,
      height: result.height,
      id: result.id,
    };
  }

  /** Photos admitted and not finished (running or waiting), live threads, photos finished. */
  get stats(): { readonly pending: number; readonly threads: number; readonly completed: number } {
    return { pending: this.admitted, threads: this.pool.threads.length, completed: this.pool.completed };
  }

  /**
   * Refuses new photos ("busy"), drops the waiting ones, lets running ones finish (at most
   * 15 s) and stops every thread. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.pool.close({ force: true }).catch(() => this.pool.destroy());
    return this.closing;
  }
}
