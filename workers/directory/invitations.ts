import { createHmac, hkdfSync, randomBytes, randomUUID } from "node:crypto";
import { and, asc, desc, eq, gt, inArray, isNull, ne, or } from "drizzle-orm";
import type { Database } from "../../db/client.js";
import {
  contactBindings,
  contacts,
  directoryAudit,
  invitations,
  people,
  personBindings,
  personRoles,
  provinces,
  schools,
} from "../../db/schema.js";
import type { Logger } from "../../logger.js";
import type { ChatAddress } from "../messenger.js";
import { type SenderRateLimiter, senderKey } from "../tip/sender-key.js";
import { DirectoryEmptyError } from "./errors.js";

/**
 * Invitations: how people get a role without anyone typing a chat id. A province admin (in the
 * bot, `/moi`) or the operator (`npm run directory -- invite`) mints a one-time code for a
 * contact slot, a school role or another admin; the invitee sends it from their own chat
 * (`/thamgia <code>`, or Telegram's deep link `/start <code>`), and that chat is bound to the
 * role. The code itself is never stored: only an HMAC of it under a key derived from the sender
 * salt, so the CLI and the bot compute the same hash and a leaked database holds no usable code.
 */

/** School staff roles, as the `school_role` enum. */
export const SCHOOL_ROLES = ["head", "safety-staff", "teacher"] as const;
export type SchoolRole = (typeof SCHOOL_ROLES)[number];

/** What an invitation is for. */
export type InvitationTarget =
  | { readonly role: "police-contact"; readonly contactId: string }
  | { readonly role: "school-staff"; readonly schoolId: string; readonly schoolRole: SchoolRole }
  | { readonly role: "province-admin" };

/** A target with the names a person reads. */
export type DescribedTarget =
  | { readonly role: "police-contact"; readonly contactId: string; readonly contactName: string }
  | {
      readonly role: "school-staff";
      readonly schoolId: string;
      readonly schoolName: string;
      readonly schoolRole: SchoolRole;
    }
  | { readonly role: "province-admin"; readonly provinceName: string };

/** A chat on a channel where people hold roles (the web chat is for tipsters only). */
export interface PersonChat {
  readonly channel: "telegram" | "zalo";
  readonly chatId: string;
}

/** One role a person holds. */
export type HeldRole =
  | { readonly role: "police-contact"; readonly contactId: string }
  | { readonly role: "school-staff"; readonly schoolId: string; readonly schoolRole: SchoolRole }
  | { readonly role: "province-admin" };

/** Default lifetime of a code: 72 hours. */
export const DEFAULT_INVITATION_TTL_MS = 72 * 3_600_000;
/** Longest lifetime a code may be given: 30 days. */
export const MAX_INVITATION_TTL_MS = 30 * 86_400_000;

// Crockford's base32: no I, L, O, U, so a code read aloud or typed on a phone survives.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_LENGTH = 12; // 60 bits
const CODE = new RegExp(`^[${ALPHABET}]{${CODE_LENGTH}}$`);

/**
 * The canonical form of a typed code: upper case, spaces and hyphens dropped, the letters
 * Crockford's base32 reads as digits (I, L → 1; O → 0) mapped; undefined when it cannot be a
 * code at all (so `/start` with another payload is not taken for one).
 */
export function normaliseInvitationCode(text: string): string | undefined {
  const code = text.toUpperCase().replace(/[\s-]/g, "").replace(/[IL]/g, "1").replace(/O/g, "0");
  return CODE.test(code) ? code : undefined;
}

/** A fresh code, shown as `XXXX-XXXX-XXXX` (hyphens are ignored when it is typed back). */
function newCode(): string {
  // 256 is a multiple of 32: each byte's low five bits are uniform.
  const raw = [...randomBytes(CODE_LENGTH)].map((b) => ALPHABET[b & 31]).join("");
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
}

/** The code as it goes in a Telegram deep link (`t.me/<bot>?start=<code>`): no hyphens. */
export function deepLinkCode(code: string): string {
  return normaliseInvitationCode(code) ?? code;
}

/** Why an invitation or an admin action was refused. */
export type InvitationRefusal =
  /** Unknown, expired, used or revoked: one refusal, so codes cannot be probed. */
  | "invalid"
  /** Too many codes tried from this chat. */
  | "rate-limited"
  /** Only a province admin may do this. */
  | "not-an-admin";

