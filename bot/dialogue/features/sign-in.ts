import { t } from "../../../i18n.js";
import type { Feature, Reply, Turn } from "../feature.js";

/**
 * `/dangnhap`: a one-time link to the console for whoever the directory knows behind this chat
 * (a police contact, school staff, a province admin). The link works once, for a few minutes;
 * anyone else is told the console is for people in the directory, and how to join. Without a
 * console (`DialogueDeps.signIn`), the command says it is not available here.
 */
async function signIn(turn: Turn): Promise<Reply[]> {
  const mint = turn.deps.signIn;
  if (!mint) return [{ text: t("signIn.unavailable") }];
  const link = await mint(turn.chat);
  if (!link) return [{ text: t("signIn.notInDirectory") }];
  return [{ text: t("signIn.link", { url: link.url, minutes: link.minutes }) }];
}

export const signInFeature: Feature = {
  name: "sign-in",
  commands: { dangnhap: signIn, login: signIn },
};
