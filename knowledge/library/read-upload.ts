import { basename, extname } from "node:path";
import { chunkDocument } from "../chunk/chunk-document.js";
import type { LoadedDocument } from "../document.js";
import { type DetectedArticle, detectArticles, detectSymbol, splitArticles } from "../load/meta.js";
import { loadSource } from "../load/sources.js";
import { UploadRejectedError } from "./errors.js";

/** Largest upload accepted: 20 MB, far above any decree as text, below any scan worth OCR here. */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/** What an upload is, judged by its bytes (never by its name). */
export type UploadFormat = "pdf" | "docx";

/** Something an admin should look at before confirming; `code` is stable, `message` for logs. */
export interface PreviewWarning {
  readonly code: "no-symbol" | "no-articles" | "no-text" | "same-symbol" | "same-file";
  readonly message: string;
}

/** What was read from an upload: what the console shows before the admin confirms. */
export interface ReadUpload {
  /** The name it was uploaded under (for display and the audit; not trusted for its type). */
  readonly filename: string;
  readonly format: UploadFormat;
  readonly size: number;
  /** "Quyết định về việc …" from the heading, else the first line of the text. */
  readonly title: string;
  /** From "Số: …" ("15/2025/QĐ-UBND"). */
  readonly symbol?: string;
  /** The authority in the header ("ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ"). */
  readonly issuer?: string;
  /** quyết định, thông tư, nghị định, luật, chỉ thị, kế hoạch … */
  readonly kind?: string;
  /** ISO day of signing ("…, ngày 12 tháng 3 năm 2025"). */
  readonly date?: string;
  /** ISO day it takes effect ("có hiệu lực từ ngày …", or the date for "kể từ ngày ký"). */
  readonly effective?: string;
  /** "Điều N." headings, in order. */
  readonly articles: readonly DetectedArticle[];
  /** Passages the index will hold for it. */
  readonly chunks: number;
  /** The first non-empty lines of the text (up to 8), to recognise the document. */
  readonly firstLines: readonly string[];
  readonly warnings: readonly PreviewWarning[];
  /**
   * Cut the text at its articles when ingesting: one or two "Điều N." lines are too few for the
   * chunker to read it as a legal text (see `split_articles` in knowledge/load/meta.ts).
   */
  readonly splitArticles: boolean;
}

/**
 * The format of an upload from its first bytes: `%PDF-` (within the first KiB, as readers
 * allow), or a zip (`PK\x03\x04`) naming `word/document.xml`. Anything else is undefined.
 */
export function sniffFormat(bytes: Buffer): UploadFormat | undefined {
  if (bytes.subarray(0, 1024).includes("%PDF-")) return "pdf";
  if (
    bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])) &&
    bytes.includes("word/document.xml")
  )
    return "docx";
  return undefined;
}

/**
 * Reads an upload the way the ingest will (the same loaders and chunker) and says what it found.
 * Writes nothing.
 * @throws UploadRejectedError too large, not a PDF/DOCX by content, or a file its loader cannot read
 */
export async function readUpload(bytes: Buffer, filename: string): Promise<ReadUpload> {
  const name = basename(filename.replace(/\\/g, "/")) || "document";
  if (bytes.length > MAX_UPLOAD_BYTES)
    throw new UploadRejectedError(
      name,
      "too-large",
      `${(bytes.length / 1048576).toFixed(1)} MB is over the ${MAX_UPLOAD_BYTES / 1048576} MB limit`,
    );
  const format = sniffFormat(bytes);
  if (!format) throw new UploadRejectedError(name, "unsupported-type", "is neither a PDF nor a DOCX file");
  // The loader is chosen by extension: give the one the content has.
  const path = `${basename(name, extname(name)) || "document"}.${format}`;
  let doc: LoadedDocument | undefined;
  let empty = false;
  try {
    [doc] = await loadSource({ path, hash: "", bytes });
  } catch (e) {
    empty = /no text found/.test((e as Error).message);
    if (!empty)
      throw new UploadRejectedError(name, "unreadable", (e as Error).message.replace(`${path}: `, ""), {
        cause: e,
      });
  }
  const text = doc?.text ?? "";
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const articles = detectArticles(text);
  const split = articles.length > 0 && articles.length < 3;
  const chunks = doc ? chunkDocument(split ? { ...doc, text: "", articles: splitArticles(text) } : doc) : [];
  const symbol = detectSymbol(text);
  const date = dayIn(text.slice(0, 2000));
  const effective = effectiveDay(text, date);
  const kind = kindOf(lines) ?? kindOfSymbol(symbol);
  const issuer = issuerOf(lines);
  const warnings: PreviewWarning[] = [];
  if (empty)
    warnings.push({
      code: "no-text",
      message:
        format === "pdf"
          ? "no text layer: a scanned PDF cannot be indexed until it is OCR'd"
          : "the document has no text",
    });
  else {
    if (!symbol) warnings.push({ code: "no-symbol", message: 'no "Số: …" line: give the symbol by hand' });
    if (articles.length === 0)
      warnings.push({
        code: "no-articles",
        message: 'no "Điều N." headings: it is indexed by sections, cited without article numbers',
      });
  }
  return {
    filename: name,
    format,
    size: bytes.length,
    title: titleOf(lines) ?? doc?.meta.title ?? basename(name, extname(name)),
    ...(symbol && { symbol }),
    ...(issuer && { issuer }),
    ...(kind && { kind }),
    ...(date && { date }),
    ...(effective && { effective }),
    articles,
    chunks: chunks.length,
    firstLines: lines.slice(0, 8),
    warnings,
    splitArticles: split,
  };
}

