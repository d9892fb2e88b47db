import type { Redis } from "ioredis";
import { z } from "zod";
import {
  categorySchema,
  outcomeSchema,
  placeSchema,
  statusSchema,
  type TipStatus,
  urgencySchema,
} from "./tip.js";

/** A stored tip. Holds no identifier of the tipster; `replyHandle` is sealed (AES-256-GCM). */
export const tipRecordSchema = z.object({
  id: z.string().uuid(),
  caseCode: z.string(),
  category: categorySchema,
  urgency: urgencySchema,
  place: placeSchema,
  description: z.string(),
  photoIds: z.array(z.string()),
  createdAt: z.number(),
  status: statusSchema,
  /** Contact ids in escalation order, set when routed. */
  chain: z.array(z.string()).default([]),
  /** Index in `chain` of the contact notified last. */
  level: z.number().int().default(0),
  communeId: z.string().optional(),
  schoolId: z.string().optional(),
  deliveredAt: z.number().optional(),
  acknowledgedAt: z.number().optional(),
  acknowledgedBy: z.string().optional(),
  closedAt: z.number().optional(),
  closedBy: z.string().optional(),
  outcome: outcomeSchema.optional(),
  duplicateOf: z.string().optional(),
  pinHash: z.string(),
  replyHandle: z.string(),
});
export type TipRecord = z.infer<typeof tipRecordSchema>;

/** One line of a tip's audit log. `actor` is a contact id, "tipster" or "system" — never a chat id. */
export interface AuditEntry {
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly detail?: string;
}

// Sets fields only if the tip's status is one of ARGV[first..n]; appends the audit entry.
// KEYS: tip hash, audit list[, outbox hash]. ARGV: fields JSON, audit JSON[, outbox field,
// outbox value], allowed statuses… With an outbox, the entry is written in the same step.
const TRANSITION = `
local first = 3
if #KEYS > 2 then first = 5 end
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if #ARGV >= first then
  local status = cjson.decode(redis.call('HGET', KEYS[1], 'status'))
  local ok = false
  for i = first, #ARGV do if ARGV[i] == status then ok = true end end
  if not ok then return 0 end
end
local fields = cjson.decode(ARGV[1])
for k, v in pairs(fields) do redis.call('HSET', KEYS[1], k, v) end
redis.call('RPUSH', KEYS[2], ARGV[2])
if #KEYS > 2 then redis.call('HSET', KEYS[3], ARGV[3], ARGV[4]) end
return 1
`;

