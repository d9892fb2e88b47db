import { autoRetry } from "@grammyjs/auto-retry";
import { sequentialize } from "@grammyjs/runner";
import { Bot, type BotConfig, type Context } from "grammy";
import type { TelegramDeps } from "./context.js";
import { choicesFeature } from "./features/choices.js";
import { photosFeature } from "./features/photos.js";
import { textFeature } from "./features/text.js";
import { unsupportedFeature } from "./features/unsupported.js";
import { floodGuard } from "./flood-guard.js";

export interface TelegramBotOptions {
  /** Known bot info, so that no getMe call is needed (tests, webhooks). */
  readonly botInfo?: BotConfig<Context>["botInfo"];
  /** Messages read per chat per `floodWindowMs`; button presses are never limited. Default 20. */
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
  // Message floods from one chat are not read, and the user is told; button presses always are.
  bot.use(
    floodGuard({
      logger: deps.logger,
      ...(opts.floodLimit !== undefined && { limit: opts.floodLimit }),
      ...(opts.floodWindowMs !== undefined && { windowMs: opts.floodWindowMs }),
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
