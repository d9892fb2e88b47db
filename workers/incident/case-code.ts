import { newCaseCode, parseCaseCode } from "../tip/case-code.js";

/**
 * Incidents' case codes, `SC-7KQ3-M8`: the tips' alphabet and check character (see
 * `workers/tip/case-code.ts`) under their own prefix, so that a code says which path it belongs
 * to (an officer's `/nhan SC-…` is an incident's, `/nhan AT-…` a tip's). Unique by the
 * `incidents.case_code` constraint: the desk draws again on a clash.
 */
export const INCIDENT_CODE_PREFIX = "SC";

/** A fresh incident code. */
export function newIncidentCaseCode(): string {
  return `${INCIDENT_CODE_PREFIX}${newCaseCode().slice(2)}`;
}

/**
 * An incident code as typed ("sc 7kq3 m8", "7KQ3M8", "SC–7KQ3–M8") in canonical form, or
 * undefined. A tip's code ("AT-…") is not an incident's.
 */
export function parseIncidentCaseCode(input: string): string | undefined {
  if (typeof input !== "string") return undefined;
  const trimmed = input.trim().replace(/^#/, "");
  if (/^a\s*t/i.test(trimmed)) return undefined;
  const body = trimmed.replace(/^s\s*c(?=[\s\-_.\u2010-\u2015\u2212]*[0-9a-z]{4})/i, "");
  const code = parseCaseCode(body);
  return code && `${INCIDENT_CODE_PREFIX}${code.slice(2)}`;
}

/** Whether the text is an incident's code rather than a tip's. */
export function isIncidentCaseCode(input: string): boolean {
  return /^\s*#?s\s*c/i.test(input) && parseIncidentCaseCode(input) !== undefined;
}
