import type { OutgoingMessage } from "./messenger.js";
import type { RoutingTable } from "./routing/routing-table.js";
import { officerActions, officerCommand } from "./tip/officer-actions.js";
import { CATEGORY_LABELS, URGENCY_LABELS } from "./tip/tip.js";
import type { TipRecord } from "./tip/tip-store.js";

const TIME = new Intl.DateTimeFormat("vi-VN", {
  timeZone: "Asia/Ho_Chi_Minh",
  dateStyle: "short",
  timeStyle: "short",
});

export function formatTime(ms: number): string {
  return TIME.format(new Date(ms));
}

/** Where a tip happened, in words: school, commune and the tipster's own description. */
export function placeText(tip: TipRecord, routing: RoutingTable): string {
  const school = tip.place.schoolId ? routing.schools.find((s) => s.id === tip.place.schoolId) : undefined;
  const communeId = tip.communeId ?? school?.commune ?? tip.place.communeId;
  const commune = communeId ? routing.communes.find((c) => c.id === communeId) : undefined;
  const parts = [school?.name, commune?.name].filter(Boolean).join(", ");
  const text = tip.place.text ? `“${tip.place.text}”` : "";
  return [parts, text].filter(Boolean).join(" — ") || "không rõ";
}

const HEADINGS = {
  "new-tip": "TIN BÁO MỚI",
  escalation: "CHƯA CÓ AI NHẬN XỬ LÝ — CHUYỂN LÊN ĐỒNG CHÍ",
  forwarded: "TIN BÁO ĐƯỢC CHUYỂN ĐẾN ĐỒNG CHÍ",
} as const;

/** The message an officer receives for a tip. Holds nothing about who sent it. */
export function officerTipMessage(
  tip: TipRecord,
  routing: RoutingTable,
  kind: keyof typeof HEADINGS,
  note?: string,
): OutgoingMessage {
  const urgent = tip.urgency === "khan-cap";
  const lines = [
    `${urgent ? "🚨 " : ""}${HEADINGS[kind]}${urgent ? " [KHẨN CẤP]" : ""} — mã ${tip.caseCode}`,
    `Loại: ${CATEGORY_LABELS[tip.category]}`,
    `Mức độ: ${URGENCY_LABELS[tip.urgency]}`,
    `Nơi: ${placeText(tip, routing)}`,
    `Thời gian gửi: ${formatTime(tip.createdAt)}`,
    `Nội dung: ${tip.description}`,
    ...(note ? [note] : []),
    `Người báo tin ẩn danh. Dùng “Hỏi thêm” (lệnh ${officerCommand("ask", tip.caseCode)}) để hỏi lại qua bot; bot không tiết lộ người gửi.`,
  ];
  return { text: lines.join("\n"), actions: officerActions(tip) };
}
