import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import lockfile from "proper-lockfile";

/**
 * The embedded database (PGlite) is one process's: two processes opening the same data folder
 * would each run their own PostgreSQL over the same files and corrupt them. Whoever opens the
 * folder first holds `<folder>/ssg.lock` until it closes; everyone else is refused at once.
 *
 * The lock is proper-lockfile's: an atomic `mkdir`, kept fresh by touching it every
 * `staleMs / 2`, so that a process that died without releasing it (SIGKILL, power loss) stops
 * holding it `staleMs` later; a normal exit, even on an uncaught error, removes it at once.
 */

/** Name of the lock inside the data folder. */
export const LOCK_NAME = "ssg.lock";

/**
 * Default age after which a lock nobody refreshes is taken over (15 s): opening PGlite pauses
 * the event loop for up to half a second at a time, far below the 7.5 s refresh period.
 */
export const LOCK_STALE_MS = 15_000;

/** Another process holds the data folder. Its message is one line that names the fix. */
export class DataFolderLockedError extends Error {
  override readonly name = "DataFolderLockedError";
  constructor(
    readonly dataDir: string,
    readonly lockPath: string,
    options?: { cause?: unknown },
  ) {
    super(
      `the embedded database in ${dataDir} is open in another process (npm start?): stop it, or set DATABASE_URL to a PostgreSQL server that both can share`,
      options,
    );
  }
}

/** Releases the lock; safe to call twice. */
export type ReleaseLock = () => Promise<void>;

export interface LockOptions {
  /** See `LOCK_STALE_MS`. */
  readonly staleMs?: number;
  /**
   * Called if the lock is lost while held (it could not be refreshed in time, or was removed):
   * another process may then open the folder. Default: throw, which ends the process — the
   * only safe course for a process that writes to the folder.
   */
  readonly onCompromised?: (error: Error) => void;
}

/**
 * Takes the data folder's lock, creating the folder if needed.
 * @throws DataFolderLockedError when another live process holds it
 */
export async function lockDataFolder(dataDir: string, options: LockOptions = {}): Promise<ReleaseLock> {
  await mkdir(dataDir, { recursive: true });
  const lockPath = join(dataDir, LOCK_NAME);
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dataDir, {
      lockfilePath: lockPath,
      realpath: false,
      stale: options.staleMs ?? LOCK_STALE_MS,
      retries: 0,
      ...(options.onCompromised && { onCompromised: options.onCompromised }),
    });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ELOCKED")
      throw new DataFolderLockedError(dataDir, lockPath, { cause });
    throw cause;
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    await release();
  };
}
