import { shortName } from "../../knowledge/answer/citation.js";
import type { Answer } from "../../knowledge/answer/compose.js";
import { removeDiacritics } from "../../knowledge/text/normalize.js";
import { type TipIntake, TipRejectedError } from "../../workers/intake.js";
import type { ChatAddress } from "../../workers/messenger.js";
import { formatTime } from "../../workers/render.js";
import type { RoutingTable } from "../../workers/routing/routing-table.js";
import { statisticsTable } from "../../workers/stats.js";
import { cleanUserText } from "../../workers/tip/clean-text.js";
import { detectEmergency, type Emergency } from "../../workers/tip/emergency.js";
import { senderKey } from "../../workers/tip/sender-key.js";
import { CATEGORIES, type Category, OUTCOME_LABELS, OUTCOMES, URGENCIES } from "../../workers/tip/tip.js";
import { type AnswerProof, type AnswerResult, isTriageRefused, type Triage } from "../../workers/triage.js";
import type { FeedbackStore } from "./feedback-store.js";
import { t, withLang } from "./i18n.js";
import type { ReportFlow, Session, SessionStore } from "./session-store.js";

/** Something a person did in a chat, whatever the channel. */
export type Incoming =
  | {
      readonly kind: "text";
      readonly text: string /** Text of the message replied to, if any. */;
      readonly quoted?: string;
    }
  | { readonly kind: "choice"; readonly data: string }
  | { readonly kind: "photo"; readonly bytes: Buffer }
  | { readonly kind: "unsupported" };

/** A choice offered with a reply: a button on Telegram and the web, a numbered line on Zalo. */
export interface Choice {
  readonly data: string;
  readonly label: string;
}

export interface Reply {
  readonly text: string;
  readonly choices?: readonly Choice[];
}

export interface DialogueDeps {
  readonly sessions: SessionStore;
  readonly routing: RoutingTable;
  readonly intake: TipIntake;
  readonly triage: Triage;
  /** Answers a question from the knowledge base. */
  readonly ask: (question: string) => Promise<Answer>;
  /** Salt for the session key (a hash of the chat). */
  readonly salt: Buffer;
  /** Where 👍/👎 on answers go. */
  readonly feedback: FeedbackStore;
}

const menu = (): Choice[] => [
  { data: "menu:ask", label: t("menu.ask") },
  { data: "menu:report", label: t("menu.report") },
  { data: "menu:status", label: t("menu.status") },
  { data: "menu:role", label: t("menu.role") },
  { data: "menu:school", label: t("menu.school") },
  { data: "menu:language", label: t("menu.language") },
];

const ROLE_IDS = ["phu-huynh", "giao-vien", "hoc-sinh", "cong-an"] as const;
const roles = (): Choice[] => ROLE_IDS.map((r) => ({ data: `role:${r}`, label: t(`role.${r}`) }));

const MAX_PHOTOS = 5;

/** Hotline guidance for danger to life, in the chat's language, one line per kind of danger. */
function emergencyReply(emergency: Emergency): Reply {
  return {
    text: `⚠️ ${[...emergency.kinds.map((k) => t(`emergency.${k}`)), t("emergency.notHotline")].join("\n")}`,
  };
}
/** A photo sent to the dialogue, after sanitising (done before the chat's session is held). */
type PreparedPhoto =
  | { readonly kind: "ok"; readonly id: string }
  | { readonly kind: "rejected"; readonly reason: string }
  | { readonly kind: "no-draft" };

function isPhotoRejected(e: unknown): e is Error & { reason: string } {
  return e instanceof Error && e.name === "PhotoRejectedError";
}

/** Locale keys for photo refusals by reason; anything else is "not a JPEG/PNG". */
const PHOTO_REFUSALS: Record<string, string> = {
  "too-large": "report.photoTooLarge",
  busy: "report.photoBusy",
};

function answerResultReply(r: AnswerResult): Reply {
  return { text: t(`tipster.${r === "no-question" ? "noQuestion" : r}`) };
}

/** A tip draft left untouched this long is dropped, and the user is told so. */
export const DRAFT_TIMEOUT_MS = 30 * 60_000;

