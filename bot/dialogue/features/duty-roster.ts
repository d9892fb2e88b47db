import { t } from "../../../i18n.js";
import type { CommuneRoster, DutyRoster, RosterEntry } from "../../../workers/directory/duty.js";
import { isInvitationRefused } from "../../../workers/directory/invitations.js";
import { formatTime } from "../../../workers/render.js";
import type { Feature, Reply, Turn } from "../feature.js";
import { when } from "./duty.js";

/**
 * `/catruc` (ca trực): who is on duty now, for a province admin or the provincial duty desk.
 * Per commune, who receives its new tips first and the state of each of its contacts (on duty,
 * off until a time, off until back, vacant); the provincial duty desk and the provincial units
 * that serve several communes are listed once, at the top. Times are Vietnam time.
 *
 * The roster is read from the directory database (`DutyDesk.roster`), not from the routing table
 * of the moment, so it shows a change made a second ago by another process. Anyone else is
 * refused; the invitation desk's `requireAdmin` logs that under a hash of the chat.
 */

/**
 * A reply holds whole blocks (the top, then one commune each) up to this many characters, so
 * that a commune is never cut between two messages: below Zalo's 2000, far below Telegram's 4096.
 */
const REPLY_BUDGET = 1800;

/** May this chat see the roster? The duty desk's own chat, or a province admin's. */
async function allowed(turn: Turn): Promise<boolean> {
  const desk = turn.deps.routing.dutyOfficer;
  const mine = turn.deps.routing.contactsByChat(turn.chat.channel, turn.chat.chatId);
  if (mine.some((c) => c.id === desk.id)) return true;
  const directory = turn.deps.directory;
  // Without the invitation desk nobody is an admin (npm start wires both or neither).
  if (!directory) return false;
  try {
    await directory.requireAdmin(turn.chat, "duty-roster");
    return true;
  } catch (e) {
    if (isInvitationRefused(e)) return false;
    throw e;
  }
}

/** The end of a time off: "17:30" today, "07:30 tomorrow" (as `/nghi` says it), else the date and time. */
function untilText(at: number, now: number): string {
  // Days in Vietnam time (UTC+7 all year).
  const day = (ms: number) => Math.floor((ms + 7 * 3_600_000) / 86_400_000);
  return day(at) - day(now) <= 1 ? when(at, now) : formatTime(at);
}

function state(e: RosterEntry, now: number): string {
  if (e.vacant) return t("roster.vacant");
  if (e.onDuty) return t("roster.on");
  return e.until === null
    ? t("roster.offUntilBack")
    : t("roster.offUntil", { time: untilText(e.until, now) });
}

const line = (e: RosterEntry, now: number) => t("roster.line", { name: e.name, state: state(e, now) });

/** The contacts listed under more than one commune (the provincial units), in first-seen order. */
function shared(roster: DutyRoster): RosterEntry[] {
  const seen = new Map<string, { entry: RosterEntry; n: number }>();
  for (const c of roster.communes)
    for (const e of c.contacts) {
      const s = seen.get(e.id);
      if (s) s.n++;
      else seen.set(e.id, { entry: e, n: 1 });
    }
  return [...seen.values()]
    .filter((s) => s.n > 1 && s.entry.id !== roster.dutyOfficer.id)
    .map((s) => s.entry);
}

/**
 * A commune: who gets its new tips first, then its own contacts. The provincial units among the
 * first are not named (their long names would repeat under every commune; their state is at the
 * top) unless nobody else comes first.
 */
function communeBlock(c: CommuneRoster, roster: DutyRoster, units: ReadonlySet<string>): string {
  const name = (id: string) =>
    (id === roster.dutyOfficer.id ? roster.dutyOfficer : c.contacts.find((e) => e.id === id))?.name ?? id;
  const lines = [t("roster.commune", { name: c.name })];
  const own = c.firstNow.filter((id) => !units.has(id));
  const named = own.length > 0 ? own : c.firstNow;
  if (named.length > 0)
    lines.push(
      t(named.length < c.firstNow.length ? "roster.firstNowAndUnits" : "roster.firstNow", {
        names: named.map(name).join("; "),
      }),
    );
  if (c.unreachable) lines.push(t("roster.unreachable"));
  for (const e of c.contacts)
    if (!units.has(e.id) && e.id !== roster.dutyOfficer.id) lines.push(line(e, roster.at));
  return lines.join("\n");
}

/** The roster as messages: whole blocks, packed up to `REPLY_BUDGET` characters each. */
export function rosterReplies(roster: DutyRoster): Reply[] {
  const desk = roster.dutyOfficer;
  const units = shared(roster);
  const top = [
    t("roster.title", { province: roster.province.name, at: formatTime(roster.at) }),
    desk.vacant ? t("roster.deskVacant", { name: desk.name }) : t("roster.desk", { name: desk.name }),
  ];
  if (units.length > 0) top.push("", t("roster.units"), ...units.map((e) => line(e, roster.at)));
  const unitIds = new Set(units.map((e) => e.id));
  const blocks = [top.join("\n"), ...roster.communes.map((c) => communeBlock(c, roster, unitIds))];
  if (roster.communes.length === 0) blocks.push(t("roster.noCommunes"));

  const replies: string[] = [];
  for (const block of blocks) {
    const last = replies.at(-1);
    if (last !== undefined && last.length + 2 + block.length <= REPLY_BUDGET)
      replies[replies.length - 1] = `${last}\n\n${block}`;
    else replies.push(block);
  }
  return replies.map((text) => ({ text }));
}

async function roster(turn: Turn): Promise<Reply[]> {
  const desk = turn.deps.duty;
  if (!desk) return [{ text: t("roster.unavailable") }];
  if (!(await allowed(turn))) return [{ text: t("roster.refused") }];
  return rosterReplies(await desk.roster());
}

export const dutyRosterFeature: Feature = {
  name: "duty-roster",
  commands: { catruc: roster },
};
