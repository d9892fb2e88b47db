import { randomInt } from "node:crypto";

/**
 * Case codes: what a tipster writes down to follow a tip later (`AT-7KQ3-M8`). They are read
 * aloud, copied from a phone screen and typed on Vietnamese keyboards, so:
 *
 * - the alphabet has no look-alikes: no 0/O, 1/I/L, no U (U/V), and no Z (Z/2). That leaves 29
 *   symbols, and 29 is prime, which is what makes the check character below exact;
 * - the last character is a check character: Σ wᵢ·vᵢ ≡ 0 (mod 29) over all six characters with
 *   weights 1…6. Because 29 is prime and the weights are distinct and non-zero, every
 *   single-character typo and every swap of two characters (adjacent or not) is caught;
 * - input is normalised (case, spaces, dashes, a missing "AT" prefix) but never guessed at: a
 *   character outside the alphabet is refused, not mapped, since we never print one.
 *
 * Collision odds: 5 random characters give 29⁵ = 20,511,149 codes. Among n codes the chance of
 * some duplicate is about n²/(2·29⁵): ≈ 2.4 % for 1,000 codes, ≈ 91 % for 10,000. Codes are not
 * unique by construction: the store must reserve them with insert-if-absent
 * (`TipStore.reserveCaseCode`, Redis `SET NX`) and draw again on a clash. A code is not a
 * secret either: following a tip also needs the PIN (see pin.ts).
 */

/** The 29 symbols of a case code, in value order (value = index). */
export const CASE_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXY";

const PREFIX = "AT";
const MOD = CASE_CODE_ALPHABET.length; // 29, prime
const BODY_LENGTH = 6; // 5 random + 1 check
/** Longest input `parseCaseCode` looks at; anything longer is not a case code. */
const MAX_INPUT_LENGTH = 64;

// Whitespace, ASCII and Unicode dashes (phones turn "-" into "–"), dots, underscores, a leading "#".
const SEPARATORS = /[\s\-_.#\u2010-\u2015\u2212\u30fc\uff0d]/g;

function symbolValue(ch: string): number {
  return CASE_CODE_ALPHABET.indexOf(ch);
}

/** The check character for five data values: the one making Σ (i+1)·vᵢ ≡ 0 (mod 29). */
function checkValue(values: readonly number[]): number {
  let sum = 0;
  values.forEach((v, i) => {
    sum += (i + 1) * v;
  });
  // Solve 6·c ≡ −sum (mod 29); 6⁻¹ ≡ 5 (mod 29) since 6·5 = 30.
  const inverseOfLastWeight = 5;
  return (((MOD - (sum % MOD)) % MOD) * inverseOfLastWeight) % MOD;
}

function format(body: string): string {
  return `${PREFIX}-${body.slice(0, 4)}-${body.slice(4)}`;
}

/** A fresh case code such as `AT-7KQ3-M8`, from `crypto.randomInt`. Not unique by itself: see above. */
export function newCaseCode(): string {
  const values = Array.from({ length: BODY_LENGTH - 1 }, () => randomInt(MOD));
  values.push(checkValue(values));
  return format(values.map((v) => CASE_CODE_ALPHABET.charAt(v)).join(""));
}

/**
 * Reads a case code as a user typed it and returns it in canonical form (`AT-7KQ3-M8`), or
 * `undefined` when it is not a valid code. Accepts any letter case, spaces and dashes anywhere
 * (or none), and the code without its "AT" prefix ("at 7kq3 m8", "7KQ3M8", "AT–7KQ3–M8").
 * Refuses characters outside the alphabet and codes whose check character does not match, so
 * a typo is reported instead of opening someone else's case. Never throws.
 */
export function parseCaseCode(input: string): string | undefined {
  if (typeof input !== "string" || input.length > MAX_INPUT_LENGTH) return undefined;
  let compact = input.replace(SEPARATORS, "").toUpperCase();
  if (compact.length === PREFIX.length + BODY_LENGTH && compact.startsWith(PREFIX)) {
    compact = compact.slice(PREFIX.length);
  }
  if (compact.length !== BODY_LENGTH) return undefined;
  let sum = 0;
  for (let i = 0; i < BODY_LENGTH; i++) {
    const v = symbolValue(compact.charAt(i));
    if (v < 0) return undefined;
    sum += (i + 1) * v;
  }
  return sum % MOD === 0 ? format(compact) : undefined;
}