/**
 * The conversation, written once for every channel: menu, questions, anonymous tips, status,
 * tipsters' answers and officers' actions. Adapters turn channel updates into `Incoming` and
 * send back the `Reply`s.
 */
export class Dialogue {
  constructor(private readonly deps: DialogueDeps) {}

  async handle(chat: ChatAddress, input: Incoming): Promise<Reply[]> {
    const key = senderKey(this.deps.salt, chat.channel, chat.chatId);
    // A photo is sanitised before the session is held (it is slow), and only for an open draft.
    const prepared = input.kind === "photo" ? await this.preparePhoto(key, input.bytes) : undefined;
    const release = await this.deps.sessions.lock(key);
    try {
      const session = await this.deps.sessions.load(key);
      // The language is read again after the turn: /lang changes it for the replies of this turn.
      return await withLang(session.lang, () => this.turn(key, session, chat, input, prepared));
    } finally {
      await release();
    }
  }

  /** Sanitises and stores a photo sent during a draft's photo step; other photos are not kept. */
  private async preparePhoto(key: string, bytes: Buffer): Promise<PreparedPhoto> {
    const flow = (await this.deps.sessions.load(key)).flow;
    if (flow?.kind !== "report" || flow.step !== "photo") return { kind: "no-draft" };
    try {
      return { kind: "ok", id: await this.deps.intake.addPhoto(bytes) };
    } catch (e) {
      if (isPhotoRejected(e)) return { kind: "rejected", reason: e.reason };
      throw e;
    }
  }

  /** Forgets the chat's session ("forget this browser" on the web chat). Sent tips are not touched. */
  async forget(chat: ChatAddress): Promise<void> {
    await this.deps.sessions.delete(senderKey(this.deps.salt, chat.channel, chat.chatId));
  }

  private async turn(
    key: string,
    session: Session,
    chat: ChatAddress,
    input: Incoming,
    photo?: PreparedPhoto,
  ): Promise<Reply[]> {
    const replies: Reply[] = [];
    // Danger to life comes before anything else, whatever the step.
    if (input.kind === "text") {
      const emergency = detectEmergency(input.text);
      if (emergency) replies.push(emergencyReply(emergency));
    }
    const now = Date.now();
    if (session.flow?.kind === "report" && now - session.flow.touchedAt > DRAFT_TIMEOUT_MS) {
      session.flow = undefined;
      session.offered = undefined;
      replies.push({ text: t("draft.expired") });
      if (input.kind !== "text" || !input.text.trim().startsWith("/"))
        return this.finish(key, session, replies);
    }
    // A plain message after an officer's question may be its answer (channels without reply-to):
    // the bot asks before sending it, and a bare "3" is then an answer, not a menu pick.
    const plain = input.kind === "text" && !input.quoted && !input.text.trim().startsWith("/");
    const pending = plain && !session.flow ? await this.deps.triage.pendingQuestion(chat) : undefined;
    if (pending && input.kind === "text") {
      replies.push(
        ...(await this.offerAsAnswer(chat, session, pending.caseCode, cleanUserText(input.text).trim())),
      );
      return this.finish(key, session, replies);
    }
    // On channels without buttons, a bare number picks one of the choices offered last.
    const picked = input.kind === "text" ? /^\s*(\d{1,2})\s*\.?\s*$/.exec(input.text) : null;
    const offered = picked ? session.offered?.[Number(picked[1]) - 1] : undefined;
    replies.push(
      ...(await this.route(chat, session, offered ? { kind: "choice", data: offered } : input, photo)),
    );
    return this.finish(key, session, replies);
  }

  private async finish(key: string, session: Session, replies: Reply[]): Promise<Reply[]> {
    const lastChoices = replies.findLast((r) => r.choices && r.choices.length > 0)?.choices;
    session.offered = lastChoices?.map((c) => c.data);
    // Minute precision is all the draft timeout needs.
    if (session.flow?.kind === "report") session.flow.touchedAt = Math.floor(Date.now() / 60_000) * 60_000;
    await this.deps.sessions.save(key, session);
    return replies;
  }

