import type { ChatAddress, Messenger, OutgoingMessage } from "../../workers/messenger.js";

/** One message the fake sent, with the time (`Date.now()`) it was handed over. */
export interface SentMessage {
  readonly to: ChatAddress;
  readonly message: OutgoingMessage;
  readonly at: number;
}

/** A messenger that records what it sends, and when; failures can be scripted per call. */
export class RecordingMessenger implements Messenger {
  readonly sent: SentMessage[] = [];
  private readonly failures: Error[] = [];
  private next = 1;

  /** The next sends throw these errors, in order. */
  failNext(...errors: Error[]): void {
    this.failures.push(...errors);
  }

  async send(to: ChatAddress, message: OutgoingMessage): Promise<{ messageId: string }> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.sent.push({ to, message, at: Date.now() });
    return { messageId: String(this.next++) };
  }

  to(chatId: string): OutgoingMessage[] {
    return this.sent.filter((s) => s.to.chatId === chatId).map((s) => s.message);
  }

  /** Resolves when `predicate` holds, polling; rejects after `timeoutMs`. */
  async waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > until) throw new Error("timed out waiting for messages");
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
