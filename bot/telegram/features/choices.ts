import { Composer } from "grammy";
import { CHOICE_PREFIX, converse, type TelegramDeps } from "../context.js";
import { ACTION_PREFIX } from "../telegram-messenger.js";

/**
 * Button presses: dialogue choices ("d:…") and officers' tip actions ("t:…", sent by the
 * workers). Anything else is forged or stale and only gets the spinner stopped.
 */
export function choicesFeature(deps: TelegramDeps): Composer<import("grammy").Context> {
  const composer = new Composer();
  composer.on("callback_query:data", async (ctx) => {
    const raw = ctx.callbackQuery.data;
    await ctx.answerCallbackQuery();
    const data = raw.startsWith(CHOICE_PREFIX)
      ? raw.slice(CHOICE_PREFIX.length)
      : raw.startsWith(ACTION_PREFIX)
        ? raw.slice(ACTION_PREFIX.length)
        : undefined;
    if (data === undefined || data.length === 0) return;
    await converse(ctx, deps, { kind: "choice", data });
  });
  return composer;
}
