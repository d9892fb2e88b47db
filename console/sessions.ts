import { createHash, randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";
import {
  type ConsolePrincipal,
  consolePrincipalSchema,
  principalKey,
} from "../workers/directory/sign-in-links.js";

/** A signed-in browser. */
export interface ConsoleSession {
  readonly principal: ConsolePrincipal;
  readonly createdAt: number;
}

const sessionSchema = z.object({ principal: consolePrincipalSchema, createdAt: z.number() });

export interface SessionTimeouts {
  /** Signed out after this long without a request. Default 30 minutes. */
  readonly idleMs: number;
  /** Signed out this long after signing in, however active. Default 12 hours. */
  readonly absoluteMs: number;
}

export const DEFAULT_TIMEOUTS: SessionTimeouts = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };

/** A session id's form: 32 random bytes, base64url. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * Console sessions in Redis, so that any replica answers any browser. The browser holds a
 * random id; Redis holds only its hash (a copy of Redis signs nobody in). A session ends after
 * `idleMs` without use (the key's expiry, renewed by each request), `absoluteMs` after it began
 * however used, on sign-out, or when its person signs out everywhere.
 */
export class ConsoleSessions {
  private readonly timeouts: SessionTimeouts;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    timeouts: Partial<SessionTimeouts> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...timeouts };
  }

  private hash(id: string): string {
    return createHash("sha256").update(id).digest("hex");
  }

  private key(hash: string): string {
    return `${this.prefix}:console:session:${hash}`;
  }

  private setKey(principal: ConsolePrincipal): string {
    return `${this.prefix}:console:sessions:${principalKey(principal)}`;
  }

  /** A new session for `principal`; returns the id the browser keeps. */
  async create(principal: ConsolePrincipal): Promise<string> {
    const id = randomBytes(32).toString("base64url");
    const hash = this.hash(id);
    const value: ConsoleSession = { principal, createdAt: this.now() };
    await this.redis
      .multi()
      .set(this.key(hash), JSON.stringify(value), "PX", this.timeouts.idleMs)
      .sadd(this.setKey(principal), hash)
      .pexpire(this.setKey(principal), this.timeouts.absoluteMs)
      .exec();
    return id;
  }

  /**
   * The live session behind `id`, its idle timer renewed; undefined when there is none (never
   * issued, signed out, idle or past its absolute lifetime).
   */
  async get(id: unknown): Promise<ConsoleSession | undefined> {
    if (typeof id !== "string" || !SESSION_ID.test(id)) return undefined;
    const key = this.key(this.hash(id));
    const raw = await this.redis.get(key);
    if (!raw) return undefined;
    const parsed = sessionSchema.safeParse(JSON.parse(raw));
    if (!parsed.success) return undefined;
    const left = parsed.data.createdAt + this.timeouts.absoluteMs - this.now();
    if (left <= 0) {
      await this.redis.del(key);
      return undefined;
    }
    await this.redis.pexpire(key, Math.min(this.timeouts.idleMs, left));
    return parsed.data;
  }

  /** Ends one session. */
  async destroy(id: unknown): Promise<void> {
    if (typeof id !== "string" || !SESSION_ID.test(id)) return;
    await this.redis.del(this.key(this.hash(id)));
  }

  /** Ends every session of `principal` (sign out everywhere). Returns how many were live. */
  async destroyAll(principal: ConsolePrincipal): Promise<number> {
    const set = this.setKey(principal);
    const hashes = await this.redis.smembers(set);
    if (hashes.length === 0) return 0;
    const [[, n] = []] =
      (await this.redis
        .multi()
        .del(...hashes.map((h) => this.key(h)))
        .del(set)
        .exec()) ?? [];
    return Number(n ?? 0);
  }
}
