import { UnrecoverableError } from "bullmq";
import type { Redis } from "ioredis";
import type { Lang } from "../i18n.js";
import type { Logger } from "../logger.js";
import type { ChatAddress, Messenger, OutgoingMessage } from "./messenger.js";
import type { Metrics } from "./metrics.js";
import type { EscalateJob, IncidentEscalateJob, IncidentNotifyJob, NotifyJob } from "./queues/jobs.js";
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
  /**
   * How the notify and escalate stages handle incidents' jobs (`workers/incident/stages.ts`).
   * Without it (no database) an incident's job fails for good and is dead-lettered.
   */
  readonly incidents?: SubjectStages<IncidentNotifyJob, IncidentEscalateJob>;
}

/** Who a message goes to, as the notify stage sends it. */
export interface Recipient {
  readonly address: ChatAddress;
  /** What the timeline and logs call them: a contact id, "tipster", "reporter". */
  readonly label: string;
  readonly lang: Lang;
}

/** One message, as its subject (a tip, an incident) prepares it for the notify stage. */
export interface PreparedDelivery {
  /**
   * Where it goes. Throws `VacantContactError` for a contact without a chat (dead-lettered and
   * alerted), or an unrecoverable error when the recipient cannot be known.
   */
  recipient(): Recipient;
  message(to: Recipient): Promise<OutgoingMessage>;
  /** Just before the send (a question is remembered for the chat it goes to). */
  beforeSend?(to: Recipient): Promise<void>;
  /** After the delivery ledger recorded the send: statuses and timeline. */
  delivered(to: Recipient): Promise<void>;
}

/** Something escalated along its chain (a tip, an incident), as the escalate stage sees it. */
export interface Escalatable {
  readonly id: string;
  readonly chain: readonly string[];
  readonly urgency: "khan-cap" | "binh-thuong";
  /** Acknowledged (or further): nothing to escalate. */
  readonly settled: boolean;
}

/**
 * What the notify and escalate stages need of a subject other than tips. The stages keep the
 * machinery (ledger, pacing, 429s, dead letters, one job per level); the subject supplies the
 * content, recipients and state changes.
 */
export interface SubjectStages<N extends NotifyJob, E extends EscalateJob> {
  /** Loads what the job is about; throws an unrecoverable error when it is gone. */
  prepare(job: N): Promise<PreparedDelivery>;
  /** The alert to the duty officer about a delivery that failed for good. */
  alert(job: N, reason: string): NotifyJob;
  /** What an escalation job is about; undefined when it is gone. */
  escalatable(job: E): Promise<Escalatable | undefined>;
  /** The message to `contactId` at `level`, and the job of the next level. */
  escalationNotice(subject: Escalatable, level: number, contactId: string): NotifyJob;
  nextEscalation(subject: Escalatable, level: number): EscalateJob;
  /** Records the escalation (level, timeline). */
  escalated(subject: Escalatable, level: number, contactId: string): Promise<void>;
  /** Records that the whole chain was tried. */
  exhausted(subject: Escalatable, level: number): Promise<void>;
}

/** A job failed in a way retrying cannot fix: bad data or a permanent channel error. */
export function unrecoverable(message: string): UnrecoverableError {
  return new UnrecoverableError(message);
}
