import { LANGS, t, tl } from "../../../i18n.js";
import { removeDiacritics } from "../../../text/normalize.js";
import { isIncidentCaseCode } from "../../../workers/incident/case-code.js";
import { isIncidentRefused } from "../../../workers/incident/desk.js";
import { OUTCOMES } from "../../../workers/incident/incident.js";
import {
  decodeIncidentChoice,
  INCIDENT_CLOSE_WITH,
  INCIDENT_FORWARD_TO,
  INCIDENT_VERBS,
  type IncidentActionResult,
  type IncidentVerb,
  runIncidentChoice,
} from "../../../workers/incident/officer-actions.js";
import type { OfficerVerb } from "../../../workers/tip/officer-actions.js";
import type { Feature, Reply, Turn } from "../feature.js";

type Input = Parameters<typeof runIncidentChoice>[4];

/** Words what an action did, or asks for what it still needs (keeping the incident in the session). */
function word(turn: Turn, r: IncidentActionResult): Reply[] {
  if ("need" in r) {
    if (r.need === "question") {
      turn.session.flow = { kind: "incident-ask", incidentId: r.incidentId };
      return [{ text: t("incidentReport.officer.askPrompt") }];
    }
    if (r.need === "contact") turn.session.flow = { kind: "incident-forward", incidentId: r.incidentId };
    const prompt = r.need === "contact" ? "forwardPrompt" : "outcomePrompt";
    return [
      {
        text: t(`incidentReport.officer.${prompt}`),
        choices: r.choices.map((c) => ({ data: c.data, label: c.label })),
      },
    ];
  }
  switch (r.done) {
    case "acknowledged":
      return [{ text: t("incidentReport.officer.acknowledged", { code: r.incident.caseCode }) }];
    case "on-site":
      return [{ text: t("incidentReport.officer.onSite", { code: r.incident.caseCode }) }];
    case "closed":
      return [
        {
          text: t("incidentReport.officer.closed", {
            code: r.incident.caseCode,
            outcome: r.incident.outcome ? t(`incident.outcome.${r.incident.outcome}`) : "",
          }),
        },
      ];
    case "asked":
      return [{ text: t("incidentReport.officer.asked") }];
    case "forwarded":
      return [{ text: t("incidentReport.officer.forwarded", { name: r.to.name }) }];
  }
}

/**
 * Runs an incident choice through the desk as this chat (the desk decides who may act and
 * audits refusals); undefined when the data is no incident choice.
 */
async function run(turn: Turn, data: string, input: Input = {}): Promise<Reply[] | undefined> {
  const desk = turn.deps.incidents;
  if (!desk) return [{ text: t("incidentReport.unavailable") }];
  try {
    // "Hỏi thêm" asks for the text first: only of someone who may ask (else refused, and audited).
    const choice = decodeIncidentChoice(data);
    if (!choice) return undefined;
    if (choice.verb === "inc-ask" && input.question === undefined) {
      const id = choice.incidentId;
      const listed = turn.deps.routing.contactsByChat(turn.chat.channel, turn.chat.chatId).length > 0;
      if (!listed) await desk.ask(turn.chat, id, "");
      else await desk.get({ kind: "chat", chat: turn.chat }, id);
    }
    const r = await runIncidentChoice(desk, turn.deps.routing, turn.chat, data, input);
    return r && word(turn, r);
  } catch (e) {
    if (!isIncidentRefused(e)) throw e;
    return [{ text: t(`incident.refused.${e.reason}`) }];
  }
}

const VERB_OF: Readonly<Record<OfficerVerb | "site", IncidentVerb>> = {
  ack: "inc-ack",
  site: "inc-site",
  ask: "inc-ask",
  fwd: "inc-fwd",
  close: "inc-close",
};

/** The outcome typed after `/dong <SC-code>`: its id or its label in any language, diacritics optional. */
function outcomeIndex(typed: string): number {
  const folded = removeDiacritics(typed).toLowerCase().trim();
  return OUTCOMES.findIndex(
    (o) =>
      o === typed.trim() ||
      LANGS.some((lang) => removeDiacritics(tl(lang, `incident.outcome.${o}`)).toLowerCase() === folded),
  );
}

