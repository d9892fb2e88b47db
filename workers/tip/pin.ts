import { randomBytes, randomInt, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Tip PINs: six digits given to the tipster with the case code, so that only the holder of both
 * can follow the tip or answer questions. A PIN has only 10⁶ values, so the stored hash is
 * deliberately slow (scrypt) and attempts must also be rate-limited (sender-key.ts): the hash
 * protects PINs if the store leaks, the limiter protects them online.
 *
 * Stored form: `scrypt$N$r$p$saltB64$hashB64` (standard base64 with padding), so parameters can
 * be raised later without breaking old hashes.
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
 * Hashes a PIN for storage with scrypt (N=2¹⁵, r=8, p=1, 16-byte random salt, 32-byte key), so
 * two hashes of the same PIN differ. Throws a RangeError if `pin` is not six digits: PINs come
 * from `newPin`, so anything else is a bug, and hashing it would lock the tipster out.
 */
export async function hashPin(pin: string): Promise<string> {
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

/**
 * Checks a PIN as the user typed it against a stored hash, in constant time over the hash.
 * Spaces in the input are ignored ("123 456"). Returns false, never throws, for a wrong PIN,
 * input that is not six digits, or a stored value that is not a hash of ours.
 */
export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  if (typeof pin !== "string" || typeof stored !== "string" || pin.length > 64) return false;
  const digits = pin.replace(/\s/g, "");
  if (!PIN_PATTERN.test(digits)) return false;
  const parsed = parseStored(stored);
  if (!parsed) return false;
  try {
    const key = await scryptAsync(digits, parsed.salt, parsed.hash.length, parsed.cost);
    return timingSafeEqual(key, parsed.hash);
  } catch {
    return false;
  }
}
