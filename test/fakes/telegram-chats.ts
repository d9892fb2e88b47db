import type { FakeTelegramApi, RecordedMessage } from "./telegram-bot-api.js";

/** The fake Bot API with a way to send as a user and wait for what the bot sends back. */
export class Chats {
  #updateId = 1;
  #waiters: Array<() => void> = [];
  /** `waitMs`: how long `next` waits for a reply before failing (a loaded machine is slow). */
  constructor(
    readonly api: FakeTelegramApi,
    readonly waitMs = 120_000,
  ) {
    api.onRecord = () => {
      for (const w of this.#waiters.splice(0)) w();
    };
  }

  send(chatId: number, text: string): void {
    const id = this.#updateId++;
    const command = text.startsWith("/") ? (text.split(" ")[0] ?? "") : "";
    this.api.updates.push({
      update_id: id,
      message: {
        message_id: id,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: "private", first_name: "U" },
        from: { id: chatId, is_bot: false, first_name: "U" },
        text,
        ...(command && { entities: [{ type: "bot_command", offset: 0, length: command.length }] }),
      },
    });
  }

  press(chatId: number, data: string): void {
    const id = this.#updateId++;
    this.api.updates.push({
      update_id: id,
      callback_query: {
        id: String(id),
        chat_instance: "c",
        data,
        from: { id: chatId, is_bot: false, first_name: "U" },
        message: { message_id: 1, date: 1, chat: { id: chatId, type: "private", first_name: "U" } },
      },
    });
  }

  /** How many messages `chatId` has received so far: pass it to `next` to wait for a new one. */
  mark(chatId: number): number {
    return this.api.messagesTo(String(chatId)).length;
  }

  /** The first message to `chatId` after `since` that matches, waiting for it. */
  async next(
    chatId: number,
    since: number,
    matches: (m: RecordedMessage) => boolean = () => true,
  ): Promise<RecordedMessage> {
    const until = Date.now() + this.waitMs;
    for (;;) {
      const found = this.api
        .messagesTo(String(chatId))
        .slice(since)
        .find((m) => matches(m));
      if (found) return found;
      if (Date.now() > until)
        throw new Error(
          `no matching message to ${chatId} (calls: ${JSON.stringify(this.api.calls.slice(-5))}); it got: ${JSON.stringify(
            this.api
              .messagesTo(String(chatId))
              .slice(since)
              .map((m) => m.text),
          )}`,
        );
      await new Promise<void>((r) => {
        const timer = setTimeout(r, 1000);
        this.#waiters.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }

  /** Sends and waits for the bot's reply. */
  async say(
    chatId: number,
    text: string,
    matches?: (m: RecordedMessage) => boolean,
  ): Promise<RecordedMessage> {
    const since = this.mark(chatId);
    this.send(chatId, text);
    return this.next(chatId, since, matches);
  }

  /** Presses a button's data and waits for the bot's reply. */
  async tap(
    chatId: number,
    data: string,
    matches?: (m: RecordedMessage) => boolean,
  ): Promise<RecordedMessage> {
    const since = this.mark(chatId);
    this.press(chatId, data);
    return this.next(chatId, since, matches);
  }
}

/** A button of a message's inline keyboard, as the bot sent it. */
export interface Button {
  readonly text: string;
  readonly callback_data?: string;
  readonly url?: string;
}

/** The buttons of a message's inline keyboard, row after row. */
export function buttons(m: RecordedMessage): Button[] {
  const markup = m.replyMarkup as { inline_keyboard?: Button[][] } | undefined;
  return markup?.inline_keyboard?.flat() ?? [];
}

/** The callback data of the message's first button whose data matches (or that passes `test`). */
export function buttonData(m: RecordedMessage, match: RegExp | ((b: Button) => boolean)): string {
  const test = match instanceof RegExp ? (b: Button) => match.test(b.callback_data ?? "") : match;
  const b = buttons(m).find(test);
  if (!b?.callback_data) throw new Error(`no such button in ${JSON.stringify(buttons(m))}: ${m.text}`);
  return b.callback_data;
}
