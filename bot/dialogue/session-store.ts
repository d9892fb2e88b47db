import type { Redis } from "ioredis";
import { z } from "zod";
import { categorySchema, urgencySchema } from "../../workers/tip/tip.js";

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
      }),
      z.object({ kind: z.literal("officer-ask"), tipId: z.string() }),
      z.object({ kind: z.literal("school") }),
      z.object({ kind: z.literal("officer-forward"), tipId: z.string() }),
    ])
    .optional(),
  /** The last answer, for "Xem nguồn" and 👍/👎 (the question text, not who asked). */
  lastAnswer: z
    .object({
      question: z.string(),
      abstained: z.boolean(),
      docIds: z.array(z.string()),
      sources: z.array(z.string()),
    })
    .optional(),
  /** Data of the choices last offered, so that a bare number ("2") picks one (Zalo, SMS-like use). */
  offered: z.array(z.string()).max(20).optional(),
  updatedAt: z.number().default(0),
});
export type Session = z.infer<typeof sessionSchema>;
export type ReportFlow = Extract<NonNullable<Session["flow"]>, { kind: "report" }>;

export interface SessionStore {
  load(key: string): Promise<Session>;
  save(key: string, session: Session): Promise<void>;
  /** Forgets everything about the chat (role, school, language, any draft). */
  delete(key: string): Promise<void>;
}

/** Sessions in Redis with an idle expiry, so an abandoned draft disappears by itself. */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** Idle time after which a session (and any draft in it) is dropped. Default 30 days. */
    private readonly ttlSeconds = 30 * 24 * 3600,
  ) {}

  async load(key: string): Promise<Session> {
    const raw = await this.redis.get(`${this.prefix}:session:${key}`);
    if (!raw) return sessionSchema.parse({});
    const parsed = sessionSchema.safeParse(JSON.parse(raw));
    // A session written by an older version starts afresh rather than breaking the chat.
    return parsed.success ? parsed.data : sessionSchema.parse({});
  }

  async save(key: string, session: Session): Promise<void> {
    await this.redis.set(`${this.prefix}:session:${key}`, JSON.stringify(session), "EX", this.ttlSeconds);
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(`${this.prefix}:session:${key}`);
  }
}
