import type { Redis } from "ioredis";
import type { Database } from "../../db/client.js";
import { subscribers } from "../../db/schema.js";
import {
  type ChatAddress,
  type Messenger,
  MessengerPermanentError,
  type OutgoingMessage,
} from "../../workers/messenger.js";

/**
 * A messenger for campaigns: counts messages per chat and when they went, answers 403 for
 * blocked chats, and calls `onSend` before each (to unsubscribe someone mid-campaign).
 */
export class CountingMessenger implements Messenger {
  readonly perChat = new Map<string, number>();
  readonly times: number[] = [];
  readonly attempts = new Map<string, number>();
  readonly blocked = new Set<string>();
  onSend: ((to: ChatAddress) => Promise<void>) | undefined;
  /** When each scripted failure was thrown, by error name. */
  readonly failedAt: Array<{ name: string; at: number }> = [];
  private readonly failures = new Map<string, Error[]>();
  private next = 1;

  /** The next sends to `chatId` throw these errors, in order. */
  failNext(chatId: string, ...errors: Error[]): void {
    this.failures.set(chatId, [...(this.failures.get(chatId) ?? []), ...errors]);
  }

  async send(to: ChatAddress, _message: OutgoingMessage): Promise<{ messageId: string }> {
    this.attempts.set(to.chatId, (this.attempts.get(to.chatId) ?? 0) + 1);
    await this.onSend?.(to);
    const failure = this.failures.get(to.chatId)?.shift();
    if (failure) {
      this.failedAt.push({ name: failure.name, at: Date.now() });
      throw failure;
    }
    if (this.blocked.has(to.chatId))
      throw new MessengerPermanentError("403 Forbidden: bot was blocked by the user");
    this.perChat.set(to.chatId, (this.perChat.get(to.chatId) ?? 0) + 1);
    this.times.push(Date.now());
    return { messageId: String(this.next++) };
  }
}

/** Chat id of the n-th fake subscriber (1-based, as the identity column counts). */
export const chatOf = (n: number) => String(700_000_000 + n);

/** Adds `count` parents of school `schoolId` on Telegram, chats `chatOf(1..count)`, in id order. */
export async function addSubscribers(db: Database, count: number, schoolId = "thcs-an-hoa"): Promise<void> {
  const at = new Date();
  for (let from = 1; from <= count; from += 1000) {
    const rows = [];
    for (let n = from; n < Math.min(from + 1000, count + 1); n++)
      rows.push({
        channel: "telegram" as const,
        chatId: chatOf(n),
        role: "parent" as const,
        schoolId,
        communeId: "xa-an-hoa",
        className: `6A${n % 5}`,
        subscribedAt: at,
      });
    await db.insert(subscribers).values(rows);
  }
}

/** Removes every key under `prefix`. */
export async function dropKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [c, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = c;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== "0");
}

/** Most messages in any window of `ms` (a sliding window over sorted send times). */
export function busiestWindow(times: readonly number[], ms: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < t.length; hi++) {
    while ((t[hi] as number) - (t[lo] as number) >= ms) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}
