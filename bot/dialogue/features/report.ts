import { t } from "../../../i18n.js";
import { isTipRejected } from "../../../workers/intake.js";
import { CATEGORIES, type Category, URGENCIES } from "../../../workers/tip/tip.js";
import { emergencyReply } from "../emergency.js";
import type { Choice, Feature, PreparedPhoto, Reply, Turn } from "../feature.js";
import type { ReportFlow, Session } from "../session-store.js";
import { cancel } from "./menu.js";

/** A tip draft left untouched this long is dropped, and the user is told so. */
export const DRAFT_TIMEOUT_MS = 30 * 60_000;
const MAX_PHOTOS = 5;

/** Locale keys for photo refusals by reason; anything else is "not a JPEG/PNG". */
const PHOTO_REFUSALS: Record<string, string> = {
  "too-large": "report.photoTooLarge",
  "too-many-pixels": "report.photoTooLarge",
  busy: "report.photoBusy",
};

const draftOf = (s: Session): ReportFlow | undefined => (s.flow?.kind === "report" ? s.flow : undefined);
const done = (): Choice[] => [{ data: "photo:done", label: t("report.done") }];

function start(turn: Turn): Reply[] {
  turn.session.flow = { kind: "report", step: "category", photoIds: [], touchedAt: 0 };
  return [
    { text: t("report.intro", { hotlines: t("hotlines") }) },
    {
      text: t("report.category"),
      choices: CATEGORIES.map((c) => ({ data: `cat:${c}`, label: t(`category.${c}`) })),
    },
  ];
}

function placePrompt(turn: Turn): Reply {
  const { schoolId } = turn.session;
  const remembered = schoolId ? turn.deps.routing.schools.find((x) => x.id === schoolId) : undefined;
  return {
    text: t("report.place"),
    choices: [
      ...(remembered ? [{ data: `place:school:${remembered.id}`, label: remembered.name }] : []),
      { data: "place:other", label: t("report.placeOther") },
    ],
  };
}

function text(turn: Turn, flow: ReportFlow, typed: string): Reply[] {
  switch (flow.step) {
    case "category":
      return [{ text: t("report.chooseCategory") }];
    case "place": {
      const matches = turn.deps.routing.searchPlaces(typed, 6);
      const other = { data: "place:other", label: t("report.placeOther") };
      if (matches.length === 0) return [{ text: t("report.placeNotFound"), choices: [other] }];
      return [
        {
          text: t("report.choosePlace"),
          choices: [...matches.map((m) => ({ data: `place:${m.kind}:${m.id}`, label: m.name })), other],
        },
      ];
    }
    case "place-text":
      flow.placeText = typed.slice(0, 300);
      flow.step = "description";
      return [{ text: t("report.describe") }];
    case "description":
      if (typed.length < 5) return [{ text: t("report.tooShort") }];
      flow.description = typed.slice(0, 4000);
      flow.step = "photo";
      return [
        { text: t("report.photoPrompt"), choices: [{ data: "photo:done", label: t("report.noPhoto") }] },
      ];
    case "photo":
      return [{ text: t("report.photoOrDone"), choices: done() }];
    case "urgency":
    case "confirm":
      return [{ text: t("report.pickAbove") }];
  }
}