  /** Keeps the message and asks whether it is the answer to the officer's question. */
  private async offerAsAnswer(
    chat: ChatAddress,
    s: Session,
    caseCode: string,
    text: string,
  ): Promise<Reply[]> {
    if (!(await this.deps.triage.stashAnswer(chat, text))) return this.ask(text, s);
    s.flow = { kind: "answer-confirm" };
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

  private async route(
    chat: ChatAddress,
    s: Session,
    input: Incoming,
    photo?: PreparedPhoto,
  ): Promise<Reply[]> {
    if (input.kind === "unsupported")
      return [
        {
          text: t("unsupported", { hotlines: t("hotlines") }),
        },
      ];
    if (input.kind === "choice") return this.choice(chat, s, input.data);
    if (input.kind === "photo") {
      if (s.flow?.kind === "report" && s.flow.step === "photo" && photo && photo.kind !== "no-draft")
        return this.addPhoto(s.flow, photo);
      return [{ text: t("photo.noReport") }];
    }
    const text = cleanUserText(input.text).trim();
    const command = /^\/(\w+)(?:@\w+)?\s*(.*)$/s.exec(text);
    if (command) return this.command(chat, s, (command[1] as string).toLowerCase(), command[2] ?? "");
    if (s.flow?.kind === "report") return this.reportText(s.flow, text);
    if (s.flow?.kind === "answer-confirm") {
      // Another message instead of yes/no: it becomes the answer offered.
      s.flow = undefined;
      const pending = await this.deps.triage.pendingQuestion(chat);
      return pending ? this.offerAsAnswer(chat, s, pending.caseCode, text) : this.ask(text, s);
    }
    if (s.flow?.kind === "school") {
      const schools = this.deps.routing.searchPlaces(text, 6).filter((m) => m.kind === "school");
      if (schools.length === 0) return [{ text: t("school.notFound") }];
      return [
        {
          text: t("school.choose"),
          choices: schools.map((m) => ({ data: `school:${m.id}`, label: m.name })),
        },
      ];
    }
    if (s.flow?.kind === "officer-ask") {
      const tipId = s.flow.tipId;
      s.flow = undefined;
      return this.officerAction(() => this.deps.triage.ask(chat, tipId, text), t("officer.asked"));
    }
    // A reply to a relayed question carries the case code in the quoted message.
    const code = input.quoted ? /AT-[A-Z0-9]{4}-[A-Z0-9]{2}/.exec(input.quoted)?.[0] : undefined;
    if (code) return this.tipsterAnswer({ from: chat }, code, text);
    // A case code and PIN typed bare ("AT-65G2-TC 912177") is a status check.
    const bare = /^(AT-?[A-Z0-9]{4}-?[A-Z0-9]{2})(?:\s+(\d{6}))?$/i.exec(text);
    if (bare)
      return bare[2] ? this.statusOf(chat, bare[1] as string, bare[2]) : [{ text: t("status.needPin") }];
    return this.ask(text, s);
  }

  private async command(chat: ChatAddress, s: Session, name: string, arg: string): Promise<Reply[]> {
    switch (name) {
      case "start":
      case "menu":
        s.flow = undefined;
        return [
          {
            text: t("welcome"),
            choices: menu(),
          },
        ];
      case "huy":
        if (!s.flow) return [{ text: t("cancel.nothing") }];
        s.flow = undefined;
        return [{ text: t("cancel.done"), choices: menu() }];
      case "baotin":
        return this.startReport(s);
      case "trangthai": {
        const [code, pin] = arg.split(/\s+/);
        if (!code || !pin) return [{ text: t("status.usage") }];
        return this.statusOf(chat, code, pin);
      }
      case "traloi": {
        // From the chat the tip was sent from, the code is enough; from any other, the PIN too.
        const m = /^(\S+)\s+(?:(\d{6})\s+)?(.+)$/s.exec(arg);
        if (!m) return [{ text: t("answer.usage") }];
        return this.tipsterAnswer({ from: chat, ...(m[2] && { pin: m[2] }) }, m[1] as string, m[3] as string);
      }
      case "nhan":
      case "hoi":
      case "dong":
      case "chuyen":
        return this.officerCommand(chat, s, name, arg);
      case "thongke":
        return this.statistics(chat);
      case "lang": {
        const lang = arg.trim().toLowerCase() === "en" ? "en" : "vi";
        s.lang = lang;
        return withLang(lang, async () => [{ text: t("language.set"), choices: menu() }]);
      }
      case "vaitro":
        return [{ text: t("role.prompt"), choices: roles() }];
      case "truong":
        s.flow = { kind: "school" };
        return [{ text: t("school.prompt") }];
      default:
        return [{ text: t("command.unknown"), choices: menu() }];
    }
  }

  private async forward(chat: ChatAddress, tipId: string, contactId: string): Promise<Reply[]> {
    const to = this.deps.routing.contactById(contactId);
    return this.officerAction(
      () => this.deps.triage.forward(chat, tipId, contactId),
      t("officer.forwarded", { name: to?.name ?? contactId }),
    );
  }

  /** `/thongke`: the officer's area, from 1 January to today (Vietnam time). */
  private async statistics(chat: ChatAddress): Promise<Reply[]> {
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh" }).format(new Date());
    const year = today.slice(0, 4);
    const from = Date.parse(`${year}-01-01T00:00:00+07:00`);
    const to = Date.parse(`${today}T00:00:00+07:00`) + 86_400_000;
    try {
      const stats = await this.deps.triage.statisticsFor(chat, from, to, {
        from: `${year}-01-01`,
        to: today,
      });
      return [{ text: statisticsTable(stats) }];
    } catch (e) {
      if ((e as Error).name === "TriageRefusedError") return [{ text: (e as Error).message }];
      throw e;
    }
  }

  /** Officers' actions typed as commands with a case code (channels without buttons). */
  private async officerCommand(chat: ChatAddress, s: Session, name: string, arg: string): Promise<Reply[]> {
    const m = /^(\S+)\s*(.*)$/s.exec(arg.trim());
    const tipId = m ? await this.deps.triage.tipIdForCode(m[1] as string) : undefined;
    if (!m || !tipId) return [{ text: t("officer.needCode") }];
    const rest = (m[2] ?? "").trim();
    if (name === "nhan") return this.choice(chat, s, `ack:${tipId}`);
    if (name === "chuyen") {
      if (!rest) return [{ text: t("officer.forwardUsage") }];
      return this.forward(chat, tipId, rest);
    }
    if (name === "hoi") {
      if (!rest) return [{ text: t("officer.askUsage") }];
      return this.officerAction(() => this.deps.triage.ask(chat, tipId, rest), t("officer.asked"));
    }
    const outcome = OUTCOMES.find(
      (o) =>
        removeDiacritics(OUTCOME_LABELS[o]).toLowerCase() === removeDiacritics(rest).toLowerCase() ||
        o === rest,
    );
    if (!outcome || outcome === "trung")
      return [
        {
          text: t("officer.closeUsage", {
            outcomes: OUTCOMES.filter((o) => o !== "trung")
              .map((o) => t(`outcome.${o}`))
              .join(", "),
          }),
        },
      ];
    return this.choice(chat, s, `out:${outcome}:${tipId}`);
  }

  private async ask(question: string, s: Session): Promise<Reply[]> {
    if (question.length < 2) return [{ text: t("ask.what"), choices: menu() }];
    const answer = await this.deps.ask(question.slice(0, 1000));
    s.lastAnswer = {
      question: question.slice(0, 1000),
      abstained: answer.abstained,
      docIds: [...new Set(answer.citations.map((c) => c.docId))],
      sources: answer.citations.map((c) =>
        [
          shortName(c),
          c.article && `Điều ${c.article}`,
          c.section,
          c.date,
          c.replacedBy && `→ ${c.replacedBy}`,
        ]
          .filter(Boolean)
          .join(" · "),
      ),
    };
    const replies: Reply[] = [
      {
        text: answer.answer,
        choices: [
          ...(answer.abstained ? [] : [{ data: "src", label: t("answer.sources") }]),
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
      !answer.abstained &&
      /mu bao hiem|xe may|giao thong|atgt/.test(removeDiacritics(question).toLowerCase())
    )
      replies.push({
        text: t("ask.parentsCommitment"),
      });
    return replies;
  }

  private async tipsterAnswer(proof: AnswerProof, codeInput: string, text: string): Promise<Reply[]> {
    try {
      return [answerResultReply(await this.deps.triage.tipsterAnswer(proof, codeInput, text))];
    } catch (e) {
      if (!isTriageRefused(e)) throw e;
      if (e.reason === "invalid") return [{ text: t("tipster.empty") }];
      if (e.reason === "rate-limited") return [{ text: t("status.tooMany") }];
      return [{ text: t("tipster.notAccepted") }];
    }
  }

  /** `/trangthai`, or a case code and PIN typed bare. */
  private async statusOf(chat: ChatAddress, code: string, pin: string): Promise<Reply[]> {
    try {
      const v = await this.deps.triage.status(chat, code, pin);
      const line = t("status.line", {
        code: v.caseCode,
        status: t(`status.${v.status}`),
        time: formatTime(v.createdAt),
      });
      return [
        { text: v.outcome ? `${line} ${t("status.outcome", { outcome: t(`outcome.${v.outcome}`) })}` : line },
      ];
    } catch (e) {
      if (!isTriageRefused(e)) throw e;
      if (e.reason === "rate-limited") return [{ text: t("status.tooMany") }];
      return [{ text: t("status.wrong") }];
    }
  }

  private startReport(s: Session): Reply[] {
    s.flow = { kind: "report", step: "category", photoIds: [], touchedAt: 0 };
    return [
      { text: t("report.intro", { hotlines: t("hotlines") }) },
      {
        text: t("report.category"),
        choices: CATEGORIES.map((c) => ({ data: `cat:${c}`, label: t(`category.${c}`) })),
      },
    ];
  }

  private placePrompt(s: Session): Reply {
    const remembered = s.schoolId ? this.deps.routing.schools.find((x) => x.id === s.schoolId) : undefined;
    return {
      text: t("report.place"),
      choices: [
        ...(remembered ? [{ data: `place:school:${remembered.id}`, label: remembered.name }] : []),
        { data: "place:other", label: t("report.placeOther") },
      ],
    };
  }

  private async reportText(flow: ReportFlow, text: string): Promise<Reply[]> {
    switch (flow.step) {
      case "category":
        return [{ text: t("report.chooseCategory") }];
      case "place": {
        const matches = this.deps.routing.searchPlaces(text, 6);
        if (matches.length === 0)
          return [
            {
              text: t("report.placeNotFound"),
              choices: [{ data: "place:other", label: t("report.placeOther") }],
            },
          ];
        return [
          {
            text: t("report.choosePlace"),
            choices: [
              ...matches.map((m) => ({ data: `place:${m.kind}:${m.id}`, label: m.name })),
              { data: "place:other", label: t("report.placeOther") },
            ],
          },
        ];
      }
      case "place-text":
        flow.placeText = text.slice(0, 300);
        flow.step = "description";
        return [{ text: t("report.describe") }];
      case "description":
        if (text.length < 5) return [{ text: t("report.tooShort") }];
        flow.description = text.slice(0, 4000);
        flow.step = "photo";
        return [
          {
            text: t("report.photoPrompt"),
            choices: [{ data: "photo:done", label: t("report.noPhoto") }],
          },
        ];
      case "photo":
        return [
          { text: t("report.photoOrDone"), choices: [{ data: "photo:done", label: t("report.done") }] },
        ];
      case "urgency":
      case "confirm":
        return [{ text: t("report.pickAbove") }];
    }
    return [];
  }

  private addPhoto(flow: ReportFlow, photo: Exclude<PreparedPhoto, { kind: "no-draft" }>): Reply[] {
    const done = [{ data: "photo:done", label: t("report.done") }];
    if (photo.kind === "rejected")
      return [{ text: t(PHOTO_REFUSALS[photo.reason] ?? "report.photoType"), choices: done }];
    // Photos sent together are counted here, one turn at a time: each is kept or refused aloud.
    if (flow.photoIds.length >= MAX_PHOTOS)
      return [{ text: t("report.maxPhotos", { max: MAX_PHOTOS }), choices: done }];
    flow.photoIds.push(photo.id);
    return [{ text: t("report.photoReceived", { count: flow.photoIds.length }), choices: done }];
  }

  private async choice(chat: ChatAddress, s: Session, data: string): Promise<Reply[]> {
    const [verb, a = "", b = ""] = data.split(":");
    const flow = s.flow?.kind === "report" ? s.flow : undefined;
    switch (verb) {
      case "menu":
        if (a === "report") return this.startReport(s);
        if (a === "ask") return [{ text: t("ask.prompt") }];
        if (a === "status") return [{ text: t("status.menu") }];
        if (a === "role") return [{ text: t("role.prompt"), choices: roles() }];
        if (a === "school") return this.command(chat, s, "truong", "");
        if (a === "language") return this.command(chat, s, "lang", s.lang === "en" ? "vi" : "en");
        break;
      case "school":
        if (s.flow?.kind === "school" && this.deps.routing.schools.some((x) => x.id === a)) {
          s.schoolId = a;
          s.flow = undefined;
          const name = this.deps.routing.schools.find((x) => x.id === a)?.name ?? a;
          return [{ text: t("school.saved", { name }), choices: menu() }];
        }
        break;
      case "role":
        if (a === "phu-huynh" || a === "giao-vien" || a === "hoc-sinh" || a === "cong-an") {
          s.role = a;
          return [{ text: t("role.saved"), choices: menu() }];
        }
        break;
      case "cat":
        if (flow?.step === "category" && (CATEGORIES as readonly string[]).includes(a)) {
          flow.category = a as Category;
          flow.step = "place";
          return [this.placePrompt(s)];
        }
        break;
      case "place":
        if (flow?.step === "place") {
          if (a === "other") {
            flow.step = "place-text";
            return [{ text: t("report.describePlace") }];
          }
          if (a === "school" && this.deps.routing.schools.some((x) => x.id === b)) {
            // The tip's school is not remembered in the session: only a school chosen with /truong is.
            flow.schoolId = b;
          } else if (a === "commune" && this.deps.routing.communes.some((x) => x.id === b))
            flow.communeId = b;
          else break;
          flow.step = "description";
          return [{ text: t("report.describe") }];
        }
        break;
      case "photo":
        if (flow?.step === "photo" && a === "done") {
          flow.step = "urgency";
          return [
            {
              text: t("report.urgency"),
              choices: URGENCIES.map((u) => ({ data: `urg:${u}`, label: t(`urgency.${u}`) })),
            },
          ];
        }
        break;
      case "urg":
        if (flow?.step === "urgency" && (URGENCIES as readonly string[]).includes(a)) {
          flow.urgency = a as ReportFlow["urgency"];
          flow.step = "confirm";
          return [
            {
              text: this.summary(flow),
              choices: [
                { data: "send:yes", label: t("report.send") },
                { data: "send:no", label: t("report.cancel") },
              ],
            },
          ];
        }
        break;
      case "send":
        if (flow?.step === "confirm")
          return a === "yes" ? this.submit(chat, s, flow) : this.command(chat, s, "huy", "");
        break;
      case "ack":
        return this.officerAction(() => this.deps.triage.acknowledge(chat, a), t("officer.acknowledged"));
      case "ask":
        if (!this.deps.routing.contactByChat(chat.channel, chat.chatId))
          // Triage refuses and audits the attempt before it looks at the (empty) question.
          return this.officerAction(() => this.deps.triage.ask(chat, a, ""), "");
        s.flow = { kind: "officer-ask", tipId: a };
        return [{ text: t("officer.askPrompt") }];
      case "fwd": {
        const me = this.deps.routing.contactByChat(chat.channel, chat.chatId);
        // Triage refuses and audits the attempt of anyone not in the routing table.
        if (!me) return this.officerAction(() => this.deps.triage.forward(chat, a, ""), "");
        s.flow = { kind: "officer-forward", tipId: a };
        const others = this.deps.routing.contacts.filter((c) => c.id !== me.id);
        return [
          {
            text: t("officer.forwardPrompt"),
            choices: others.map((c) => ({ data: `fwdto:${c.id}`, label: c.name })),
          },
        ];
      }
      case "fwdto":
        if (s.flow?.kind === "officer-forward") {
          const tipId = s.flow.tipId;
          s.flow = undefined;
          return this.forward(chat, tipId, a);
        }
        break;
      case "ans":
        if (s.flow?.kind === "answer-confirm") {
          s.flow = undefined;
          if (a === "yes") {
            const r = await this.deps.triage.sendStashedAnswer(chat);
            return [r === "nothing" ? { text: t("tipster.confirmExpired") } : answerResultReply(r)];
          }
          // Not an answer: it was a question for the bot.
          const text = await this.deps.triage.dropStashedAnswer(chat);
          return [{ text: t("tipster.notSent") }, ...(text ? await this.ask(text, s) : [])];
        }
        break;
      case "src": {
        const sources = s.lastAnswer?.sources ?? [];
        if (sources.length === 0) return [{ text: t("answer.noSources") }];
        return [{ text: [t("answer.sourcesTitle"), ...sources.map((x, i) => `[${i + 1}] ${x}`)].join("\n") }];
      }
      case "fb":
        if (s.lastAnswer && (a === "up" || a === "down")) {
          const { question, abstained, docIds } = s.lastAnswer;
          await this.deps.feedback.add({ at: Date.now(), vote: a, question, abstained, docIds });
          s.lastAnswer = undefined; // one vote per answer
          return [{ text: t("answer.thanks") }];
        }
        break;
      case "close":
        return [
          {
            text: t("officer.outcomePrompt"),
            choices: OUTCOMES.filter((o) => o !== "trung").map((o) => ({
              data: `out:${o}:${a}`,
              label: t(`outcome.${o}`),
            })),
          },
        ];
      case "out":
        return this.officerAction(
          () => this.deps.triage.close(chat, b, a),
          t("officer.closed", {
            outcome: (OUTCOMES as readonly string[]).includes(a) ? t(`outcome.${a}`) : a,
          }),
        );
    }
    // Forged, stale or out-of-step choices change nothing.
    return [{ text: t("choice.stale"), choices: menu() }];
  }

  private summary(flow: ReportFlow): string {
    const { routing } = this.deps;
    const place = [
      flow.schoolId && routing.schools.find((x) => x.id === flow.schoolId)?.name,
      flow.communeId && routing.communes.find((x) => x.id === flow.communeId)?.name,
      flow.placeText,
    ]
      .filter(Boolean)
      .join(", ");
    return t("report.summary", {
      category: flow.category ? t(`category.${flow.category}`) : "?",
      place: place || "?",
      description: flow.description ?? "?",
      photos: flow.photoIds.length,
      urgency: flow.urgency ? t(`urgency.${flow.urgency}`) : "?",
    });
  }

  private async submit(chat: ChatAddress, s: Session, flow: ReportFlow): Promise<Reply[]> {
    try {
      const r = await this.deps.intake.submit(
        {
          category: flow.category,
          urgency: flow.urgency,
          place: {
            ...(flow.schoolId && { schoolId: flow.schoolId }),
            ...(flow.communeId && { communeId: flow.communeId }),
            ...(flow.placeText && { text: flow.placeText }),
          },
          description: flow.description,
          photoIds: flow.photoIds,
        },
        { ...chat, lang: s.lang },
      );
      // The draft goes; the session keeps no trace of the tip or its code.
      s.flow = undefined;
      return [
        ...(r.emergency ? [emergencyReply(r.emergency)] : []),
        {
          text: t("report.sent", { code: r.caseCode, pin: r.pin }),
        },
      ];
    } catch (e) {
      if (e instanceof TipRejectedError) {
        if (e.reason === "rate-limited")
          return [
            { text: t("report.rateLimited", { minutes: Math.ceil((e.retryAfterMs ?? 3_600_000) / 60_000) }) },
          ];
        if (e.reason === "unknown-place") return [{ text: t("report.unknownPlace") }];
        // The draft stays: the tipster can press "Gửi" again later.
        if (e.reason === "busy")
          return [
            {
              text: t("report.busy", {
                minutes: Math.max(1, Math.ceil((e.retryAfterMs ?? 60_000) / 60_000)),
              }),
              choices: [{ data: "send:yes", label: t("report.send") }],
            },
          ];
        return [{ text: e.message }];
      }
      throw e;
    }
  }

  private async officerAction(action: () => Promise<unknown>, done: string): Promise<Reply[]> {
    try {
      await action();
      return [{ text: done }];
    } catch (e) {
      if ((e as Error).name === "TriageRefusedError") return [{ text: (e as Error).message }];
      throw e;
    }
  }
}
