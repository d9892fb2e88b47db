import { removeDiacritics } from "../../text/normalize.js";

/**
 * What the directory's descriptive columns hold — a commune's kind, a school's level, a
 * contact's rank, unit and role — read from the names, because today's YAML format has no field
 * for them and official names carry them ("Phường An Hòa", "Trường THCS An Hòa", "Thượng úy
 * Nguyễn Văn Minh – Công an phường An Hòa"). Null when a name does not say. Nothing routes on
 * them; they are for lists, filters and the people and roles of the next slice.
 */

export type CommuneKind = "xa" | "phuong" | "dac-khu";
export type SchoolLevel = "mam-non" | "tieu-hoc" | "thcs" | "thpt" | "lien-cap";
export type ContactRole = "duty-desk" | "unit" | "officer";

/** Lower case, no diacritics, single spaces: "Đặc khu Hòn Ngọc" → "dac khu hon ngoc". */
function fold(text: string): string {
  return removeDiacritics(text).toLowerCase().replace(/\s+/g, " ").trim();
}

const COMMUNE_KINDS: ReadonlyArray<[string, CommuneKind]> = [
  ["xa ", "xa"],
  ["phuong ", "phuong"],
  ["dac khu ", "dac-khu"],
];

/** "Xã Tân Lập" → "xa", "Phường An Hòa" → "phuong", "Đặc khu Hòn Ngọc" → "dac-khu". */
export function communeKindOf(name: string): CommuneKind | null {
  const f = fold(name);
  return COMMUNE_KINDS.find(([prefix]) => f.startsWith(prefix))?.[1] ?? null;
}

const LEVEL_WORDS: ReadonlyArray<[RegExp, Exclude<SchoolLevel, "lien-cap">]> = [
  [/\bmam non\b/, "mam-non"],
  [/\b(?:tieu hoc|th)\b/, "tieu-hoc"],
  [/\b(?:thcs|trung hoc co so)\b/, "thcs"],
  [/\b(?:thpt|trung hoc pho thong)\b/, "thpt"],
];

/**
 * "Trường THCS An Hòa" → "thcs"; a name naming two levels ("Trường Tiểu học và THCS Tân Lập")
 * or saying so ("liên cấp", "nhiều cấp học") → "lien-cap".
 */
export function schoolLevelOf(name: string): SchoolLevel | null {
  const f = fold(name);
  if (/\b(?:lien cap|nhieu cap)\b/.test(f)) return "lien-cap";
  const levels = LEVEL_WORDS.filter(([re]) => re.test(f)).map(([, level]) => level);
  if (levels.length > 1) return "lien-cap";
  return levels[0] ?? null;
}

/** People's Public Security ranks, highest first (Luật Công an nhân dân, Điều 21). */
const RANKS = [
  "Đại tướng",
  "Thượng tướng",
  "Trung tướng",
  "Thiếu tướng",
  "Đại tá",
  "Thượng tá",
  "Trung tá",
  "Thiếu tá",
  "Đại úy",
  "Thượng úy",
  "Trung úy",
  "Thiếu úy",
  "Thượng sĩ",
  "Trung sĩ",
  "Hạ sĩ",
  "Binh nhất",
  "Binh nhì",
] as const;
const FOLDED_RANKS = RANKS.map((r) => [fold(r), r] as const);

export interface ContactDescription {
  readonly rank: string | null;
  readonly unit: string | null;
  readonly role: ContactRole | null;
}

/**
 * "Thượng úy Nguyễn Văn Minh – Công an phường An Hòa" → officer, rank "Thượng úy", unit "Công an
 * phường An Hòa"; "Trực ban Công an phường An Hòa" → duty desk of "Công an phường An Hòa";
 * "Phòng … – Công an tỉnh Sông Xanh", "Đội …", "Công an …" → a unit, the whole name.
 */
export function describeContact(name: string): ContactDescription {
  const [head = "", ...rest] = name.split(/\s+[–—-]\s+/);
  const after = rest.join(" – ").trim() || null;
  const f = fold(head);
  const rank = FOLDED_RANKS.find(([folded]) => f.startsWith(`${folded} `));
  if (rank) return { rank: rank[1], unit: after, role: "officer" };
  if (f.startsWith("truc ban ")) {
    const own = head.trim().split(/\s+/).slice(2).join(" ");
    return { rank: null, unit: after ?? (own || null), role: "duty-desk" };
  }
  if (/^(?:phong|doi|cong an|canh sat|bo chi huy) /.test(f))
    return { rank: null, unit: name.trim(), role: "unit" };
  return { rank: null, unit: after, role: null };
}
