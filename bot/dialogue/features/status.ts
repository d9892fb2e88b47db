import { t } from "../../../i18n.js";
import { formatTime } from "../../../workers/render.js";
import { isTriageRefused } from "../../../workers/triage.js";
import type { Feature, Reply, Turn } from "../feature.js";

/** A tip's status for whoever has its case code and PIN. */
async function statusOf(turn: Turn, code: string, pin: string): Promise<Reply[]> {
  try {
    const v = await turn.deps.triage.status(turn.chat, code, pin);
    const line = t("status.line", {
      code: v.caseCode,
      status: t(`status.${v.status}`),
      time: formatTime(v.createdAt),
    });
    return [
      { text: v.outcome ? `${line} ${t("status.outcome", { outcome: t(`outcome.${v.outcome}`) })}` : line },
    ];
  } catch (e) {
    if (!isTriageRefused(e)) throw e;
    return [{ text: t(e.reason === "rate-limited" ? "status.tooMany" : "status.wrong") }];
  }
}

const BARE_CODE = /^(AT-?[A-Z0-9]{4}-?[A-Z0-9]{2})(?:\s+(\d{6}))?$/i;

/** `/trangthai <code> <PIN>`, or the code and PIN typed bare ("AT-65G2-TC 912177"). */
export const statusFeature: Feature = {
  name: "status",
  menu: [{ id: "status", label: "menu.status", order: 30, open: () => [{ text: t("status.menu") }] }],
  commands: {
    trangthai: (turn, arg) => {
      const [code, pin] = arg.split(/\s+/);
      if (!code || !pin) return [{ text: t("status.usage") }];
      return statusOf(turn, code, pin);
    },
  },
  recognise: (turn, text) => {
    const bare = BARE_CODE.exec(text);
    if (!bare) return undefined;
    return bare[2] ? statusOf(turn, bare[1] as string, bare[2]) : [{ text: t("status.needPin") }];
  },
};
