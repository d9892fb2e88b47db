import { Composer } from "grammy";
import { request } from "undici";
import { converse, type TelegramDeps } from "../context.js";

/** Telegram's Bot API serves files up to 20 MB. */
const MAX_FILE_BYTES = 20 * 1024 * 1024;

/**
 * Photos for a tip: the largest size is fetched with getFile (≤ 20 MB) and handed to the
 * dialogue, which strips its metadata before anything is kept.
 */
export function photosFeature(deps: TelegramDeps): Composer<import("grammy").Context> {
  const composer = new Composer();
  composer.on("message:photo", async (ctx) => {
    const largest = ctx.message.photo.at(-1);
    if (!largest || (largest.file_size ?? 0) > MAX_FILE_BYTES) {
      await ctx.reply("Ảnh quá lớn (tối đa 20 MB).");
      return;
    }
    const file = await ctx.api.getFile(largest.file_id);
    if (!file.file_path) throw new Error("getFile returned no file_path");
    const res = await request(`${deps.apiRoot}/file/bot${deps.token}/${file.file_path}`, {
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`photo download failed with HTTP ${res.statusCode}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_FILE_BYTES) {
        res.body.destroy();
        await ctx.reply("Ảnh quá lớn (tối đa 20 MB).");
        return;
      }
      chunks.push(chunk as Buffer);
    }
    await converse(ctx, deps, { kind: "photo", bytes: Buffer.concat(chunks) });
  });
  return composer;
}
