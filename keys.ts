/**
 * Secrets read from configuration. Beside `config.ts` (which parses them) so that config needs
 * nothing from the parts below it.
 */

/** Bytes of the reply key (AES-256). */
export const KEY_BYTES = 32;

/** The reply key is not 32 bytes (in the constructor) or not 64 hex / base64 of 32 bytes (in `parseKey`). */
export class ReplyKeyError extends Error {
  override readonly name = "ReplyKeyError";
}

// A key whose bytes are all equal is a placeholder copied from an example file, not a secret.
export function checkNotPlaceholder(key: Buffer): Buffer {
  if (key.every((b) => b === key[0])) throw new ReplyKeyError("reply key is a placeholder (all bytes equal)");
  return key;
}

/**
 * Reads the reply key from config: 64 hexadecimal characters, or base64 / base64url of exactly 32
 * bytes (surrounding whitespace ignored). Throws a ReplyKeyError saying what is wrong, without
 * echoing the value; a key of identical bytes (an example file's zeros) is refused too. Generate
 * one with `openssl rand -hex 32`.
 */
export function parseKey(hexOrBase64: string): Buffer {
  const hint = "expected 32 bytes as 64 hex characters or base64 (generate one with `openssl rand -hex 32`)";
  if (typeof hexOrBase64 !== "string") throw new ReplyKeyError(`reply key is not a string; ${hint}`);
  const s = hexOrBase64.trim();
  if (/^[0-9a-fA-F]{64}$/.test(s)) return checkNotPlaceholder(Buffer.from(s, "hex"));
  // base64 or base64url, padding optional, one alphabet only.
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(s) || /^[A-Za-z0-9_-]+={0,2}$/.test(s)) {
    const standard = s.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
    const buf = Buffer.from(standard, "base64");
    if (buf.length !== KEY_BYTES) {
      throw new ReplyKeyError(`reply key decodes to ${buf.length} bytes as base64; ${hint}`);
    }
    if (buf.toString("base64").replace(/=+$/, "") === standard) return checkNotPlaceholder(buf);
  }
  throw new ReplyKeyError(`reply key (${s.length} characters) is neither hex nor base64; ${hint}`);
}
