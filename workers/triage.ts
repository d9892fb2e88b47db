import { createHash, timingSafeEqual } from "node:crypto";
import type { Lang } from "../i18n.js";
import type { Logger } from "../logger.js";
import { cleanUserText } from "../text/clean-user-text.js";
import type { ChatAddress } from "./messenger.js";
import type { Metrics } from "./metrics.js";
import type { OutcomeOutbox } from "./outcomes/outbox.js";
import { communeOfTip, outcomeRow } from "./outcomes/outcome-row.js";
import type { StatisticsSource } from "./outcomes/statistics.js";
import type { TipQueues } from "./queues/tip-queues.js";
import type { Routing } from "./routing/routing-table.js";
import type { Contact } from "./routing/schema.js";
import { tipStatistics } from "./stats.js";
import { parseCaseCode } from "./tip/case-code.js";
import type { PendingQuestions } from "./tip/pending-questions.js";
import { newPin, type PinHasher } from "./tip/pin.js";
import type { ReplyHandleSealer } from "./tip/reply-handle.js";
import { type SenderRateLimiter, senderKey } from "./tip/sender-key.js";
import { type Outcome, outcomeSchema, type TipStatus } from "./tip/tip.js";
import type { TipRecord, TipStore } from "./tip/tip-store.js";

/** The contact a "forwarded" audit entry names: its detail is `→ <contact id>[: note]`. */
const FORWARDED_TO = /^→ ([a-z0-9]+(?:-[a-z0-9]+)*)(?::|$)/;

/** What became of a tipster's answer (told only to the proven tipster). */
export type AnswerResult = "relayed" | "no-question" | "closed";

/** Who may answer for a tip: its own chat, or anyone with the case's PIN. */
export interface AnswerProof {
  /** The chat the answer came from. */
  readonly from: ChatAddress;
  /** The case's PIN, when the answer is typed from another chat. */
  readonly pin?: string;
}

/** What a tipster may learn about their tip. */
export interface TipStatusView {
  readonly caseCode: string;
  readonly status: TipStatus;
  readonly createdAt: number;
  readonly outcome?: Outcome;
}

/**
 * Why an officer's (or a tipster's) action was refused. The dialogue words `reason` from the
 * catalogue; the message (English) is for logs and developers.
 */
export class TriageRefusedError extends Error {
  override readonly name = "TriageRefusedError";
  constructor(
    readonly reason:
      | "not-an-officer"
      /** A listed officer, but the tip is neither routed or forwarded to them nor in their area. */
      | "not-your-tip"
      | "no-such-tip"
      | "wrong-status"
      | "invalid"
      | "rate-limited"
      /** An answer not proven to come from the tipster; the same whether or not the case exists. */
      | "not-accepted"
      /** The statistics' database cannot be read now (tips still flow). */
      | "unavailable",
    message: string,
  ) {
    super(message);
  }
}

/** Type guard for refusals, by name (works across module copies, unlike instanceof alone). */
export function isTriageRefused(e: unknown): e is TriageRefusedError {
  return e instanceof Error && e.name === "TriageRefusedError";
}

export interface TriageDeps {
  readonly store: TipStore;
  readonly queues: TipQueues;
  readonly routing: Routing;
  readonly salt: Buffer;
  /** Checks tipsters' PINs. */
  readonly pins: PinHasher;
  /** Limits case-code + PIN guesses per sender. */
  readonly statusLimiter: SenderRateLimiter;
  /** Opens reply handles, to tell whether an answer comes from the tipster's own chat. */
  readonly sealer: ReplyHandleSealer;
  /** Officers' questions waiting in tipsters' chats. */
  readonly pending: PendingQuestions;
  /** Wrong PINs per case before the case takes no PIN for `pinLockoutMs`. Default 5. */
  readonly pinFailuresPerCase?: number;
  /** Default 24 hours. */
  readonly pinLockoutMs?: number;
  /**
   * Where a closed tip's anonymous statistics row goes, written in the same step as the close.
   * Without it (tests of the dialogue alone) no row is written.
   */
  readonly outcomes?: OutcomeOutbox;
  /**
   * Where `/thongke` reads from: `OutcomeStatistics` (PostgreSQL rows plus the open tips in
   * Redis). Without it, statistics are computed from the tips still in Redis, as before the
   * rows existed: right only while no tip has been purged.
   */
  readonly statistics?: StatisticsSource;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly now?: () => number;
}