/**
 * A typed officer command on an incident (`/nhan`, `/hientruong`, `/hoi`, `/chuyen`, `/dong`
 * followed by an `SC-` code), or undefined when the code is not an incident's (the tip's
 * commands hand `SC-` codes here).
 */
export function incidentOfficerCommand(
  turn: Turn,
  verb: OfficerVerb | "site",
  arg: string,
): Promise<Reply[]> | undefined {
  const m = /^(\S+)\s*(.*)$/s.exec(arg.trim());
  if (!m) return undefined;
  // Shaped like an incident's code but mistyped (its check character): the incident's hint.
  if (!isIncidentCaseCode(m[1] as string))
    return /^#?sc[-–]/i.test(m[1] as string)
      ? Promise.resolve([{ text: t("incidentReport.officer.needCode") }])
      : undefined;
  return (async () => {
    const desk = turn.deps.incidents;
    if (!desk) return [{ text: t("incidentReport.unavailable") }];
    const id = await desk.idForCaseCode({ kind: "chat", chat: turn.chat }, m[1] as string);
    if (!id) return [{ text: t("incident.refused.no-such-incident") }];
    const rest = (m[2] ?? "").trim();
    const usage = (key: string, vars?: Record<string, string>) => [
      { text: t(`incidentReport.officer.${key}`, vars) },
    ];
    let reply: Reply[] | undefined;
    switch (verb) {
      case "ack":
      case "site":
        reply = await run(turn, `${VERB_OF[verb]}:${id}`, rest ? { note: rest } : {});
        break;
      case "ask":
        if (!rest) return usage("askUsage");
        reply = await run(turn, `inc-ask:${id}`, { question: rest });
        break;
      case "fwd":
        if (!rest) return usage("forwardUsage");
        reply = await run(turn, `${INCIDENT_FORWARD_TO}:${rest}`, { incidentId: id });
        break;
      case "close": {
        const i = outcomeIndex(rest);
        if (i < 0)
          return usage("closeUsage", {
            outcomes: OUTCOMES.map((o) => t(`incident.outcome.${o}`)).join(", "),
          });
        reply = await run(turn, `${INCIDENT_CLOSE_WITH}:${i}:${id}`);
        break;
      }
    }
    return reply ?? usage("forwardUsage");
  })();
}

/** A button of an incident message (`inc-<verb>:<id>`, `inc-out:<n>:<id>`). */
const button = (verb: string) => (turn: Turn, args: readonly string[]) =>
  run(turn, [verb, ...args].join(":"));

/**
 * Officers' work on schools' incidents, apart from tips' (`workers/incident/officer-actions.ts`
 * holds the protocol): "Nhận xử lý", "Đã xuống hiện trường", "Hỏi thêm" (the question typed next,
 * sent to the reporter with the officer's name), "Chuyển" (a contact picked), "Đóng" (an outcome
 * picked) — as buttons, or typed on Zalo (`/hientruong <SC-mã>` here; `/nhan`, `/hoi`,
 * `/chuyen`, `/dong` with an `SC-` code through the tip's commands). Flows "incident-ask",
 * "incident-forward". The desk decides who may act; refusals are worded from `incident.refused.*`.
 */
export const incidentOfficerFeature: Feature = {
  name: "incident-officer",
  commands: {
    hientruong: (turn, arg) =>
      incidentOfficerCommand(turn, "site", arg) ?? [{ text: t("incidentReport.officer.needCode") }],
  },
  choices: {
    ...Object.fromEntries(INCIDENT_VERBS.map((v) => [v, button(v)])),
    [INCIDENT_CLOSE_WITH]: button(INCIDENT_CLOSE_WITH),
    [INCIDENT_FORWARD_TO]: (turn, [contactId = ""]) => {
      if (turn.session.flow?.kind !== "incident-forward") return undefined;
      const { incidentId } = turn.session.flow;
      turn.session.flow = undefined;
      return run(turn, `${INCIDENT_FORWARD_TO}:${contactId}`, { incidentId });
    },
  },
  flows: {
    "incident-ask": async (turn, text) => {
      if (turn.session.flow?.kind !== "incident-ask") return [];
      const { incidentId } = turn.session.flow;
      turn.session.flow = undefined;
      return (await run(turn, `inc-ask:${incidentId}`, { question: text })) ?? [];
    },
    "incident-forward": () => [{ text: t("report.pickAbove") }],
  },
};
