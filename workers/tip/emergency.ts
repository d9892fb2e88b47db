import { foldKey, words } from "../../knowledge/text/normalize.js";

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

const GUIDANCE: Record<EmergencyKind, string> = {
  fire: "Nếu đang có cháy, nổ: rời khỏi chỗ nguy hiểm và gọi ngay 114 (cứu hỏa, cứu nạn — miễn phí).",
  violence: "Nếu có người đang bị tấn công hoặc đe dọa: tránh xa nơi nguy hiểm và gọi ngay 113 (công an).",
  "self-harm":
    "Nếu bạn hoặc ai đó đang nghĩ đến việc tự làm hại mình: gọi ngay 111 (bảo vệ trẻ em, miễn phí) hoặc 115, và ở cạnh một người lớn tin cậy. Bạn không một mình.",
  medical: "Nếu có người bị thương, bất tỉnh hay ngộ độc: gọi ngay 115 (cấp cứu).",
};

export interface Emergency {
  readonly kinds: EmergencyKind[];
  /** Hotline guidance to show before anything else, one line per kind. */
  readonly guidance: string[];
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
  return {
    kinds,
    guidance: [
      ...kinds.map((k) => GUIDANCE[k]),
      "Bot này không thay thế 113/114/115: trong tình huống khẩn cấp, hãy gọi điện trước.",
    ],
  };
}
