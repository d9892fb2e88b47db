import { randomUUID } from "node:crypto";
import type { Logger } from "../logger.js";
import type { Metrics } from "./metrics.js";
import type { TipQueues } from "./queues/tip-queues.js";
import type { Routing } from "./routing/routing-table.js";
import { newCaseCode } from "./tip/case-code.js";
import { detectEmergency, type Emergency } from "./tip/emergency.js";
import type { PhotoRejectedError, SanitizedPhoto } from "./tip/photo.js";
import type { PhotoSanitizer } from "./tip/photo-pool.js";
import { newPin, type PinHasher } from "./tip/pin.js";
import type { ReplyHandleSealer, TipsterLang } from "./tip/reply-handle.js";
import { type CounterRateLimiter, type SenderRateLimiter, senderKey } from "./tip/sender-key.js";
import { type Channel, type TipSubmission, tipSubmissionSchema } from "./tip/tip.js";
import type { TipRecord, TipStore } from "./tip/tip-store.js";

/** The rate-limit key of a tip's place: its school, else its commune, else "other". */
function placeKey(s: TipSubmission): string {
  const id = s.place.schoolId ?? s.place.communeId ?? "other";
  return `place:${id
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, "_")
    .slice(0, 90)}`;
}

/** How far back the reconciler looks: it runs at start and every minute, so a day is ample. */
const RECONCILE_WINDOW_MS = 24 * 3600_000;

/** Who sent a tip, known only at intake: used to seal the reply handle and rate-limit, then dropped. */
export interface Tipster {
  readonly channel: Channel;
  readonly chatId: string;
  /** The sender's user id where it differs from the chat (rate limiting only). */
  readonly userId?: string;
  /** The chat's language, sealed with the address for messages relayed later. */
  readonly lang?: TipsterLang;
}

export interface SubmittedTip {
  readonly tipId: string;
  readonly caseCode: string;
  /** Shown to the tipster once; only its slow hash is kept. */
  readonly pin: string;
  /** Set when the tip mentions danger to life: show this guidance first. */
  readonly emergency?: Emergency;
}

/**
 * Input rejected. The dialogue words `reason` for the tipster from the catalogue; the message
 * (English) is for logs and developers.
 */
