import { LANGS, t, tl } from "../../../i18n.js";
import { removeDiacritics } from "../../../text/normalize.js";
import { isBound } from "../../../workers/routing/schema.js";
import { statisticsTable } from "../../../workers/stats.js";
import {
  CLOSE_WITH,
  closeWithData,
  FORWARD_TO,
  forwardToData,
  OFFICER_COMMANDS,
  type OfficerVerb,
  outcomeArg,
  tipIdArg,
} from "../../../workers/tip/officer-actions.js";
import { OUTCOMES } from "../../../workers/tip/tip.js";
import { isTriageRefused } from "../../../workers/triage.js";
import type { Feature, Reply, Turn } from "../feature.js";
import { incidentOfficerCommand } from "./incident-officer.js";

/** Runs a triage action and words its outcome, or why it was refused (refusals are audited). */
async function act(action: () => Promise<unknown>, done: () => string): Promise<Reply[]> {
  try {
    await action();
    return [{ text: done() }];
  } catch (e) {
    if (!isTriageRefused(e)) throw e;
    return [{ text: t(`officer.refused.${e.reason}`) }];
  }
}

const isListed = (turn: Turn) => turn.deps.routing.contactByChat(turn.chat.channel, turn.chat.chatId);

const acknowledge = (turn: Turn, tipId: string) =>
  act(
    () => turn.deps.triage.acknowledge(turn.chat, tipId),
    () => t("officer.acknowledged"),
  );

const ask = (turn: Turn, tipId: string, question: string) =>
  act(
    () => turn.deps.triage.ask(turn.chat, tipId, question),
    () => t("officer.asked"),
  );

const forward = (turn: Turn, tipId: string, contactId: string) =>
  act(
    () => turn.deps.triage.forward(turn.chat, tipId, contactId),
    () => t("officer.forwarded", { name: turn.deps.routing.contactById(contactId)?.name ?? contactId }),
  );

const close = (turn: Turn, tipId: string, outcome: string) =>
  act(
    () => turn.deps.triage.close(turn.chat, tipId, outcome),
    () => t("officer.closed", { outcome: outcomeArg(outcome) ? t(`outcome.${outcome}`) : outcome }),
  );

/** Outcomes an officer closes with (a duplicate needs the original's code: not offered here). */
const CLOSING = OUTCOMES.filter((o) => o !== "trung");

/** The first step of each action on a tip, from a button or a typed command alike. */
const start: Record<OfficerVerb, (turn: Turn, tipId: string, rest?: string) => Reply[] | Promise<Reply[]>> = {
  ack: acknowledge,
  ask: (turn, tipId, question) => {
    if (question) return ask(turn, tipId, question);
    // Triage refuses and audits the attempt before it looks at the (empty) question.
    if (!isListed(turn)) return ask(turn, tipId, "");
    turn.session.flow = { kind: "officer-ask", tipId };
    return [{ text: t("officer.askPrompt") }];
  },
  fwd: (turn, tipId, to) => {
    if (to) return forward(turn, tipId, to);
    const me = isListed(turn);
    // Triage refuses and audits the attempt of anyone not in the routing table.
    if (!me) return forward(turn, tipId, "");
    turn.session.flow = { kind: "officer-forward", tipId };
    // A vacant slot (no officer has joined it) cannot receive a forwarded tip.
    const others = turn.deps.routing.contacts.filter((c) => c.id !== me.id && isBound(c));
    return [
      {
        text: t("officer.forwardPrompt"),
        choices: others.map((c) => ({ data: forwardToData(c.id), label: c.name })),
      },
    ];
  },
  close: (turn, tipId, outcome) => {
    if (outcome) return close(turn, tipId, outcome);
    return [
      {
        text: t("officer.outcomePrompt"),
        choices: CLOSING.map((o) => ({ data: closeWithData(o, tipId), label: t(`outcome.${o}`) })),
      },
    ];
  },
};

