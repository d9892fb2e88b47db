import type { Redis } from "ioredis";
import { z } from "zod";
import { type ContentSealer, isSealedBytes, isSealedText, type SealContext } from "./content-sealer.js";
import {
  categorySchema,
  outcomeSchema,
  placeSchema,
  statusSchema,
  type TipStatus,
  urgencySchema,
} from "./tip.js";

/**
 * A stored tip. Holds no identifier of the tipster; `replyHandle` is sealed (AES-256-GCM) under
 * the reply key. What people wrote (`description`, `place`) is sealed under the data key in
 * Redis (see `ContentSealer`); `TipStore.get` returns it opened.
 */
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

/** Tip hash fields written by people: stored sealed, opened by `get`. */
const SEALED_FIELDS = ["description", "place"] as const;

// Sets fields only if the tip's status is one of ARGV[first..n]; appends the audit entry; keeps
// the index of closed tips (by closedAt) in step with the status.
// KEYS: tip hash, audit list, closed index[, outbox hash]. ARGV: fields JSON, audit JSON, closed
// score ("" no change, "rm" not closed), tip id[, outbox field, outbox value], allowed statuses…
// With an outbox, the entry is written in the same step.
const TRANSITION = `
local first = 5
if #KEYS > 3 then first = 7 end
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
if ARGV[3] == 'rm' then redis.call('ZREM', KEYS[3], ARGV[4])
elseif ARGV[3] ~= '' then redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4]) end
if #KEYS > 3 then redis.call('HSET', KEYS[4], ARGV[5], ARGV[6]) end
return 1
`;

// Deletes every key of one tip. A photo goes only with the last tip that holds it (photo ids are
// content hashes: one picture sent twice is one key); the case code only if it names this tip.
// KEYS: tip hash, audit, tips index, closed index, delivery set, PIN failures, case code key,
// then (photo, photo's tips) pairs, then (sent, sending) pairs.
// ARGV: tip id, number of photos, number of deliveries.
const PURGE = `
local id = ARGV[1]
local existed = redis.call('EXISTS', KEYS[1])
redis.call('DEL', KEYS[1], KEYS[2], KEYS[5], KEYS[6])
redis.call('ZREM', KEYS[3], id)
redis.call('ZREM', KEYS[4], id)
if redis.call('GET', KEYS[7]) == id then redis.call('DEL', KEYS[7]) end
local photos = tonumber(ARGV[2])
for i = 0, photos - 1 do
  local photo, refs = KEYS[8 + 2 * i], KEYS[9 + 2 * i]
  redis.call('SREM', refs, id)
  if redis.call('SCARD', refs) == 0 then redis.call('DEL', photo, refs) end
end
local first = 8 + 2 * photos
for i = 0, tonumber(ARGV[3]) - 1 do
  redis.call('DEL', KEYS[first + 2 * i], KEYS[first + 2 * i + 1])
end
return existed
`;

// Stores a photo with its expiry, unless a tip already holds it (then it is kept as it is).
// KEYS: photo. ARGV: sealed bytes, ttl seconds.
const PUT_PHOTO = `
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('TTL', KEYS[1]) == -1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
`;

// Delivery ids start with their tip's id (`${tipId}-q-1`): the ledger is indexed per tip so that
// the retention purge finds a tip's entries without scanning every key.
const TIP_OF_DELIVERY = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:-|$)/;

/** What `reseal` changed. */
export interface ResealCount {
  /** Values sealed again under the current key (they were under the previous one, or in clear). */
  readonly resealed: number;
  /** Values already under the current key. */
  readonly current: number;
}

/**
 * Persistence of tips, their audit logs, photos and delivery ledger, under one key prefix. Tip
 * content, audit details and photos are sealed with `content` before they reach Redis and opened
 * when read; content stored before it was sealed is read as it is (`reseal` seals it).
 */