/**
 * Officers' actions on tips (acknowledge, ask, forward, close, mark duplicate) and the
 * tipster's side (answer a question, check status). An officer acts on a tip only when one of
 * the contacts behind their chat is in the tip's chain, was forwarded the tip, has the tip's
 * commune in their area, or is the province's duty officer; a refused attempt is audited under
 * a hash of the caller, never the raw id.
 */
export class Triage {
  private readonly now: () => number;
  // A hash of a PIN nobody knows: checked when a case code does not exist, so that timing
  // does not tell valid codes from invalid ones.
  private readonly dummyHash: string;

  constructor(private readonly deps: TriageDeps) {
    this.now = deps.now ?? Date.now;
    this.dummyHash = deps.pins.hash(newPin());
  }

  /**
   * The contact behind a chat that may act on the tip (see the class), or a refusal that is
   * written to the tip's audit log. A chat holding several contacts acts as the first that may,
   * preferring one in the tip's chain.
   */
  private async officer(actor: ChatAddress, tipId: string, action: string): Promise<Contact> {
    const contacts = this.deps.routing.contactsByChat(actor.channel, actor.chatId);
    const tip = await this.deps.store.get(tipId);
    const caller = senderKey(this.deps.salt, actor.channel, actor.chatId).slice(0, 12);
    if (contacts.length === 0) {
      const who = `unlisted:${caller}`;
      if (tip)
        await this.deps.store.appendAudit(tipId, { at: this.now(), actor: who, action: `refused:${action}` });
      this.deps.logger.warn({ tipId, action, actor: who }, "triage action refused: not a listed contact");
      throw new TriageRefusedError("not-an-officer", `${action} refused: the sender is not a listed contact`);
    }
    // A missing tip is the action's own refusal ("no-such-tip").
    if (!tip) return contacts[0] as Contact;
    const permitted = await this.permitted(tip, contacts);
    if (permitted) return permitted;
    const who = `officer:${caller}`;
    await this.deps.store.appendAudit(tipId, { at: this.now(), actor: who, action: `refused:${action}` });
    this.deps.logger.warn({ tipId, action, actor: who }, "triage action refused: not the officer's tip");
    throw new TriageRefusedError(
      "not-your-tip",
      `${action} refused: the tip is not routed or forwarded to the sender, nor in their area`,
    );
  }

  /**
   * The first of `contacts` allowed to act on `tip`, if any: in its chain, the duty officer,
   * covering its commune and category (a provincial unit only its own category), or forwarded
   * the tip. No audit: the console lists with it; actions go through `officer`.
   */
  async permitted(tip: TipRecord, contacts: readonly Contact[]): Promise<Contact | undefined> {
    const inChain = contacts.find((c) => tip.chain.includes(c.id));
    if (inChain) return inChain;
    const duty = contacts.find((c) => c.id === this.deps.routing.dutyOfficer.id);
    if (duty) return duty;
    const commune = communeOfTip(tip, this.deps.routing);
    const inArea = commune
      ? contacts.find((c) => this.deps.routing.covers(c, commune, tip.category))
      : undefined;
    if (inArea) return inArea;
    const forwarded = new Set(
      (await this.deps.store.auditLog(tip.id)).flatMap((a) => {
        const to = a.action === "forwarded" ? FORWARDED_TO.exec(a.detail ?? "")?.[1] : undefined;
        return to ? [to] : [];
      }),
    );
    return contacts.find((c) => forwarded.has(c.id));
  }

  private async tip(tipId: string): Promise<TipRecord> {
    const tip = await this.deps.store.get(tipId);
    if (!tip) throw new TriageRefusedError("no-such-tip", `no tip ${tipId}`);
    return tip;
  }

