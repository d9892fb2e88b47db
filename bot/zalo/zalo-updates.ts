import { type Lang, tl } from "../../i18n.js";
import type { Dialogue, Incoming, Reply } from "../dialogue/dialogue.js";
import { downloadLimited } from "../download.js";
import { splitText } from "../split-text.js";
import { ZALO_MAX_TEXT, type ZaloUpdate } from "./zalo-api.js";
import type { ZaloClient } from "./zalo-client.js";

/**
 * Renders replies for Zalo: no buttons, so choices become numbered lines the dialogue understands,
 * with a last line in the chat's language saying so.
 */
export function zaloText(reply: Reply, lang: Lang = "vi"): string {
  const choices = reply.choices ?? [];
  if (choices.length === 0) return reply.text;
  const lines = choices.map((c, i) => `${i + 1}. ${c.label}`);
  return [reply.text, ...lines, tl(lang, "zalo.pickNumber")].join("\n");
}

/**
 * Turns one Zalo update into dialogue input and sends the replies. Children's accounts send
 * `message.unsupported.received` instead of content: they get guidance and hotlines.
 */
export async function handleZaloUpdate(
  client: ZaloClient,
  dialogue: Dialogue,
  update: ZaloUpdate,
): Promise<void> {
  if (update.kind === "other") return;
  const chatId = update.message.chat.id;
  let input: Incoming;
  switch (update.kind) {
    case "text":
      input = { kind: "text", text: update.message.text.slice(0, 4000) };
      break;
    case "image": {
      const bytes = await downloadLimited(update.photoUrl).catch((err: Error) => {
        // Too big, gone or not a URL: the dialogue tells the user the photo was not taken.
        if (err.name === "DownloadError") return undefined;
        throw err;
      });
      input = bytes ? { kind: "photo", bytes } : { kind: "unsupported" };
      break;
    }
    default:
      input = { kind: "unsupported" };
  }
  const chat = { channel: "zalo" as const, chatId };
  const replies = await dialogue.handle(chat, input);
  // Read after the turn: "/lang en" switches the language of this turn's replies.
  const lang = await dialogue.languageOf(chat);
  for (const reply of replies)
    for (const piece of splitText(zaloText(reply, lang), ZALO_MAX_TEXT))
      await client.sendMessage({ chat_id: chatId, text: piece });
}
