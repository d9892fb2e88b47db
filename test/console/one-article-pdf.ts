import type { IndexChannel } from "../../knowledge/index/live-index.js";

/**
 * What the console's document tests upload: a one-page PDF of a provincial decision with one
 * article (the shape of test/knowledge/library.test.ts's), and a question only it answers.
 */

export const DECISION = [
  "ỦY BAN NHÂN DÂN",
  "TỈNH QUẢNG TRỊ",
  "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
  "Độc lập - Tự do - Hạnh phúc",
  "Số: 15/2025/QĐ-UBND",
  "Quảng Trị, ngày 12 tháng 3 năm 2025",
  "QUYẾT ĐỊNH",
  "Về việc quy định điểm dừng xe đưa đón học sinh trước cổng trường",
  "Căn cứ Luật Trật tự, an toàn giao thông đường bộ;",
  "Điều 1. Điểm dừng xe đưa đón học sinh",
  "Phụ huynh dừng xe đưa đón học sinh cách cổng trường ít nhất 20 mét và không quá 5 phút.",
  "Quyết định này có hiệu lực từ ngày 01 tháng 4 năm 2025.",
];
export const SYMBOL = "15/2025/QĐ-UBND";
export const DOC_ID = "15-2025-qd-ubnd";
export const QUESTION = "Phụ huynh dừng xe đưa đón học sinh cách cổng trường bao nhiêu mét?";

/**
 * A one-page PDF whose text is `lines`, written by hand: Helvetica with every non-ASCII letter
 * given a code of its own (an /Encoding naming its glyph and a /ToUnicode map), so the text
 * layer reads back as Vietnamese.
 */
export function makePdf(lines: readonly string[]): Buffer {
  const others = [...new Set(lines.join(""))].filter((c) => (c.codePointAt(0) as number) > 0x7e);
  if (others.length > 128) throw new Error("too many distinct letters for one simple font");
  const code = new Map(others.map((c, i) => [c, 0x80 + i]));
  const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, "0");
  const encode = (s: string) =>
    [...s].map((c) => hex(code.get(c) ?? (c.codePointAt(0) as number), 2)).join("");
  const content = [
    "BT",
    "/F1 11 Tf",
    "14 TL",
    "50 780 Td",
    ...lines.map((l) => `<${encode(l)}> Tj T*`),
    "ET",
  ].join("\n");
  const pairs = [...code].map(([c, n]) => `<${hex(n, 2)}> <${hex(c.codePointAt(0) as number, 4)}>`);
  const cmap = [
    "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
    "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
    "1 begincodespacerange <00> <FF> endcodespacerange",
    `${pairs.length} beginbfchar`,
    ...pairs,
    "endbfchar endcmap CMapName currentdict /CMap defineresource pop end end",
  ].join("\n");
  const glyphs = [...code.keys()].map((c) => `/uni${hex(c.codePointAt(0) as number, 4)}`).join(" ");
  const stream = (s: string) => `<< /Length ${Buffer.byteLength(s, "latin1")} >>\nstream\n${s}\nendstream`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
    `<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FirstChar 32 /LastChar 255 /Widths [${"500 ".repeat(224)}] ` +
      `/Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [128 ${glyphs}] >> /ToUnicode 6 0 R >>`,
    stream(content),
    stream(cmap),
  ];
  let pdf = "%PDF-1.4\n";
  const offsets = objects.map((o, i) => {
    const at = Buffer.byteLength(pdf, "latin1");
    pdf += `${i + 1} 0 obj\n${o}\nendobj\n`;
    return at;
  });
  const xref = Buffer.byteLength(pdf, "latin1");
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("");
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, "latin1");
}

/** An in-memory IndexChannel, as Redis pub/sub would carry it. */
export function memoryChannel(): IndexChannel {
  const listeners = new Set<(version: string) => void>();
  return {
    announce: async (version) => {
      for (const l of listeners) l(version);
    },
    subscribe: async (onVersion) => {
      listeners.add(onVersion);
      return { close: async () => void listeners.delete(onVersion) };
    },
  };
}