export class TipStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly content: ContentSealer,
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
    const multi = this.redis
      .multi()
      .hset(this.key("tip", tip.id), this.encode(tip.id, tip))
      .zadd(this.key("tips"), tip.createdAt, tip.id)
      .rpush(this.key("tip", tip.id, "audit"), this.encodeAudit(tip.id, audit));
    // Photos attached to a tip are kept as long as the tip (the last one that holds them).
    for (const photoId of tip.photoIds)
      multi.persist(this.key("photo", photoId)).sadd(this.key("photo", photoId, "tips"), tip.id);
    await multi.exec();
  }

  /** The tip with its content opened. Throws ContentSealError if a sealed field does not open. */
  async get(id: string): Promise<TipRecord | undefined> {
    const raw = await this.redis.hgetall(this.key("tip", id));
    if (Object.keys(raw).length === 0) return undefined;
    const decoded: Record<string, unknown> = Object.fromEntries(
      Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as unknown]),
    );
    for (const field of SEALED_FIELDS) {
      const value = decoded[field];
      if (isSealedText(value)) decoded[field] = JSON.parse(this.content.open(value, { owner: id, field }));
    }
    return tipRecordSchema.parse(decoded);
  }

  /** Hash fields of `fields`, JSON-encoded, content sealed for the tip `id`. */
  private encode(id: string, fields: Partial<TipRecord>): Record<string, string> {
    return Object.fromEntries(
      Object.entries(fields).map(([k, v]) => {
        const json = JSON.stringify(v);
        const sealed = (SEALED_FIELDS as readonly string[]).includes(k);
        return [k, sealed ? JSON.stringify(this.content.seal(json, { owner: id, field: k })) : json];
      }),
    );
  }

  /** An audit entry's detail is bound to its tip and to the entry's action, actor and time. */
  private auditContext(id: string, a: AuditEntry): SealContext {
    return { owner: id, field: `audit:${a.action}:${a.actor}:${a.at}` };
  }

  private encodeAudit(id: string, audit: AuditEntry): string {
    if (audit.detail === undefined) return JSON.stringify(audit);
    return JSON.stringify({
      ...audit,
      detail: this.content.seal(audit.detail, this.auditContext(id, audit)),
    });
  }

  private decodeAudit(id: string, line: string): AuditEntry {
    const a = JSON.parse(line) as AuditEntry;
    if (!isSealedText(a.detail)) return a;
    return { ...a, detail: this.content.open(a.detail, this.auditContext(id, a)) };
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
    const closed =
      fields.status === undefined
        ? ""
        : fields.status === "closed"
          ? String(fields.closedAt ?? audit.at)
          : "rm";
    const r = (await this.redis.eval(
      TRANSITION,
      outbox ? 4 : 3,
      this.key("tip", id),
      this.key("tip", id, "audit"),
      this.key("closed"),
      ...(outbox ? [outbox.key] : []),
      JSON.stringify(this.encode(id, fields)),
      this.encodeAudit(id, audit),
      closed,
      id,
      ...(outbox ? [outbox.field, outbox.value] : []),
      ...onlyFrom,
    )) as number;
    return r === 1 ? "ok" : r === 0 ? "wrong-status" : "missing";
  }

  async appendAudit(id: string, audit: AuditEntry): Promise<void> {
    await this.redis.rpush(this.key("tip", id, "audit"), this.encodeAudit(id, audit));
  }

  /** The tip's audit log, details opened. */
  async auditLog(id: string): Promise<AuditEntry[]> {
    return (await this.redis.lrange(this.key("tip", id, "audit"), 0, -1)).map((l) => this.decodeAudit(id, l));
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

  /**
   * Stores a sanitised photo, sealed; it expires after `ttlSeconds` unless a tip claims it. The
   * same picture sent again while a tip holds it leaves the tip's copy (and its lifetime) alone.
   */
  async putPhoto(id: string, bytes: Buffer, ttlSeconds: number): Promise<void> {
    const sealed = this.content.sealBytes(bytes, { owner: id, field: "photo" });
    await this.redis.eval(PUT_PHOTO, 1, this.key("photo", id), sealed, ttlSeconds);
  }

  async hasPhoto(id: string): Promise<boolean> {
    return (await this.redis.exists(this.key("photo", id))) === 1;
  }

  /** The photo's bytes, opened. Throws ContentSealError if it does not open. */
  async getPhoto(id: string): Promise<Buffer | undefined> {
    const stored = await this.redis.getBuffer(this.key("photo", id));
    if (!stored) return undefined;
    return isSealedBytes(stored) ? this.content.openBytes(stored, { owner: id, field: "photo" }) : stored;
  }

  /**
   * Delivery ledger: a message id recorded once a message went out, so a retried job never
   * sends it again. Returns false if already recorded.
   */
  async recordDelivery(deliveryId: string, messageId: string): Promise<boolean> {
    await this.indexDelivery(deliveryId);
    return (await this.redis.set(this.key("sent", deliveryId), messageId, "NX")) === "OK";
  }

  private async indexDelivery(deliveryId: string): Promise<void> {
    const tipId = TIP_OF_DELIVERY.exec(deliveryId)?.[1];
    if (tipId) await this.redis.sadd(this.key("tip", tipId, "sent"), deliveryId);
  }

  async deliveryOf(deliveryId: string): Promise<string | undefined> {
    return (await this.redis.get(this.key("sent", deliveryId))) ?? undefined;
  }

  /** Marks a delivery as started; true if it had been started before (an uncertain retry). */
  async startDelivery(deliveryId: string): Promise<boolean> {
    await this.indexDelivery(deliveryId);
    return (await this.redis.set(this.key("sending", deliveryId), "1", "NX")) !== "OK";
  }

  /**
   * Ids of tips closed before `before` (ms), oldest first, at most `limit`: the retention
   * purge's candidates. Tips closed before this index existed are added by `reseal`.
   */
  async closedBefore(before: number, limit = 500): Promise<string[]> {
    return this.redis.zrangebyscore(this.key("closed"), "-inf", `(${before}`, "LIMIT", 0, limit);
  }

  /**
   * Deletes everything of one tip, atomically: its hash, audit log, PIN failures, case code,
   * delivery ledger, index entries, and its photos unless another tip holds them too. Keys of
   * other owners (queues, statistics, sessions) are left alone. Returns false if there was no
   * tip (a second purge does nothing).
   */
  async purge(id: string): Promise<boolean> {
    const [caseCode, photoIds] = await this.redis.hmget(this.key("tip", id), "caseCode", "photoIds");
    const photos = photoIds ? z.array(z.string()).catch([]).parse(JSON.parse(photoIds)) : [];
    const deliveries = await this.redis.smembers(this.key("tip", id, "sent"));
    const code = caseCode ? z.string().catch("").parse(JSON.parse(caseCode)) : "";
    const keys = [
      this.key("tip", id),
      this.key("tip", id, "audit"),
      this.key("tips"),
      this.key("closed"),
      this.key("tip", id, "sent"),
      this.key("pinfail", id),
      // A tip without a case code has no such key; the script deletes it only if it names the tip.
      this.key("case", code || `-none-${id}`),
      ...photos.flatMap((p) => [this.key("photo", p), this.key("photo", p, "tips")]),
      ...deliveries.flatMap((d) => [this.key("sent", d), this.key("sending", d)]),
    ];
    const r = await this.redis.eval(PURGE, keys.length, ...keys, id, photos.length, deliveries.length);
    return r === 1;
  }

  /** Every stored tip's id, oldest first. */
  async allIds(): Promise<string[]> {
    return this.redis.zrange(this.key("tips"), 0, -1);
  }

  /**
   * Seals the tip's content and audit details again under the current data key, if they
   * were sealed under the previous one or stored in clear; and indexes what was stored before the
   * retention purge needed it (a closed tip's close time, its photos' holders). Idempotent.
   */
  async reseal(id: string): Promise<ResealCount> {
    let resealed = 0;
    let current = 0;
    const tip = await this.get(id);
    if (!tip) return { resealed, current };
    const raw = await this.redis.hmget(this.key("tip", id), ...SEALED_FIELDS);
    const stale: Partial<TipRecord> = {};
    SEALED_FIELDS.forEach((field, i) => {
      const value = JSON.parse(raw[i] ?? "null") as unknown;
      if (isSealedText(value) && this.content.isCurrent(value)) current++;
      else Object.assign(stale, { [field]: tip[field] });
    });
    if (Object.keys(stale).length > 0) {
      // Content is written once, at intake: nothing can have changed it since it was read.
      await this.redis.hset(this.key("tip", id), this.encode(id, stale));
      resealed += Object.keys(stale).length;
    }
    const auditKey = this.key("tip", id, "audit");
    const lines = await this.redis.lrange(auditKey, 0, -1);
    // Entries are only ever appended, so an index read here still names the same entry.
    for (const [i, line] of lines.entries()) {
      const entry = JSON.parse(line) as AuditEntry;
      if (entry.detail === undefined) continue;
      if (isSealedText(entry.detail) && this.content.isCurrent(entry.detail)) {
        current++;
        continue;
      }
      await this.redis.lset(auditKey, i, this.encodeAudit(id, this.decodeAudit(id, line)));
      resealed++;
    }
    // The photos themselves are resealed by `resealPhoto`, with the photos no tip holds yet.
    for (const photoId of tip.photoIds) await this.redis.sadd(this.key("photo", photoId, "tips"), id);
    if (tip.status === "closed")
      await this.redis.zadd(this.key("closed"), "NX", tip.closedAt ?? tip.createdAt, id);
    return { resealed, current };
  }

  /** Seals one photo again under the current key, keeping its expiry. */
  async resealPhoto(photoId: string): Promise<ResealCount> {
    const key = this.key("photo", photoId);
    const stored = await this.redis.getBuffer(key);
    if (!stored) return { resealed: 0, current: 0 };
    if (isSealedBytes(stored) && this.content.isCurrent(stored)) return { resealed: 0, current: 1 };
    const bytes = await this.getPhoto(photoId);
    if (!bytes) return { resealed: 0, current: 0 };
    await this.redis.set(
      key,
      this.content.sealBytes(bytes, { owner: photoId, field: "photo" }),
      "KEEPTTL",
      "XX",
    );
    return { resealed: 1, current: 0 };
  }

  /** Ids of every stored photo, claimed or not (for `reseal`). */
  async *photoIds(): AsyncGenerator<string> {
    const pattern = this.key("photo", "*");
    let cursor = "0";
    do {
      const [next, keys] = await this.redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
      cursor = next;
      for (const k of keys) {
        const id = k.slice(this.key("photo", "").length);
        if (/^[a-f0-9]{32}$/.test(id)) yield id;
      }
    } while (cursor !== "0");
  }
}
