import { autoRetry } from "@grammyjs/auto-retry";
import { sequentialize } from "@grammyjs/runner";
import { Api, Bot, type BotConfig, type Context, GrammyError } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { Logger } from "../../logger.js";
import { notice, type TelegramDeps } from "./context.js";
import { choicesFeature } from "./features/choices.js";
import { documentsFeature } from "./features/documents.js";
import { photosFeature } from "./features/photos.js";
import { textFeature } from "./features/text.js";
import { unsupportedFeature } from "./features/unsupported.js";
import { floodGuard } from "./flood-guard.js";

/** grammY's signal type (from abort-controller's typings, narrower than the DOM's). */
type InitSignal = Parameters<Bot["init"]>[0];

/** How the bot retries getMe at start-up while the Bot API cannot be reached. */
export interface InitRetryOptions {
  /** Wait after the first failure; it doubles after each one. Default 1 s. */
  readonly firstDelayMs?: number;
  /** Longest wait between attempts. Default 60 s: the bot is up within a minute of the API. */
  readonly maxDelayMs?: number;
  /** Time one getMe may take before it counts as failed. Default 10 s. */
  readonly timeoutSeconds?: number;
  /** How to wait between attempts (tests pass one they control). Default: a timer. */
  readonly sleep?: (ms: number, signal?: InitSignal) => Promise<void>;
}

export interface TelegramBotOptions {
  /** Known bot info, so that no getMe call is needed (tests, webhooks). */
  readonly botInfo?: BotConfig<Context>["botInfo"];
  /** Messages read per chat per `floodWindowMs`; button presses are never limited. Default 20. */
  readonly floodLimit?: number;
  readonly floodWindowMs?: number;
  readonly initRetry?: InitRetryOptions;
}

/** getMe was refused for good (a wrong token or API root): retrying cannot help. */
export class TelegramInitError extends Error {
  override readonly name = "TelegramInitError";
  constructor(
    message: string,
    readonly attempts: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const defaultSleep = (ms: number, signal?: InitSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new Error("aborted while waiting to retry getMe"));
    });
  });

/**
 * A grammY `Bot` whose `init()` (getMe, needed before any update can be handled) retries with
 * a capped exponential backoff and logs every failure, and which says why it is not ready
 * (`initProblem`, shown by /healthz). grammY's own retry is silent and backs off to 20 minutes,
 * and the API's auto-retry transformer retries network errors forever: a webhook bot then
 * looked healthy while answering every update with "Bot not initialized".
 */
export class TelegramBot extends Bot {
  private readonly probe: Api;
  private readonly retry: Required<Omit<InitRetryOptions, "timeoutSeconds">>;
  private initializing: Promise<void> | undefined;
  private problem: string | undefined;

  constructor(
    private readonly deps: Pick<TelegramDeps, "token" | "apiRoot"> & { readonly logger: Logger },
    opts: TelegramBotOptions = {},
  ) {
    super(deps.token, {
      client: { apiRoot: deps.apiRoot },
      ...(opts.botInfo && { botInfo: opts.botInfo }),
    });
    // getMe without the transformers of `bot.api`: this loop decides when to retry.
    this.probe = new Api(deps.token, {
      apiRoot: deps.apiRoot,
      timeoutSeconds: opts.initRetry?.timeoutSeconds ?? 10,
    });
    this.retry = {
      firstDelayMs: opts.initRetry?.firstDelayMs ?? 1000,
      maxDelayMs: opts.initRetry?.maxDelayMs ?? 60_000,
      sleep: opts.initRetry?.sleep ?? defaultSleep,
    };
  }

  /** Why the bot cannot handle updates yet; undefined once it can. Safe to show publicly. */
  initProblem(): string | undefined {
    if (this.isInited()) return undefined;
    return this.problem ?? "not initialised yet";
  }

  /**
   * Fetches the bot's own info, retrying until the Bot API answers (429, 5xx, network errors,
   * timeouts); fails at once when the API refuses the token (other 4xx). Concurrent calls share
   * one attempt loop.
   */
  override async init(signal?: InitSignal): Promise<void> {
    if (this.isInited()) return;
    this.initializing ??= this.initWithRetries(signal).finally(() => {
      this.initializing = undefined;
    });
    await this.initializing;
  }

  private async initWithRetries(signal?: InitSignal): Promise<void> {
    const { logger } = this.deps;
    let delay = this.retry.firstDelayMs;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw new Error("getMe aborted");
      let me: UserFromGetMe;
      try {
        me = await this.probe.getMe(signal);
      } catch (err) {
        const code = err instanceof GrammyError ? err.error_code : undefined;
        if (code !== undefined && code !== 429 && code < 500) {
          this.problem = `the Telegram Bot API refused getMe (${code})`;
          logger.error({ attempts: attempt, err: (err as Error).message }, "Telegram bot cannot start");
          throw new TelegramInitError(`getMe refused: ${(err as Error).message}`, attempt, { cause: err });
        }
        const retryAfter = err instanceof GrammyError ? err.parameters.retry_after : undefined;
        const wait = retryAfter !== undefined ? retryAfter * 1000 : delay;
        this.problem = `Telegram Bot API unreachable: getMe failed ${attempt} time${attempt > 1 ? "s" : ""} (${
          code === undefined ? "network error" : `HTTP ${code}`
        }); retrying`;
        logger.warn(
          { attempt, err: (err as Error).message, retryInMs: wait },
          "Telegram Bot API unreachable: getMe failed, retrying",
        );
        await this.retry.sleep(wait, signal);
        delay = Math.min(delay * 2, this.retry.maxDelayMs);
        continue;
      }
      if (!this.isInited()) this.botInfo = me;
      this.problem = undefined;
      logger.info({ attempts: attempt }, "Telegram bot initialised");
      return;
    }
  }
}

/**
 * The Telegram bot: one Composer per feature, each behind an error boundary so a bad update
 * never stops the bot; the catch-all mounted last.
 */
export function createTelegramBot(deps: TelegramDeps, opts: TelegramBotOptions = {}): TelegramBot {
  const bot = new TelegramBot(deps, opts);
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
    return err.ctx.chat ? notice(err.ctx, deps, "error.tryAgain") : undefined;
  };
  for (const feature of [
    textFeature(deps),
    photosFeature(deps),
    documentsFeature(deps),
    choicesFeature(deps),
    unsupportedFeature(deps),
  ])
    bot.errorBoundary(boundary).use(feature);
  bot.catch((err) =>
    deps.logger.error({ err: err.message, updateId: err.ctx.update.update_id }, "unhandled bot error"),
  );
  return bot;
}
