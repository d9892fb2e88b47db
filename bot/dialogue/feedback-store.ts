import type { Redis } from "ioredis";

/** A 👍/👎 on an answer: what was asked and what was cited, never who asked. */
export interface AnswerFeedback {
  readonly at: number;
  readonly vote: "up" | "down";
  readonly question: string;
  readonly abstained: boolean;
  readonly docIds: readonly string[];
}

export interface FeedbackStore {
  add(feedback: AnswerFeedback): Promise<void>;
  recent(limit: number): Promise<AnswerFeedback[]>;
}

/** Feedback kept in a capped Redis list, newest first, for improving the corpus. */
export class RedisFeedbackStore implements FeedbackStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly cap = 10_000,
  ) {}

  async add(feedback: AnswerFeedback): Promise<void> {
    const key = `${this.prefix}:feedback`;
    await this.redis
      .multi()
      .lpush(key, JSON.stringify(feedback))
      .ltrim(key, 0, this.cap - 1)
      .exec();
  }

  async recent(limit: number): Promise<AnswerFeedback[]> {
    const rows = await this.redis.lrange(`${this.prefix}:feedback`, 0, limit - 1);
    return rows.map((r) => JSON.parse(r) as AnswerFeedback);
  }
}