  /**
   * Statistics of the officer's area (the communes their routes cover) for [from, to), for
   * their periodic reports, labelled in `lang`, from `deps.statistics` when given. Refused to
   * anyone not in the routing table.
   */
  async statisticsFor(
    actor: ChatAddress,
    from: number,
    to: number,
    label: { from: string; to: string },
    lang: Lang = "vi",
  ) {
    const contacts = this.deps.routing.contactsByChat(actor.channel, actor.chatId);
    if (contacts.length === 0)
      throw new TriageRefusedError(
        "not-an-officer",
        "statistics refused: the sender is not a listed contact",
      );
    // Every commune of every contact behind the chat, and nothing else.
    const area = new Set(contacts.flatMap((c) => this.deps.routing.areaOf(c)));
    if (this.deps.statistics)
      try {
        return await this.deps.statistics.statistics({ from, to, label, communes: area, lang });
      } catch (e) {
        this.deps.logger.error({ err: (e as Error).message }, "statistics: the database cannot be read");
        throw new TriageRefusedError("unavailable", "statistics refused: the database cannot be read");
      }
    const tips = await this.deps.store.createdBetween(from, to);
    return tipStatistics(tips, this.deps.routing, label, area, lang);
  }

  /** The tip id behind a case code as users type it, if any. */
  async tipIdForCode(input: string): Promise<string | undefined> {
    const code = parseCaseCode(input);
    return code ? this.deps.store.idForCaseCode(code) : undefined;
  }

  private async tipForCode(input: string): Promise<TipRecord | undefined> {
    const tipId = await this.tipIdForCode(input);
    return tipId ? this.deps.store.get(tipId) : undefined;
  }

  /** Whether `chat` is the chat sealed in the tip's reply handle (compared in constant time). */
  private isTipstersChat(tip: TipRecord | undefined, chat: ChatAddress): boolean {
    const digest = (a: ChatAddress) => createHash("sha256").update(`${a.channel}\u0000${a.chatId}`).digest();
    let sealed: ChatAddress = { channel: "web", chatId: "\u0000" };
    if (tip)
      try {
        sealed = this.deps.sealer.open(tip.replyHandle);
      } catch {
        // A handle that does not open proves nothing.
      }
    return timingSafeEqual(digest(sealed), digest(chat)) && tip !== undefined;
  }

  /**
   * Checks a case's PIN under both limits: guesses per sender, and wrong PINs per case whoever
   * sends them (so that new chats or cookies do not buy more guesses). A wrong code, a wrong PIN
   * and a locked case are indistinguishable to the caller.
   */
  private async pinMatches(sender: ChatAddress, tip: TipRecord | undefined, pin: string): Promise<boolean> {
    const limit = await this.deps.statusLimiter.hit(senderKey(this.deps.salt, sender.channel, sender.chatId));
    if (!limit.allowed)
      throw new TriageRefusedError("rate-limited", "too many case code and PIN attempts from this sender");
    const maxFailures = this.deps.pinFailuresPerCase ?? 5;
    const locked = tip ? (await this.deps.store.pinFailures(tip.id)) >= maxFailures : false;
    // The hash is checked even for unknown codes and locked cases, so timing tells nothing either.
    const ok = await this.deps.pins.verify(pin, tip?.pinHash ?? this.dummyHash);
    if (tip && !ok)
      await this.deps.store.recordPinFailure(
        tip.id,
        Math.ceil((this.deps.pinLockoutMs ?? 24 * 3_600_000) / 1000),
      );
    return ok && !locked && tip !== undefined;
  }

  /** The case of the officer's question still waiting in this chat, if any. */
  async pendingQuestion(chat: ChatAddress): Promise<{ caseCode: string } | undefined> {
    const tipId = await this.deps.pending.tipFor(chat);
    const tip = tipId ? await this.deps.store.get(tipId) : undefined;
    if (!tip || tip.status === "closed" || !this.isTipstersChat(tip, chat)) {
      if (tipId) await this.deps.pending.clear(chat);
      return undefined;
    }
    return { caseCode: tip.caseCode };
  }

  /** Keeps an answer typed in the chat until the tipster confirms it; false if nothing is pending. */
  async stashAnswer(chat: ChatAddress, text: string): Promise<boolean> {
    return this.deps.pending.stashDraft(chat, cleanUserText(text).slice(0, 4000));
  }

