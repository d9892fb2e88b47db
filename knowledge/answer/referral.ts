import { foldKey, words } from "../../text/normalize.js";

/** Where to turn when the corpus has no answer, by the topic the question seems to be about. */
interface Referral {
  /** Folded words or phrases that point to this topic. */
  readonly cues: readonly string[];
  readonly text: string;
}

const REFERRALS: readonly Referral[] = [
  {
    cues: ["chay", "no", "pccc", "chua chay", "cuu nan", "cuu ho", "khoi"],
    text: "Nếu đang có cháy, nổ hoặc cần cứu nạn, gọi ngay 114 (miễn phí). Về quy định phòng cháy, chữa cháy, hỏi Công an xã/phường nơi bạn ở.",
  },
  {
    cues: ["bao luc", "danh nhau", "bat nat", "xam hai", "xam pham", "bao hanh", "tre em", "hoc sinh bi"],
    text: "Nếu một em nhỏ đang bị bạo lực, xâm hại hay bắt nạt, gọi 111 (Tổng đài quốc gia bảo vệ trẻ em, miễn phí) hoặc 113; báo ngay cho nhà trường và Công an xã/phường.",
  },
  {
    cues: ["ma tuy", "thuoc lac", "can sa", "nghien", "chat cam"],
    text: "Tin về ma túy hãy báo Công an xã/phường (hoặc gửi tin báo ẩn danh qua bot này); khi khẩn cấp gọi 113.",
  },
  {
    cues: ["cap cuu", "tai nan", "bi thuong", "ngo doc", "benh"],
    text: "Khi có người bị thương hay cần cấp cứu, gọi 115 (miễn phí).",
  },
  {
    cues: ["giao thong", "xe may", "mu bao hiem", "bang lai", "giay phep lai xe", "atgt", "phat"],
    text: "Về giao thông và mức phạt cụ thể, hỏi Cảnh sát giao thông hoặc Công an xã/phường nơi bạn ở.",
  },
];

const GENERAL =
  "Bạn có thể hỏi nhà trường hoặc Công an xã/phường nơi bạn ở. Khẩn cấp: 113 (công an), 114 (cháy, cứu nạn), 115 (cấp cứu), 111 (bảo vệ trẻ em).";

/** The referral lines that fit a question, most specific first; the general line always last. */
export function referralsFor(question: string): string[] {
  const folded = ` ${words(question).map(foldKey).join(" ")} `;
  const found = REFERRALS.filter((r) => r.cues.some((c) => folded.includes(` ${c} `))).map((r) => r.text);
  return [...found.slice(0, 2), GENERAL];
}
