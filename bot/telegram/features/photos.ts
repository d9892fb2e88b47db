import { Composer } from "grammy";
import { DownloadError, downloadLimited, MAX_DOWNLOAD_BYTES } from "../../download.js";
import { converse, notice, type TelegramDeps } from "../context.js";

/**
 * Photos for a tip: the largest size is fetched with getFile (≤ 20 MB) and handed to the
 * dialogue, which strips its metadata before anything is kept.
 */
export function photosFeature(deps: TelegramDeps): Composer<import("grammy").Context> {
  const composer = new Composer();
  composer.on("message:photo", async (ctx) => {
    const largest = ctx.message.photo.at(-1);
    if (!largest || (largest.file_size ?? 0) > MAX_DOWNLOAD_BYTES) {
      await notice(ctx, deps, "telegram.photoTooLarge");
      return;
    }
    const file = await ctx.api.getFile(largest.file_id);
    if (!file.file_path) throw new Error("getFile returned no file_path");
    let bytes: Buffer;
    try {
      bytes = await downloadLimited(`${deps.apiRoot}/file/bot${deps.token}/${file.file_path}`);
    } catch (err) {
      if (err instanceof DownloadError && err.reason === "too-large") {
        await notice(ctx, deps, "telegram.photoTooLarge");
        return;
      }
      throw err;
    }
    await converse(ctx, deps, { kind: "photo", bytes });
  });
  return composer;
}