  /** Sends the stashed answer to the officer who asked (the chat's pending question). */
  async sendStashedAnswer(chat: ChatAddress): Promise<AnswerResult | "nothing"> {
    const draft = await this.deps.pending.takeDraft(chat);
    const tipId = await this.deps.pending.tipFor(chat);
    const tip = tipId ? await this.deps.store.get(tipId) : undefined;
    if (!draft || !tip || !this.isTipstersChat(tip, chat)) return "nothing";
    return this.relayAnswer(tip, draft, chat);
  }

  /** Drops an answer the tipster decided not to send. */
  async dropStashedAnswer(chat: ChatAddress): Promise<string | undefined> {
    return this.deps.pending.takeDraft(chat);
  }

  async acknowledge(actor: ChatAddress, tipId: string): Promise<TipRecord> {
    const officer = await this.officer(actor, tipId, "acknowledge");
    const tip = await this.tip(tipId);
    const at = this.now();
    const r = await this.deps.store.transition(
      tipId,
      { status: "acknowledged", acknowledgedAt: at, acknowledgedBy: officer.id },
      { at, actor: officer.id, action: "acknowledged" },
      ["received", "routed", "delivered"],
    );
    if (r === "wrong-status")
      throw new TriageRefusedError("wrong-status", `tip ${tip.caseCode} is already acknowledged or closed`);
    await this.deps.queues.cancelEscalations(tipId, tip.chain.length);
    this.deps.metrics?.ackLatency.observe((at - tip.createdAt) / 1000);
    return this.tip(tipId);
  }

  /** Relays an officer's question to the tipster through the sealed reply handle. */
  async ask(actor: ChatAddress, tipId: string, question: string): Promise<void> {
    const officer = await this.officer(actor, tipId, "ask");
    const tip = await this.tip(tipId);
    const text = cleanUserText(question).trim();
    if (!text || text.length > 2000)
      throw new TriageRefusedError("invalid", "the question is empty or longer than 2000 characters");
    if (tip.status === "closed")
      throw new TriageRefusedError("wrong-status", `tip ${tip.caseCode} is closed`);
    const n = (await this.deps.store.auditLog(tipId)).filter((a) => a.action === "asked").length;
    await this.deps.store.appendAudit(tipId, {
      at: this.now(),
      actor: officer.id,
      action: "asked",
      detail: text,
    });
    await this.deps.queues.addNotify(
      {
        deliveryId: `${tipId}-q-${n + 1}`,
        tipId,
        kind: "question",
        to: { type: "tipster" },
        text,
        from: officer.id,
      },
      2,
    );
  }

  /**
   * The tipster's answer, addressed by case code, relayed to the officer who asked last. It is
   * accepted only from the chat the tip was sent from (proven by its sealed reply handle) or
   * with the case's PIN; anything else — an unknown code, a wrong PIN, a locked case — gets
   * the same refusal ("not-accepted"), so answers cannot be used to probe which codes exist.
   */
  async tipsterAnswer(proof: AnswerProof, caseCodeInput: string, text: string): Promise<AnswerResult> {
    const body = cleanUserText(text).trim().slice(0, 4000);
    if (!body) throw new TriageRefusedError("invalid", "the answer is empty");
    const tip = await this.tipForCode(caseCodeInput);
    const proven =
      this.isTipstersChat(tip, proof.from) ||
      (proof.pin !== undefined && (await this.pinMatches(proof.from, tip, proof.pin)));
    if (!proven || !tip)
      throw new TriageRefusedError(
        "not-accepted",
        "answer not accepted: not from the tipster's chat, and no matching PIN for a known case",
      );
    return this.relayAnswer(tip, body, proof.from);
  }

