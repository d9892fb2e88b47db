import type { TipQueues } from "../queues/tip-queues.js";
import type { PendingQuestions } from "./pending-questions.js";
import type { ResealCount, TipStore } from "./tip-store.js";

/** What a reseal run found, per kind of stored content. */
export interface ResealReport {
  readonly tips: number;
  /** Tip fields and audit details. */
  readonly fields: ResealCount;
  /** Photos, claimed or waiting for a tip. */
  readonly photos: ResealCount;
  /** Answers stashed in chats, waiting for "send?". */
  readonly drafts: ResealCount;
  /** Texts of queued, finished, failed and dead-lettered notify jobs. */
  readonly jobTexts: ResealCount;
}

/**
 * Key rotation (`npm run tips -- reseal`): seals every stored piece of tip content that is not
 * under the current data key — sealed under TIP_DATA_KEY_PREVIOUS, or stored in clear before
 * content was sealed — under TIP_DATA_KEY. Idempotent: a second run finds everything current.
 * Also indexes, for the retention purge, what was stored before it needed indexing (closed
 * tips by close time, which tips hold each photo).
 */
export async function resealTipContent(deps: {
  readonly store: TipStore;
  readonly pending: PendingQuestions;
  readonly queues: TipQueues;
}): Promise<ResealReport> {
  const fields = { resealed: 0, current: 0 };
  const ids = await deps.store.allIds();
  for (const id of ids) {
    const r = await deps.store.reseal(id);
    fields.resealed += r.resealed;
    fields.current += r.current;
  }
  // Every photo, including those no tip claimed yet.
  const photos = { resealed: 0, current: 0 };
  for await (const photoId of deps.store.photoIds()) {
    const r = await deps.store.resealPhoto(photoId);
    photos.resealed += r.resealed;
    photos.current += r.current;
  }
  return {
    tips: ids.length,
    fields,
    photos,
    drafts: await deps.pending.reseal(),
    jobTexts: await deps.queues.resealTexts(),
  };
}
