import { autoRetry } from "@grammyjs/auto-retry";
import { limit } from "@grammyjs/ratelimiter";
import { sequentialize } from "@grammyjs/runner";
import { Bot, type BotConfig, type Context } from "grammy";
import type { TelegramDeps } from "./context.js";
import { choicesFeature } from "./features/choices.js";
import { photosFeature } from "./features/photos.js";
import { textFeature } from "./features/text.js";
import { unsupportedFeature } from "./features/unsupported.js";

export interface TelegramBotOptions {
  /** Known bot info, so that no getMe call is needed (tests, webhooks). */
  readonly botInfo?: BotConfig<Context>["botInfo"];
  /** Messages accepted per chat per `floodWindowMs` before the rest are dropped. Default 8. */
  readonly floodLimit?: number;
  readonly floodWindowMs?: number;
}

/**
 * The Telegram bot: one Composer per feature, each behind an error boundary so a bad update
 * never stops the bot; the catch-all mounted last.
 */
export function createTelegramBot(deps: TelegramDeps, opts: TelegramBotOptions = {}): Bot {
  const bot = new Bot(deps.token, {
    client: { apiRoot: deps.apiRoot },
    ...(opts.botInfo && { botInfo: opts.botInfo }),
  });
  // Outgoing calls wait out 429 retry_after and retry 5xx a few times.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60 }));
  // Updates of one chat are handled in order (the runner processes chats concurrently).
  bot.use(sequentialize((ctx: Context) => ctx.chat?.id.toString()));
  // Incoming floods from one chat are dropped before they reach the dialogue.
  bot.use(
    limit({
      timeFrame: opts.floodWindowMs ?? 10_000,
      limit: opts.floodLimit ?? 8,
      keyGenerator: (ctx) => ctx.chat?.id.toString(),
      onLimitExceeded: () => undefined,
    }),
  );
  const boundary = (err: { error: unknown; ctx: Context }) => {
    deps.logger.error(
      { err: (err.error as Error)?.message, updateId: err.ctx.update.update_id },
      "update failed",
    );
    return err.ctx.chat
      ? err.ctx.reply("Xin lỗi, bot gặp lỗi khi xử lý tin nhắn này. Hãy thử lại.").then(() => undefined)
      : undefined;
  };
  for (const feature of [
    textFeature(deps),
    photosFeature(deps),
    choicesFeature(deps),
    unsupportedFeature(deps),
  ])
    bot.errorBoundary(boundary).use(feature);
  bot.catch((err) =>
    deps.logger.error({ err: err.message, updateId: err.ctx.update.update_id }, "unhandled bot error"),
  );
  return bot;
}