function summary(turn: Turn, flow: ReportFlow): string {
  const { routing } = turn.deps;
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

async function submit(turn: Turn, flow: ReportFlow): Promise<Reply[]> {
  try {
    const r = await turn.deps.intake.submit(
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
      { ...turn.chat, lang: turn.session.lang },
    );
    // The draft goes; the session keeps no trace of the tip or its code.
    turn.session.flow = undefined;
    return [
      ...(r.emergency ? [emergencyReply(r.emergency)] : []),
      { text: t("report.sent", { code: r.caseCode, pin: r.pin }) },
    ];
  } catch (e) {
    if (!isTipRejected(e)) throw e;
    if (e.reason === "rate-limited")
      return [
        { text: t("report.rateLimited", { minutes: Math.ceil((e.retryAfterMs ?? 3_600_000) / 60_000) }) },
      ];
    if (e.reason === "unknown-place") return [{ text: t("report.unknownPlace") }];
    if (e.reason === "photo-expired") return [{ text: t("report.photoExpired") }];
    // The draft stays: the tipster can press "Gửi" again later.
    if (e.reason === "busy")
      return [
        {
          text: t("report.busy", { minutes: Math.max(1, Math.ceil((e.retryAfterMs ?? 60_000) / 60_000)) }),
          choices: [{ data: "send:yes", label: t("report.send") }],
        },
      ];
    return [{ text: t("report.invalid") }];
  }
}

/**
 * The anonymous tip, step by step: category → place → description → photos → urgency →
 * confirm. Commands: `/baotin`. Choices: `cat:<category>`, `place:school|commune:<id>`,
 * `place:other`, `photo:done`, `urg:<urgency>`, `send:yes|no`. The draft lives in the session
 * (flow "report") until it is sent or cancelled, and is dropped after 30 idle minutes.
 */
export const reportFeature: Feature = {
  name: "report",
  menu: [{ id: "report", label: "menu.report", order: 20, open: start }],
  commands: { baotin: start },
  beforeTurn: async (turn, input) => {
    const flow = draftOf(turn.session);
    if (!flow || Date.now() - flow.touchedAt <= DRAFT_TIMEOUT_MS) return undefined;
    turn.session.flow = undefined;
    turn.session.offered = undefined;
    // A command still runs; anything else was meant for the draft that is gone.
    const command = input.kind === "text" && input.text.trim().startsWith("/");
    return { replies: [{ text: t("draft.expired") }], stop: !command };
  },
  // Minute precision is all the draft timeout needs.
  afterTurn: (session) => {
    const flow = draftOf(session);
    if (flow) flow.touchedAt = Math.floor(Date.now() / 60_000) * 60_000;
  },
  flows: { report: (turn, typed) => text(turn, draftOf(turn.session) as ReportFlow, typed) },
  choices: {
    cat: (turn, [category = ""]) => {
      const flow = draftOf(turn.session);
      if (flow?.step !== "category" || !(CATEGORIES as readonly string[]).includes(category))
        return undefined;
      flow.category = category as Category;
      flow.step = "place";
      return [placePrompt(turn)];
    },
    place: (turn, [kind, id = ""]) => {
      const flow = draftOf(turn.session);
      if (flow?.step !== "place") return undefined;
      const { routing } = turn.deps;
      if (kind === "other") {
        flow.step = "place-text";
        return [{ text: t("report.describePlace") }];
      }
      // The tip's school is not remembered in the session: only a school chosen with /truong is.
      if (kind === "school" && routing.schools.some((x) => x.id === id)) flow.schoolId = id;
      else if (kind === "commune" && routing.communes.some((x) => x.id === id)) flow.communeId = id;
      else return undefined;
      flow.step = "description";
      return [{ text: t("report.describe") }];
    },
    photo: (turn, [what]) => {
      const flow = draftOf(turn.session);
      if (flow?.step !== "photo" || what !== "done") return undefined;
      flow.step = "urgency";
      return [
        {
          text: t("report.urgency"),
          choices: URGENCIES.map((u) => ({ data: `urg:${u}`, label: t(`urgency.${u}`) })),
        },
      ];
    },
    urg: (turn, [urgency = ""]) => {
      const flow = draftOf(turn.session);
      if (flow?.step !== "urgency" || !(URGENCIES as readonly string[]).includes(urgency)) return undefined;
      flow.urgency = urgency as ReportFlow["urgency"];
      flow.step = "confirm";
      return [
        {
          text: summary(turn, flow),
          choices: [
            { data: "send:yes", label: t("report.send") },
            { data: "send:no", label: t("report.cancel") },
          ],
        },
      ];
    },
    send: (turn, [yes]) => {
      const flow = draftOf(turn.session);
      if (flow?.step !== "confirm") return undefined;
      return yes === "yes" ? submit(turn, flow) : cancel(turn);
    },
  },
  photos: {
    // Sanitised (slow) before the session is held, and only for a draft at its photo step.
    prepare: async (deps, session, bytes): Promise<PreparedPhoto> => {
      const flow = draftOf(session);
      if (flow?.step !== "photo") return { kind: "no-draft" };
      try {
        return { kind: "ok", id: await deps.intake.addPhoto(bytes) };
      } catch (e) {
        if (e instanceof Error && e.name === "PhotoRejectedError")
          return { kind: "rejected", reason: String((e as Error & { reason?: unknown }).reason) };
        throw e;
      }
    },
    // Photos sent together are counted here, one turn at a time: each is kept or refused aloud.
    handle: (turn, photo) => {
      const flow = draftOf(turn.session);
      if (flow?.step !== "photo" || photo.kind === "no-draft") return [{ text: t("photo.noReport") }];
      if (photo.kind === "rejected")
        return [{ text: t(PHOTO_REFUSALS[photo.reason] ?? "report.photoType"), choices: done() }];
      if (flow.photoIds.length >= MAX_PHOTOS)
        return [{ text: t("report.maxPhotos", { max: MAX_PHOTOS }), choices: done() }];
      flow.photoIds.push(photo.id);
      return [{ text: t("report.photoReceived", { count: flow.photoIds.length }), choices: done() }];
    },
  },
};
