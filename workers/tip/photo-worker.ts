import {
  PhotoRejectedError,
  type PhotoRejection,
  type SanitizePhotoOptions,
  sanitizePhoto,
} from "./photo.js";

/**
 * The code a photo thread runs (PhotoPool loads this file in each worker thread: the `.ts` from
 * source, the compiled `.js` from `dist/`). It only sanitises: admission, limits and errors the
 * caller sees are the pool's.
 */

/** What the pool posts to a thread. The bytes arrive as a plain Uint8Array (structured clone). */
export interface PhotoTask {
  readonly bytes: Uint8Array;
  readonly options: SanitizePhotoOptions;
}

/**
 * What a thread posts back. Structured clone keeps neither the class nor the `reason` of an
 * error, so a refusal travels as data and the pool throws the PhotoRejectedError again.
 */
export type PhotoTaskResult =
  | {
      readonly ok: true;
      readonly bytes: Uint8Array;
      readonly width: number;
      readonly height: number;
      readonly id: string;
    }
  | { readonly ok: false; readonly reason: PhotoRejection };

export default async function sanitizeInThread(task: PhotoTask): Promise<PhotoTaskResult> {
  const bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
  try {
    const photo = await sanitizePhoto(bytes, task.options);
    return { ok: true, bytes: photo.bytes, width: photo.width, height: photo.height, id: photo.id };
  } catch (err) {
    if (err instanceof PhotoRejectedError) return { ok: false, reason: err.reason };
    throw err;
  }
}