/** A typed command: `/nhan <mã>`, `/hoi <mã> <câu hỏi>`, `/chuyen <mã> <cán bộ>`, `/dong <mã> <kết quả>`. */
function typed(verb: OfficerVerb) {
  return async (turn: Turn, arg: string): Promise<Reply[]> => {
    // A school's incident code (SC-…) is the incident desk's.
    const incident = incidentOfficerCommand(turn, verb, arg);
    if (incident) return incident;
    const m = /^(\S+)\s*(.*)$/s.exec(arg.trim());
    const tipId = m ? await turn.deps.triage.tipIdForCode(m[1] as string) : undefined;
    if (!m || !tipId) return [{ text: t("officer.needCode") }];
    const rest = (m[2] ?? "").trim();
    if (verb === "ack") return start.ack(turn, tipId);
    if (verb === "ask") return rest ? start.ask(turn, tipId, rest) : [{ text: t("officer.askUsage") }];
    if (verb === "fwd") return rest ? start.fwd(turn, tipId, rest) : [{ text: t("officer.forwardUsage") }];
    // The outcome's id or its label in any language, diacritics optional ("co co so", "Founded").
    const folded = removeDiacritics(rest).toLowerCase();
    const outcome = CLOSING.find(
      (o) =>
        o === rest ||
        LANGS.some((lang) => removeDiacritics(tl(lang, `outcome.${o}`)).toLowerCase() === folded),
    );
    if (!outcome)
      return [
        { text: t("officer.closeUsage", { outcomes: CLOSING.map((o) => t(`outcome.${o}`)).join(", ") }) },
      ];
    return start.close(turn, tipId, outcome);
  };
}

/** `/thongke`: the officer's area, from 1 January to today (Vietnam time). */
async function statistics(turn: Turn): Promise<Reply[]> {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh" }).format(new Date());
  const year = today.slice(0, 4);
  const from = Date.parse(`${year}-01-01T00:00:00+07:00`);
  const to = Date.parse(`${today}T00:00:00+07:00`) + 86_400_000;
  try {
    const stats = await turn.deps.triage.statisticsFor(
      turn.chat,
      from,
      to,
      { from: `${year}-01-01`, to: today },
      turn.session.lang,
    );
    return [{ text: statisticsTable(stats, turn.session.lang) }];
  } catch (e) {
    if (!isTriageRefused(e)) throw e;
    return [{ text: t(e.reason === "unavailable" ? "officer.statsUnavailable" : "officer.statsRefused") }];
  }
}

/** A choice `<verb>:<tipId>` from a tip message. */
const button =
  (verb: OfficerVerb) =>
  (turn: Turn, [arg]: readonly string[]) => {
    const tipId = tipIdArg(arg);
    return tipId ? start[verb](turn, tipId) : undefined;
  };

/**
 * Officers' work on tips (see `workers/tip/officer-actions.ts` for the protocol): acknowledge,
 * ask the tipster, forward, close with an outcome — as buttons or typed commands — and
 * `/thongke`. Flows: "officer-ask" (the question being typed), "officer-forward" (the contact
 * being picked). Triage decides who may act; this only words it.
 */
export const officerFeature: Feature = {
  name: "officer",
  commands: {
    ...Object.fromEntries(Object.entries(OFFICER_COMMANDS).map(([name, verb]) => [name, typed(verb)])),
    thongke: statistics,
  },
  choices: {
    ack: button("ack"),
    ask: button("ask"),
    fwd: button("fwd"),
    close: button("close"),
    [CLOSE_WITH]: (turn, [outcome, arg]) => {
      const tipId = tipIdArg(arg);
      return tipId && outcome ? close(turn, tipId, outcome) : undefined;
    },
    [FORWARD_TO]: (turn, [contactId = ""]) => {
      if (turn.session.flow?.kind !== "officer-forward") return undefined;
      const { tipId } = turn.session.flow;
      turn.session.flow = undefined;
      return forward(turn, tipId, contactId);
    },
  },
  flows: {
    "officer-ask": (turn, text) => {
      if (turn.session.flow?.kind !== "officer-ask") return [];
      const { tipId } = turn.session.flow;
      turn.session.flow = undefined;
      return ask(turn, tipId, text);
    },
  },
};
