import type { Config } from "../config.js";
import { ChannelRouter, type Messenger } from "../workers/messenger.js";
import { developmentSecret } from "../workers/runtime.js";
import { MediaUrlSigner } from "./http/media-urls.js";
import { TelegramMessenger } from "./telegram/telegram-messenger.js";
import { ZaloClient } from "./zalo/zalo-client.js";
import { ZaloMessenger } from "./zalo/zalo-messenger.js";

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

/** The messengers of every configured channel, for the workers' deliveries. */
export function messengersFor(
  config: Config,
  media?: MediaUrlSigner,
): { router: ChannelRouter; channels: string[] } {
  const byChannel: Record<string, Messenger> = {};
  if (config.telegram)
    byChannel.telegram = new TelegramMessenger(config.telegram.token, config.telegram.apiRoot);
  if (config.zalo)
    byChannel.zalo = new ZaloMessenger(new ZaloClient(config.zalo.token, { apiRoot: config.zalo.apiRoot }), {
      // Without a public URL, Zalo officers are told how many photos there are instead.
      ...(media && { photoUrl: async (bytes: Buffer) => media.urlFor(MediaUrlSigner.idOf(bytes)) }),
    });
  return { router: new ChannelRouter(byChannel), channels: Object.keys(byChannel) };
}
