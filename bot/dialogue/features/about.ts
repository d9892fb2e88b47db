import { t } from "../../../i18n.js";
import type { Feature } from "../feature.js";

/** `/gioithieu`: what this bot is, what it keeps, and where to turn in an emergency. */
export const aboutFeature: Feature = {
  name: "about",
  commands: {
    gioithieu: (turn) => [{ text: t("about.text", { hotlines: t("hotlines") }), choices: turn.menu() }],
  },
};