/** Persistence of tips, their audit logs, photos and delivery ledger, under one key prefix. */
export class TipStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(...parts: string[]): string {
    return [this.prefix, ...parts].join(":");
  }

  /** Reserves a case code; false if taken. */
  async reserveCaseCode(code: string, tipId: string): Promise<boolean> {
    return (await this.redis.set(this.key("case", code), tipId, "NX")) === "OK";
  }

  /** Stores a new tip with its first audit entry, atomically. */
  async create(tip: TipRecord, audit: AuditEntry): Promise<void> {
    const encoded = Object.fromEntries(Object.entries(tip).map(([k, v]) => [k, JSON.stringify(v)]));
    const multi = this.redis
      .multi()
      .hset(this.key("tip", tip.id), encoded)
      .zadd(this.key("tips"), tip.createdAt, tip.id)
      .rpush(this.key("tip", tip.id, "audit"), JSON.stringify(audit));
    // Photos attached to a tip are kept as long as the tip.
    for (const photoId of tip.photoIds) multi.persist(this.key("photo", photoId));
    await multi.exec();
  }

  async get(id: string): Promise<TipRecord | undefined> {
    const raw = await this.redis.hgetall(this.key("tip", id));
    if (Object.keys(raw).length === 0) return undefined;
    const decoded = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as unknown]));
    return tipRecordSchema.parse(decoded);
  }

  async idForCaseCode(code: string): Promise<string | undefined> {
    return (await this.redis.get(this.key("case", code))) ?? undefined;
  }

  /**
   * Updates fields and appends an audit entry, only if the status is one of `onlyFrom` (when
   * given). With `outbox`, also sets `field` to `value` in the hash `key` in the same atomic
   * step (the closed tip's statistics row: a crash cannot close a tip without it). Returns "ok",
   * "wrong-status" or "missing".
   */
  async transition(
    id: string,
    fields: Partial<TipRecord>,
    audit: AuditEntry,
    onlyFrom: readonly TipStatus[] = [],
    outbox?: { readonly key: string; readonly field: string; readonly value: string },
  ): Promise<"ok" | "wrong-status" | "missing"> {
    const encoded = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, JSON.stringify(v)]));
    const r = (await this.redis.eval(
      TRANSITION,
      outbox ? 3 : 2,
      this.key("tip", id),
      this.key("tip", id, "audit"),
      ...(outbox ? [outbox.key] : []),
      JSON.stringify(encoded),
      JSON.stringify(audit),
      ...(outbox ? [outbox.field, outbox.value] : []),
      ...onlyFrom,
    )) as number;
    return r === 1 ? "ok" : r === 0 ? "wrong-status" : "missing";
  }

  async appendAudit(id: string, audit: AuditEntry): Promise<void> {
    await this.redis.rpush(this.key("tip", id, "audit"), JSON.stringify(audit));
  }

  async auditLog(id: string): Promise<AuditEntry[]> {
    return (await this.redis.lrange(this.key("tip", id, "audit"), 0, -1)).map(
      (l) => JSON.parse(l) as AuditEntry,
    );
  }

  /** Tips created in [from, to), oldest first. */
  async createdBetween(from: number, to: number): Promise<TipRecord[]> {
    const ids = await this.redis.zrangebyscore(this.key("tips"), from, `(${to}`);
    const tips = await Promise.all(ids.map((id) => this.get(id)));
    return tips.filter((t): t is TipRecord => t !== undefined);
  }

  /**
   * Ids of tips in `status` created in [from, to] (for the intake reconciler, which only looks
   * at recent tips so that its cost does not grow with the whole history).
   */
  async idsInStatus(status: TipStatus, from: number, to: number): Promise<string[]> {
    const ids = await this.redis.zrangebyscore(this.key("tips"), from, to);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.key("tip", id), "status");
    const statuses = (await pipeline.exec()) ?? [];
    return ids.filter((_, i) => {
      const raw = statuses[i]?.[1];
      return typeof raw === "string" && JSON.parse(raw) === status;
    });
  }

  /**
   * Counts a wrong PIN given for a tip, whoever gave it; the count lives `windowS` seconds
   * from the first failure. Returns the count including this one. Nothing about the sender is
   * kept, so the lockout holds however many chats or cookies a guesser uses.
   */
  async recordPinFailure(tipId: string, windowS: number): Promise<number> {
    const key = this.key("pinfail", tipId);
    const [[, n] = []] = (await this.redis.multi().incr(key).expire(key, windowS, "NX").exec()) ?? [];
    return Number(n);
  }

  /** Wrong PINs given for a tip in the current lockout window. */
  async pinFailures(tipId: string): Promise<number> {
    return Number((await this.redis.get(this.key("pinfail", tipId))) ?? 0);
  }

  /** Stores a sanitised photo; it expires after `ttlSeconds` unless a tip claims it. */
  async putPhoto(id: string, bytes: Buffer, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.key("photo", id), bytes, "EX", ttlSeconds);
  }

  async hasPhoto(id: string): Promise<boolean> {
    return (await this.redis.exists(this.key("photo", id))) === 1;
  }

  async getPhoto(id: string): Promise<Buffer | undefined> {
    return (await this.redis.getBuffer(this.key("photo", id))) ?? undefined;
  }

  /**
   * Delivery ledger: a message id recorded once a message went out, so a retried job never
   * sends it again. Returns false if already recorded.
   */
  async recordDelivery(deliveryId: string, messageId: string): Promise<boolean> {
    return (await this.redis.set(this.key("sent", deliveryId), messageId, "NX")) === "OK";
  }

  async deliveryOf(deliveryId: string): Promise<string | undefined> {
    return (await this.redis.get(this.key("sent", deliveryId))) ?? undefined;
  }

  /** Marks a delivery as started; true if it had been started before (an uncertain retry). */
  async startDelivery(deliveryId: string): Promise<boolean> {
    return (await this.redis.set(this.key("sending", deliveryId), "1", "NX")) !== "OK";
  }
}