/** A join or an admin action refused; `reason` is for the dialogue to word. */
export class InvitationRefusedError extends Error {
  override readonly name = "InvitationRefusedError";
  constructor(
    readonly reason: InvitationRefusal,
    message: string,
    /** When rate-limited: how long until the next attempt is allowed. */
    readonly retryAfterMs = 0,
  ) {
    super(message);
  }
}

/** Type guard by name (works across module copies). */
export function isInvitationRefused(e: unknown): e is InvitationRefusedError {
  return e instanceof Error && e.name === "InvitationRefusedError";
}

/** The contact or school an invitation names does not exist. */
export class InvitationTargetError extends Error {
  override readonly name = "InvitationTargetError";
  constructor(
    readonly kind: "contact" | "school",
    readonly id: string,
  ) {
    super(`unknown ${kind} "${id}": see npm run directory -- export for the ids`);
  }
}

/** A lifetime outside 1 minute … 30 days. */
export class InvitationTtlError extends Error {
  override readonly name = "InvitationTtlError";
  constructor(readonly ttlMs: number) {
    super(`an invitation lives from 1 minute to 30 days, not ${ttlMs} ms`);
  }
}

/** Revoking a code or invitation that is not pending; the admin is told which it is. */
export class InvitationNotPendingError extends Error {
  override readonly name = "InvitationNotPendingError";
  constructor(readonly status: "unknown" | "used" | "expired" | "revoked") {
    super(
      status === "unknown"
        ? "no invitation has this code"
        : `this invitation cannot be revoked: it is already ${status}`,
    );
  }
}

/** What `mint` gives: the code, shown once, and when it stops working. */
export interface MintedInvitation {
  readonly id: number;
  readonly code: string;
  readonly expiresAt: Date;
  readonly target: DescribedTarget;
}

/** What a code would give, before the invitee confirms (see `preview`). */
export interface InvitationPreview {
  /**
   * Stands for the code until the join is confirmed: the code's keyed hash, kept in the chat's
   * server-side session instead of the code itself.
   */
  readonly ticket: string;
  readonly target: DescribedTarget;
  readonly expiresAt: Date;
}

/** What a join did. */
export interface JoinResult {
  readonly personId: string;
  readonly target: DescribedTarget;
  /** Chats that held the contact slot before and no longer receive its tips (to be told). */
  readonly released: readonly PersonChat[];
  /** Who minted the code: "cli:<user>" or a person's id, and that person's chats (to be told). */
  readonly minter: { readonly by: string; readonly chats: readonly PersonChat[] };
}

export type InvitationStatus = "pending" | "used" | "expired" | "revoked";

