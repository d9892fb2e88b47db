import { z } from "zod";

/** Who a campaign is for, as `audience_role` in `db/schema.ts`. */
export const AUDIENCE_ROLES = ["parent", "pupil", "teacher"] as const;
export type AudienceRole = (typeof AUDIENCE_ROLES)[number];

/** Channels a subscriber is reached on (the web chat keeps no one to write to later). */
export const SUBSCRIBER_CHANNELS = ["telegram", "zalo"] as const;
export type SubscriberChannel = (typeof SUBSCRIBER_CHANNELS)[number];

export const CAMPAIGN_STATUSES = ["scheduled", "sending", "done", "cancelled"] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/**
 * Whom a campaign reaches: subscribers with one of `roles` who belong to one of the schools, one
 * of the classes (of a school) or one of the communes. At least one place is named.
 */
export const audienceSchema = z
  .object({
    roles: z.array(z.enum(AUDIENCE_ROLES)).min(1),
    schools: z.array(z.string().min(1)).default([]),
    classes: z.array(z.object({ schoolId: z.string().min(1), className: z.string().min(1) })).default([]),
    communes: z.array(z.string().min(1)).default([]),
  })
  .refine((a) => a.schools.length + a.classes.length + a.communes.length > 0, {
    message: "an audience names at least one school, class or commune",
  });
export type Audience = z.infer<typeof audienceSchema>;
export type AudienceInput = z.input<typeof audienceSchema>;

/** The short safety message itself; Telegram's limit for one message. */
export const CAMPAIGN_TEXT_MAX = 4000;

export interface CampaignCounts {
  readonly sent: number;
  readonly failed: number;
  readonly blocked: number;
}

export interface CampaignRecord extends CampaignCounts {
  readonly id: string;
  readonly author: string;
  readonly audience: Audience;
  readonly text: string;
  readonly sendAt: Date;
  readonly status: CampaignStatus;
  readonly createdAt: Date;
  readonly finishedAt: Date | null;
}

/** One recipient of a batch: the subscriber's id (the ledger's key) and where to write. */
export interface CampaignRecipient {
  readonly id: number;
  readonly channel: SubscriberChannel;
  readonly chatId: string;
}

/**
 * A batch of the fan-out: the subscribers after `after` (a subscriber id; 0 for the first), at
 * most the batch size. Each batch queues the next one when it is done, so that batches run one
 * after another and each re-reads who is still subscribed.
 */
export const campaignBatchJobSchema = z.object({
  campaignId: z.string().uuid(),
  after: z.number().int().min(0),
});
export type CampaignBatchJob = z.infer<typeof campaignBatchJobSchema>;

/** A campaign id that is not in the database. */
export class CampaignNotFoundError extends Error {
  override readonly name = "CampaignNotFoundError";
  constructor(readonly campaignId: string) {
    super(`campaign ${campaignId} not found`);
  }
}
