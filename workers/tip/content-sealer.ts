import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from "node:crypto";
import { checkNotPlaceholder, KEY_BYTES, ReplyKeyError } from "../../keys.js";

/**
 * Tip content at rest: what a tipster or an officer wrote (description, place text, questions,
 * answers, notes) and photos are kept in Redis sealed with AES-256-GCM under the data key
 * (TIP_DATA_KEY), a key separate from the reply key: the data key reads tips, the reply key
 * reaches tipsters, and neither gives the other. Only the processes that render a message for
 * its officer (or the console) open them, through `TipStore`.
 *
 * Envelope (bytes): `magic "SSGD" | format 0x01 | key id (4 bytes) | IV (12) | ciphertext | tag (16)`.
 * The key id is an HMAC of the key, so rotation can tell what was sealed under the previous key
 * without trying it. The additional data binds a sealed value to what it belongs to — a tip id
 * (or photo id, delivery id) and a field name — so that a sealed description cannot be moved onto
 * another tip. Text is stored as `sealed:` + base64url of the envelope.
 *
 * The AES keys are derived from the configured key with HKDF, so the configured key itself never
 * encrypts anything and the key id reveals nothing about the AES key.
 */

const MAGIC = Buffer.from("SSGD", "latin1");
const FORMAT = 0x01;
const KEY_ID_BYTES = 4;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEAD = MAGIC.length + 1 + KEY_ID_BYTES;
const TEXT_MARK = "sealed:";

/** What a sealed value belongs to: part of its additional data, needed again to open it. */
export interface SealContext {
  /** The tip id, or the id of what the value is stored under (a photo, a delivery, a chat's entry). */
  readonly owner: string;
  /** Which field of the owner it is ("description", "audit:asked:…", "photo"…). */
  readonly field: string;
}

/** Why sealed content could not be opened. */
export type ContentSealFailure = "malformed" | "unknown-key" | "authentication-failed";

/**
 * Sealed content could not be opened: garbage, tampered with, opened for another tip or field,
 * or sealed under a key that is no longer configured. The message never quotes the content.
 */
export class ContentSealError extends Error {
  override readonly name = "ContentSealError";
  constructor(
    readonly reason: ContentSealFailure,
    options?: { cause?: unknown },
  ) {
    super(`sealed tip content cannot be opened: ${reason}`, options);
  }
}

interface DataKey {
  readonly id: Buffer;
  readonly aes: KeyObject;
}

function dataKey(raw: Buffer, what: string): DataKey {
  if (!Buffer.isBuffer(raw) || raw.length !== KEY_BYTES)
    throw new ReplyKeyError(`${what} must be ${KEY_BYTES} bytes`);
  checkNotPlaceholder(raw);
  const aes = Buffer.from(hkdfSync("sha256", raw, Buffer.alloc(0), "ssg-tip-data-v1", 32));
  const id = createHmac("sha256", raw).update("ssg-tip-data-key-id-v1").digest().subarray(0, KEY_ID_BYTES);
  return { id: Buffer.from(id), aes: createSecretKey(aes) };
}

function aad(context: SealContext): Buffer {
  return Buffer.from(`ssg-tip-data-v1\u0000${context.owner}\u0000${context.field}`, "utf8");
}

/** The data keys: `current` seals and opens; `previous` (during a rotation) only opens. */
export interface DataKeys {
  readonly current: Buffer;
  readonly previous?: Buffer;
}

/** Seals and opens tip content under the data key (and, during a rotation, the previous one). */
export class ContentSealer {
  readonly #current: DataKey;
  readonly #previous: DataKey | undefined;

  constructor(keys: DataKeys) {
    this.#current = dataKey(keys.current, "the data key");
    this.#previous = keys.previous ? dataKey(keys.previous, "the previous data key") : undefined;
    if (this.#previous?.id.equals(this.#current.id))
      throw new ReplyKeyError("the previous data key is the current one");
  }

  /** Seals bytes into an envelope; a fresh random IV each call. */
  sealBytes(plaintext: Buffer, context: SealContext): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.#current.aes, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([MAGIC, Buffer.of(FORMAT), this.#current.id, iv, ciphertext, cipher.getAuthTag()]);
  }

  /** Opens an envelope sealed for `context` under the current or the previous key. */
  openBytes(envelope: Buffer, context: SealContext): Buffer {
    if (!isSealedBytes(envelope) || envelope.length < HEAD + IV_BYTES + TAG_BYTES)
      throw new ContentSealError("malformed");
    const key = this.#keyOf(envelope);
    if (!key) throw new ContentSealError("unknown-key");
    const iv = envelope.subarray(HEAD, HEAD + IV_BYTES);
    const tag = envelope.subarray(envelope.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv("aes-256-gcm", key.aes, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(context));
      decipher.setAuthTag(tag);
      return Buffer.concat([
        decipher.update(envelope.subarray(HEAD + IV_BYTES, envelope.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch (cause) {
      throw new ContentSealError("authentication-failed", { cause });
    }
  }

  /** Seals text into a string (`sealed:` + base64url). */
  seal(text: string, context: SealContext): string {
    return TEXT_MARK + this.sealBytes(Buffer.from(text, "utf8"), context).toString("base64url");
  }

  /** Opens text sealed by `seal` for the same context. */
  open(sealed: string, context: SealContext): string {
    if (!isSealedText(sealed)) throw new ContentSealError("malformed");
    return this.openBytes(Buffer.from(sealed.slice(TEXT_MARK.length), "base64url"), context).toString("utf8");
  }

  /** Whether an envelope (bytes or text) was sealed under the current key: rotation leaves it alone. */
  isCurrent(sealed: Buffer | string): boolean {
    const envelope =
      typeof sealed === "string"
        ? isSealedText(sealed)
          ? Buffer.from(sealed.slice(TEXT_MARK.length, TEXT_MARK.length + 16), "base64url")
          : undefined
        : sealed;
    return envelope !== undefined && isSealedBytes(envelope) && this.#keyOf(envelope) === this.#current;
  }

  #keyOf(envelope: Buffer): DataKey | undefined {
    const id = envelope.subarray(MAGIC.length + 1, HEAD);
    if (id.equals(this.#current.id)) return this.#current;
    if (this.#previous && id.equals(this.#previous.id)) return this.#previous;
    return undefined;
  }
}

/** Whether bytes are an envelope (as opposed to a photo stored before content was sealed). */
export function isSealedBytes(value: Buffer): boolean {
  return (
    value.length > HEAD && value.subarray(0, MAGIC.length).equals(MAGIC) && value[MAGIC.length] === FORMAT
  );
}

/** Whether a string is sealed text (as opposed to text stored before content was sealed). */
export function isSealedText(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(TEXT_MARK);
}
