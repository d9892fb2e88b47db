import { accentKey, foldKey, hasDiacritics, words } from "../../text/normalize.js";
import type { QuestionShape } from "./question-kind.js";

/**
 * Verbs after which "được" is passive — something done to the subject ("trẻ em được bảo vệ",
 * "được công nhận", "quyền được chăm sóc") — not a permission to do it ("được điều khiển xe
 * gắn máy"). Matched on the words right after "được".
 */
const PASSIVE = [
  "bảo vệ",
  "bảo đảm",
  "đảm bảo",
  "chăm sóc",
  "nuôi dưỡng",
  "giáo dục",
  "hưởng",
  "công nhận",
  "cấp",
  "khen thưởng",
  "hỗ trợ",
  "trợ giúp",
  "tư vấn",
  "quy định",
  "thực hiện",
  "tổ chức",
  "xử lý",
  "xử phạt",
  "giải quyết",
  "tiếp nhận",
  "ban hành",
  "đánh giá",
  "tôn trọng",
  "ưu tiên",
  "bồi thường",
  "miễn",
  "giảm",
  "giữ bí mật",
  "xem xét",
  "phổ biến",
  "thông báo",
  "lắng nghe",
  "bố trí",
  "trang bị",
  "kiểm tra",
  "xác minh",
  "truy cứu",
  "kỷ luật",
  "đối xử",
  "phát hiện",
  "can thiệp",
  "đào tạo",
  "tập huấn",
  "khám",
  "cứu",
].map((p) => p.split(" ").map(foldKey));

/** Whether the words from `at` on are one of the passive verbs. */
const passiveAt = (folded: readonly string[], at: number) =>
  PASSIVE.find((p) => p.every((w, j) => folded[at + j] === w)) ?? null;

/** The law's words for what a parent asks to do ("lái" xe is "điều khiển" it). */
const SAME_ACT: Readonly<Record<string, readonly string[]>> = {
  lai: ["điều khiển"],
  chay: ["điều khiển"],
  dung: ["sử dụng"],
  mang: ["mang theo", "sử dụng", "đem"],
};

/**
 * How words are compared with a question's: with their marks when it has them ("mang" is not
 * "mạng"), folded when it was typed without.
 */
const keyFor = (question: string) => (hasDiacritics(question) ? accentKey : foldKey);

/**
 * What a "có được … không?" question asks to be allowed: the words right after its "được"
 * (or "được phép"), folded — "tham gia" in "Trẻ em có được tham gia …". Null when it says
 * none ("… được không?").
 */
export function askedAct(question: string): string[] | null {
  const ws = words(question);
  const folded = ws.map(foldKey);
  const at = folded.lastIndexOf("duoc");
  if (at < 0) return null;
  const from = folded[at + 1] === "phep" ? at + 2 : at + 1;
  const act = folded.slice(from, from + 2).filter((w) => w !== "khong" && w !== "chua");
  return act.length > 0 ? act : null;
}

/**
 * How a sentence may say the act asked (see `askedAct`): its verb, in the question's words or
 * the law's (`SAME_ACT`), then the word after it in the question ("ngồi … ghế", "tham gia",
 * "điều khiển xe"), keyed as the question is. Empty when the question names no act.
 */
function wantedActs(question: string): Array<{ head: string[]; object: string | null }> {
  const act = askedAct(question);
  if (!act) return [];
  const key = keyFor(question);
  const ws = words(question);
  const at = ws.map(foldKey).lastIndexOf("duoc");
  const from = foldKey(ws[at + 1] ?? "") === "phep" ? at + 2 : at + 1;
  const [verb, next] = ws.slice(from, from + act.length).map(key);
  const heads = [[verb as string], ...(SAME_ACT[act[0] as string] ?? []).map((a) => words(a).map(key))];
  return heads.map((head) => ({ head, object: next ?? null }));
}

/**
 * Whether the act is said in `keyed` (the words after a "được"): its verb within the first
 * `within` words, then the question's next word within 8 more.
 */
