import type { Config } from "../config.js";
import { ChannelRouter, type Messenger } from "../workers/messenger.js";
import { TelegramMessenger } from "./telegram/telegram-messenger.js";
import { ZaloClient } from "./zalo/zalo-client.js";
import { ZaloMessenger } from "./zalo/zalo-messenger.js";

/** The messengers of every configured channel, for the workers' deliveries. */
export function messengersFor(config: Config): { router: ChannelRouter; channels: string[] } {
  const byChannel: Record<string, Messenger> = {};
  if (config.telegram)
    byChannel.telegram = new TelegramMessenger(config.telegram.token, config.telegram.apiRoot);
  if (config.zalo)
    byChannel.zalo = new ZaloMessenger(new ZaloClient(config.zalo.token, { apiRoot: config.zalo.apiRoot }));
  return { router: new ChannelRouter(byChannel), channels: Object.keys(byChannel) };
}
