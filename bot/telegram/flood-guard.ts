import { limit } from "@grammyjs/ratelimiter";
import { Composer, type Context, type Middleware } from "grammy";
import { t, withLang } from "../../i18n.js";
import type { Logger } from "../../logger.js";

export interface FloodGuardOptions {
  readonly logger: Logger;
  /** Messages read per chat per window. Default 20: a 10-photo album and its text fit. */
  readonly limit?: number;
  /** Window length in milliseconds. Default 10 s. */
  readonly windowMs?: number;
}

/**
 * Limits incoming messages per chat, and never silently.
 *
 * Button presses are never limited: a press is a deliberate step (the report's "Gửi", an
 * officer's "Nhận xử lý"), it costs one cheap callback answer, and dropping one loses a tip
 * without a word while the user believes it was sent. The adapter cannot see the dialogue's
 * session (is a draft open?), so the rule does not depend on it: messages — text, photos,
 * anything typed — beyond `limit` in a window are not read, and the first one over the limit
 * gets one reply saying so; the rest of that window is not answered, so a flood cannot make the
 * bot flood back.
 */
export function floodGuard(opts: FloodGuardOptions): Middleware<Context> {
  const composer = new Composer<Context>();
  composer.drop(
    (ctx) => ctx.callbackQuery !== undefined,
    limit({
      timeFrame: opts.windowMs ?? 10_000,
      limit: opts.limit ?? 20,
      keyGenerator: (ctx) => ctx.chat?.id.toString(),
      // Called once per chat and window: on the first update over the limit.
      onLimitExceeded: async (ctx: Context) => {
        // The dialogue's language is in its session; the Telegram app's language is the hint here.
        const lang = ctx.from?.language_code?.startsWith("en") ? "en" : "vi";
        try {
          await withLang(lang, () => ctx.reply(t("flood.slowDown")));
        } catch (err) {
          opts.logger.warn({ err: (err as Error).message }, "could not send the flood notice");
        }
      },
    }),
  );
  return composer;
}
