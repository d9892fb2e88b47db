import { t } from "../../../i18n.js";
import { removeDiacritics } from "../../../text/normalize.js";
import type { DutyOutcome } from "../../../workers/directory/duty.js";
import type { Choice, Feature, Reply, Turn } from "../feature.js";

/**
 * Being on duty: `/truc` (back on duty) and `/nghi [đến HH:MM]` (off duty until a time, Vietnam
 * time, or until `/truc`), and the same as buttons. While an officer is off duty, routing leaves
 * them out of new tips' chains: the tip goes straight to the backup, and to the province's duty
 * desk when nobody of the route is on duty; tips already routed keep their chain and deadlines.
 *
 * Only a chat bound to a contact may use it, and it applies to every contact of that chat (one
 * officer may hold two slots). The directory does the work (`DialogueDeps.duty`); without it
 * the commands say the function is not available here.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Vietnam keeps UTC+7 all year (no daylight saving). */
const VIETNAM_OFFSET = 7 * HOUR;
/** Shift changes offered as buttons (giao ca): the next two after now. */
const SHIFT_CHANGES: ReadonlyArray<readonly [number, number]> = [
  [7, 30],
  [11, 30],
  [13, 30],
  [17, 30],
];

/** The next time it is `hour:minute` in Vietnam after `now` (a time not after now means tomorrow). */
export function nextClockTime(hour: number, minute: number, now: number): number {
  const local = now + VIETNAM_OFFSET;
  const at = local - (local % DAY) + hour * HOUR + minute * 60_000 - VIETNAM_OFFSET;
  return at > now ? at : at + DAY;
}

const UNTIL = /^(?:(?:den|toi|until|till|to)\s*)?(\d{1,2})\s*(?:(?::|h|g|gio)\s*(\d{2})?)?$/;

/**
 * When `/nghi`'s argument says the time off ends: "đến 17:30", "den 17h30", "17:30", "17h", "tới
 * 8g15" (Vietnam time; a time not after now means tomorrow). Null for no argument (off until
 * `/truc`); undefined for anything else.
 */
export function parseUntil(text: string, now: number): number | null | undefined {
  const folded = removeDiacritics(text).toLowerCase().replace(/\s+/g, " ").trim();
  if (folded === "") return null;
  const m = UNTIL.exec(folded);
  if (!m) return undefined;
  const hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  if (hour > 23 || minute > 59) return undefined;
  return nextClockTime(hour, minute, now);
}

/** "17:30", Vietnam time. */
function clock(at: number): string {
  const local = new Date(at + VIETNAM_OFFSET);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}`;
}

/** "17:30" today, "07:30 (ngày mai)" tomorrow. */
export function when(at: number, now: number): string {
  const day = (ms: number) => Math.floor((ms + VIETNAM_OFFSET) / DAY);
  return day(at) === day(now) ? clock(at) : t("duty.tomorrow", { time: clock(at) });
}

/** Choice data: `duty:on`, `duty:off`, `duty:off:HHMM`. */
const ON = "duty:on";
const OFF = "duty:off";
const offUntil = (hour: number, minute: number) =>
  `${OFF}:${String(hour).padStart(2, "0")}${String(minute).padStart(2, "0")}`;

function offChoices(now: number): Choice[] {
  const next = SHIFT_CHANGES.map(([h, m]) => ({ h, m, at: nextClockTime(h, m, now) }))
    .sort((a, b) => a.at - b.at)
    .slice(0, 2);
  return [
    ...next.map(({ h, m, at }) => ({
      data: offUntil(h, m),
      label: t("duty.buttonUntil", { time: when(at, now) }),
    })),
    { data: OFF, label: t("duty.buttonOff") },
  ];
}

/** What the officer is told: the new status, who gets new tips now, what stays as it was. */
function words(outcome: DutyOutcome, onDuty: boolean, until: number | null, now: number, turn: Turn): Reply {
  const lines: string[] = [];
  const names = (ids: readonly string[]) =>
    ids.map((id) => turn.deps.routing.contactById(id)?.name ?? id).join(", ");
  if (outcome.changed.length > 0) {
    if (onDuty) lines.push(t("duty.on"));
    else {
      lines.push(until === null ? t("duty.off") : t("duty.offUntil", { time: when(until, now) }));
      lines.push(
        outcome.handover.length > 0
          ? t("duty.handover", { names: outcome.handover.map((c) => c.name).join(", ") })
          : t("duty.noHandover"),
      );
      lines.push(t("duty.inFlight"));
    }
  }
  if (outcome.refused.length > 0) lines.push(t("duty.deskAlwaysOn", { names: names(outcome.refused) }));
  return {
    text: lines.join("\n"),
    choices: onDuty ? offChoices(now) : [{ data: ON, label: t("duty.buttonOn") }],
  };
}

async function change(turn: Turn, onDuty: boolean, untilText = ""): Promise<Reply[]> {
  const mine = turn.deps.routing.contactsByChat(turn.chat.channel, turn.chat.chatId);
  if (mine.length === 0) return [{ text: t("duty.notListed") }];
  const desk = turn.deps.duty;
  if (!desk) return [{ text: t("duty.unavailable") }];
  const now = desk.now();
  const until = onDuty ? null : parseUntil(untilText, now);
  if (until === undefined) return [{ text: t("duty.badTime", { text: untilText.trim() }) }];
  try {
    const outcome = await desk.set(
      mine.map((c) => c.id),
      { onDuty, until },
      `contact:${mine.map((c) => c.id).join("+")}`,
    );
    return [words(outcome, onDuty, until, now, turn)];
  } catch (e) {
    if ((e as Error).name !== "DutyChangeError") throw e;
    // The table this chat was recognised by is older than the database: a slot just removed.
    return [{ text: t("duty.notListed") }];
  }
}

/** `duty:on`, `duty:off`, `duty:off:HHMM` from the buttons. */
function button(turn: Turn, [what, hhmm]: readonly string[]): Promise<Reply[]> | undefined {
  if (what === "on" && hhmm === undefined) return change(turn, true);
  if (what !== "off") return undefined;
  if (hhmm === undefined) return change(turn, false);
  const m = /^(\d{2})(\d{2})$/.exec(hhmm);
  return m ? change(turn, false, `${m[1]}:${m[2]}`) : undefined;
}

export const dutyFeature: Feature = {
  name: "duty",
  commands: {
    truc: (turn) => change(turn, true),
    nghi: (turn, arg) => change(turn, false, arg),
  },
  choices: { duty: button },
};
