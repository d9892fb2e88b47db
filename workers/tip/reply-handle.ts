import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from "node:crypto";
import { z } from "zod";
import { LANGS } from "../../i18n.js";
import { checkNotPlaceholder, KEY_BYTES, ReplyKeyError } from "../../keys.js";
import { type Channel, channelSchema } from "./tip.js";

/**
 * Reply handles: the only way from a tip back to its tipster. The tip stores a handle, never the
 * chat id; only the relay, which holds the key (TIP_REPLY_KEY), can open it to send a message.
 *
 * Format: base64url of `version (0x01) | IV (12 bytes) | ciphertext | GCM tag (16 bytes)`,
 * AES-256-GCM with the additional data "ssg-reply-v1". A fresh random IV per seal means the same
 * address sealed twice gives unrelated handles, so two tips from one person cannot be linked by
 * their handles. The plaintext is padded to a multiple of 64 bytes so the handle's length does
 * not tell a Telegram id from a Zalo id.
 *
 * Error messages never contain a handle, a key or a chat id: they end up in logs.
 */

/** Where a reply to the tipster goes. */
export interface ReplyAddress {
  readonly channel: Channel;
  readonly chatId: string;
  /** The tipster's language, so relayed questions are worded for them (Vietnamese if absent). */
  readonly lang?: TipsterLang;
}

/** The catalogue's languages: what relayed messages can be worded in. */
export const TIPSTER_LANGS = LANGS;
export type TipsterLang = (typeof TIPSTER_LANGS)[number];

const VERSION = 0x01;
const AAD = Buffer.from("ssg-reply-v1", "utf8");
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PAD_TO = 64;
/** Longest handle `open` looks at (base64url characters); real ones are about 120. */
const MAX_HANDLE_LENGTH = 2048;

const addressSchema = z
  .object({
    channel: channelSchema,
    chatId: z.string().min(1).max(256),
    lang: z.enum(TIPSTER_LANGS).optional(),
  })
  .strict();
// Compact on the wire: {"c":"telegram","i":"123","l":"en"}; handles sealed before "l" still open.
const payloadSchema = z
  .object({ c: channelSchema, i: z.string().min(1).max(256), l: z.enum(TIPSTER_LANGS).optional() })
  .strict();

/** Why a handle could not be opened. */
export type ReplyHandleFailure =
  | "malformed"
  | "unknown-version"
  | "authentication-failed"
  | "invalid-payload";

/** A reply handle could not be opened: garbage, tampered with, or sealed under another key. */
export class ReplyHandleError extends Error {
  override readonly name = "ReplyHandleError";
  constructor(
    readonly reason: ReplyHandleFailure,
    options?: { cause?: unknown },
  ) {
    super(`reply handle cannot be opened: ${reason}`, options);
  }
}

/** Seals and opens reply handles with one AES-256 key. */
export class ReplyHandleSealer {
  readonly #key: KeyObject;

  /** `key` must be 32 bytes, not all equal (see `parseKey`); it is copied, so later changes to the buffer do not matter. */
  constructor(key: Buffer) {
    if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
      throw new ReplyKeyError(
        `reply key must be ${KEY_BYTES} bytes, got ${Buffer.isBuffer(key) ? key.length : typeof key}`,
      );
    }
    this.#key = createSecretKey(Buffer.from(checkNotPlaceholder(key)));
  }

  /** Seals an address into an opaque handle; a new random IV each call. Throws a TypeError on a bad address. */
  seal(address: ReplyAddress): string {
    const parsed = addressSchema.safeParse(address);
    if (!parsed.success) throw new TypeError("not a reply address: needs a known channel and a chat id");
    const { channel, chatId, lang } = parsed.data;
    // Always written, and every language code has two letters: the handle's length must not
    // tell which language a tipster chose.
    const json = Buffer.from(JSON.stringify({ c: channel, i: chatId, l: lang ?? "vi" }), "utf8");
    // JSON.parse ignores trailing spaces, so padding needs no length field.
    const plaintext = Buffer.alloc(Math.ceil(json.length / PAD_TO) * PAD_TO, 0x20);
    json.copy(plaintext);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(AAD);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.of(VERSION), iv, ciphertext, cipher.getAuthTag()]).toString("base64url");
  }

  /** Opens a handle. Throws ReplyHandleError if it is garbage, was altered, or was sealed under another key. */
  open(handle: string): ReplyAddress {
    if (typeof handle !== "string" || handle.length > MAX_HANDLE_LENGTH || !/^[A-Za-z0-9_-]+$/.test(handle)) {
      throw new ReplyHandleError("malformed");
    }
    const raw = Buffer.from(handle, "base64url");
    if (raw.toString("base64url") !== handle || raw.length < 1 + IV_BYTES + 1 + TAG_BYTES) {
      throw new ReplyHandleError("malformed");
    }
    if (raw[0] !== VERSION) throw new ReplyHandleError("unknown-version");
    const iv = raw.subarray(1, 1 + IV_BYTES);
    const ciphertext = raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES);
    const tag = raw.subarray(raw.length - TAG_BYTES);
    let plaintext: Buffer;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.#key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(AAD);
      decipher.setAuthTag(tag);
      plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch (cause) {
      throw new ReplyHandleError("authentication-failed", { cause });
    }
    try {
      const payload = payloadSchema.parse(JSON.parse(plaintext.toString("utf8")));
      return { channel: payload.c, chatId: payload.i, ...(payload.l && { lang: payload.l }) };
    } catch {
      // No cause: a ZodError or SyntaxError would quote the decrypted chat id into the logs.
      throw new ReplyHandleError("invalid-payload");
    }
  }
}