/** Kinds of official texts, as their heading line writes them (longest first). */
const KINDS = [
  "THÔNG TƯ LIÊN TỊCH",
  "NGHỊ QUYẾT",
  "NGHỊ ĐỊNH",
  "QUYẾT ĐỊNH",
  "THÔNG TƯ",
  "CHỈ THỊ",
  "KẾ HOẠCH",
  "HƯỚNG DẪN",
  "THÔNG BÁO",
  "CÔNG VĂN",
  "BÁO CÁO",
  "QUY CHẾ",
  "QUY ĐỊNH",
  "LUẬT",
];
/** The kind from the letters of a symbol ("15/2025/QĐ-UBND" → quyết định). */
const SYMBOL_KINDS: ReadonlyArray<[RegExp, string]> = [
  [/\/TTLT-/u, "thông tư liên tịch"],
  [/\/QĐ-/u, "quyết định"],
  [/\/TT-/u, "thông tư"],
  [/\/NĐ-/u, "nghị định"],
  [/\/NQ-/u, "nghị quyết"],
  [/\/CT-/u, "chỉ thị"],
  [/\/KH-/u, "kế hoạch"],
  [/\/HD-/u, "hướng dẫn"],
  [/\/TB-/u, "thông báo"],
  [/\/BC-/u, "báo cáo"],
  [/\/QH\d+$/u, "luật"],
];
/** Lines of the national motto beside the issuer in the header: never the issuer or a title. */
const MOTTO =
  /CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM|CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM|Độc lập\s*[-–—]\s*Tự do\s*[-–—]\s*Hạnh phúc/giu;
/** Lines after the heading that start the body, not the title. */
const BODY = /^(Căn cứ|Theo đề nghị|Điều\s+\d|Chương\s|Phần\s|Mục\s|Để\s|Thực hiện\s|Kính gửi)/u;

const isCaps = (line: string) => /\p{Lu}/u.test(line) && line === line.toLocaleUpperCase("vi");
const kindLine = (line: string) => KINDS.find((k) => line.replace(MOTTO, "").trim() === k);

function kindOf(lines: readonly string[]): string | undefined {
  for (const line of lines.slice(0, 30)) {
    const k = kindLine(line);
    if (k) return k.toLocaleLowerCase("vi");
  }
  return undefined;
}

function kindOfSymbol(symbol: string | undefined): string | undefined {
  return symbol ? SYMBOL_KINDS.find(([re]) => re.test(symbol))?.[1] : undefined;
}

/** The capitalised lines of the header before "Số:" or the heading, without the motto. */
function issuerOf(lines: readonly string[]): string | undefined {
  const parts: string[] = [];
  for (const line of lines.slice(0, 12)) {
    if (/^(Số|Luật số)\b/u.test(line) || kindLine(line) || /ngày\s+\d/u.test(line)) break;
    const rest = line
      .replace(MOTTO, "")
      .replace(/[-_–—]{3,}/g, "")
      .trim();
    if (rest && isCaps(rest)) parts.push(rest);
    else if (rest) break;
  }
  return parts.length > 0 ? parts.join(" ").replace(/\s+/g, " ") : undefined;
}

/** "QUYẾT ĐỊNH" + "Về việc …" → "Quyết định về việc …" (up to three lines of subject). */
function titleOf(lines: readonly string[]): string | undefined {
  const at = lines.slice(0, 30).findIndex((l) => kindLine(l) !== undefined);
  if (at < 0) return undefined;
  const kind = kindLine(lines[at] as string) as string;
  const subject: string[] = [];
  for (const line of lines.slice(at + 1, at + 4)) {
    if (BODY.test(line) || (subject.length > 0 && isCaps(line))) break;
    subject.push(line);
  }
  if (subject.length === 0) return undefined;
  let about = subject.join(" ").replace(/\s+/g, " ").trim();
  if (isCaps(about)) about = about.toLocaleLowerCase("vi");
  else about = about.charAt(0).toLocaleLowerCase("vi") + about.slice(1);
  const head = kind.charAt(0) + kind.slice(1).toLocaleLowerCase("vi");
  const title = `${head} ${about}`;
  return title.length > 300 ? `${title.slice(0, 297)}…` : title;
}

const iso = (d: string, m: string, y: string) => {
  const day = Number(d);
  const month = Number(m);
  if (day < 1 || day > 31 || month < 1 || month > 12) return undefined;
  return `${y}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
};

/** The first "ngày 12 tháng 3 năm 2025" or "ngày 12/3/2025" in `text`, as an ISO day. */
function dayIn(text: string): string | undefined {
  const m = /ngày\s+(\d{1,2})\s*(?:tháng\s+|[/.-])(\d{1,2})\s*(?:năm\s+|[/.-])(\d{4})/iu.exec(text);
  return m ? iso(m[1] as string, m[2] as string, m[3] as string) : undefined;
}

/** "có hiệu lực (thi hành) (kể) từ ngày …": that day, or the signing day for "từ ngày ký". */
function effectiveDay(text: string, signed: string | undefined): string | undefined {
  const m = /có hiệu lực(?:\s+thi hành)?(?:\s+kể)?\s+từ\s+(ngày\s+ký|ngày\s+[^\n]{0,40})/iu.exec(text);
  if (!m) return undefined;
  if (/^ngày\s+ký/iu.test(m[1] as string)) return signed;
  return dayIn(m[1] as string);
}
