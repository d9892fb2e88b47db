/**
 * Abbreviations people type in questions and that documents use, keyed by their folded,
 * lower-case form. Expanding them on both sides (documents and questions) makes "ANTT" match
 * "an ninh, trật tự" and "nd 80" match "Nghị định 80".
 *
 * `when` limits ambiguous ones: "always" (never a Vietnamese syllable), "upper" (only written
 * in capitals: "CA" vs "ca"), "number" (in capitals or followed by a number: "TT 124", "nd 80").
 */
export interface Abbreviation {
  readonly expansion: string;
  readonly when: "always" | "upper" | "number";
}

const table: Record<string, [string, Abbreviation["when"]]> = {
  antt: ["an ninh trật tự", "always"],
  antq: ["an ninh Tổ quốc", "always"],
  anqg: ["an ninh quốc gia", "always"],
  ttatxh: ["trật tự an toàn xã hội", "always"],
  ttatgt: ["trật tự an toàn giao thông", "always"],
  pccc: ["phòng cháy chữa cháy", "always"],
  cnch: ["cứu nạn cứu hộ", "always"],
  atgt: ["an toàn giao thông", "always"],
  tnxh: ["tệ nạn xã hội", "always"],
  blhd: ["bạo lực học đường", "always"],
  bca: ["Bộ Công an", "always"],
  bgddt: ["Bộ Giáo dục và Đào tạo", "always"],
  gddt: ["giáo dục và đào tạo", "always"],
  sgddt: ["Sở Giáo dục và Đào tạo", "always"],
  pgddt: ["Phòng Giáo dục và Đào tạo", "always"],
  ubnd: ["Ủy ban nhân dân", "always"],
  hdnd: ["Hội đồng nhân dân", "always"],
  mttq: ["Mặt trận Tổ quốc", "always"],
  thcs: ["trung học cơ sở", "always"],
  thpt: ["trung học phổ thông", "always"],
  gdnn: ["giáo dục nghề nghiệp", "always"],
  ttlt: ["thông tư liên tịch", "always"],
  gplx: ["giấy phép lái xe", "always"],
  mbh: ["mũ bảo hiểm", "always"],
  gvcn: ["giáo viên chủ nhiệm", "always"],
  bgh: ["ban giám hiệu", "always"],
  phhs: ["phụ huynh học sinh", "always"],
  hs: ["học sinh", "always"],
  gv: ["giáo viên", "always"],
  ko: ["không", "always"],
  dc: ["được", "always"],
  ca: ["công an", "upper"],
  mn: ["mầm non", "upper"],
  th: ["tiểu học", "upper"],
  tt: ["thông tư", "number"],
  nd: ["nghị định", "number"],
  qd: ["quyết định", "number"],
  ct: ["chỉ thị", "number"],
  kl: ["kết luận", "number"],
  nq: ["nghị quyết", "number"],
  hd: ["hướng dẫn", "number"],
  kh: ["kế hoạch", "number"],
  qh: ["Quốc hội", "upper"],
};

export const ABBREVIATIONS: ReadonlyMap<string, Abbreviation> = new Map(
  Object.entries(table).map(([key, [expansion, when]]) => [key, { expansion, when }]),
);

/**
 * The expansion of `raw` (a word as written) if it is an abbreviation in this position.
 * `folded` is its folded lower-case form; `next` the following word as written, if any.
 */
export function expandAbbreviation(
  raw: string,
  folded: string,
  next: string | undefined,
): string | undefined {
  const entry = ABBREVIATIONS.get(folded);
  if (!entry) return undefined;
  const upper = raw.length > 1 && raw === raw.toLocaleUpperCase("vi");
  switch (entry.when) {
    case "always":
      return entry.expansion;
    case "upper":
      return upper ? entry.expansion : undefined;
    case "number":
      return upper || (next !== undefined && /^\d/.test(next)) ? entry.expansion : undefined;
  }
}
