import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Routing } from "../routing/routing-table.js";
import { categorySchema, type Outcome, outcomeSchema, urgencySchema } from "../tip/tip.js";
import type { TipRecord } from "../tip/tip-store.js";

/**
 * The anonymous statistics of one closed tip, as `tip_outcomes` holds it: no text, photo,
 * handle, tip id or case code; days in Vietnam time and whole minutes, which is all the reports
 * need. `id` is a fresh random uuid made at close, so that writing the row twice (an outbox
 * retried) stores it once; it names nothing else.
 */
export const outcomeRowSchema = z
  .object({
    id: z.string().uuid(),
    provinceId: z.string().min(1),
    category: categorySchema,
    urgency: urgencySchema,
    communeId: z.string().min(1).nullable(),
    schoolId: z.string().min(1).nullable(),
    receivedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    closedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    ackMinutes: z.number().int().nonnegative().nullable(),
    closeMinutes: z.number().int().nonnegative(),
    outcome: outcomeSchema,
  })
  .strict();
export type OutcomeRow = z.infer<typeof outcomeRowSchema>;

const DAY = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Ho_Chi_Minh",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** The Vietnam-time day of an instant, `YYYY-MM-DD`. */
export function vietnamDay(at: number): string {
  return DAY.format(new Date(at));
}

/** Whole minutes from `from` to `to` (never negative: a clock step back counts as 0). */
export function wholeMinutes(from: number, to: number): number {
  return Math.max(0, Math.floor((to - from) / 60_000));
}

/**
 * The commune a tip counts under: the one routing gave it, else its school's, else the one the
 * tipster picked. Undefined for a tip that names no place.
 */
export function communeOfTip(tip: TipRecord, routing: Routing): string | undefined {
  return (
    tip.communeId ?? routing.schools.find((s) => s.id === tip.place.schoolId)?.commune ?? tip.place.communeId
  );
}

/** The statistics row of `tip`, closed at `closedAt` with `outcome`. */
export function outcomeRow(tip: TipRecord, closedAt: number, outcome: Outcome, routing: Routing): OutcomeRow {
  return {
    id: randomUUID(),
    provinceId: routing.province.id,
    category: tip.category,
    urgency: tip.urgency,
    communeId: communeOfTip(tip, routing) ?? null,
    schoolId: tip.schoolId ?? tip.place.schoolId ?? null,
    receivedOn: vietnamDay(tip.createdAt),
    closedOn: vietnamDay(closedAt),
    ackMinutes: tip.acknowledgedAt === undefined ? null : wholeMinutes(tip.createdAt, tip.acknowledgedAt),
    closeMinutes: wholeMinutes(tip.createdAt, closedAt),
    outcome,
  };
}
