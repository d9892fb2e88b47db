import { createHash } from "node:crypto";
import { Jimp } from "jimp";

/**
 * Photo sanitising. A phone photo carries who and where: EXIF GPS coordinates, the camera's
 * serial number, the owner's name, XMP edit history, thumbnails of the uncropped original. A
 * photo attached to a tip is therefore decoded to pixels and re-encoded as a new JPEG; nothing
 * of the original file but its pixels survives.
 *
 * Pure JavaScript (jimp, jpeg-js, pngjs): no native binaries. Decoding is CPU-bound and blocks
 * the event loop (on the 2-core machine: about 2 s and 600 MB for a 12-megapixel JPEG, 6 s and
 * 1.3 GB at the 40-megapixel limit), so the bot never calls `sanitizePhoto` itself: `PhotoPool`
 * (photo-pool.ts) runs it on a bounded set of worker threads, after `checkPhoto` has refused, on
 * the calling thread and from the header alone, what must not be decoded at all.
 *
 * Accepted inputs: JPEG and PNG, which is what Telegram, Zalo and browsers send. Everything
 * else (GIF, WebP, HEIC, TIFF, BMP, APNG) is refused as "not-an-image".
 */

/**
 * Why a photo was refused. "busy" is not about the photo: every photo thread and queue slot was
 * taken (PhotoPool), and the same photo may be sent again a minute later.
 */
export type PhotoRejection = "too-large" | "not-an-image" | "too-many-pixels" | "busy";

/** The photo cannot be accepted. `reason` is safe to map to a user message. */
export class PhotoRejectedError extends Error {
  override readonly name = "PhotoRejectedError";
  constructor(
    readonly reason: PhotoRejection,
    options?: { cause?: unknown },
  ) {
    super(`photo rejected: ${reason}`, options);
  }
}

/** Options of `sanitizePhoto`. */
export interface SanitizePhotoOptions {
  /** Largest input accepted, in bytes. Default 20 MB (Telegram's bot download limit). */
  readonly maxInputBytes?: number;
  /** Longest side of the output, in pixels; larger images are scaled down. Default 1600. */
  readonly maxSide?: number;
}

/** A sanitised photo: a fresh JPEG with no metadata, and its content id. */
export interface SanitizedPhoto {
  readonly bytes: Buffer;
  readonly mime: "image/jpeg";
  readonly width: number;
  readonly height: number;
  /** First 32 hex characters of the SHA-256 of `bytes`; matches `photoIds` in tip.ts. */
  readonly id: string;
}

const DEFAULT_MAX_INPUT_BYTES = 20 * 1024 * 1024;
const DEFAULT_MAX_SIDE = 1600;
/** Decompression-bomb limit, checked from the header before any pixel is decoded. */
export const MAX_PIXELS = 40_000_000;
const JPEG_QUALITY = 85;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface Size {
  readonly width: number;
  readonly height: number;
}

// SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Frame size from the first SOF segment before the first scan, or undefined if there is none. */
function jpegSize(b: Buffer): Size | undefined {
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1] ?? 0;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    i += 2;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue; // segments without length
    if (marker === 0xd9 || marker === 0xda) return undefined; // end, or a scan before any frame
    const length = b.readUInt16BE(i);
    if (length < 2 || i + length > b.length) return undefined;
    if (isStartOfFrame(marker)) {
      if (length < 7) return undefined;
      return { height: b.readUInt16BE(i + 3), width: b.readUInt16BE(i + 5) };
    }
    i += length;
  }
  return undefined;
}

