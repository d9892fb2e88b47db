import { t } from "../../../i18n.js";
import { type ArticleText, articleTitle, quotedArticles } from "../../../knowledge/answer/article-text.js";
import { sourceLines } from "../../../knowledge/answer/citation.js";
import { followUp, topicOf } from "../../../knowledge/answer/follow-up.js";
import { removeDiacritics } from "../../../text/normalize.js";
import type { Channel } from "../../../workers/tip/tip.js";
import { splitText } from "../../split-text.js";
import { ZALO_MAX_TEXT } from "../../zalo/zalo-api.js";
import type { Feature, Reply, Turn } from "../feature.js";

/** How long a question's topic is kept for a follow-up ("còn xe đạp điện thì sao?"). */
export const TOPIC_TTL_MS = 30 * 60_000;

/** Longest message of each channel: Telegram's 4096, Zalo's 2000; the web page's own input limit. */
const MESSAGE_LIMIT: Readonly<Record<Channel, number>> = { telegram: 4096, zalo: ZALO_MAX_TEXT, web: 4000 };

// To the minute, as a draft's time: the session says roughly when, never the exact moment.
const minute = () => Math.floor(Date.now() / 60_000) * 60_000;

const fresh = <T extends { at: number }>(kept: T | undefined) =>
  kept !== undefined && Date.now() - kept.at <= TOPIC_TTL_MS ? kept : undefined;

/** Answers a question from the knowledge base, with "Xem nguồn" and 👍/👎. */
export async function answer(turn: Turn, question: string): Promise<Reply[]> {
  const s = turn.session;
  if (question.length < 2) return [{ text: t("ask.what"), choices: turn.menu() }];
  const typed = question.slice(0, 1000);
  const previous = fresh(s.topic);
  // A follow-up is answered as what it means: the previous topic with what it changes.
  const read = followUp(typed, previous?.text);
  let asked = read.question;
  let result = await turn.deps.ask(asked, s.lang);
  // Not answered that way, it may be a new topic after all ("còn ma túy thì sao?").
  if (read.followUp && result.abstained) {
    asked = typed;
    result = await turn.deps.ask(asked, s.lang);
  }
  // A follow-up nothing answers keeps the topic, so that the next one can still refer to it.
  if (!(read.followUp && result.abstained)) {
    const topic = topicOf(asked);
    s.topic = topic ? { text: topic.slice(0, 400), at: minute() } : undefined;
  }
  const articles = quotedArticles(result);
  const first = articles[0];
  const firstDoc = first && result.citations.find((c) => c.docId === first.docId);
  s.lastAnswer = {
    question: asked,
    abstained: result.abstained,
    docIds: [...new Set(result.citations.map((c) => c.docId))],
    // One line per document, numbered as the answer's [n].
    sources: sourceLines(result.citations),
    articles: articles.map((a) => ({ ...a, clauses: a.clauses.slice(0, 20) })),
    // Without a way to read the index again, the first article's text waits here for "Xem nguồn".
    ...(!turn.deps.article &&
      result.detail &&
      first &&
      firstDoc && {
        detail: { title: articleTitle(firstDoc, first), text: result.detail.slice(0, 4000), at: minute() },
      }),
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
    /mu bao hiem|xe may|giao thong|atgt/.test(removeDiacritics(asked).toLowerCase())
  )
    replies.push({ text: t("ask.parentsCommitment") });
  return replies;
}

/**
 * An article as messages that fit the channel, each starting with its citation ("Điều 31 Luật
 * 36/2024/QH15", then "(2/3)" on the next ones).
 */
export function articleReplies(article: ArticleText, limit: number): Reply[] {
  const lead = article.excerpt ? `${t("answer.articleExcerpt")}\n` : "";
  // Room for the longest title line ("… (12/12)").
  const room = limit - article.title.length - 16;
  const pieces = splitText(`${lead}${article.text}`, room);
  return pieces.map((piece, i) => ({
    text: `${
      pieces.length === 1
        ? article.title
        : t("answer.articlePart", { title: article.title, n: i + 1, of: pieces.length })
    }\n${piece}`,
  }));
}

/** The full text of the last answer's quoted articles, read again from the index in use. */
async function fullText(turn: Turn): Promise<Reply[]> {
  const last = turn.session.lastAnswer;
  if (!last) return [];
  const limit = MESSAGE_LIMIT[turn.chat.channel];
  const read = turn.deps.article;
  if (!read) return last.detail ? articleReplies({ ...last.detail, excerpt: false }, limit) : [];
  const replies: Reply[] = [];
  for (const ref of last.articles) {
    const article = await read(ref);
    // The corpus changed since the answer: the article is no longer there.
    replies.push(...(article ? articleReplies(article, limit) : [{ text: t("answer.articleGone") }]));
  }
  return replies;
}

/**
 * Questions: any plain text nothing else recognised (so it is registered last).
 * Choices: `src` (the last answer's sources and the full text of its articles), `fb:up|down`
 * (one vote per answer).
 */
export const askFeature: Feature = {
  name: "ask",
  menu: [{ id: "ask", label: "menu.ask", order: 10, open: () => [{ text: t("ask.prompt") }] }],
  recognise: (turn, text) => answer(turn, text),
  choices: {
    src: async (turn) => {
      const sources = turn.session.lastAnswer?.sources ?? [];
      if (sources.length === 0) return [{ text: t("answer.noSources") }];
      return [
        { text: [t("answer.sourcesTitle"), ...sources.map((x, i) => `[${i + 1}] ${x}`)].join("\n") },
        ...(await fullText(turn)),
      ];
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
  // A topic, and an article's text kept for lack of the index, go after a while.
  afterTurn: (session) => {
    if (session.topic && !fresh(session.topic)) session.topic = undefined;
    const detail = session.lastAnswer?.detail;
    if (session.lastAnswer && detail && !fresh(detail)) {
      const { detail: _dropped, ...rest } = session.lastAnswer;
      session.lastAnswer = rest;
    }
  },
};
