import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";
import { type ContentSealer, isSealedText } from "../../workers/tip/content-sealer.js";
import { categorySchema, urgencySchema } from "../../workers/tip/tip.js";
import {
  incidentAnswerConfirmSchema,
  incidentAskSchema,
  incidentDraftSchema,
  incidentForwardSchema,
  mapIncidentText,
} from "./features/incident-draft.js";

/**
 * What the bot remembers about a chat: who is talking (role), their school, their language,
 * and the step of a conversation in progress. Keyed by a salted hash of the chat, never the
 * raw id. A tip draft lives here only until it is sent or cancelled; after that nothing links
 * the chat to the tip.
 */
export const sessionSchema = z.object({
  role: z.enum(["phu-huynh", "giao-vien", "hoc-sinh", "cong-an"]).optional(),
  schoolId: z.string().optional(),
  lang: z.enum(["vi", "en"]).default("vi"),
  flow: z
    .discriminatedUnion("kind", [
      z.object({
        kind: z.literal("report"),
        step: z.enum(["category", "place", "place-text", "description", "photo", "urgency", "confirm"]),
        category: categorySchema.optional(),
        schoolId: z.string().optional(),
        communeId: z.string().optional(),
        placeText: z.string().optional(),
        description: z.string().optional(),
        photoIds: z.array(z.string()).default([]),
        urgency: urgencySchema.optional(),
        /**
         * When the draft was last touched, to the minute (drafts expire after 30 idle minutes).
         * Only a draft has a time: once sent, nothing in the session tells when.
         */
        touchedAt: z.number().default(0),
      }),
      /** A message typed after an officer's question, waiting for "send it as the answer?". */
      z.object({ kind: z.literal("answer-confirm") }),
      z.object({ kind: z.literal("officer-ask"), tipId: z.string() }),
      z.object({ kind: z.literal("school") }),
      z.object({ kind: z.literal("officer-forward"), tipId: z.string() }),
      /** An invitation read, waiting for "join?": its ticket (the code's keyed hash, not the code). */
      z.object({ kind: z.literal("join-confirm"), ticket: z.string().regex(/^[0-9a-f]{64}$/) }),
      /** An admin typing the name of the school an invitation is for. */
      z.object({ kind: z.literal("invite-school") }),
      // A school's incident report being written, and the incident flows (features/incident-*.ts).
      incidentDraftSchema,
      incidentAnswerConfirmSchema,
      incidentAskSchema,
      incidentForwardSchema,
    ])
    .optional(),
  /** The last answer, for "Xem nguồn" and 👍/👎 (the question text, not who asked). */
  lastAnswer: z
    .object({
      question: z.string(),
      abstained: z.boolean(),
      docIds: z.array(z.string()),
      sources: z.array(z.string()),
      /**
       * Where the quoted articles are (document, article, cited clauses): "Xem nguồn" reads their
       * text again from the index in use, so the session holds keys, not texts.
       */
      articles: z
        .array(
          z.object({
            docId: z.string(),
            article: z.string().nullable(),
            section: z.string().nullable(),
            clauses: z.array(z.string()).max(20),
          }),
        )
        .max(3)
        .default([]),
      /**
       * The first quoted article's text, kept only when the dialogue has no way to read the index
       * again (`DialogueDeps.article` not given): replaced by the next answer, dropped after
       * `TOPIC_TTL_MS` (`at`, to the minute).
       */
      detail: z.object({ title: z.string(), text: z.string().max(4000), at: z.number() }).optional(),
    })
    .optional(),
  /**
   * The previous question's topic, for a follow-up ("còn xe đạp điện thì sao?"): the question
   * without ages, numbers, names or places (`topicOf`), and the minute it was asked; dropped
   * after `TOPIC_TTL_MS`.
   */
  topic: z.object({ text: z.string().max(400), at: z.number() }).optional(),
  /** Data of the choices last offered, so that a bare number ("2") picks one (Zalo, SMS-like use). */
  offered: z.array(z.string()).max(20).optional(),
});
export type Session = z.infer<typeof sessionSchema>;
export type ReportFlow = Extract<NonNullable<Session["flow"]>, { kind: "report" }>;

/** Another turn of the same chat held the session too long. */
export class SessionBusyError extends Error {
  override readonly name = "SessionBusyError";
}

export interface SessionStore {
  /**
   * Waits until no other turn of the chat holds its session, then holds it until the returned
   * release is called, so that two messages of one chat (three photos sent at once) do not
   * overwrite each other's changes. Throws SessionBusyError after `LOCK_WAIT_MS`.
   */
  lock(key: string): Promise<() => Promise<void>>;
  load(key: string): Promise<Session>;
  save(key: string, session: Session): Promise<void>;
  /** Forgets everything about the chat (role, school, language, any draft). */
  delete(key: string): Promise<void>;
}

