import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
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

/** The token's form: base64url of its payload, a dot, base64url of its HMAC-SHA-256. */
const TOKEN = /^([A-Za-z0-9_-]{20,400})\.([A-Za-z0-9_-]{43})$/;

const payloadSchema = z.object({
  p: consolePrincipalSchema,
  exp: z.number().int(),
  n: z.string().length(22),
});

/**
 * One-time sign-in links for the console (`/dangnhap` in the bot, or the command line). A token
 * names its principal and expiry and is signed with a key derived from the sender salt, so the
 * command line mints it without reaching the server's Redis (which may be a private one); the
 * server accepts it once: the first redemption claims its random nonce in Redis (SET NX) until
 * it would have expired anyway, whichever replica it reaches.
 */
export class SignInLinks {
  private readonly key: Buffer;

  constructor(
    private readonly redis: Redis | undefined,
    private readonly prefix: string,
    secret: Buffer,
    private readonly ttlMs = SIGN_IN_LINK_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.key = Buffer.from(hkdfSync("sha256", secret, "", "ssg console sign-in link v1", 32));
  }

  private sign(payload: string): string {
    return createHmac("sha256", this.key).update(payload).digest("base64url");
  }

  /** A new token for `principal`, valid `ttlMs` and once. */
  mint(principal: ConsolePrincipal): { token: string; expiresAt: number } {
    const expiresAt = this.now() + this.ttlMs;
    const body = { p: principal, exp: expiresAt, n: randomBytes(16).toString("base64url") };
    const payload = Buffer.from(JSON.stringify(body)).toString("base64url");
    return { token: `${payload}.${this.sign(payload)}`, expiresAt };
  }

  /** The principal the token was minted for, once; undefined when forged, used or expired. */
  async redeem(token: unknown): Promise<ConsolePrincipal | undefined> {
    const m = typeof token === "string" ? TOKEN.exec(token) : null;
    if (!m || !this.redis) return undefined;
    const [, payload = "", sig = ""] = m;
    const expected = Buffer.from(this.sign(payload));
    if (!timingSafeEqual(Buffer.from(sig), expected)) return undefined;
    let parsed: z.infer<typeof payloadSchema>;
    try {
      parsed = payloadSchema.parse(JSON.parse(Buffer.from(payload, "base64url").toString("utf8")));
    } catch {
      return undefined;
    }
    const left = parsed.exp - this.now();
    if (left <= 0) return undefined;
    const claimed = await this.redis.set(
      `${this.prefix}:console:link-used:${parsed.n}`,
      "1",
      "PX",
      left + 1000,
      "NX",
    );
    return claimed === "OK" ? parsed.p : undefined;
  }
}

/** The console's address for a token: the fragment is never sent to a server by a link preview. */
export function signInUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/$/, "")}/console/dang-nhap#${token}`;
}
