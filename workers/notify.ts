import { randomUUID } from "node:crypto";
import { DelayedError, type Job } from "bullmq";
import { type Lang, tl } from "../i18n.js";
import {
  type ChatAddress,
  MessengerPermanentError,
  MessengerRateLimitedError,
  type OutgoingMessage,
  type OutgoingPhoto,
} from "./messenger.js";
import { isIncidentJob, type NotifyJob, notifyJobSchema, QUEUES, type TipNotifyJob } from "./queues/jobs.js";
import { officerTipMessage, placeText } from "./render.js";
import { VacantContactError } from "./routing/routing-table.js";
import { isBound } from "./routing/schema.js";
import { type PreparedDelivery, type Recipient, type StageDeps, unrecoverable } from "./stage.js";
import { OFFICER_LANG, officerActions } from "./tip/officer-actions.js";
import { senderKey } from "./tip/sender-key.js";
import type { Channel } from "./tip/tip.js";
import type { TipRecord } from "./tip/tip-store.js";

/**
 * The notify stage (queue "notify"): sends one message — a tip to an officer, an officer's
 * question to a tipster (through the sealed reply handle), an answer, an alert. Idempotent:
 * the delivery ledger stops a second send of the same id; a send interrupted by a crash is
 * resent marked "(Gửi lại)". Officers read Vietnamese (`OFFICER_LANG`); a tipster the language
 * sealed in the tip's reply handle. Paced per chat (`minChatIntervalMs`), 429s wait out `retry_after`,
 * permanent failures are dead-lettered with an alert to the duty officer. A contact with no chat
 * (a vacant slot: routing never chooses one, but a forward or a chain older than an unbinding
 * can name one) is such a failure too: dead-lettered, alerted, never sent anywhere else.
 *
 * The same machinery carries messages about schools' incidents (`subject: "incident"`): what
 * they say, to whom and what their delivery changes is `deps.incidents`' (`SubjectStages`).
 */
/** How long a worker without incident stages puts an incident's job back for another to take. */
export const NO_INCIDENTS_RETRY_MS = 5_000;

export function notifyStage(deps: StageDeps, minChatIntervalMs: number) {
  return async (job: Job<NotifyJob>, token?: string): Promise<string> => {
    const parsed = notifyJobSchema.safeParse(job.data);
    if (!parsed.success) throw unrecoverable(`invalid notify job: ${parsed.error.message}`);
    // The queued text is sealed (TipQueues.addNotify); a dead letter keeps it so.
    const queued = parsed.data;
    let data: NotifyJob;
    try {
      data = { ...queued, ...(queued.text !== undefined && { text: deps.queues.textOf(queued) }) };
    } catch (err) {
      throw unrecoverable(`text of notify job ${job.id} cannot be opened: ${(err as Error).message}`);
    }
    const { store } = deps;
    if (await store.deliveryOf(data.deliveryId)) return "already-sent";
    let delivery: PreparedDelivery;
    if (isIncidentJob(data)) {
      // A worker without the database (`npm run worker` beside an embedded PGlite) leaves the
      // message to one that has it, without using up its attempts.
      if (!deps.incidents) {
        await job.moveToDelayed(deps.now() + NO_INCIDENTS_RETRY_MS, token);
        throw new DelayedError();
      }
      delivery = await deps.incidents.prepare(data);
    } else delivery = await tipDelivery(deps, data);

    let target: Recipient;
    try {
      target = delivery.recipient();
    } catch (err) {
      if ((err as Error).name !== "VacantContactError") throw err;
      await deadLetter(deps, job, queued, (err as Error).message);
      throw unrecoverable((err as Error).message);
    }
    if (!(await takeChatSlot(deps, minChatIntervalMs, target.address))) {
      await job.moveToDelayed(deps.now() + minChatIntervalMs, token);
      throw new DelayedError();
    }
    let message = await delivery.message(target);
    // Remembered before sending, so that an answer typed the moment it arrives finds it.
    await delivery.beforeSend?.(target);
    // A retry after a crash in the middle of a send cannot know whether it went out; the
    // recipient is told, rather than the message being dropped.
    if (await store.startDelivery(data.deliveryId))
      message = { ...message, text: tl(target.lang, "delivery.resent", { text: message.text }) };
    let messageId: string;
    try {
      ({ messageId } = await deps.messenger.send(target.address, message));
    } catch (err) {
      if (err instanceof MessengerRateLimitedError) {
        await job.moveToDelayed(deps.now() + err.retryAfterMs, token);
        throw new DelayedError();
      }
      const permanent = err instanceof MessengerPermanentError;
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (permanent || last) await deadLetter(deps, job, queued, (err as Error).message);
      throw permanent ? unrecoverable((err as Error).message) : err;
    }
    await store.recordDelivery(data.deliveryId, messageId);
    await delivery.delivered(target);
    return "sent";
  };
}

/** A tip's message: the tip from the tip store, the tipster through the sealed reply handle. */
async function tipDelivery(deps: StageDeps, data: TipNotifyJob): Promise<PreparedDelivery> {
  const tip = await deps.store.get(data.tipId);
  if (!tip) throw unrecoverable(`tip ${data.tipId} not found`);
  return {
    recipient: () => addressOf(deps, data, tip),
    message: async (to) => withPhotos(deps, data, tip, render(deps, data, tip, to.address.channel, to.lang)),
    async beforeSend(to) {
      if (data.kind === "question" && data.to.type === "tipster")
        await deps.pending.set(to.address, tip.id, deps.now());
    },
    delivered: (to) => afterDelivery(deps, data, tip, to.label),
  };
}

