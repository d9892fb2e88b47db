import { t } from "../../../i18n.js";
import { isIncidentCaseCode } from "../../../workers/incident/case-code.js";
import { type IncidentAnswerResult, isIncidentRefused } from "../../../workers/incident/desk.js";
import type { Feature, Reply, Turn } from "../feature.js";
import { answer as answerQuestion } from "./ask.js";

/** An incident's case code in a quoted question ("… vụ việc SC-7KQ3-M8 …"). */
const QUOTED_CODE = /SC-[A-Z0-9]{4}-[A-Z0-9]{2}/;
function resultReply(r: IncidentAnswerResult): Reply {
  return { text: t(`incidentReport.answer.${r}`) };
}

/** Relays the reporter's answer; the desk accepts it only from the chat the incident came from. */
export async function answerIncident(turn: Turn, code: string, text: string): Promise<Reply[]> {
  const desk = turn.deps.incidents;
  if (!desk) return [{ text: t("incidentReport.unavailable") }];
  try {
    return [resultReply(await desk.answer(turn.chat, code, text))];
  } catch (e) {
    if (!isIncidentRefused(e)) throw e;
    if (e.reason === "invalid") return [{ text: t("tipster.empty") }];
    return [{ text: t(`incident.refused.${e.reason}`) }];
  }
}

/**
 * `/traloi <SC-code> <answer>` (the tip's `/traloi` hands incident codes here), or undefined
 * when the code is not an incident's.
 */
export function incidentAnswerCommand(turn: Turn, arg: string): Promise<Reply[]> | undefined {
  const m = /^(\S+)(?:\s+(.+))?$/s.exec(arg.trim());
  if (!m || !isIncidentCaseCode(m[1] as string)) return undefined;
  const text = (m[2] ?? "").trim();
  return text
    ? answerIncident(turn, m[1] as string, text)
    : Promise.resolve([{ text: t("incidentReport.answer.usage") }]);
}

/** Keeps the message and asks whether it is the answer to the officer's question. */
function offer(turn: Turn, caseCode: string, text: string): Reply[] {
  turn.session.flow = { kind: "incident-answer-confirm", caseCode, text: text.slice(0, 4000) };
  return [
    {
      text: t("incidentReport.answer.confirm", {
        code: caseCode,
        text: text.length > 300 ? `${text.slice(0, 300)}…` : text,
      }),
      choices: [
        { data: "ira:yes", label: t("incidentReport.answer.confirmYes") },
        { data: "ira:no", label: t("tipster.confirmNo") },
      ],
    },
  ];
}

/**
 * The reporter's side of an officer's question on an incident (named: the answer goes to the
 * officer with the reporter's name): a reply to the question (its quoted text carries the `SC-`
 * code), `/traloi <SC-code> <answer>` (through the tip's command), and a plain message while a
 * question waits, sent once confirmed (`ira:yes|no`). Tips' answers are untouched: the tip
 * feature runs first and claims a tip's waiting question.
 */
export const incidentAnswerFeature: Feature = {
  name: "incident-answer",
  beforeTurn: async (turn, input) => {
    const desk = turn.deps.incidents;
    if (!desk || turn.chat.channel === "web") return undefined;
    if (input.kind !== "text" || input.quoted || turn.session.flow) return undefined;
    const text = input.text.trim();
    if (!text || text.startsWith("/")) return undefined;
    // The incidents' database away must not stop the chat's questions: no offer then.
    const pending = await desk.pendingQuestion(turn.chat).catch(() => undefined);
    return pending ? { replies: offer(turn, pending.caseCode, text), stop: true } : undefined;
  },
  recognise: (turn, text, input) => {
    const code = input.quoted ? QUOTED_CODE.exec(input.quoted)?.[0] : undefined;
    return code && turn.deps.incidents ? answerIncident(turn, code, text) : undefined;
  },
  flows: {
    // Another message instead of yes/no: it becomes the answer offered.
    "incident-answer-confirm": async (turn, text) => {
      turn.session.flow = undefined;
      const pending = await turn.deps.incidents?.pendingQuestion(turn.chat);
      return pending ? offer(turn, pending.caseCode, text) : answerQuestion(turn, text);
    },
  },
  choices: {
    ira: async (turn, [yes]) => {
      const flow = turn.session.flow;
      if (flow?.kind !== "incident-answer-confirm") return undefined;
      turn.session.flow = undefined;
      if (yes === "yes") return answerIncident(turn, flow.caseCode, flow.text);
      // Not an answer: it was a question for the bot.
      return [{ text: t("tipster.notSent") }, ...(await answerQuestion(turn, flow.text))];
    },
  },
};