  private async relayAnswer(tip: TipRecord, body: string, from: ChatAddress): Promise<AnswerResult> {
    if (tip.status === "closed") return "closed";
    const log = await this.deps.store.auditLog(tip.id);
    const asked = log.filter((a) => a.action === "asked").at(-1);
    if (!asked) return "no-question";
    const n = log.filter((a) => a.action === "answered").length;
    await this.deps.store.appendAudit(tip.id, {
      at: this.now(),
      actor: "tipster",
      action: "answered",
      detail: body,
    });
    await this.deps.queues.addNotify(
      {
        deliveryId: `${tip.id}-a-${n + 1}`,
        tipId: tip.id,
        kind: "answer",
        to: { type: "contact", contactId: asked.actor },
        text: body,
      },
      2,
    );
    // The question is answered: the chat stops offering to send its messages to the officer.
    if (this.isTipstersChat(tip, from)) await this.deps.pending.clear(from);
    return "relayed";
  }

  /** Hands a tip to another listed contact. */
  async forward(actor: ChatAddress, tipId: string, toContactId: string, note?: string): Promise<Contact> {
    const officer = await this.officer(actor, tipId, "forward");
    await this.tip(tipId);
    const to = this.deps.routing.contactById(toContactId);
    if (!to) throw new TriageRefusedError("invalid", `contact ${toContactId} is not in the routing table`);
    const n = (await this.deps.store.auditLog(tipId)).filter((a) => a.action === "forwarded").length;
    await this.deps.store.appendAudit(tipId, {
      at: this.now(),
      actor: officer.id,
      action: "forwarded",
      detail: `→ ${to.id}${note ? `: ${note}` : ""}`,
    });
    await this.deps.queues.addNotify(
      {
        deliveryId: `${tipId}-fwd-${n + 1}-${to.id}`,
        tipId,
        kind: "forwarded",
        to: { type: "contact", contactId: to.id },
        ...(note && { text: note.slice(0, 1000) }),
        from: officer.id,
      },
      2,
    );
    return to;
  }

  /** Closes a tip with its outcome; a duplicate names the case it duplicates. */
  async close(
    actor: ChatAddress,
    tipId: string,
    outcomeInput: string,
    duplicateOf?: string,
  ): Promise<TipRecord> {
    const officer = await this.officer(actor, tipId, "close");
    const tip = await this.tip(tipId);
    const outcome = outcomeSchema.safeParse(outcomeInput);
    if (!outcome.success) throw new TriageRefusedError("invalid", `unknown outcome ${outcomeInput}`);
    let dup: string | undefined;
    if (outcome.data === "trung") {
      const code = duplicateOf ? parseCaseCode(duplicateOf) : undefined;
      const other = code && (await this.deps.store.idForCaseCode(code));
      if (!code || !other || other === tipId)
        throw new TriageRefusedError("invalid", "a duplicate needs the case code of another, existing tip");
      dup = code;
    }
    const at = this.now();
    const row = this.deps.outcomes?.entry(outcomeRow(tip, at, outcome.data as Outcome, this.deps.routing));
    const r = await this.deps.store.transition(
      tipId,
      {
        status: "closed",
        closedAt: at,
        closedBy: officer.id,
        outcome: outcome.data as Outcome,
        ...(dup && { duplicateOf: dup }),
      },
      { at, actor: officer.id, action: "closed", detail: dup ? `${outcome.data} (${dup})` : outcome.data },
      ["received", "routed", "delivered", "acknowledged"],
      row,
    );
    if (r === "wrong-status")
      throw new TriageRefusedError("wrong-status", `tip ${tip.caseCode} is already closed`);
    this.deps.outcomes?.kick();
    await this.deps.queues.cancelEscalations(tipId, tip.chain.length);
    return this.tip(tipId);
  }

  /**
   * Status for the tipster, given case code and PIN. Attempts are limited per sender and wrong
   * PINs per case, so codes and PINs cannot be guessed; a wrong code, a wrong PIN and a locked
   * case get the same answer.
   */
  async status(asker: ChatAddress, caseCodeInput: string, pin: string): Promise<TipStatusView> {
    const tip = await this.tipForCode(caseCodeInput);
    if (!(await this.pinMatches(asker, tip, pin)) || !tip)
      throw new TriageRefusedError("no-such-tip", "wrong case code or PIN");
    // Status only: never who handles it.
    return {
      caseCode: tip.caseCode,
      status: tip.status,
      createdAt: tip.createdAt,
      ...(tip.status === "closed" && tip.outcome && { outcome: tip.outcome }),
    };
  }
}
