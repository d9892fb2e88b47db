import { Composer } from "grammy";
import { converse, type TelegramDeps } from "../context.js";

/** Longest text passed on; Telegram allows 4096, anything longer is not a real message. */
const MAX_TEXT = 4096;

/**
 * Text messages and commands (/start, /baotin, /huy, /trangthai, /traloi, /vaitro): the
 * dialogue parses them. A reply to one of the bot's messages passes that message's text, so a
 * tipster can answer an officer's question by replying to it.
 */
export function textFeature(deps: TelegramDeps): Composer<import("grammy").Context> {
  const composer = new Composer();
  composer.on("message:text", (ctx) =>
    converse(ctx, deps, {
      kind: "text",
      text: ctx.message.text.slice(0, MAX_TEXT),
      ...(ctx.message.reply_to_message?.from?.id === ctx.me.id &&
        ctx.message.reply_to_message.text && { quoted: ctx.message.reply_to_message.text }),
    }),
  );
  return composer;
}
