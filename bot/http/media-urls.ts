import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * Short-lived signed URLs for tip photos, for channels that take a photo by URL (Zalo's
 * sendPhoto). The URL names the photo by the hash id it is stored under and expires; without
 * the signature it is refused, so photos cannot be listed or guessed.
 */
export class MediaUrlSigner {
  private readonly key: Buffer;

  /** `secret` is the tip reply key; a separate key is derived from it for this one purpose. */
  constructor(
    secret: Buffer,
    private readonly publicUrl: string,
    private readonly ttlMs = 24 * 3600_000,
    private readonly now: () => number = Date.now,
  ) {
    this.key = createHmac("sha256", secret).update("ssg media url v1").digest();
  }

  /** The id a sanitised photo is stored under (see sanitizePhoto). */
  static idOf(bytes: Buffer): string {
    return createHash("sha256").update(bytes).digest("hex").slice(0, 32);
  }

  urlFor(photoId: string): string {
    const exp = Math.floor((this.now() + this.ttlMs) / 1000);
    return `${this.publicUrl}/media/${photoId}.jpg?exp=${exp}&sig=${this.sign(photoId, exp)}`;
  }

  /** True when the signature is right and not expired. */
  verify(photoId: string, exp: unknown, sig: unknown): boolean {
    const expiry = Number(exp);
    if (!Number.isInteger(expiry) || expiry * 1000 < this.now() || typeof sig !== "string") return false;
    const expected = Buffer.from(this.sign(photoId, expiry));
    const given = Buffer.from(sig);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private sign(photoId: string, exp: number): string {
    return createHmac("sha256", this.key).update(`${photoId}.${exp}`).digest("base64url");
  }
}
