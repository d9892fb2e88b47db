import { t } from "../../i18n.js";
import type { Emergency } from "../../workers/tip/emergency.js";
import type { Reply } from "./feature.js";

/** Hotline guidance for danger to life, in the chat's language, one line per kind of danger. */
export function emergencyReply(emergency: Emergency): Reply {
  return {
    text: `⚠️ ${[...emergency.kinds.map((k) => t(`emergency.${k}`)), t("emergency.notHotline")].join("\n")}`,
  };
}
