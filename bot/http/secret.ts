import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Compares a received secret with the expected one in constant time. Both are hashed first so
 * that neither their content nor their length leaks through timing.
 */
export function secretMatches(received: unknown, expected: string): boolean {
  if (typeof received !== "string" || received.length === 0) return false;
  const a = createHash("sha256").update(received).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}
