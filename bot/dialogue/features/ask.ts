import { t } from "../../../i18n.js";
import { sourceLines } from "../../../knowledge/answer/citation.js";
import { removeDiacritics } from "../../../text/normalize.js";
import type { Feature, Reply, Turn } from "../feature.js";

/** Answers a question from the knowledge base, with "Xem nguồn" and 👍/👎. */
export async function answer(turn: Turn, question: string): Promise<Reply[]> {
  const s = turn.session;
  if (question.length < 2) return [{ text: t("ask.what"), choices: turn.menu() }];
  const result = await turn.deps.ask(question.slice(0, 1000), s.lang);
  s.lastAnswer = {
    question: question.slice(0, 1000),
    abstained: result.abstained,
    docIds: [...new Set(result.citations.map((c) => c.docId))],
    // One line per document, numbered as the answer's [n].
    sources: sourceLines(result.citations),
  };
  const replies: Reply[] = [
    {
      text: result.answer,
      choices: [
        ...(result.abstained ? [] : [{ data: "src", label: t("answer.sources") }]),
        { data: "fb:up", label: "👍" },
        { data: "fb:down", label: "👎" },
      ],
    },
  ];
  // The corpus is Vietnamese: in English the answer still quotes it, and says so.
  const note = t("ask.vietnameseOnly");
  if (note) replies.push({ text: note });
  if (
    s.role === "phu-huynh" &&
    !result.abstained &&
    /mu bao hiem|xe may|giao thong|atgt/.test(removeDiacritics(question).toLowerCase())
  )
    replies.push({ text: t("ask.parentsCommitment") });
  return replies;
}

/**
 * Questions: any plain text nothing else recognised (so it is registered last).
 * Choices: `src` (the last answer's sources), `fb:up|down` (one vote per answer).
 */
export const askFeature: Feature = {
  name: "ask",
  menu: [{ id: "ask", label: "menu.ask", order: 10, open: () => [{ text: t("ask.prompt") }] }],
  recognise: (turn, text) => answer(turn, text),
  choices: {
    src: (turn) => {
      const sources = turn.session.lastAnswer?.sources ?? [];
      if (sources.length === 0) return [{ text: t("answer.noSources") }];
      return [{ text: [t("answer.sourcesTitle"), ...sources.map((x, i) => `[${i + 1}] ${x}`)].join("\n") }];
    },
    fb: async (turn, [vote]) => {
      const last = turn.session.lastAnswer;
      if (!last || (vote !== "up" && vote !== "down")) return undefined;
      const { question, abstained, docIds } = last;
      await turn.deps.feedback.add({ at: Date.now(), vote, question, abstained, docIds });
      turn.session.lastAnswer = undefined; // one vote per answer
      return [{ text: t("answer.thanks") }];
    },
  },
};
