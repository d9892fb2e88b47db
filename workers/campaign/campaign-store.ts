import { randomUUID } from "node:crypto";
import { and, asc, eq, gt, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db/client.js";
import { campaigns, subscribers } from "../../db/schema.js";
import {
  type Audience,
  type AudienceInput,
  type AudienceRole,
  audienceSchema,
  CAMPAIGN_TEXT_MAX,
  type CampaignCounts,
  type CampaignRecipient,
  type CampaignRecord,
  type CampaignStatus,
  type SubscriberChannel,
} from "./campaign.js";

/** What `/dangky` (or consenting when signing a commitment) records. */
export interface Subscription {
  readonly channel: SubscriberChannel;
  readonly chatId: string;
  readonly role: AudienceRole;
  readonly schoolId: string;
  readonly communeId: string;
  readonly className?: string;
}

export interface NewCampaign {
  /** "person:<uuid>" or "contact:<id>". */
  readonly author: string;
  readonly audience: AudienceInput;
  readonly text: string;
  readonly sendAt: Date;
}

/**
 * Subscribers and campaigns in PostgreSQL. Subscribers are paged by id (keyset), never loaded
 * whole; nothing here reads or writes the tip store.
 */
export class CampaignStore {
  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  /** Subscribes a chat (again): clears an earlier unsubscribe or block. Returns the id. */
  async subscribe(s: Subscription): Promise<number> {
    const at = new Date(this.now());
    const [row] = await this.db
      .insert(subscribers)
      .values({ ...s, className: s.className ?? null, subscribedAt: at })
      .onConflictDoUpdate({
        target: [subscribers.channel, subscribers.chatId, subscribers.schoolId, subscribers.role],
        set: {
          className: s.className ?? null,
          communeId: s.communeId,
          subscribedAt: at,
          unsubscribedAt: null,
          blockedAt: null,
        },
      })
      .returning({ id: subscribers.id });
    if (!row) throw new Error("subscribe returned no row");
    return row.id;
  }

  /** `/huydangky`: every subscription of the chat stops, from the next batch of any campaign. */
  async unsubscribe(channel: SubscriberChannel, chatId: string): Promise<number> {
    const rows = await this.db
      .update(subscribers)
      .set({ unsubscribedAt: new Date(this.now()) })
      .where(
        and(
          eq(subscribers.channel, channel),
          eq(subscribers.chatId, chatId),
          isNull(subscribers.unsubscribedAt),
        ),
      )
      .returning({ id: subscribers.id });
    return rows.length;
  }

  /** The channel said the bot is blocked: every subscription of that chat is skipped from now. */
  async markBlocked(recipient: CampaignRecipient): Promise<void> {
    await this.db
      .update(subscribers)
      .set({ blockedAt: new Date(this.now()) })
      .where(
        and(
          eq(subscribers.channel, recipient.channel),
          eq(subscribers.chatId, recipient.chatId),
          isNull(subscribers.blockedAt),
        ),
      );
  }

  /**
   * Ids of the audience's active subscribers after `after`, in id order, at most `limit`: one
   * batch. A chat subscribed for several matching schools or roles appears once per row; the
   * fan-out sends once per chat (`chatKey`).
   */
  async page(audience: Audience, after: number, limit: number): Promise<CampaignRecipient[]> {
    return this.db
      .select({ id: subscribers.id, channel: subscribers.channel, chatId: subscribers.chatId })
      .from(subscribers)
      .where(and(gt(subscribers.id, after), active(), matches(audience)))
      .orderBy(asc(subscribers.id))
      .limit(limit);
  }

  /** Which of `ids` are still subscribed and not blocked: read again at a batch's start. */
  async stillActive(ids: readonly number[]): Promise<CampaignRecipient[]> {
    if (ids.length === 0) return [];
    return this.db
      .select({ id: subscribers.id, channel: subscribers.channel, chatId: subscribers.chatId })
      .from(subscribers)
      .where(and(inArray(subscribers.id, [...ids]), active()))
      .orderBy(asc(subscribers.id));
  }

  async createCampaign(c: NewCampaign): Promise<CampaignRecord> {
    const audience = audienceSchema.parse(c.audience);
    const text = c.text.trim();
    if (text.length === 0 || text.length > CAMPAIGN_TEXT_MAX)
      throw new RangeError(`a campaign's text has 1 to ${CAMPAIGN_TEXT_MAX} characters`);
    const [row] = await this.db
      .insert(campaigns)
      .values({
        id: randomUUID(),
        author: c.author,
        audience,
        text,
        sendAt: c.sendAt,
        status: "scheduled",
        createdAt: new Date(this.now()),
      })
      .returning();
    if (!row) throw new Error("campaign insert returned no row");
    return toRecord(row);
  }

  async campaign(id: string): Promise<CampaignRecord | undefined> {
    const [row] = await this.db.select().from(campaigns).where(eq(campaigns.id, id));
    return row && toRecord(row);
  }

  /** Moves a campaign on from one of `from`; false if it was in another status. */
  async setStatus(id: string, status: CampaignStatus, from: readonly CampaignStatus[]): Promise<boolean> {
    const rows = await this.db
      .update(campaigns)
      .set({
        status,
        ...((status === "done" || status === "cancelled") && { finishedAt: new Date(this.now()) }),
      })
      .where(and(eq(campaigns.id, id), inArray(campaigns.status, [...from])))
      .returning({ id: campaigns.id });
    return rows.length > 0;
  }

  /** Writes the live counts (from Redis) to the campaign's row; they only grow. */
  async flushCounts(id: string, counts: CampaignCounts): Promise<void> {
    await this.db
      .update(campaigns)
      .set({
        sent: sql`greatest(${campaigns.sent}, ${counts.sent})`,
        failed: sql`greatest(${campaigns.failed}, ${counts.failed})`,
        blocked: sql`greatest(${campaigns.blocked}, ${counts.blocked})`,
      })
      .where(eq(campaigns.id, id));
  }
}

function active(): SQL | undefined {
  return and(isNull(subscribers.unsubscribedAt), isNull(subscribers.blockedAt));
}

function matches(a: Audience): SQL | undefined {
  const places: (SQL | undefined)[] = [];
  if (a.schools.length > 0) places.push(inArray(subscribers.schoolId, a.schools));
  if (a.communes.length > 0) places.push(inArray(subscribers.communeId, a.communes));
  for (const c of a.classes)
    places.push(and(eq(subscribers.schoolId, c.schoolId), eq(subscribers.className, c.className)));
  return and(inArray(subscribers.role, a.roles), or(...places));
}

function toRecord(row: typeof campaigns.$inferSelect): CampaignRecord {
  return {
    id: row.id,
    author: row.author,
    audience: audienceSchema.parse(row.audience),
    text: row.text,
    sendAt: row.sendAt,
    status: row.status,
    sent: row.sent,
    failed: row.failed,
    blocked: row.blocked,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
  };
}
