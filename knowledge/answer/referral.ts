import { type Lang, tl } from "../../i18n.js";
import { foldKey, words } from "../../text/normalize.js";

/** Where to turn when the corpus has no answer, by the topic the question seems to be about. */
interface Referral {
  /** Folded words or phrases that point to this topic. */
  readonly cues: readonly string[];
  /** Its catalogue key (`referral.<topic>`). */
  readonly key: string;
}

const REFERRALS: readonly Referral[] = [
  { cues: ["chay", "no", "pccc", "chua chay", "cuu nan", "cuu ho", "khoi"], key: "referral.fire" },
  {
    cues: ["bao luc", "danh nhau", "bat nat", "xam hai", "xam pham", "bao hanh", "tre em", "hoc sinh bi"],
    key: "referral.violence",
  },
  { cues: ["ma tuy", "thuoc lac", "can sa", "nghien", "chat cam"], key: "referral.drugs" },
  { cues: ["thuoc la", "vape", "ruou", "bia", "do uong co con"], key: "referral.tobacco" },
  { cues: ["cap cuu", "tai nan", "bi thuong", "ngo doc", "benh"], key: "referral.medical" },
  {
    cues: [
      "giao thong",
      "xe may",
      "mu bao hiem",
      "bang lai",
      "giay phep lai xe",
      "atgt",
      "bi phat",
      "muc phat",
      "phat tien",
      "xu phat",
    ],
    key: "referral.traffic",
  },
];

/**
 * The referral lines that fit a question, most specific first; the general line always last.
 * In `lang`, the asker's language (default Vietnamese).
 */
export function referralsFor(question: string, lang: Lang = "vi"): string[] {
  const folded = ` ${words(question).map(foldKey).join(" ")} `;
  const found = REFERRALS.filter((r) => r.cues.some((c) => folded.includes(` ${c} `))).map((r) => r.key);
  return [...found.slice(0, 2), "referral.general"].map((key) => tl(lang, key));
}
