import { randomUUID } from "node:crypto";
import { type ConnectionOptions, DelayedError, type Job, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "../logger.js";
import {
  type ChatAddress,
  type Messenger,
  MessengerPermanentError,
  MessengerRateLimitedError,
  type OutgoingMessage,
  type OutgoingPhoto,
} from "./messenger.js";
import type { Metrics } from "./metrics.js";
import {
  type EscalateJob,
  escalateJobSchema,
  type IntakeJob,
  intakeJobSchema,
  type NotifyJob,
  notifyJobSchema,
  QUEUES,
} from "./queues/jobs.js";
import type { TipQueues } from "./queues/tip-queues.js";
import { officerTipMessage, placeText } from "./render.js";
import type { RoutingTable } from "./routing/routing-table.js";
import type { PendingQuestions } from "./tip/pending-questions.js";
import type { ReplyHandleSealer, TipsterLang } from "./tip/reply-handle.js";
import { senderKey } from "./tip/sender-key.js";
import { CATEGORY_LABELS, type Channel } from "./tip/tip.js";
import type { TipRecord, TipStore } from "./tip/tip-store.js";

export interface PipelineOptions {
  /** Jobs processed at once per worker. Default 8. */
  readonly concurrency: number;
  /** Minimum gap between two messages to one chat (Telegram asks for about 1 s). Default 1000. */
  readonly minChatIntervalMs: number;
  /** Lock of an active job; a killed worker's jobs are retried once it expires. Default 30 000. */
  readonly lockDurationMs: number;
  /** How often stalled jobs are looked for. Default 30 000. */
  readonly stalledIntervalMs: number;
}

export const DEFAULT_PIPELINE: PipelineOptions = {
  concurrency: 8,
  minChatIntervalMs: 1000,
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
};

export interface PipelineDeps {
  readonly connection: ConnectionOptions;
  /** A plain (non-blocking) connection for the tip store and throttles. */
  readonly redis: Redis;
  readonly queues: TipQueues;
  readonly store: TipStore;
  readonly routing: RoutingTable;
  readonly messenger: Messenger;
  readonly sealer: ReplyHandleSealer;
  /** Where a question sent to a tipster is remembered for their chat. */
  readonly pending: PendingQuestions;
  /** Salt for hashing chat ids into throttle keys, so no raw id is written to Redis. */
  readonly salt: Buffer;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly options?: Partial<PipelineOptions>;
  readonly now?: () => number;
}

/**
 * The officer's question as the tipster reads it, in the language they chat in, with how to
 * answer on their channel: Telegram has reply-to, the web chat a "Trả lời" button, Zalo
 * neither — there (and whenever a plain message follows) the bot asks before sending it on.
 */
const QUESTION_TO_TIPSTER: Record<
  TipsterLang,
  { intro: (code: string) => string; howToAnswer: Record<Channel, string> }
> = {
  vi: {
    intro: (code) => `Cán bộ phụ trách hỏi thêm về tin báo ${code}:`,
    howToAnswer: {
      telegram:
        "Hãy trả lời trực tiếp vào tin nhắn này, hoặc cứ nhắn câu trả lời: bot sẽ hỏi lại trước khi gửi cho cán bộ. Danh tính của bạn vẫn được giữ kín.",
      zalo: "Cứ nhắn câu trả lời vào đây: bot sẽ hỏi lại để bạn xác nhận trước khi gửi cho cán bộ. Danh tính của bạn vẫn được giữ kín.",
      web: "Bấm “Trả lời” dưới tin này, hoặc cứ nhắn câu trả lời: bot sẽ hỏi lại trước khi gửi cho cán bộ. Danh tính của bạn vẫn được giữ kín.",
    },
  },
  en: {
    intro: (code) => `The officer handling tip ${code} has a question:`,
    howToAnswer: {
      telegram:
        "Reply to this message, or just type your answer: the bot asks before passing it on. Who you are stays hidden.",
      zalo: "Just type your answer here: the bot asks you to confirm before passing it on. Who you are stays hidden.",
      web: "Press “Reply” under this message, or just type your answer: the bot asks before passing it on. Who you are stays hidden.",
    },
  },
};

/** A job failed in a way retrying cannot fix: bad data or a permanent channel error. */
function unrecoverable(message: string): UnrecoverableError {
  return new UnrecoverableError(message);
}

/**
 * The tip pipeline's workers: intake → route → notify → escalate. Every stage is idempotent
 * (deterministic job ids, a delivery ledger), so a killed worker's jobs are simply retried.
 * Deliveries that fail for good go to the dead-letter queue and raise an alert to the
 * province's duty officer.
 */
export class TipPipeline {
  private readonly workers: Worker[] = [];
  private readonly options: PipelineOptions;
  private readonly now: () => number;

  constructor(private readonly deps: PipelineDeps) {
    this.options = { ...DEFAULT_PIPELINE, ...deps.options };
    this.now = deps.now ?? Date.now;
  }

  /** Starts the workers. */
  start(): this {
    const { connection, queues } = this.deps;
    const common = {
      connection,
      prefix: queues.prefix,
      concurrency: this.options.concurrency,
      lockDuration: this.options.lockDurationMs,
      stalledInterval: this.options.stalledIntervalMs,
      // A job that stalls this often is failed instead of retried forever (it is dead-lettered).
      maxStalledCount: 5,
    };
    this.workers.push(
      new Worker<IntakeJob>(QUEUES.intake, (job) => this.intake(job), common),
      new Worker<NotifyJob>(QUEUES.notify, (job, token) => this.notify(job, token), common),
      new Worker<EscalateJob>(QUEUES.escalate, (job) => this.escalate(job), common),
    );
    for (const w of this.workers) {
      w.on("error", (err) => this.deps.logger.error({ err, queue: w.name }, "worker error"));
      w.on("stalled", (jobId) =>
        this.deps.logger.warn({ queue: w.name, jobId }, "stalled job moved back to wait"),
      );
      w.on("failed", (job, err) =>
        this.deps.logger.warn(
          { queue: w.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message },
          "job failed",
        ),
      );
    }
    return this;
  }

  /** Stops taking jobs and waits for the active ones to finish. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }

  /** Routes a received tip to its contact chain and sends it to the first contact. */
  private async intake(job: Job<IntakeJob>): Promise<string> {
    const data = intakeJobSchema.safeParse(job.data);
    if (!data.success) throw unrecoverable(`invalid intake job: ${data.error.message}`);
    const { store, routing, queues } = this.deps;
    const tip = await store.get(data.data.tipId);
    if (!tip) throw unrecoverable(`tip ${data.data.tipId} not found`);
    if (tip.status !== "received") return "already-routed";
    const route = routing.resolve(tip.category, tip.place);
    const chain = route.chain.map((c) => c.id);
    const first = chain[0];
    if (!first) throw unrecoverable(`no contact for tip ${tip.id}`);
    // Enqueue before changing status: if we die in between, the retry finds "received" again
    // and the deterministic job ids make the second enqueue a no-op.
    await queues.addNotify(
      {
        deliveryId: `${tip.id}-new-${first}`,
        tipId: tip.id,
        kind: "new-tip",
        to: { type: "contact", contactId: first },
      },
      tip.urgency === "khan-cap" ? 1 : 5,
    );
    if (chain.length > 1 || routing.dutyOfficer.id !== first)
      await queues.addEscalation({ tipId: tip.id, level: 1 }, routing.deadlineMs(tip.urgency));
    await store.transition(
      tip.id,
      {
        status: "routed",
        chain,
        level: 0,
        ...(route.commune && { communeId: route.commune.id }),
        ...(route.school && { schoolId: route.school.id }),
      },
      {
        at: this.now(),
        actor: "system",
        action: "routed",
        detail: `${CATEGORY_LABELS[tip.category]} → ${chain.join(" → ")}`,
      },
      ["received"],
    );
    return "routed";
  }

  /** Sends one message. Idempotent: the delivery ledger stops a second send of the same id. */
  private async notify(job: Job<NotifyJob>, token?: string): Promise<string> {
    const parsed = notifyJobSchema.safeParse(job.data);
    if (!parsed.success) throw unrecoverable(`invalid notify job: ${parsed.error.message}`);
    const data = parsed.data;
    const { store } = this.deps;
    if (await store.deliveryOf(data.deliveryId)) return "already-sent";
    const tip = await store.get(data.tipId);
    if (!tip) throw unrecoverable(`tip ${data.tipId} not found`);

    const target = this.addressOf(data, tip);
    if (!(await this.takeChatSlot(target.address))) {
      await job.moveToDelayed(this.now() + this.options.minChatIntervalMs, token);
      throw new DelayedError();
    }
    let message = await this.withPhotos(
      data,
      tip,
      this.render(data, tip, target.address.channel, target.lang),
    );
    // Remembered before sending, so that an answer typed the moment it arrives finds it.
    if (data.kind === "question" && data.to.type === "tipster")
      await this.deps.pending.set(target.address, tip.id, this.now());
    // A retry after a crash in the middle of a send cannot know whether it went out; the
    // recipient is told, rather than the message being dropped.
    if (await store.startDelivery(data.deliveryId))
      message = { ...message, text: `(Gửi lại) ${message.text}` };
    let messageId: string;
    try {
      ({ messageId } = await this.deps.messenger.send(target.address, message));
    } catch (err) {
      if (err instanceof MessengerRateLimitedError) {
        await job.moveToDelayed(this.now() + err.retryAfterMs, token);
        throw new DelayedError();
      }
      const permanent = err instanceof MessengerPermanentError;
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (permanent || last) await this.deadLetter(job, data, (err as Error).message);
      throw permanent ? unrecoverable((err as Error).message) : err;
    }
    await store.recordDelivery(data.deliveryId, messageId);
    await this.afterDelivery(data, tip, target.label);
    return "sent";
  }

  /** Tip messages to officers carry the tip's (already sanitised) photos. */
  private async withPhotos(
    data: NotifyJob,
    tip: TipRecord,
    message: OutgoingMessage,
  ): Promise<OutgoingMessage> {
    if (data.to.type !== "contact" || tip.photoIds.length === 0) return message;
    if (data.kind !== "new-tip" && data.kind !== "escalation" && data.kind !== "forwarded") return message;
    const photos: OutgoingPhoto[] = [];
    for (const id of tip.photoIds) {
      const bytes = await this.deps.store.getPhoto(id);
      if (bytes) photos.push({ bytes, mime: "image/jpeg" });
      else this.deps.logger.warn({ tipId: tip.id, photoId: id }, "photo of a tip is missing");
    }
    return { ...message, photos };
  }

  private addressOf(
    data: NotifyJob,
    tip: TipRecord,
  ): { address: ChatAddress; label: string; lang?: TipsterLang | undefined } {
    if (data.to.type === "tipster") {
      try {
        const { channel, chatId, lang } = this.deps.sealer.open(tip.replyHandle);
        return { address: { channel, chatId }, label: "tipster", lang };
      } catch (err) {
        throw unrecoverable(`reply handle of tip ${tip.id} cannot be opened: ${(err as Error).message}`);
      }
    }
    const contact = this.deps.routing.contactById(data.to.contactId);
    if (!contact) throw unrecoverable(`contact ${data.to.contactId} is not in the routing table`);
    return { address: { channel: contact.channel, chatId: contact.chatId }, label: contact.id };
  }

  private render(data: NotifyJob, tip: TipRecord, channel: Channel, lang?: TipsterLang): OutgoingMessage {
    const { routing } = this.deps;
    switch (data.kind) {
      case "new-tip":
        return officerTipMessage(tip, routing, "new-tip");
      case "escalation":
        return officerTipMessage(tip, routing, "escalation");
      case "forwarded":
        return officerTipMessage(
          tip,
          routing,
          "forwarded",
          data.text ? `Ghi chú khi chuyển: ${data.text}` : undefined,
        );
      case "question": {
        const words = QUESTION_TO_TIPSTER[lang ?? "vi"];
        return { text: [words.intro(tip.caseCode), data.text ?? "", words.howToAnswer[channel]].join("\n") };
      }
      case "answer":
        return {
          text: [`Người báo tin ${tip.caseCode} trả lời:`, data.text ?? ""].join("\n"),
          actions: [
            { data: `ask:${tip.id}`, label: "Hỏi thêm", command: `/hoi ${tip.caseCode} <câu hỏi>` },
            { data: `close:${tip.id}`, label: "Đóng", command: `/dong ${tip.caseCode} <kết quả>` },
          ],
        };
      case "alert":
        return {
          text: [
            `⚠️ CẢNH BÁO — tin báo ${tip.caseCode} (${CATEGORY_LABELS[tip.category]}, ${placeText(tip, routing)})`,
            data.text ?? "",
          ].join("\n"),
          actions: [{ data: `ack:${tip.id}`, label: "Nhận xử lý", command: `/nhan ${tip.caseCode}` }],
        };
    }
  }

  private async afterDelivery(data: NotifyJob, tip: TipRecord, label: string): Promise<void> {
    const at = this.now();
    const audit = { at, actor: "system", action: `delivered:${data.kind}`, detail: `→ ${label}` };
    if (data.kind === "new-tip" || data.kind === "escalation" || data.kind === "forwarded") {
      const r = await this.deps.store.transition(tip.id, { status: "delivered", deliveredAt: at }, audit, [
        "routed",
      ]);
      if (r === "wrong-status") await this.deps.store.appendAudit(tip.id, audit);
    } else {
      await this.deps.store.appendAudit(tip.id, audit);
    }
  }

  /** Per-chat pacing: at most one message per `minChatIntervalMs` to one chat. */
  private async takeChatSlot(address: ChatAddress): Promise<boolean> {
    const ms = this.options.minChatIntervalMs;
    if (ms <= 0) return true;
    const key = `${this.deps.queues.prefix}:pace:${senderKey(this.deps.salt, address.channel, address.chatId)}`;
    return (await this.deps.redis.set(key, "1", "PX", ms, "NX")) === "OK";
  }

  /** Moves a delivery that failed for good to the dead-letter queue and alerts the duty officer. */
  private async deadLetter(job: Job<NotifyJob>, data: NotifyJob, reason: string): Promise<void> {
    const { queues, routing, logger } = this.deps;
    await queues.addDeadLetter({
      queue: QUEUES.notify,
      jobId: String(job.id),
      name: job.name,
      data,
      reason,
      failedAt: this.now(),
    });
    const duty = routing.dutyOfficer.id;
    const isDutyAlert = data.kind === "alert" && data.to.type === "contact" && data.to.contactId === duty;
    logger.error({ jobId: job.id, kind: data.kind, reason }, "delivery failed for good; dead-lettered");
    this.deps.metrics?.deliveryFailures.inc({ kind: data.kind });
    if (isDutyAlert) return; // the alert channel itself is down: the log above is all we can do
    await queues.addNotify(
      {
        deliveryId: `${data.deliveryId}-dead-${randomUUID().slice(0, 8)}`,
        tipId: data.tipId,
        kind: "alert",
        to: { type: "contact", contactId: duty },
        text: `Không gửi được tin (${data.kind}) đến ${data.to.type === "contact" ? data.to.contactId : "người báo tin"}: ${reason}. Đề nghị kiểm tra và xử lý.`,
      },
      1,
    );
  }

  /** Escalates a tip nobody acknowledged in time to the next contact of its chain. */
  private async escalate(job: Job<EscalateJob>): Promise<string> {
    const parsed = escalateJobSchema.safeParse(job.data);
    if (!parsed.success) throw unrecoverable(`invalid escalate job: ${parsed.error.message}`);
    const { tipId, level } = parsed.data;
    const { store, routing, queues } = this.deps;
    const tip = await store.get(tipId);
    if (!tip) throw unrecoverable(`tip ${tipId} not found`);
    if (tip.status === "acknowledged" || tip.status === "closed") return "not-needed";
    const next = tip.chain[level];
    const duty = routing.dutyOfficer.id;
    const contactId = next ?? (level === tip.chain.length && !tip.chain.includes(duty) ? duty : undefined);
    if (!contactId) {
      await store.appendAudit(tipId, { at: this.now(), actor: "system", action: "escalation-exhausted" });
      this.deps.logger.error({ tipId, level }, "tip still not acknowledged after the whole chain");
      return "exhausted";
    }
    await queues.addNotify(
      {
        deliveryId: `${tipId}-esc-${level}-${contactId}`,
        tipId,
        kind: "escalation",
        to: { type: "contact", contactId },
      },
      1,
    );
    if (next !== undefined)
      await queues.addEscalation({ tipId, level: level + 1 }, routing.deadlineMs(tip.urgency));
    await store.transition(
      tipId,
      { level },
      { at: this.now(), actor: "system", action: "escalated", detail: `→ ${contactId} (cấp ${level + 1})` },
      ["routed", "delivered"],
    );
    return "escalated";
  }
}
