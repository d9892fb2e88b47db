import { request } from "undici";

/** Photos from the channels are fetched up to this size (Telegram's Bot API limit). */
export const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

/** Why a download gave nothing. */
export class DownloadError extends Error {
  override readonly name = "DownloadError";
  constructor(
    readonly reason: "too-large" | "http" | "bad-url",
    message: string,
  ) {
    super(message);
  }
}

/**
 * Fetches a file into memory, stopping as soon as it grows past `max` bytes. The URL may hold a
 * bot token (Telegram file URLs), so it never appears in errors.
 */
export async function downloadLimited(url: string, max = MAX_DOWNLOAD_BYTES): Promise<Buffer> {
  if (!/^https?:\/\//.test(url)) throw new DownloadError("bad-url", "not an http(s) URL");
  const res = await request(url, { headersTimeout: 30_000, bodyTimeout: 30_000 });
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new DownloadError("http", `download failed with HTTP ${res.statusCode}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > max) {
      res.body.destroy();
      throw new DownloadError("too-large", `file larger than ${max} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
