import { hkdfSync, randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import cookie from "@fastify/cookie";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { type Lang, t, withLang } from "../../i18n.js";
import type { Logger } from "../../logger.js";
import type { Dialogue, Incoming, Reply } from "../dialogue/dialogue.js";
import { STREAM_ID, type WebOutbox } from "./chat-streams.js";

export interface WebChatDeps {
  readonly dialogue: Dialogue;
  readonly outbox: WebOutbox;
  readonly logger: Logger;
  /** Send the cookie only over HTTPS. */
  readonly secureCookies: boolean;
  /** Sites allowed to frame the chat (a school's own website). */
  readonly embedOrigins: readonly string[];
  /**
   * Key signing the chat cookie (`cookieSecretFrom`): only cookies this server issued open a
   * chat, so a script cannot invent cookies to dodge the per-sender limits.
   */
  readonly cookieSecret: Buffer;
  /**
   * The chat's language (`Dialogue.languageOf`), so that what the page shows on its own (refusals,
   * button captions) matches the dialogue's. Vietnamese when not given.
   */
  readonly languageOf?: (chatId: string) => Promise<Lang>;
  /** Extra routes inside the same scope (the demo officer view). */
  readonly extend?: (scope: FastifyInstance) => Promise<void>;
}

export const COOKIE = "ssg_chat";
/**
 * 256 random bits, base64url: the whole identity of an anonymous browser, and the chat id the
 * dialogue sees. The cookie carries it followed by the server's signature.
 */
const CHAT_ID = /^[A-Za-z0-9_-]{43}$/;
const MAX_AGE_S = 30 * 24 * 3600;
/** Largest photo the web chat takes (the page checks it before uploading). */
export const MAX_PHOTO_BYTES = 15 * 1024 * 1024;
const PHOTO_TYPES = ["image/jpeg", "image/png"];

export const chatInputSchema = z.union([
  z.object({ text: z.string().trim().min(1).max(4000), quoted: z.string().max(4096).optional() }).strict(),
  z.object({ choice: z.string().min(1).max(64) }).strict(),
]);

/** The dialogue's input for a validated body. */
export function incomingOf(body: z.infer<typeof chatInputSchema>): Incoming {
  if ("choice" in body) return { kind: "choice", data: body.choice };
  return { kind: "text", text: body.text, ...(body.quoted && { quoted: body.quoted }) };
}

/** Locale keys of words for buttons the dialogue labels with an emoji only. */
const WORDS_FOR_EMOJI: Readonly<Record<string, string>> = {
  "fb:up": "web.feedbackUp",
  "fb:down": "web.feedbackDown",
};

/**
 * Replies as JSON for the page: text and buttons only. A button labelled with an emoji alone
 * (👍/👎) gets words too, in `lang`: without an emoji font it would be an empty box.
 */
export async function repliesJson(
  replies: readonly Reply[],
  lang: Lang = "vi",
): Promise<{ text: string; choices: { data: string; label: string }[] }[]> {
  return withLang(lang, async () =>
    replies.map((r) => ({
      text: r.text,
      choices: (r.choices ?? []).map((c) => {
        const words = WORDS_FOR_EMOJI[c.data];
        return {
          data: c.data,
          label: words && !/\p{L}/u.test(c.label) ? t(words, { emoji: c.label }) : c.label,
        };
      }),
    })),
  );
}

/**
 * The cookie-signing key, derived (HKDF-SHA256) from the sender salt: every instance sharing
 * TIP_SENDER_SALT accepts the others' cookies, and the salt itself never signs anything.
 */
export function cookieSecretFrom(senderSalt: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", senderSalt, Buffer.alloc(0), "ssg web chat cookie v1", 32));
}

export const PUBLIC_DIR = fileURLToPath(new URL("./public/", import.meta.url));

/**
 * The web chat: the page at `/` and its JSON API under `/chat/`. An anonymous browser is known
 * only by a random cookie (HttpOnly); nothing about the request (address, user agent) reaches
 * the dialogue or a tip. Posts must come from this origin (or an allowed embedding page's
 * frame, which is this origin too) and be JSON or an image, which a foreign form cannot send.
 */
export async function registerWebChat(app: FastifyInstance, deps: WebChatDeps): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(helmet, {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          imgSrc: ["'self'", "blob:", "data:"],
          styleSrc: ["'self'"],
          fontSrc: ["'self'"],
          frameAncestors: ["'self'", ...deps.embedOrigins],
          formAction: ["'self'"],
          // Over plain http (a local try-out) there is nothing to upgrade to.
          upgradeInsecureRequests: deps.secureCookies ? [] : null,
        },
      },
      // The embedding pages are listed in frame-ancestors; X-Frame-Options cannot list them.
      frameguard: deps.embedOrigins.length > 0 ? false : { action: "sameorigin" },
      referrerPolicy: { policy: "no-referrer" },
      hsts: deps.secureCookies,
    });
    await scope.register(cookie, { secret: deps.cookieSecret });
    await scope.register(rateLimit, { global: false });
    await scope.register(fastifyStatic, { root: PUBLIC_DIR, wildcard: false, index: "index.html" });
    for (const type of PHOTO_TYPES)
      scope.addContentTypeParser(
        type,
        { parseAs: "buffer", bodyLimit: MAX_PHOTO_BYTES },
        (_req, body, done) => done(null, body),
      );

    scope.setErrorHandler(async (err: Error & { statusCode?: number; code?: string }, req, reply) => {
      // A photo the page should have refused (the limit is checked before upload): say so in
      // the chat's language, with the limit, as the page shows `message` as it is.
      if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE" && req.routeOptions.url === "/chat/photo") {
        const message = await say(req, "web.photoTooLarge", { mb: MAX_PHOTO_BYTES / 1024 / 1024 });
        return reply.code(413).send({ error: "photo-too-large", maxBytes: MAX_PHOTO_BYTES, message });
      }
      if (err.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" && req.routeOptions.url === "/chat/photo")
        return reply.code(415).send({ error: "photo-type", message: await say(req, "report.photoType") });
      const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
      if (status === 500) deps.logger.error({ err: err.message }, "web chat request failed");
      return reply.code(status).send({ error: status === 500 ? "internal" : err.message });
    });

    const cookieOptions = {
      path: "/",
      httpOnly: true,
      secure: deps.secureCookies,
      // Inside a school's page the frame is cross-site: the cookie must then be SameSite=None.
      sameSite: deps.embedOrigins.length > 0 ? ("none" as const) : ("strict" as const),
      maxAge: MAX_AGE_S,
    };

    /** The chat id of a cookie this server issued; undefined for a missing, invented or tampered one. */
    const issuedChatId = (req: FastifyRequest): string | undefined => {
      const raw = req.cookies[COOKIE];
      if (!raw) return undefined;
      const { valid, value } = req.unsignCookie(raw);
      return valid && value && CHAT_ID.test(value) ? value : undefined;
    };

    const languageOf = async (chatId: string | undefined): Promise<Lang> =>
      chatId && deps.languageOf ? deps.languageOf(chatId) : "vi";

    /** A refusal in the chat's language (Vietnamese without a session). */
    const say = async (req: FastifyRequest, key: string, vars?: Record<string, string | number>) => {
      const lang = await languageOf(issuedChatId(req)).catch(() => "vi" as const);
      return withLang(lang, async () => t(key, vars));
    };

    /** The dialogue's replies, with the language they are in (the page words its own notices in it). */
    const answer = async (chatId: string, input: Incoming) => {
      const replies = await deps.dialogue.handle({ channel: "web", chatId }, input);
      // Read after the turn: "/lang en" switches the language of this turn's replies.
      const lang = await languageOf(chatId);
      return { replies: await repliesJson(replies, lang), lang };
    };

    /** The browser's chat id, or a 401 the page answers by opening a session. */
    const chatOf = (req: FastifyRequest, reply: FastifyReply): string | undefined => {
      const id = issuedChatId(req);
      if (id) return id;
      void reply.code(401).send({ error: "no-session" });
      return undefined;
    };

    // Cross-site requests are refused: a browser always sends Origin on a cross-site POST, and
    // "null" from sandboxed frames and data: or file: pages, which are never this page.
    // Without Origin (curl, tests) the cookie is still needed.
    scope.addHook("onRequest", async (req, reply) => {
      if (req.method !== "POST") return;
      const origin = req.headers.origin;
      if (origin !== undefined) {
        let same = false;
        try {
          const from = new URL(origin);
          // Read the Host header with the origin's scheme so that default ports compare equal.
          same = new URL(`${from.protocol}//${req.host}`).host === from.host;
        } catch {
          same = false;
        }
        if (!same) return reply.code(403).send({ error: "cross-site request" });
      }
    });

    // New anonymous sessions are the one thing limited per client address (in memory only):
    // otherwise a script could mint cookies to dodge the per-sender tip limit.
    scope.post(
      "/chat/session",
      { config: { rateLimit: { max: 20, timeWindow: "1 minute" } } },
      async (req, reply) => {
        if (issuedChatId(req)) return { ok: true, renewed: false };
        // An unsigned cookie of an older version also gets a new chat (its session is not reused).
        reply.setCookie(COOKIE, randomBytes(32).toString("base64url"), { ...cookieOptions, signed: true });
        return { ok: true, renewed: true };
      },
    );

    scope.post("/chat/message", async (req, reply) => {
      const chatId = chatOf(req, reply);
      if (!chatId) return reply;
      const body = chatInputSchema.safeParse(req.body);
      if (!body.success) return reply.code(400).send({ error: "expected {text} or {choice}" });
      return answer(chatId, incomingOf(body.data));
    });

    scope.post("/chat/photo", async (req, reply) => {
      const chatId = chatOf(req, reply);
      if (!chatId) return reply;
      if (!Buffer.isBuffer(req.body) || req.body.length === 0)
        return reply.code(415).send({ error: "photo-type", message: await say(req, "report.photoType") });
      return answer(chatId, { kind: "photo", bytes: req.body });
    });

    scope.get<{ Querystring: { after?: string } }>("/chat/inbox", async (req, reply) => {
      const chatId = chatOf(req, reply);
      if (!chatId) return reply;
      const after = req.query.after;
      if (after !== undefined && !STREAM_ID.test(after)) return reply.code(400).send({ error: "bad cursor" });
      const messages = await deps.outbox.read(chatId, after);
      return { messages: messages.map((m) => ({ id: m.id, text: m.text, photos: m.photos })) };
    });

    // "Forget this browser": for a shared computer. Tips already sent stay with the police.
    scope.post("/chat/forget", async (req, reply) => {
      const chatId = chatOf(req, reply);
      if (!chatId) return reply;
      await deps.dialogue.forget({ channel: "web", chatId });
      await deps.outbox.forget(chatId);
      reply.clearCookie(COOKIE, { path: "/" });
      return { ok: true };
    });

    await deps.extend?.(scope);
  });
}
