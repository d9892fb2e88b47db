import type { Logger } from "../../logger.js";
import type { Dialogue } from "../dialogue/dialogue.js";
import type { ZaloClient } from "./zalo-client.js";
import { handleZaloUpdate } from "./zalo-updates.js";

/**
 * Long polling for Zalo: one update per getUpdates call. Errors back off (1 s doubling to
 * 60 s) instead of spinning; a failing update is logged and the loop goes on.
 */
export function pollZalo(
  client: ZaloClient,
  dialogue: Dialogue,
  logger: Logger,
): { stop: () => Promise<void> } {
  const abort = new AbortController();
  let backoff = 1000;
  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        const update = await client.getUpdates({ timeout: 30, signal: abort.signal });
        backoff = 1000;
        if (!update) continue;
        await handleZaloUpdate(client, dialogue, update).catch((err: Error) =>
          logger.error({ err: err.message, event: update.kind }, "zalo update failed"),
        );
      } catch (err) {
        if (abort.signal.aborted) break;
        logger.warn({ err: (err as Error).message, retryInMs: backoff }, "zalo getUpdates failed");
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 60_000);
      }
    }
  })();
  return {
    async stop() {
      abort.abort();
      await loop;
    },
  };
}
