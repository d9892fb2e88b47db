import { foldKey, hasDiacritics, words } from "../../text/normalize.js";

/**
 * What a question asks for, which decides the answer's first words: a list of items, a number
 * (an amount, a hotline, an age), a date or a time limit, who, or yes/no.
 */
export type QuestionKind = "list" | "number" | "when" | "who" | "yes-no" | "other";

/** What a yes/no question asks: an obligation ("có phải … không"), a permission, a penalty. */
export type Modal = "must" | "may" | "penalty" | null;

export interface QuestionShape {
  readonly kind: QuestionKind;
  readonly modal: Modal;
  /** The age the question is about ("con tôi 15 tuổi"), when it names one. */
  readonly age: number | null;
  /** Whether it asks for a phone number (a hotline). */
  readonly phone: boolean;
}

const has = (line: string, patterns: readonly string[]) => patterns.some((p) => line.includes(` ${p} `));

const LIST = [
  "gom nhung gi",
  "bao gom nhung gi",
  "bao gom",
  "gom nhung",
  "tieu chi",
  "nhung hanh vi nao",
  "hanh vi nao",
  "nhung viec gi",
  "nhung viec nao",
  "nhung noi dung nao",
  "nhung dieu kien nao",
  "nhung quy dinh nao",
  "nhung truong hop nao",
  "cac buoc",
  "nhung gi",
  "liet ke",
];
const NUMBER = [
  "bao nhieu",
  "so dien thoai",
  "so may",
  "goi so",
  "so nao",
  "muc phat",
  "may tuoi",
  "may ngay",
  "may lan",
  "may nam",
  "may gio",
  "ti le",
];
const WHEN = [
  "khi nao",
  "bao gio",
  "bao lau",
  "thoi han",
  "ngay nao",
  "tu ngay nao",
  "luc nao",
  "thang nao",
  "nam nao",
];
const WHO = ["ai", "co quan nao", "don vi nao", "nguoi nao", "cap nao", "tham quyen"];

/** Nouns a count is asked of: "mấy người", "may lan". */
const COUNTED = "nguoi|lan|ngay|nam|gio|thang|tuan|buoi|tieng|phut|con|chiec|cai|km|met|xe|truong|lop";

/**
 * Whether a question asks "mấy …" (how many): written with its marks, or without them before a
 * counted noun — "may" alone is as often "máy" (xe máy, thang máy).
 */
function countAsked(question: string, line: string): boolean {
  if (/(?:^|[^\p{L}])mấy(?![\p{L}])/iu.test(question.normalize("NFC"))) return true;
  return (
    new RegExp(` (?<!xe |gan |thang |dong |nha )may (?:${COUNTED}) `).test(line) && !hasDiacritics(question)
  );
}

/** "tháng mấy", "ngày mấy": a date, asked with "mấy" (with its marks: "thang may" may be a lift). */
const dateAsked = (question: string) => /(?:tháng|ngày|năm) mấy(?![\p{L}])/iu.test(question.normalize("NFC"));

/** Reads a question's kind from its wording (with or without diacritics). */
export function questionShape(question: string): QuestionShape {
  const folded = words(question).map(foldKey);
  const line = ` ${folded.join(" ")} `;
  const ageMatch = / (\d{1,2}) tuoi /.exec(line);
  const age = ageMatch ? Number(ageMatch[1]) : null;
  const last = folded.at(-1);
  const yesNo =
    last === "khong" ||
    last === "chua" ||
    has(line, ["hay khong", "co phai", "co duoc", "co bi", "duoc khong", "phai khong", "dung khong"]);
  const modal: Modal = has(line, ["co bi", "bi phat", "bi xu phat", "bi xu ly"])
    ? "penalty"
    : has(line, ["co phai", "bat buoc", "phai khong"])
      ? "must"
      : has(line, ["co duoc", "duoc khong", "duoc phep", "duoc di", "duoc lai", "duoc dieu khien"])
        ? "may"
        : null;
  const kind: QuestionKind = has(line, LIST)
    ? "list"
    : has(line, NUMBER) || (countAsked(question, line) && !dateAsked(question))
      ? "number"
      : has(line, WHEN) || dateAsked(question)
        ? "when"
        : has(line, WHO)
          ? "who"
          : yesNo
            ? "yes-no"
            : "other";
  const phone = has(line, ["so dien thoai", "goi so", "so nao", "so may", "duong day nong", "tong dai"]);
  return { kind, modal: kind === "yes-no" || kind === "number" ? modal : null, age, phone };
}
