import { z } from "zod";
import { cleanUserText } from "../../text/clean-user-text.js";

/**
 * The tip model. A tip never holds who sent it: no chat id, user id, name or phone. The only
 * way back to the tipster is `replyHandle`, sealed with a key only the relay holds.
 */

/** Kinds of tip; their labels are the catalogue's `category.<id>` (locales/). */
export const CATEGORIES = ["ma-tuy", "bao-luc-hoc-duong", "chay-no", "an-ninh-mang", "khac"] as const;
export const categorySchema = z.enum(CATEGORIES);
export type Category = z.infer<typeof categorySchema>;

/** Labels: `urgency.<id>`. */
export const URGENCIES = ["khan-cap", "binh-thuong"] as const;
export const urgencySchema = z.enum(URGENCIES);
export type Urgency = z.infer<typeof urgencySchema>;

/** Messaging channels the bot and officers use. */
export const CHANNELS = ["telegram", "zalo", "web"] as const;
export const channelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof channelSchema>;

export const STATUSES = ["received", "routed", "delivered", "acknowledged", "closed"] as const;
export const statusSchema = z.enum(STATUSES);
export type TipStatus = z.infer<typeof statusSchema>;

/** Closing outcomes, as officers report them. Labels: `outcome.<id>`. */
export const OUTCOMES = ["co-co-so", "khong-co-so", "trung", "bao-sai", "chi-de-biet"] as const;
export const outcomeSchema = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof outcomeSchema>;

/** Where the tip happened: a school and/or a commune from the routing table, plus free text. */
export const placeSchema = z
  .object({
    schoolId: z.string().min(1).max(80).optional(),
    communeId: z.string().min(1).max(80).optional(),
    text: z.string().transform(cleanUserText).pipe(z.string().trim().max(300)).optional(),
  })
  .refine((p) => p.schoolId || p.communeId || p.text, "a place needs a school, a commune or a description");
export type Place = z.infer<typeof placeSchema>;

/** What a tipster submits, validated before anything is stored. */
export const tipSubmissionSchema = z.object({
  category: categorySchema,
  urgency: urgencySchema,
  place: placeSchema,
  description: z
    .string()
    .transform(cleanUserText)
    .pipe(z.string().trim().min(5, "description too short").max(4000, "description too long")),
  /** Ids of photos already sanitised and stored (see photo store). */
  photoIds: z
    .array(z.string().regex(/^[a-f0-9]{32}$/))
    .max(5)
    .default([]),
});
export type TipSubmission = z.infer<typeof tipSubmissionSchema>;