/** An invitation as admins see it: never its code (it is not stored). */
export interface InvitationListing {
  readonly id: number;
  readonly target: DescribedTarget;
  readonly status: InvitationStatus;
  readonly createdBy: string;
  /** The minter's name when a person minted it. */
  readonly createdByName?: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export interface InvitationDeskOptions {
  readonly db: Database;
  /**
   * The sender salt (`senderSaltFor` in app/channels.ts): the code's key is derived from it with
   * HKDF, and refused callers are logged under a sender key made with it.
   */
  readonly secret: Buffer;
  readonly logger: Logger;
  /** Called after every successful write (the integrator publishes a directory reload). */
  readonly onChange?: () => Promise<void>;
  /** Limits codes tried per chat (`preview`, and `join` given a code); none when absent. */
  readonly attempts?: SenderRateLimiter;
  /** A code's lifetime when `mint` is not given one. Default 72 hours. */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
type Tx = Database;
type InvitationRow = typeof invitations.$inferSelect;

/**
 * Mints, checks, accepts, revokes and lists invitations, and answers who holds which role.
 * Every write is one transaction with its `directory_audit` rows, then `onChange`.
 */
export class InvitationDesk {
  readonly #db: Database;
  readonly #key: Buffer;
  readonly #salt: Buffer;
  readonly #now: () => number;

  constructor(private readonly opts: InvitationDeskOptions) {
    this.#db = opts.db;
    this.#salt = opts.secret;
    this.#key = Buffer.from(hkdfSync("sha256", opts.secret, Buffer.alloc(0), "ssg invitation codes v1", 32));
    this.#now = opts.now ?? Date.now;
    if (opts.ttlMs !== undefined) checkTtl(opts.ttlMs);
  }

  /** The stored form of a code: HMAC-SHA-256 of its canonical form, hex. */
  hashOf(code: string): string | undefined {
    const canonical = normaliseInvitationCode(code);
    return canonical && createHmac("sha256", this.#key).update(canonical, "utf8").digest("hex");
  }

  /**
   * A new one-time code for `target`, valid for `ttlMs` (default: the desk's, 72 h).
   * @throws InvitationTargetError when the contact or school does not exist
   * @throws InvitationTtlError for a lifetime outside 1 minute … 30 days
   * @throws DirectoryEmptyError when no province was imported (an admin invitation needs one)
   */
  async mint(
    target: InvitationTarget,
    opts: { readonly by: string; readonly ttlMs?: number; readonly now?: number },
  ): Promise<MintedInvitation> {
    const ttlMs = opts.ttlMs ?? this.opts.ttlMs ?? DEFAULT_INVITATION_TTL_MS;
    checkTtl(ttlMs);
    const now = opts.now ?? this.#now();
    const code = newCode();
    const codeHash = this.hashOf(code) as string;
    const expiresAt = new Date(now + ttlMs);
    const minted = await this.#db.transaction(async (tx) => {
      const { provinceId, described } = await describeTarget(tx, target);
      const [row] = await tx
        .insert(invitations)
        .values({
          provinceId,
          codeHash,
          role: target.role,
          contactId: target.role === "police-contact" ? target.contactId : null,
          schoolId: target.role === "school-staff" ? target.schoolId : null,
          schoolRole: target.role === "school-staff" ? target.schoolRole : null,
          createdBy: opts.by,
          createdAt: new Date(now),
          expiresAt,
        })
        .returning({ id: invitations.id });
      const id = row?.id as number;
      await audit(tx, opts.by, "invite", [
        {
          entity: "invitation",
          entityKey: String(id),
          change: "added",
          after: { ...plainTarget(target), expiresAt: expiresAt.toISOString() },
        },
      ]);
      return { id, code, expiresAt, target: described };
    });
    await this.#changed();
    return minted;
  }

  /**
   * What `code` would give this chat, without using it: for the invitee to read before
   * confirming. Counts as one attempt of the chat.
   * @throws InvitationRefusedError "rate-limited", or "invalid" for an unknown, expired, used or
   *   revoked code alike
   */
  async preview(
    code: string,
    chat: PersonChat,
    opts: { readonly now?: number } = {},
  ): Promise<InvitationPreview> {
    await this.#attempt(chat);
    const ticket = this.hashOf(code);
    const row = ticket ? await this.#pending(this.#db, ticket, opts.now ?? this.#now()) : undefined;
    if (!row || !ticket) throw invalid();
    const { described } = await describeTarget(this.#db, targetOf(row));
    return { ticket, target: described, expiresAt: row.expiresAt };
  }

  /**
   * Accepts an invitation for `chat`, in one transaction with the invitation's row locked: the
   * chat's person is found or created, gets the role, and for a contact slot the chat becomes
   * the contact's only binding (the previous holders are released and returned, to be told).
   * `invitation` is the code as typed, or the ticket of its `preview` (not counted again).
   * @throws InvitationRefusedError "invalid" (unknown, expired, used, revoked) or "rate-limited"
   */
  async join(
    invitation: string | { readonly ticket: string },
    chat: PersonChat,
    opts: { readonly name?: string; readonly now?: number } = {},
  ): Promise<JoinResult> {
    let ticket: string | undefined;
    if (typeof invitation === "string") {
      await this.#attempt(chat);
      ticket = this.hashOf(invitation);
    } else ticket = invitation.ticket;
    if (!ticket) throw invalid();
    const now = opts.now ?? this.#now();
    const found = ticket;
    const result = await this.#db.transaction(async (tx) => {
      const [row] = await tx.select().from(invitations).where(eq(invitations.codeHash, found)).for("update");
      if (!row || statusOf(row, now) !== "pending") throw invalid();
      const target = targetOf(row);
      if (target.role === "police-contact")
        // Two invitations for one slot accepted at once: one after the other.
        await tx
          .select({ id: contacts.id })
          .from(contacts)
          .where(eq(contacts.id, target.contactId))
          .for("update");
      const { described } = await describeTarget(tx, target);
      const changes: AuditChange[] = [];

      let [binding] = await tx
        .select({ personId: personBindings.personId })
        .from(personBindings)
        .where(and(eq(personBindings.channel, chat.channel), eq(personBindings.chatId, chat.chatId)));
      if (!binding) {
        const name = opts.name ?? (described.role === "police-contact" ? described.contactName : null);
        const [person] = await tx
          .insert(people)
          .values({ provinceId: row.provinceId, name, createdAt: new Date(now) })
          .returning({ id: people.id });
        const personId = person?.id as string;
        await tx.insert(personBindings).values({ personId, channel: chat.channel, chatId: chat.chatId });
        changes.push({
          entity: "person",
          entityKey: personId,
          change: "added",
          after: { channel: chat.channel },
        });
        binding = { personId };
      }
      const { personId } = binding;

      await tx
        .insert(personRoles)
        .values({
          personId,
          role: row.role,
          contactId: row.contactId,
          schoolId: row.schoolId,
          schoolRole: row.schoolRole,
          grantedAt: new Date(now),
          grantedBy: row.createdBy,
        })
        .onConflictDoUpdate({
          target: [personRoles.personId, personRoles.role, personRoles.contactId, personRoles.schoolId],
          set: { schoolRole: row.schoolRole, grantedAt: new Date(now), grantedBy: row.createdBy },
        });
      changes.push({
        entity: "person-role",
        entityKey: personId,
        change: "added",
        after: { ...plainTarget(target), grantedBy: row.createdBy, invitation: row.id },
      });

      const released: PersonChat[] = [];
      if (target.role === "police-contact") {
        const gone = await tx
          .delete(contactBindings)
          .where(
            and(
              eq(contactBindings.contactId, target.contactId),
              or(ne(contactBindings.channel, chat.channel), ne(contactBindings.chatId, chat.chatId)),
            ),
          )
          .returning({ channel: contactBindings.channel, chatId: contactBindings.chatId });
        released.push(...gone);
        // Whoever held the slot through an invitation holds it no more.
        const dropped = await tx
          .delete(personRoles)
          .where(
            and(
              eq(personRoles.role, "police-contact"),
              eq(personRoles.contactId, target.contactId),
              ne(personRoles.personId, personId),
            ),
          )
          .returning({ personId: personRoles.personId });
        for (const d of dropped)
          changes.push({
            entity: "person-role",
            entityKey: d.personId,
            change: "removed",
            before: { role: "police-contact", contactId: target.contactId },
          });
        await tx
          .insert(contactBindings)
          .values({
            contactId: target.contactId,
            channel: chat.channel,
            chatId: chat.chatId,
            boundAt: new Date(now),
          })
          .onConflictDoNothing();
        // Chat ids stay out of the audit: the channel and the person say enough.
        changes.push({
          entity: "contact-binding",
          entityKey: target.contactId,
          change: gone.length > 0 ? "changed" : "added",
          ...(gone.length > 0 && { before: { channels: gone.map((g) => g.channel) } }),
          after: { channel: chat.channel, personId },
        });
      }

      await tx
        .update(invitations)
        .set({ usedAt: new Date(now), usedBy: personId })
        .where(eq(invitations.id, row.id));
      changes.push({
        entity: "invitation",
        entityKey: String(row.id),
        change: "changed",
        before: { status: "pending" },
        after: { status: "used", usedBy: personId },
      });
      await audit(tx, personId, "join", changes);
      const minterChats = UUID.test(row.createdBy) ? await chatsOf(tx, row.createdBy) : [];
      return {
        personId,
        target: described,
        released,
        minter: { by: row.createdBy, chats: minterChats },
      };
    });
    this.opts.logger.info(
      { personId: result.personId, role: result.target.role, released: result.released.length },
      "invitation accepted",
    );
    await this.#changed();
    return result;
  }