export class TipRejectedError extends Error {
  override readonly name = "TipRejectedError";
  constructor(
    /**
     * "rate-limited": this sender sent too many; "busy": the place or the whole intake took too
     * many tips in a short time, whoever sent them (a flood must not drown real tips);
     * "photo-expired": an attached photo is gone (kept a day) or never existed.
     */
    readonly reason: "invalid" | "rate-limited" | "busy" | "unknown-place" | "photo-expired",
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Type guard for rejections, by name (works across module copies, unlike instanceof alone). */
export function isTipRejected(e: unknown): e is TipRejectedError {
  return e instanceof Error && e.name === "TipRejectedError";
}

export interface TipIntakeDeps {
  readonly store: TipStore;
  readonly queues: TipQueues;
  readonly routing: Routing;
  readonly sealer: ReplyHandleSealer;
  readonly pins: PinHasher;
  readonly limiter: SenderRateLimiter;
  /** Decodes photos off the main thread (PhotoPool). */
  readonly photos: PhotoSanitizer;
  /** Tips per school or commune ("place:<id>") and in all ("all"), whoever sends them. */
  readonly placeLimiter: CounterRateLimiter;
  readonly globalLimiter: CounterRateLimiter;
  readonly salt: Buffer;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly now?: () => number;
}

/**
 * Takes tips in. The tipster's chat id is sealed into the reply handle and used, hashed, for
 * rate limiting; it is never stored in the tip, a job or a log.
 */
export class TipIntake {
  private readonly now: () => number;

  constructor(private readonly deps: TipIntakeDeps) {
    this.now = deps.now ?? Date.now;
  }

  async submit(input: unknown, tipster: Tipster): Promise<SubmittedTip> {
    const parsed = tipSubmissionSchema.safeParse(input);
    if (!parsed.success) {
      const what = parsed.error.issues.map((i) => `${i.path.join(".") || "(tip)"}: ${i.message}`).join("; ");
      throw new TipRejectedError("invalid", `invalid tip: ${what}`);
    }
    const submission: TipSubmission = parsed.data;
    this.checkPlace(submission);
    for (const id of submission.photoIds)
      if (!(await this.deps.store.hasPhoto(id)))
        throw new TipRejectedError("photo-expired", `photo ${id} has expired or does not exist`);

    const key = senderKey(this.deps.salt, tipster.channel, tipster.userId ?? tipster.chatId);
    const limit = await this.deps.limiter.hit(key);
    if (!limit.allowed) {
      const minutes = Math.ceil(limit.retryAfterMs / 60_000);
      throw new TipRejectedError(
        "rate-limited",
        `too many tips from this sender: retry in ${minutes} min`,
        limit.retryAfterMs,
      );
    }

    // Limits that hold however many chats or cookies a flood comes from.
    for (const [limiter, key] of [
      [this.deps.placeLimiter, placeKey(submission)],
      [this.deps.globalLimiter, "all"],
    ] as const) {
      const r = await limiter.hit(key);
      if (!r.allowed)
        throw new TipRejectedError(
          "busy",
          `too many tips at once (${key === "all" ? "in all" : "for this place"}): retry in ${Math.ceil(r.retryAfterMs / 1000)} s`,
          r.retryAfterMs,
        );
    }

    const emergency = detectEmergency(`${submission.description} ${submission.place.text ?? ""}`);
    const tipId = randomUUID();
    let caseCode = newCaseCode();
    while (!(await this.deps.store.reserveCaseCode(caseCode, tipId))) caseCode = newCaseCode();
    const pin = newPin();
    // To the minute: officers and statistics need no more, and a finer time could be matched
    // against anything else that was written when the tipster pressed "send".
    const createdAt = Math.floor(this.now() / 60_000) * 60_000;
    const tip: TipRecord = {
      id: tipId,
      caseCode,
      category: submission.category,
      urgency: emergency ? "khan-cap" : submission.urgency,
      place: submission.place,
      description: submission.description,
      photoIds: submission.photoIds,
      createdAt,
      status: "received",
      chain: [],
      level: 0,
      pinHash: this.deps.pins.hash(pin),
      replyHandle: this.deps.sealer.seal({
        channel: tipster.channel,
        chatId: tipster.chatId,
        ...(tipster.lang && { lang: tipster.lang }),
      }),
    };
    await this.deps.store.create(tip, {
      at: createdAt,
      actor: "tipster",
      action: "received",
      ...(emergency && { detail: `emergency: ${emergency.kinds.join(", ")}` }),
    });
    await this.deps.queues.addIntake({ tipId });
    this.deps.logger.info({ tipId, category: tip.category, urgency: tip.urgency }, "tip received");
    this.deps.metrics?.tips.inc({ category: tip.category, urgency: tip.urgency });
    return { tipId, caseCode, pin, ...(emergency && { emergency }) };
  }

  /**
   * Strips a photo of its metadata (EXIF, GPS) by re-encoding it on a photo thread, and keeps it
   * for a day for a tip to claim. Returns the id to put in the submission's `photoIds`. Throws
   * PhotoRejectedError: "too-large", "too-many-pixels", "not-an-image" for the file, "busy"
   * when every photo thread and queue slot is taken (the same photo may be sent again later).
   */
  async addPhoto(bytes: Buffer): Promise<string> {
    let photo: SanitizedPhoto;
    try {
      photo = await this.deps.photos.sanitize(bytes);
    } catch (err) {
      const refused = err as Partial<PhotoRejectedError>;
      if (refused.name === "PhotoRejectedError" && refused.reason === "busy")
        this.deps.logger.warn({ reason: refused.reason }, "photo refused");
      throw err;
    }
    await this.deps.store.putPhoto(photo.id, photo.bytes, 24 * 3600);
    return photo.id;
  }

  /**
   * Re-enqueues tips stored but never queued (the process died between the two writes).
   * Job ids are deterministic, so a tip already queued is not queued twice.
   */
  async reconcile(olderThanMs = 10_000): Promise<number> {
    const now = this.now();
    const ids = await this.deps.store.idsInStatus("received", now - RECONCILE_WINDOW_MS, now - olderThanMs);
    let requeued = 0;
    for (const tipId of ids) {
      if (await this.deps.queues.hasIntake(tipId)) continue;
      await this.deps.queues.addIntake({ tipId });
      requeued++;
    }
    return requeued;
  }

  private checkPlace(s: TipSubmission): void {
    const { routing } = this.deps;
    if (s.place.schoolId && !routing.schools.some((x) => x.id === s.place.schoolId))
      throw new TipRejectedError("unknown-place", `school ${s.place.schoolId} is not in the routing table`);
    if (s.place.communeId && !routing.communes.some((x) => x.id === s.place.communeId))
      throw new TipRejectedError("unknown-place", `commune ${s.place.communeId} is not in the routing table`);
  }
}
