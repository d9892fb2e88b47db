import { type Lang, tl } from "../i18n.js";
import type { DocumentMeta } from "./document.js";

/**
 * A document's life: in force, not yet in force, in force until a known successor takes over,
 * or replaced. Judged "as of" a day — today unless the question asks about another — from the
 * metadata `effective`, `status`, `replaced_by` and `replaced_on`.
 */
export type LifeState = "in-force" | "not-yet" | "changing" | "replaced";

export interface Life {
  readonly state: LifeState;
  /** Symbol of the successor, when known ("120/2025/QH15"). */
  readonly successor?: string;
  /** ISO day the state changes or changed: `effective` for not-yet, `replaced_on` otherwise. */
  readonly on?: string;
}

type LifeMeta = Pick<DocumentMeta, "effective" | "status" | "replacedBy" | "replacedOn">;

/** Status words that mean the document no longer applies, in the corpus' English or Vietnamese. */
const GONE = /replaced|superseded|repealed|expired|thay thế|hết hiệu lực/iu;

/** Vietnam's day (UTC+7) of an instant, or an ISO day as given. */
export function isoDayOf(asOf: Date | string): string {
  if (typeof asOf === "string") return asOf.slice(0, 10);
  return new Date(asOf.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
}

/** The symbol in `replaced_by`, which may be written with words around it. */
function symbolIn(text: string): string | undefined {
  return /\d+\/[\p{L}\d/-]+/u.exec(text)?.[0];
}

/** The document's life as of `asOf` (default: now). */
export function lifeOf(meta: LifeMeta, asOf: Date | string = new Date()): Life {
  const day = isoDayOf(asOf);
  const successor = meta.replacedBy ? (symbolIn(meta.replacedBy) ?? meta.replacedBy) : undefined;
  if (successor && meta.replacedOn && day < meta.replacedOn)
    return { state: "changing", successor, on: meta.replacedOn };
  if (successor || (meta.status && GONE.test(meta.status)))
    return {
      state: "replaced",
      ...(successor && { successor }),
      ...(meta.replacedOn && { on: meta.replacedOn }),
    };
  if (meta.effective && day < meta.effective) return { state: "not-yet", on: meta.effective };
  return { state: "in-force" };
}

/** Whether a document no longer applies as of `asOf`: retrieval ranks its successor first. */
export function isReplaced(meta: LifeMeta, asOf: Date | string = new Date()): boolean {
  return lifeOf(meta, asOf).state === "replaced";
}

/** "2026-07-01" → "01/07/2026". */
const vnDay = (iso: string) => iso.split("-").reverse().join("/");

/** The day before an ISO day ("2026-07-01" → "2026-06-30"). */
function dayBefore(iso: string): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/**
 * What a reader must know about a document's life when it is quoted, or null when it is simply
 * in force: "đã được thay thế bởi 105/2025/NĐ-CP từ ngày 01/07/2025", "còn hiệu lực đến hết ngày
 * 30/06/2026; từ ngày 01/07/2026 được thay thế bởi 120/2025/QH15", "chưa có hiệu lực (có hiệu
 * lực từ ngày …)". In the documents' language by default, as the rest of a citation.
 */
export function lifeNote(meta: LifeMeta, asOf: Date | string = new Date(), lang: Lang = "vi"): string | null {
  const life = lifeOf(meta, asOf);
  switch (life.state) {
    case "in-force":
      return null;
    case "not-yet":
      return tl(lang, "answer.life.notYet", { date: vnDay(life.on as string) });
    case "changing":
      return tl(lang, "answer.life.changing", {
        until: vnDay(dayBefore(life.on as string)),
        date: vnDay(life.on as string),
        symbol: life.successor as string,
      });
    case "replaced":
      if (life.successor && life.on)
        return tl(lang, "answer.life.replacedOn", { symbol: life.successor, date: vnDay(life.on) });
      return life.successor
        ? tl(lang, "answer.replacedBy", { symbol: life.successor })
        : tl(lang, "answer.replaced");
  }
}
