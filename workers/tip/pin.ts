import { createHmac, hkdfSync, randomBytes, randomInt, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Tip PINs: six digits given to the tipster with the case code, so that only the holder of both
 * can follow the tip or answer questions. Attempts are rate-limited online (sender-key.ts); the
 * stored hash protects PINs if the store leaks.
 *
 * Stored form, current: `hmac$saltB64$macB64`, an HMAC-SHA256 keyed by a secret derived from the
 * tip reply key, which lives outside Redis. A PIN has only 10⁶ values, so a slow hash can only
 * make a leaked store expensive to brute-force (scrypt at 0.1 s: about 28 CPU-hours per tip, and
 * it parallelises), while a keyed hash makes it impossible without the key — and whoever holds
 * the key also holds the reply key, which opens every reply handle, a far worse loss than any PIN.
 * The keyed hash also costs microseconds instead of 0.1 s of CPU per tip, which capped intake
 * near 20 tips/s on two cores (see the README's Performance section).
 *
 * Legacy form, still verified for tips stored before: `scrypt$N$r$p$saltB64$hashB64`.
 */

/** scrypt cost N = 2¹⁵, r = 8, p = 1: 32 MiB and roughly 0.1 s per hash on the 2-core machine. */
const COST = { N: 2 ** 15, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

// Bounds for parameters read back from a stored hash: a corrupted or hostile value must not
// make us allocate gigabytes or spin for minutes.
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;
const MAX_MEM = 256 * 1024 * 1024;

const PIN_PATTERN = /^[0-9]{6}$/;
const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A fresh six-digit PIN from `crypto.randomInt`, leading zeros kept ("004821"). */
export function newPin(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, "0");
}

function scryptAsync(pin: string, salt: Buffer, keylen: number, cost: { N: number; r: number; p: number }) {
  return new Promise<Buffer>((resolve, reject) => {
    // maxmem must exceed 128·N·r; Node's default (32 MiB) is exactly that for our N and r.
    const maxmem = 128 * cost.N * cost.r + 1024 * 1024;
    scrypt(pin, salt, keylen, { ...cost, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/**
 * The legacy slow hash (scrypt N=2¹⁵, r=8, p=1, 16-byte random salt, 32-byte key). New tips use
 * `PinHasher`; this remains so that tests can show old tips still verify.
 */
export async function legacyScryptHash(pin: string): Promise<string> {
  if (typeof pin !== "string" || !PIN_PATTERN.test(pin)) throw new RangeError("a PIN must be six digits");
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(pin, salt, KEY_BYTES, COST);
  return ["scrypt", COST.N, COST.r, COST.p, salt.toString("base64"), key.toString("base64")].join("$");
}

function decodeB64(s: string): Buffer | undefined {
  if (!B64.test(s) || s.length % 4 !== 0) return undefined;
  const buf = Buffer.from(s, "base64");
  return buf.toString("base64") === s ? buf : undefined;
}

function parseIntStrict(s: string | undefined, max: number): number | undefined {
  if (s === undefined || !/^[1-9][0-9]{0,9}$/.test(s)) return undefined;
  const n = Number(s);
  return n <= max ? n : undefined;
}

function parseStored(stored: string) {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return undefined;
  const N = parseIntStrict(parts[1], MAX_N);
  const r = parseIntStrict(parts[2], MAX_R);
  const p = parseIntStrict(parts[3], MAX_P);
  if (N === undefined || r === undefined || p === undefined) return undefined;
  if (N < 2 || (N & (N - 1)) !== 0 || 128 * N * r > MAX_MEM) return undefined;
  const salt = decodeB64(parts[4] ?? "");
  const hash = decodeB64(parts[5] ?? "");
  if (!salt || salt.length < SALT_BYTES || !hash || hash.length < 16 || hash.length > 64) return undefined;
  return { cost: { N, r, p }, salt, hash };
}

async function verifyScrypt(digits: string, stored: string): Promise<boolean> {
  const parsed = parseStored(stored);
  if (!parsed) return false;
  try {
    const key = await scryptAsync(digits, parsed.salt, parsed.hash.length, parsed.cost);
    return timingSafeEqual(key, parsed.hash);
  } catch {
    return false;
  }
}

const MIN_KEY_BYTES = 32;

/** Hashes and checks PINs with a key derived (HKDF-SHA256) from the tip reply key. */
export class PinHasher {
  readonly #key: Buffer;

  constructor(secret: Buffer) {
    if (!Buffer.isBuffer(secret) || secret.length < MIN_KEY_BYTES)
      throw new RangeError(`the PIN key needs a secret of at least ${MIN_KEY_BYTES} bytes`);
    // A key of its own, so that the PIN MAC and the reply-handle cipher never share one.
    this.#key = Buffer.from(hkdfSync("sha256", secret, Buffer.alloc(0), "ssg/tip-pin/v1", 32));
  }

  #mac(salt: Buffer, digits: string): Buffer {
    return createHmac("sha256", this.#key).update(salt).update(digits, "utf8").digest();
  }

  /**
   * `hmac$salt$mac` with a 16-byte random salt, so two hashes of the same PIN differ. Throws a
   * RangeError if `pin` is not six digits: PINs come from `newPin`, so anything else is a bug,
   * and hashing it would lock the tipster out.
   */
  hash(pin: string): string {
    if (typeof pin !== "string" || !PIN_PATTERN.test(pin)) throw new RangeError("a PIN must be six digits");
    const salt = randomBytes(SALT_BYTES);
    return ["hmac", salt.toString("base64"), this.#mac(salt, pin).toString("base64")].join("$");
  }

  /**
   * Checks a PIN as the user typed it against a stored hash (current or legacy), in constant
   * time over the hash. Spaces in the input are ignored ("123 456"). Returns false, never throws,
   * for a wrong PIN, input that is not six digits, or a stored value that is not a hash of ours.
   */
  async verify(pin: string, stored: string): Promise<boolean> {
    if (typeof pin !== "string" || typeof stored !== "string" || pin.length > 64) return false;
    const digits = pin.replace(/\s/g, "");
    if (!PIN_PATTERN.test(digits)) return false;
    if (stored.startsWith("scrypt$")) return verifyScrypt(digits, stored);
    const parts = stored.split("$");
    if (parts.length !== 3 || parts[0] !== "hmac") return false;
    const salt = decodeB64(parts[1] ?? "");
    const mac = decodeB64(parts[2] ?? "");
    if (!salt || salt.length !== SALT_BYTES || !mac || mac.length !== 32) return false;
    return timingSafeEqual(this.#mac(salt, digits), mac);
  }
}
