import { request } from "undici";
import type { Dialogue, Incoming, Reply } from "../dialogue/dialogue.js";
import { splitText } from "../telegram/telegram-messenger.js";
import type { ZaloClient, ZaloUpdate } from "./zalo-client.js";
import { ZALO_MAX_TEXT } from "./zalo-client.js";

/** Largest photo fetched from Zalo for a tip. */
const MAX_PHOTO_BYTES = 20 * 1024 * 1024;

/** Renders replies for Zalo: no buttons, so choices become numbered lines the dialogue understands. */
export function zaloText(reply: Reply): string {
  const choices = reply.choices ?? [];
  if (choices.length === 0) return reply.text;
  return `${reply.text}\n${choices.map((c, i) => `${i + 1}. ${c.label}`).join("\n")}\nTrả lời bằng số.`;
}

/** Downloads a photo Zalo points to, within the size limit. */
async function fetchPhoto(url: string): Promise<Buffer | undefined> {
  if (!/^https?:\/\//.test(url)) return undefined;
  const res = await request(url, { headersTimeout: 30_000, bodyTimeout: 30_000 });
  if (res.statusCode !== 200) {
    await res.body.dump();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > MAX_PHOTO_BYTES) {
      res.body.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
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
      const bytes = await fetchPhoto(update.photoUrl);
      input = bytes ? { kind: "photo", bytes } : { kind: "unsupported" };
      break;
    }
    default:
      input = { kind: "unsupported" };
  }
  const replies = await dialogue.handle({ channel: "zalo", chatId }, input);
  for (const reply of replies)
    for (const piece of splitText(zaloText(reply), ZALO_MAX_TEXT))
      await client.sendMessage({ chat_id: chatId, text: piece });
}
