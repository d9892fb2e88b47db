import { t } from "../../../i18n.js";
import type { AnswerProof, AnswerResult } from "../../../workers/triage.js";
import { isTriageRefused } from "../../../workers/triage.js";
import type { Feature, Reply, Turn } from "../feature.js";
import { answer as answerQuestion } from "./ask.js";
import { incidentAnswerCommand } from "./incident-answer.js";

function resultReply(r: AnswerResult): Reply {
  return { text: t(`tipster.${r === "no-question" ? "noQuestion" : r}`) };
}

/** Relays the tipster's answer; triage checks that it comes from the tipster (chat or PIN). */
async function relay(turn: Turn, proof: AnswerProof, code: string, text: string): Promise<Reply[]> {
  try {
    return [resultReply(await turn.deps.triage.tipsterAnswer(proof, code, text))];
  } catch (e) {
    if (!isTriageRefused(e)) throw e;
    if (e.reason === "invalid") return [{ text: t("tipster.empty") }];
    if (e.reason === "rate-limited") return [{ text: t("status.tooMany") }];
    return [{ text: t("tipster.notAccepted") }];
  }
}

/** Keeps the message and asks whether it is the answer to the officer's question. */
async function offer(turn: Turn, caseCode: string, text: string): Promise<Reply[]> {
  if (!(await turn.deps.triage.stashAnswer(turn.chat, text))) return answerQuestion(turn, text);
  turn.session.flow = { kind: "answer-confirm" };
  return [
    {
      text: t("tipster.confirm", {
        code: caseCode,
        text: text.length > 300 ? `${text.slice(0, 300)}…` : text,
      }),
      choices: [
        { data: "ans:yes", label: t("tipster.confirmYes") },
        { data: "ans:no", label: t("tipster.confirmNo") },
      ],
    },
  ];
}

const CASE_CODE = /AT-[A-Z0-9]{4}-[A-Z0-9]{2}/;

/**
 * The tipster's side of an officer's question: a reply to the relayed question (its quoted
 * text carries the case code), `/traloi <code> [PIN] <answer>`, and — on channels without
 * reply-to — a plain message while a question waits, sent once confirmed (`ans:yes|no`; a
 * bare "3" is then an answer, not a menu pick).
 */
export const tipsterAnswerFeature: Feature = {
  name: "tipster-answer",
  beforeTurn: async (turn, input) => {
    if (input.kind !== "text" || input.quoted || turn.session.flow) return undefined;
    const text = input.text.trim();
    if (text.startsWith("/")) return undefined;
    const pending = await turn.deps.triage.pendingQuestion(turn.chat);
    return pending ? { replies: await offer(turn, pending.caseCode, text), stop: true } : undefined;
  },
  commands: {
    // From the chat the tip was sent from, the code is enough; from any other, the PIN too.
    traloi: (turn, arg) => {
      // A school's incident code (SC-…) is answered through the incident desk (named, no PIN).
      const incident = incidentAnswerCommand(turn, arg);
      if (incident) return incident;
      const m = /^(\S+)\s+(?:(\d{6})\s+)?(.+)$/s.exec(arg);
      if (!m) return [{ text: t("answer.usage") }];
      return relay(turn, { from: turn.chat, ...(m[2] && { pin: m[2] }) }, m[1] as string, m[3] as string);
    },
  },
  recognise: (turn, text, input) => {
    const code = input.quoted ? CASE_CODE.exec(input.quoted)?.[0] : undefined;
    return code ? relay(turn, { from: turn.chat }, code, text) : undefined;
  },
  flows: {
    // Another message instead of yes/no: it becomes the answer offered.
    "answer-confirm": async (turn, text) => {
      turn.session.flow = undefined;
      const pending = await turn.deps.triage.pendingQuestion(turn.chat);
      return pending ? offer(turn, pending.caseCode, text) : answerQuestion(turn, text);
    },
  },
  choices: {
    ans: async (turn, [yes]) => {
      if (turn.session.flow?.kind !== "answer-confirm") return undefined;
      turn.session.flow = undefined;
      if (yes === "yes") {
        const r = await turn.deps.triage.sendStashedAnswer(turn.chat);
        return [r === "nothing" ? { text: t("tipster.confirmExpired") } : resultReply(r)];
      }
      // Not an answer: it was a question for the bot.
      const text = await turn.deps.triage.dropStashedAnswer(turn.chat);
      return [{ text: t("tipster.notSent") }, ...(text ? await answerQuestion(turn, text) : [])];
    },
  },
};