/** Tip messages to officers carry the tip's (already sanitised) photos. */
async function withPhotos(
  deps: StageDeps,
  data: TipNotifyJob,
  tip: TipRecord,
  message: OutgoingMessage,
): Promise<OutgoingMessage> {
  if (data.to.type !== "contact" || tip.photoIds.length === 0) return message;
  if (data.kind !== "new-tip" && data.kind !== "escalation" && data.kind !== "forwarded") return message;
  const photos: OutgoingPhoto[] = [];
  for (const id of tip.photoIds) {
    const bytes = await deps.store.getPhoto(id);
    if (bytes) photos.push({ bytes, mime: "image/jpeg" });
    else deps.logger.warn({ tipId: tip.id, photoId: id }, "photo of a tip is missing");
  }
  return { ...message, photos };
}

function addressOf(deps: StageDeps, data: TipNotifyJob, tip: TipRecord): Recipient {
  if (data.to.type === "tipster") {
    try {
      const { channel, chatId, lang } = deps.sealer.open(tip.replyHandle);
      // Handles sealed before languages were kept hold none: Vietnamese, the bot's default.
      return { address: { channel, chatId }, label: "tipster", lang: lang ?? "vi" };
    } catch (err) {
      throw unrecoverable(`reply handle of tip ${tip.id} cannot be opened: ${(err as Error).message}`);
    }
  }
  const contact = deps.routing.contactById(data.to.contactId);
  if (!contact) throw unrecoverable(`contact ${data.to.contactId} is not in the routing table`);
  if (!isBound(contact)) throw new VacantContactError(contact.id);
  return {
    address: { channel: contact.channel, chatId: contact.chatId },
    label: contact.id,
    lang: OFFICER_LANG,
  };
}

function render(
  deps: StageDeps,
  data: TipNotifyJob,
  tip: TipRecord,
  channel: Channel,
  lang: Lang,
): OutgoingMessage {
  const { routing } = deps;
  switch (data.kind) {
    case "new-tip":
      return officerTipMessage(tip, routing, "new-tip");
    case "escalation":
      return officerTipMessage(tip, routing, "escalation");
    case "forwarded":
      return officerTipMessage(tip, routing, "forwarded", data.text);
    // The officer's question as the tipster reads it, with how to answer on their channel:
    // Telegram has reply-to, the web chat a "Trả lời" button, Zalo neither — there (and whenever
    // a plain message follows) the bot asks before sending it on.
    case "question":
      return {
        text: [
          tl(lang, "tipsterMessage.question", { code: tip.caseCode }),
          data.text ?? "",
          tl(lang, `tipsterMessage.howToAnswer.${channel}`),
        ].join("\n"),
      };
    case "answer":
      return {
        text: [tl(lang, "officerMessage.answer", { code: tip.caseCode }), data.text ?? ""].join("\n"),
        actions: officerActions(tip, ["ask", "close"]),
      };
    case "alert":
      return {
        text: [
          tl(lang, "officerMessage.alert", {
            code: tip.caseCode,
            category: tl(lang, `category.${tip.category}`),
            place: placeText(tip, routing),
          }),
          data.text ?? "",
        ].join("\n"),
        actions: officerActions(tip, ["ack"]),
      };
  }
}

async function afterDelivery(
  deps: StageDeps,
  data: TipNotifyJob,
  tip: TipRecord,
  label: string,
): Promise<void> {
  const at = deps.now();
  const audit = { at, actor: "system", action: `delivered:${data.kind}`, detail: `→ ${label}` };
  if (data.kind === "new-tip" || data.kind === "escalation" || data.kind === "forwarded") {
    const r = await deps.store.transition(tip.id, { status: "delivered", deliveredAt: at }, audit, [
      "routed",
    ]);
    if (r === "wrong-status") await deps.store.appendAudit(tip.id, audit);
  } else {
    await deps.store.appendAudit(tip.id, audit);
  }
}

/** Per-chat pacing: at most one message per `minChatIntervalMs` to one chat. */
async function takeChatSlot(deps: StageDeps, ms: number, address: ChatAddress): Promise<boolean> {
  if (ms <= 0) return true;
  const key = `${deps.queues.prefix}:pace:${senderKey(deps.salt, address.channel, address.chatId)}`;
  return (await deps.redis.set(key, "1", "PX", ms, "NX")) === "OK";
}

/** Moves a delivery that failed for good to the dead-letter queue and alerts the duty officer. */
async function deadLetter(
  deps: StageDeps,
  job: Job<NotifyJob>,
  data: NotifyJob,
  reason: string,
): Promise<void> {
  const { queues, routing, logger } = deps;
  await queues.addDeadLetter({
    queue: QUEUES.notify,
    jobId: String(job.id),
    name: job.name,
    data,
    reason,
    failedAt: deps.now(),
  });
  const duty = routing.dutyOfficer.id;
  const isDutyAlert = data.kind === "alert" && data.to.type === "contact" && data.to.contactId === duty;
  logger.error({ jobId: job.id, kind: data.kind, reason }, "delivery failed for good; dead-lettered");
  deps.metrics?.deliveryFailures.inc({ kind: data.kind });
  if (isDutyAlert) return; // the alert channel itself is down: the log above is all we can do
  if (isIncidentJob(data)) {
    if (deps.incidents) await queues.addNotify(deps.incidents.alert(data, reason), 1);
    return;
  }
  await queues.addNotify(
    {
      deliveryId: `${data.deliveryId}-dead-${randomUUID().slice(0, 8)}`,
      tipId: data.tipId,
      kind: "alert",
      to: { type: "contact", contactId: duty },
      text: tl(OFFICER_LANG, "officerMessage.deliveryFailed", {
        kind: data.kind,
        to: data.to.type === "contact" ? data.to.contactId : tl(OFFICER_LANG, "officerMessage.theTipster"),
        reason,
      }),
    },
    1,
  );
}
