/**
 * Facts a question asks for that a passage must state to answer it, whatever words they share:
 * a sanction for "bị xử lý thế nào", an amount for "phải đóng bao nhiêu tiền".
 */
import { foldKey, words } from "../../text/normalize.js";
import { holds } from "./concepts.js";

const foldedLine = (text: string) => ` ${words(text).map(foldKey).join(" ")} `;

/** How a question asks what happens to someone who breaks a rule (folded words). */
const ASKS_SANCTION = [
  "bi xu ly",
  "xu ly the nao",
  "xu ly ra sao",
  "xu ly nhu the nao",
  "bi phat",
  "xu phat",
  "muc phat",
  "phat bao nhieu",
  "ky luat",
  "che tai",
  "truy cuu",
].map((f) => ` ${f} `);

/** Words of a passage that set a sanction. */
const SANCTIONS = ["phạt", "xử lý", "kỷ luật", "truy cứu", "cảnh cáo", "khiển trách", "đình chỉ", "tịch thu"];

/**
 * Whether a question asks for a sanction ("bị xử lý thế nào", "bị phạt bao nhiêu") that a
 * passage does not set: a rule that only forbids ("Không … sử dụng đồ uống có cồn trong cơ sở
 * giáo dục") does not say what happens to whoever breaks it.
 */
export function lacksSanction(question: string, passage: string): boolean {
  const line = foldedLine(question);
  return ASKS_SANCTION.some((f) => line.includes(f)) && !holds(SANCTIONS, passage);
}

/** How a question asks for a sum of money (folded words). */
const ASKS_AMOUNT = [
  "bao nhieu tien",
  "het bao nhieu",
  "mat bao nhieu",
  "dong bao nhieu",
  "nop bao nhieu",
  "muc dong",
  "muc phi",
  "le phi",
  "muc thu",
].map((f) => ` ${f} `);

/** A sum of money, or a share of one: "400.000 đồng", "2 triệu", "4,5%". */
const AMOUNT = /\d[\d.,]*\s*(?:đồng|nghìn|ngàn|triệu|tỷ|%)|\d{1,3}(?:\.\d{3})+/u;

/**
 * Whether a question asks how much money ("phải đóng bao nhiêu tiền", "mức phí") that a passage
 * does not state: "Nhà nước đóng, hỗ trợ đóng bảo hiểm y tế cho trẻ em" says who pays, not how
 * much.
 */
export function lacksAmount(question: string, passage: string): boolean {
  const line = foldedLine(question);
  return ASKS_AMOUNT.some((f) => line.includes(f)) && !AMOUNT.test(passage);
}