  /**
   * Revokes a pending invitation, by its code (the CLI) or its id (an admin's list).
   * @throws InvitationNotPendingError when it is unknown, used, expired or already revoked
   */
  async revoke(
    invitation: string | { readonly id: number },
    by: string,
    opts: { readonly now?: number } = {},
  ): Promise<{ readonly id: number; readonly target: DescribedTarget }> {
    const now = opts.now ?? this.#now();
    const where =
      typeof invitation === "string"
        ? eq(invitations.codeHash, this.hashOf(invitation) ?? "")
        : eq(invitations.id, invitation.id);
    const done = await this.#db.transaction(async (tx) => {
      const [row] = await tx.select().from(invitations).where(where).for("update");
      if (!row) throw new InvitationNotPendingError("unknown");
      const status = statusOf(row, now);
      if (status !== "pending") throw new InvitationNotPendingError(status);
      await tx
        .update(invitations)
        .set({ revokedAt: new Date(now), revokedBy: by })
        .where(eq(invitations.id, row.id));
      await audit(tx, by, "revoke", [
        {
          entity: "invitation",
          entityKey: String(row.id),
          change: "changed",
          before: { status: "pending" },
          after: { status: "revoked" },
        },
      ]);
      const { described } = await describeTarget(tx, targetOf(row));
      return { id: row.id, target: described };
    });
    await this.#changed();
    return done;
  }

  /** Invitations, newest first (at most `limit`, default 50); only pending ones with `pendingOnly`. */
  async list(
    opts: { readonly pendingOnly?: boolean; readonly limit?: number; readonly now?: number } = {},
  ): Promise<InvitationListing[]> {
    const now = new Date(opts.now ?? this.#now());
    const rows = await this.#db
      .select({
        invitation: invitations,
        contactName: contacts.name,
        schoolName: schools.name,
        provinceName: provinces.name,
      })
      .from(invitations)
      .innerJoin(provinces, eq(provinces.id, invitations.provinceId))
      .leftJoin(contacts, eq(contacts.id, invitations.contactId))
      .leftJoin(schools, eq(schools.id, invitations.schoolId))
      .where(
        opts.pendingOnly
          ? and(isNull(invitations.usedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now))
          : undefined,
      )
      .orderBy(desc(invitations.createdAt), desc(invitations.id))
      .limit(opts.limit ?? 50);
    const minters = [...new Set(rows.map((r) => r.invitation.createdBy).filter((by) => UUID.test(by)))];
    const names = new Map(
      minters.length === 0
        ? []
        : (await this.#db.select().from(people).where(inArray(people.id, minters))).map((p) => [
            p.id,
            p.name,
          ]),
    );
    return rows.map(({ invitation: row, contactName, schoolName, provinceName }) => {
      const target = targetOf(row);
      const name = names.get(row.createdBy);
      return {
        id: row.id,
        target:
          target.role === "police-contact"
            ? { ...target, contactName: contactName ?? target.contactId }
            : target.role === "school-staff"
              ? { ...target, schoolName: schoolName ?? target.schoolId }
              : { ...target, provinceName },
        status: statusOf(row, now.getTime()),
        createdBy: row.createdBy,
        ...(name && { createdByName: name }),
        createdAt: row.createdAt,
        expiresAt: row.expiresAt,
      };
    });
  }

  /** The roles of the person behind `chat` (none for a chat nobody joined with, nor on the web). */
  async rolesOf(chat: ChatAddress): Promise<HeldRole[]> {
    if (chat.channel !== "telegram" && chat.channel !== "zalo") return [];
    const { channel } = chat;
    const rows = await this.#db
      .select({
        role: personRoles.role,
        contactId: personRoles.contactId,
        schoolId: personRoles.schoolId,
        schoolRole: personRoles.schoolRole,
      })
      .from(personBindings)
      .innerJoin(personRoles, eq(personRoles.personId, personBindings.personId))
      .where(and(eq(personBindings.channel, channel), eq(personBindings.chatId, chat.chatId)))
      .orderBy(asc(personRoles.id));
    return rows.map((r) =>
      targetOf({ role: r.role, contactId: r.contactId, schoolId: r.schoolId, schoolRole: r.schoolRole }),
    );
  }

  async isAdmin(chat: ChatAddress): Promise<boolean> {
    return (await this.rolesOf(chat)).some((r) => r.role === "province-admin");
  }

  /**
   * The person id of the admin behind `chat`, for `by`; anyone else is refused, and the refusal
   * logged under a hash of the chat (never its id).
   * @throws InvitationRefusedError "not-an-admin"
   */
  async requireAdmin(chat: ChatAddress, action: string): Promise<string> {
    if (chat.channel === "telegram" || chat.channel === "zalo") {
      const [row] = await this.#db
        .select({ personId: personBindings.personId })
        .from(personBindings)
        .innerJoin(personRoles, eq(personRoles.personId, personBindings.personId))
        .where(
          and(
            eq(personBindings.channel, chat.channel),
            eq(personBindings.chatId, chat.chatId),
            eq(personRoles.role, "province-admin"),
          ),
        )
        .limit(1);
      if (row) return row.personId;
    }
    const who = `unlisted:${senderKey(this.#salt, chat.channel, chat.chatId).slice(0, 12)}`;
    this.opts.logger.warn({ action, actor: who }, "directory action refused: not a province admin");
    throw new InvitationRefusedError("not-an-admin", `${action} refused: the sender is not a province admin`);
  }

  async #attempt(chat: PersonChat): Promise<void> {
    if (!this.opts.attempts) return;
    const hit = await this.opts.attempts.hit(senderKey(this.#salt, chat.channel, chat.chatId));
    if (!hit.allowed)
      throw new InvitationRefusedError(
        "rate-limited",
        "too many invitation codes tried from this chat",
        hit.retryAfterMs,
      );
  }

  async #pending(db: Database, ticket: string, now: number): Promise<InvitationRow | undefined> {
    const [row] = await db.select().from(invitations).where(eq(invitations.codeHash, ticket));
    return row && statusOf(row, now) === "pending" ? row : undefined;
  }

  async #changed(): Promise<void> {
    try {
      await this.opts.onChange?.();
    } catch (err) {
      // The write is committed; processes that miss the message see it at their next poll.
      this.opts.logger.warn({ err: (err as Error).message }, "directory change not published");
    }
  }
}

function checkTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 60_000 || ttlMs > MAX_INVITATION_TTL_MS)
    throw new InvitationTtlError(ttlMs);
}

const invalid = () =>
  new InvitationRefusedError("invalid", "the invitation code is unknown, expired, used or revoked");

function statusOf(row: InvitationRow, now: number): InvitationStatus {
  if (row.revokedAt) return "revoked";
  if (row.usedAt) return "used";
  if (row.expiresAt.getTime() <= now) return "expired";
  return "pending";
}

function targetOf(row: {
  role: InvitationRow["role"];
  contactId: string | null;
  schoolId: string | null;
  schoolRole: SchoolRole | null;
}): InvitationTarget {
  if (row.role === "police-contact") return { role: row.role, contactId: row.contactId as string };
  if (row.role === "school-staff")
    return { role: row.role, schoolId: row.schoolId as string, schoolRole: row.schoolRole as SchoolRole };
  return { role: "province-admin" };
}

/** The target as JSON for the audit. */
function plainTarget(target: InvitationTarget): Record<string, string> {
  return { ...target };
}

async function describeTarget(
  db: Tx,
  target: InvitationTarget,
): Promise<{ provinceId: string; described: DescribedTarget }> {
  if (target.role === "police-contact") {
    const [c] = await db.select().from(contacts).where(eq(contacts.id, target.contactId));
    if (!c) throw new InvitationTargetError("contact", target.contactId);
    return { provinceId: c.provinceId, described: { ...target, contactName: c.name } };
  }
  if (target.role === "school-staff") {
    const [s] = await db.select().from(schools).where(eq(schools.id, target.schoolId));
    if (!s) throw new InvitationTargetError("school", target.schoolId);
    return { provinceId: s.provinceId, described: { ...target, schoolName: s.name } };
  }
  const [p] = await db.select().from(provinces).orderBy(asc(provinces.id)).limit(1);
  if (!p) throw new DirectoryEmptyError();
  return { provinceId: p.id, described: { role: "province-admin", provinceName: p.name } };
}

async function chatsOf(db: Tx, personId: string): Promise<PersonChat[]> {
  return db
    .select({ channel: personBindings.channel, chatId: personBindings.chatId })
    .from(personBindings)
    .where(eq(personBindings.personId, personId));
}

type AuditChange = Omit<
  typeof directoryAudit.$inferInsert,
  "id" | "at" | "batch" | "actor" | "action" | "source"
>;

async function audit(db: Tx, actor: string, action: string, changes: readonly AuditChange[]): Promise<void> {
  if (changes.length === 0) return;
  const batch = randomUUID();
  await db.insert(directoryAudit).values(changes.map((c) => ({ ...c, batch, actor, action, source: null })));
}