function says(
  keyed: readonly string[],
  act: { head: string[]; object: string | null },
  within = 12,
): boolean {
  for (let i = 0; i < Math.min(within, keyed.length); i++) {
    if (!act.head.every((w, j) => keyed[i + j] === w)) continue;
    const rest = keyed.slice(i + act.head.length, i + act.head.length + 8);
    if (act.object === null || rest.includes(act.object)) return true;
  }
  return false;
}

/**
 * Whether a sentence grants what the question asks to be allowed: a "được" (not after
 * "không") followed, in its clause, by the act asked ("Trẻ em có quyền được bảo vệ, tiếp cận
 * thông tin, tham gia hoạt động xã hội" grants "tham gia"), in the question's words or the
 * law's (`SAME_ACT`). When the question names no act: any "được" that is not passive ("được
 * bảo vệ", "được công nhận" are done to the subject) nor "được chở" (who rides, not who may).
 */
export function permits(sentence: string, question = ""): boolean {
  const act = askedAct(question);
  const wanted = wantedActs(question);
  const key = keyFor(question);
  for (const clause of sentence.split(/[;.:]/u)) {
    const ws = words(clause);
    const folded = ws.map(foldKey);
    const keyed = ws.map(key);
    for (let i = 0; i < ws.length; i++) {
      if (ws[i] !== "được" || ws[i - 1] === "không") continue;
      const after = keyed.slice(i + 1);
      if (act) {
        if (wanted.some((a) => says(after, a))) return true;
        continue;
      }
      if (ws[i + 1] !== "chở" && passiveAt(folded, i + 1) === null) return true;
    }
  }
  return false;
}

/** Verbs that, forbidden, oblige: "không được từ chối", "không được cản trở". */
const REFUSALS = ["từ chối", "cản trở", "ngăn cản", "gây khó khăn", "trì hoãn"].map((r) =>
  words(r).map(foldKey),
);

const BANS = /nghiêm cấm|(?<![\p{L}])cấm(?![\p{L}])|không cho phép/u;

/**
 * Whether a sentence forbids what the question asks to be allowed: "không được" followed, in its
 * clause, by the act asked (see `permits`), or "cấm" in a sentence that names it. When the
 * question names no act, any prohibition.
 */
export function forbidden(sentence: string, question = ""): boolean {
  const s = sentence.toLocaleLowerCase("vi");
  if (!/không được/u.test(s) && !BANS.test(s)) return false;
  const wanted = wantedActs(question);
  if (wanted.length === 0) return true;
  const key = keyFor(question);
  for (const clause of s.split(/[;.:]/u)) {
    const ws = words(clause);
    const folded = ws.map(foldKey);
    const keyed = ws.map(key);
    // "Nghiêm cấm …" anywhere in the clause that says the act.
    if (BANS.test(clause) && wanted.some((a) => says(keyed, a, keyed.length))) return true;
    for (let i = 1; i < folded.length; i++)
      if (
        folded[i] === "duoc" &&
        folded[i - 1] === "khong" &&
        // "không được từ chối tiếp nhận" obliges to do it.
        !REFUSALS.some((r) => r.every((w, j) => folded[i + 1 + j] === w)) &&
        wanted.some((a) => says(keyed.slice(i + 1), a))
      )
        return true;
  }
  return false;
}

/**
 * What a sentence says to a yes/no question: "yes", "no" or nothing clear. A prohibition
 * ("không được", "nghiêm cấm") says no to "có được … không"; a permission (see `permits`) yes.
 */
export function polarity(shape: QuestionShape, sentence: string, question = ""): "yes" | "no" | null {
  const s = sentence.toLocaleLowerCase("vi");
  const forbids = forbidden(s, question);
  switch (shape.modal) {
    case "must":
      if (/không phải|không bắt buộc/u.test(s)) return "no";
      return /(?<!không )phải|bắt buộc/u.test(s) ? "yes" : null;
    case "may":
      if (forbids) return "no";
      return permits(s, question) ? "yes" : null;
    case "penalty":
      return /phạt|xử lý|kỷ luật/u.test(s) ? "yes" : null;
    default:
      return null;
  }
}
