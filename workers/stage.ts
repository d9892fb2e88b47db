import { UnrecoverableError } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "../logger.js";
import type { Messenger } from "./messenger.js";
import type { Metrics } from "./metrics.js";
import type { TipQueues } from "./queues/tip-queues.js";
import type { Routing } from "./routing/routing-table.js";
import type { PendingQuestions } from "./tip/pending-questions.js";
import type { ReplyHandleSealer } from "./tip/reply-handle.js";
import type { TipStore } from "./tip/tip-store.js";

/** What the pipeline's stages (route, notify, escalate) work with. */
export interface StageDeps {
  /** A plain (non-blocking) connection for the tip store and throttles. */
  readonly redis: Redis;
  readonly queues: TipQueues;
  readonly store: TipStore;
  readonly routing: Routing;
  readonly messenger: Messenger;
  readonly sealer: ReplyHandleSealer;
  /** Where a question sent to a tipster is remembered for their chat. */
  readonly pending: PendingQuestions;
  /** Salt for hashing chat ids into throttle keys, so no raw id is written to Redis. */
  readonly salt: Buffer;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly now: () => number;
}

/** A job failed in a way retrying cannot fix: bad data or a permanent channel error. */
export function unrecoverable(message: string): UnrecoverableError {
  return new UnrecoverableError(message);
}