/** Longest a turn waits for its chat's session. */
export const LOCK_WAIT_MS = 20_000;
/** A holder that died releases the session after this long. */
const LOCK_TTL_MS = 30_000;
const DAY_S = 24 * 3600;
// Deletes the lock only if this holder still owns it.
const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * Sessions in Redis with an idle expiry, so an abandoned draft disappears by itself. The
 * expiry is set to a day boundary: a session's TTL tells on which day the chat was last used,
 * not the moment (which could be matched against a tip's time).
 */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** Idle time after which a session (and any draft in it) is dropped. Default 30 days. */
    private readonly ttlSeconds = 30 * 24 * 3600,
    /**
     * Seals a tip draft's free text (description, place) under the data key (TIP_DATA_KEY), as
     * the tip itself will be. Without it the draft is stored as typed.
     */
    private readonly content?: ContentSealer,
  ) {}

  async load(key: string): Promise<Session> {
    const raw = await this.redis.get(`${this.prefix}:session:${key}`);
    if (!raw) return sessionSchema.parse({});
    const parsed = sessionSchema.safeParse(JSON.parse(raw));
    // A session written by an older version starts afresh rather than breaking the chat.
    return parsed.success ? this.#openDraft(key, parsed.data) : sessionSchema.parse({});
  }

  #draftFields(flow: Session["flow"]): ("description" | "placeText")[] {
    return flow?.kind === "report" ? (["description", "placeText"] as const).filter((f) => flow[f]) : [];
  }

  #sealDraft(key: string, session: Session): Session {
    const { content } = this;
    const flow = session.flow;
    if (content && flow && flow.kind !== "report")
      return {
        ...session,
        flow: mapIncidentText(flow, (v, field) => content.seal(v, { owner: key, field: `draft.${field}` })),
      };
    if (!content || flow?.kind !== "report") return session;
    const sealed = { ...flow };
    for (const f of this.#draftFields(flow))
      sealed[f] = content.seal(flow[f] ?? "", { owner: key, field: `draft.${f}` });
    return { ...session, flow: sealed };
  }

  // A draft that does not open (its key is gone) is dropped; the rest of the session stays.
  #openDraft(key: string, session: Session): Session {
    const flow = session.flow;
    if (flow && flow.kind !== "report") {
      try {
        return { ...session, flow: mapIncidentText(flow, (v, field) => this.#openText(key, v, field)) };
      } catch {
        const { flow: _dropped, ...rest } = session;
        return rest;
      }
    }
    if (flow?.kind !== "report") return session;
    try {
      const opened = { ...flow };
      for (const f of this.#draftFields(flow)) {
        const value = flow[f];
        if (!isSealedText(value)) continue;
        if (!this.content) throw new Error("sealed draft without a data key");
        opened[f] = this.content.open(value, { owner: key, field: `draft.${f}` });
      }
      return { ...session, flow: opened };
    } catch {
      const { flow: _dropped, ...rest } = session;
      return rest;
    }
  }

  #openText(key: string, value: string, field: string): string {
    if (!isSealedText(value)) return value;
    if (!this.content) throw new Error("sealed draft without a data key");
    return this.content.open(value, { owner: key, field: `draft.${field}` });
  }

  async lock(key: string): Promise<() => Promise<void>> {
    const lockKey = `${this.prefix}:session-lock:${key}`;
    const token = randomBytes(12).toString("base64url");
    const giveUp = Date.now() + LOCK_WAIT_MS;
    for (let wait = 10; ; wait = Math.min(wait * 2, 250)) {
      if ((await this.redis.set(lockKey, token, "PX", LOCK_TTL_MS, "NX")) === "OK")
        return async () => {
          await this.redis.eval(UNLOCK, 1, lockKey, token);
        };
      if (Date.now() > giveUp)
        throw new SessionBusyError("the chat's previous message is still being handled");
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  async save(key: string, session: Session): Promise<void> {
    const expireAt = (Math.floor(Date.now() / 1000 / DAY_S) + 1) * DAY_S + this.ttlSeconds;
    await this.redis
      .multi()
      .set(`${this.prefix}:session:${key}`, JSON.stringify(this.#sealDraft(key, session)))
      .expireat(`${this.prefix}:session:${key}`, expireAt)
      .exec();
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(`${this.prefix}:session:${key}`);
  }
}
