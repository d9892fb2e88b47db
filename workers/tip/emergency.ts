import { foldKey, words } from "../../text/normalize.js";

/** What kind of immediate danger a message mentions. */
export type EmergencyKind = "fire" | "violence" | "self-harm" | "medical";

// Folded phrases (no diacritics) so that hurried typing without marks is caught too.
const CUES: Record<EmergencyKind, readonly string[]> = {
  fire: ["dang chay", "chay lon", "bi chay", "chay no", "no lon", "khoi bao trum", "mac ket"],
  violence: [
    "danh nhau",
    "dang danh",
    "bi danh",
    "co dao",
    "cam dao",
    "co sung",
    "dam nguoi",
    "bi dam",
    "bat coc",
    "hiep dam",
    "xam hai",
    "de doa giet",
  ],
  "self-harm": ["tu tu", "tu sat", "muon chet", "tu lam hai", "rach tay", "nhay lau", "khong muon song"],
  medical: ["ngat xiu", "bat tinh", "soc thuoc", "qua lieu", "ngo doc", "chay mau nhieu", "khong tho duoc"],
};

export interface Emergency {
  /** Kinds of danger found; channels show the matching hotline guidance (locales "emergency.*"). */
  readonly kinds: EmergencyKind[];
}

/**
 * Detects danger to life right now in a message, in any channel, with or without diacritics.
 * Returns undefined when nothing urgent is mentioned.
 */
export function detectEmergency(text: string): Emergency | undefined {
  const folded = ` ${words(text).map(foldKey).join(" ")} `;
  const kinds = (Object.keys(CUES) as EmergencyKind[]).filter((k) =>
    CUES[k].some((cue) => folded.includes(` ${cue} `)),
  );
  if (kinds.length === 0) return undefined;
  return { kinds };
}
