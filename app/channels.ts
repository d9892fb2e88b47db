import type { Redis } from "ioredis";
import { MediaUrlSigner } from "../bot/http/media-urls.js";
import { TelegramMessenger } from "../bot/telegram/telegram-messenger.js";
import { DemoOfficerInbox, WebOutbox } from "../bot/web/chat-streams.js";
import { ZaloClient } from "../bot/zalo/zalo-client.js";
import { ZaloMessenger } from "../bot/zalo/zalo-messenger.js";
import type { Config } from "../config.js";
import { ChannelRouter, type Messenger } from "../workers/messenger.js";
import { developmentSecret } from "../workers/runtime.js";

/**
 * Signed photo URLs need a public address: only in webhook mode (PUBLIC_URL). The key is
 * derived from the tip reply key, so every bot and worker instance signs alike.
 */
export async function mediaSignerFor(config: Config): Promise<MediaUrlSigner | undefined> {
  if (config.mode.kind !== "webhook") return undefined;
  const secret =
    config.tips.replyKey ?? (await developmentSecret(config.tips.secretsDir, "tip-reply.key", 32));
  return new MediaUrlSigner(secret, config.mode.publicUrl);
}

/** The salt of chat hashes (sessions, web outboxes, rate limits); generated in development. */
export async function senderSaltFor(config: Config): Promise<Buffer> {
  return config.tips.senderSalt ?? (await developmentSecret(config.tips.secretsDir, "sender.salt", 32));
}

/**
 * The web chat's outbox (always: web tipsters may be waiting for an officer's question whichever
 * process delivers it) and, in the demo, the officers' inbox standing in for missing tokens.
 */
export function chatStreamsFor(
  config: Config,
  redis: Redis,
  salt: Buffer,
): { web: WebOutbox; demo?: DemoOfficerInbox } {
  const web = new WebOutbox(redis, config.tips.prefix, salt);
  if (!config.web?.demoOfficers) return { web };
  return { web, demo: new DemoOfficerInbox(redis, config.tips.prefix) };
}

export interface ExtraMessengers {
  /** Signs photo URLs for Zalo (webhook mode only). */
  readonly media?: MediaUrlSigner | undefined;
  /** The web chat's outbox: messages to web tipsters. */
  readonly web?: WebOutbox | undefined;
  /** Demo: takes Telegram and Zalo messages when those channels have no token. */
  readonly demo?: DemoOfficerInbox | undefined;
}

/** The messengers of every configured channel, for the workers' deliveries. */
export function messengersFor(
  config: Config,
  { media, web, demo }: ExtraMessengers = {},
): { router: ChannelRouter; channels: string[] } {
  const byChannel: Record<string, Messenger> = {};
  if (web) byChannel.web = web;
  // The demo inbox only stands in for a channel that has no token.
  if (demo) {
    byChannel.telegram = demo;
    byChannel.zalo = demo;
  }
  if (config.telegram)
    byChannel.telegram = new TelegramMessenger(config.telegram.token, config.telegram.apiRoot);
  if (config.zalo)
    byChannel.zalo = new ZaloMessenger(new ZaloClient(config.zalo.token, { apiRoot: config.zalo.apiRoot }), {
      // Without a public URL, Zalo officers are told how many photos there are instead.
      ...(media && { photoUrl: async (bytes: Buffer) => media.urlFor(MediaUrlSigner.idOf(bytes)) }),
    });
  return { router: new ChannelRouter(byChannel), channels: Object.keys(byChannel) };
}