function pngSize(b: Buffer): Size | undefined {
  if (b.length < 24 || b.toString("latin1", 12, 16) !== "IHDR") return undefined;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** Width and height declared by a JPEG's SOF or a PNG's IHDR, read without decoding. */
export function headerSize(b: Buffer): Size | undefined {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpegSize(b);
  if (b.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) return pngSize(b);
  return undefined;
}

// Segments jpeg-js writes for a bare image. Anything else (APPn other than JFIF APP0, COM) would
// be metadata, and is a bug of ours or of the encoder.
const ALLOWED_OUTPUT_MARKERS = new Set([0xe0, 0xdb, 0xc0, 0xc4, 0xdd, 0xda]);

function assertBareJpeg(b: Buffer): void {
  let i = 2;
  while (i + 4 <= b.length) {
    const marker = b[i + 1] ?? 0;
    if (b[i] !== 0xff || !ALLOWED_OUTPUT_MARKERS.has(marker)) {
      throw new Error(`sanitised JPEG has an unexpected segment 0x${marker.toString(16)} at ${i}`);
    }
    if (marker === 0xda) return;
    i += 2 + b.readUInt16BE(i + 2);
  }
  throw new Error("sanitised JPEG has no scan");
}

/**
 * The checks that need no decoding: size of the file, JPEG or PNG signature, and the pixel count
 * its header declares. Cheap (it walks the segment headers only), so the pool runs it on the
 * calling thread and a refused photo never takes a thread or a queue slot. Throws
 * PhotoRejectedError ("too-large", "not-an-image", "too-many-pixels") and returns the declared
 * size otherwise.
 */
export function checkPhoto(bytes: Buffer, opts: Pick<SanitizePhotoOptions, "maxInputBytes"> = {}): Size {
  if (!Buffer.isBuffer(bytes)) throw new PhotoRejectedError("not-an-image");
  if (bytes.length > (opts.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES))
    throw new PhotoRejectedError("too-large");
  const size = headerSize(bytes);
  if (!size || size.width === 0 || size.height === 0) throw new PhotoRejectedError("not-an-image");
  if (size.width * size.height > MAX_PIXELS) throw new PhotoRejectedError("too-many-pixels");
  return size;
}

/**
 * Decodes a JPEG or PNG and re-encodes it as a fresh JPEG (quality 85), so that no metadata of the
 * original survives: EXIF (GPS, camera serial, thumbnail), XMP, IPTC, ICC profiles, comments, PNG
 * text chunks. The EXIF orientation is applied to the pixels first, so the photo still shows the
 * right way up. Transparent areas become white. The longest side is scaled down to `maxSide`
 * (never up).
 *
 * Rejects with PhotoRejectedError: "too-large" over `maxInputBytes`; "too-many-pixels" when the
 * header declares more than 40 megapixels (checked before decoding, against decompression bombs);
 * "not-an-image" for anything that is not a decodable JPEG or PNG.
 */
export async function sanitizePhoto(bytes: Buffer, opts: SanitizePhotoOptions = {}): Promise<SanitizedPhoto> {
  const maxSide = opts.maxSide ?? DEFAULT_MAX_SIDE;
  if (!Number.isInteger(maxSide) || maxSide < 1) throw new RangeError("maxSide must be a positive integer");
  checkPhoto(bytes, opts);

  let image: Awaited<ReturnType<typeof Jimp.fromBuffer>>;
  try {
    image = await Jimp.fromBuffer(bytes, {
      "image/jpeg": { maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 1024 },
    });
  } catch (cause) {
    throw new PhotoRejectedError("not-an-image", { cause });
  }
  if (image.mime !== "image/jpeg" && image.mime !== "image/png") throw new PhotoRejectedError("not-an-image");

  const longest = Math.max(image.width, image.height);
  if (longest > maxSide) {
    const scale = maxSide / longest;
    image.resize({
      w: Math.max(1, Math.round(image.width * scale)),
      h: Math.max(1, Math.round(image.height * scale)),
    });
  }

  // Draw onto a brand-new white bitmap. The decoded bitmap still holds the decoder's `exifBuffer`
  // and `comments`, and jpeg-js's encoder writes those back out if it is handed them. jimp 1.6's
  // getBuffer happens to copy pixels to a fresh bitmap for JPEG, but onto a transparent (so black)
  // background, and we do not want the GPS position to depend on that detail. assertBareJpeg
  // checks the result either way.
  const canvas = new Jimp({ width: image.width, height: image.height, color: 0xffffffff });
  canvas.composite(image, 0, 0);
  const out = await canvas.getBuffer("image/jpeg", { quality: JPEG_QUALITY });
  assertBareJpeg(out);

  return {
    bytes: out,
    mime: "image/jpeg",
    width: canvas.width,
    height: canvas.height,
    id: createHash("sha256").update(out).digest("hex").slice(0, 32),
  };
}
