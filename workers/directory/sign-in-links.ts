import { createHash, randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";

/**
 * Who a console session is for. A chat bound in the directory (a police contact, school staff,
 * a province admin who joined by invitation): what they may see is worked out from the
 * directory at every request, so a revoked role stops at once. Or the operator, who ran the
 * command line on the server (the province admin's first link).
 */
export type ConsolePrincipal =
  | { readonly kind: "chat"; readonly channel: "telegram" | "zalo"; readonly chatId: string }
  | { readonly kind: "operator" };

export const consolePrincipalSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("chat"),
    channel: z.enum(["telegram", "zalo"]),
    chatId: z.string().min(1).max(64),
  }),
  z.object({ kind: z.literal("operator") }),
]);

/** A stable key for a principal that names no chat id (sha-256 of it). */
export function principalKey(p: ConsolePrincipal): string {
  if (p.kind === "operator") return "operator";
  return createHash("sha256").update(`${p.channel}\u0000${p.chatId}`).digest("hex").slice(0, 32);
}

/** Default lifetime of a sign-in link: 5 minutes. */
export const SIGN_IN_LINK_TTL_MS = 5 * 60_000;

/** The token's form: 32 random bytes, base64url. Anything else is not looked up. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * One-time sign-in links for the console (`/dangnhap` in the bot, or the command line). The
 * token is 256 random bits; Redis keeps only its hash, for `ttlMs`, and the first redemption
 * deletes it (GETDEL), so a link works once, whichever replica it reaches.
 */
export class SignInLinks {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs = SIGN_IN_LINK_TTL_MS,
  ) {}

  private key(token: string): string {
    return `${this.prefix}:console:link:${createHash("sha256").update(token).digest("hex")}`;
  }

  /** A new token for `principal`, valid `ttlMs` and once. */
  async mint(principal: ConsolePrincipal): Promise<{ token: string; expiresAt: number }> {
    const token = randomBytes(32).toString("base64url");
    await this.redis.set(this.key(token), JSON.stringify(principal), "PX", this.ttlMs);
    return { token, expiresAt: Date.now() + this.ttlMs };
  }

  /** The principal the token was minted for, once; undefined when unknown, used or expired. */
  async redeem(token: unknown): Promise<ConsolePrincipal | undefined> {
    if (typeof token !== "string" || !TOKEN.test(token)) return undefined;
    const raw = await this.redis.getdel(this.key(token));
    if (!raw) return undefined;
    const parsed = consolePrincipalSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  }
}

/** The console's address for a token: the fragment is never sent to a server by a link preview. */
export function signInUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/$/, "")}/console/dang-nhap#${token}`;
}
