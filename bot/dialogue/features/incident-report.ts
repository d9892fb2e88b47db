import { t } from "../../../i18n.js";
import { isIncidentRefused } from "../../../workers/incident/desk.js";
import {
  INCIDENT_KINDS,
  INCIDENT_PLACES,
  INCIDENT_URGENCIES,
  type IncidentSubmissionInput,
} from "../../../workers/incident/incident.js";
import { emergencyReply } from "../emergency.js";
import type { DialogueDeps, Feature, PreparedPhoto, Reply, Turn } from "../feature.js";
import type { Session } from "../session-store.js";
import { type IncidentDraft, parseIncidentTime, parseInvolved, vietnamDay } from "./incident-draft.js";
import {
  anonymous,
  done,
  hourPrompt,
  injuriesPrompt,
  involvedPrompt,
  involvedText,
  ir,
  kindPrompt,
  photoPrompt,
  skip,
  summary,
  whenPrompt,
  wherePrompt,
} from "./incident-prompts.js";
import { cancel } from "./menu.js";
import { DRAFT_TIMEOUT_MS } from "./report.js";

const MAX_PHOTOS = 5;
const MAX_INVOLVED = 20;
/** How far ahead of the server's clock a typed time may be (a phone's clock, rounding). */
const SKEW_MS = 10 * 60_000;

/** Photo refusals by reason, worded as the tip's; anything else is "not a JPEG/PNG". */
const PHOTO_REFUSALS: Record<string, string> = {
  "too-large": "report.photoTooLarge",
  "too-many-pixels": "report.photoTooLarge",
  busy: "report.photoBusy",
};

const draftOf = (s: Session): IncidentDraft | undefined => (s.flow?.kind === "incident" ? s.flow : undefined);
/** Whether the chat is school staff: "unknown" without the directory (the desk decides at "Gửi"). */
async function staff(deps: DialogueDeps, turn: Turn): Promise<"yes" | "no" | "unknown"> {
  if (!deps.directory) return "unknown";
  const roles = await deps.directory.rolesOf(turn.chat);
  return roles.some((r) => r.role === "school-staff") ? "yes" : "no";
}

/** A chat that may not report as a school: why, and the anonymous tip instead. */
const notStaff = (): Reply[] => [{ text: t("incident.refused.not-school-staff"), choices: [anonymous()] }];

/** `/baocao`: which path protects what, then the named report or the anonymous tip. */
async function open(turn: Turn): Promise<Reply[]> {
  if (!turn.deps.incidents) return [{ text: t("incidentReport.unavailable"), choices: [anonymous()] }];
  if (turn.chat.channel === "web") return [{ text: t("incidentReport.webOnly"), choices: [anonymous()] }];
  if ((await staff(turn.deps, turn)) === "no") return notStaff();
  return [
    {
      text: t("incidentReport.paths", { hotlines: t("hotlines") }),
      choices: [ir("start", t("incidentReport.named")), anonymous()],
    },
  ];
}

async function start(turn: Turn): Promise<Reply[]> {
  if (!turn.deps.incidents || turn.chat.channel === "web") return open(turn);
  if ((await staff(turn.deps, turn)) === "no") return notStaff();
  const named = !turn.deps.people || (await turn.deps.people.nameOf(turn.chat))?.trim();
  turn.session.flow = {
    kind: "incident",
    step: named ? "kind" : "name",
    involved: [],
    photoIds: [],
    touchedAt: 0,
  };
  return [named ? kindPrompt() : { text: t("incidentReport.name") }];
}

/** The reporter's name, into the directory (people.name), then the first step. */
async function introduce(turn: Turn, draft: IncidentDraft, typed: string): Promise<Reply[]> {
  const name = typed.replace(/\s+/g, " ").trim();
  if (name.length < 2 || name.length > 100 || /[0-9@/]/.test(name))
    return [{ text: t("incidentReport.name") }];
  await turn.deps.people?.introduce(turn.chat, name);
  draft.step = "kind";
  return [{ text: t("incidentReport.nameSaved", { name }) }, kindPrompt()];
}

/** Sets the time of the draft and goes on to the place, or says why the time cannot be taken. */
function setTime(draft: IncidentDraft, at: number | undefined, again: Reply): Reply[] {
  const now = Date.now();
  if (at === undefined) return [{ ...again, text: `${t("incidentReport.whenUnread")}\n${again.text}` }];
  if (at > now + SKEW_MS) return [{ ...again, text: `${t("incidentReport.whenFuture")}\n${again.text}` }];
  if (at < now - 365 * 86_400_000)
    return [{ ...again, text: `${t("incidentReport.whenOld")}\n${again.text}` }];
  draft.occurredAt = Math.min(at, now);
  draft.day = undefined;
  draft.step = "place";
  return [wherePrompt()];
}

/** What the teacher typed, by step. */
function typed(turn: Turn, draft: IncidentDraft, text: string): Reply[] | Promise<Reply[]> {
  switch (draft.step) {
    case "name":
      return introduce(turn, draft, text);
    case "when":
      return setTime(draft, parseIncidentTime(text, Date.now()), whenPrompt());
    case "when-time":
      return setTime(draft, parseIncidentTime(text, Date.now(), draft.day), hourPrompt());
    case "place-text":
      draft.placeText = text.slice(0, 300);
      draft.step = "description";
      return [{ text: t("incidentReport.description") }];
    case "description":
      if (text.length < 10) return [{ text: t("incidentReport.tooShort") }];
      draft.description = text.slice(0, 4000);
      draft.step = "involved";
      return [involvedPrompt()];
    case "involved": {
      if (draft.involved.length >= MAX_INVOLVED)
        return [
          {
            text: t("incidentReport.involvedMax", { max: MAX_INVOLVED }),
            choices: [ir("inv:done", t("report.done"))],
          },
        ];
      const group = parseInvolved(text);
      if (!group) return [involvedPrompt()];
      draft.involved.push(group);
      return [
        {
          text: t("incidentReport.involvedAdded", { group: involvedText([group]) }),
          choices: [ir("inv:done", t("report.done"))],
        },
      ];
    }
    case "injuries-text":
      draft.injuries = `${t(`incidentReport.injury.${draft.severity ?? "nhe"}`)}: ${text.slice(0, 900)}`;
      draft.step = "school-action";
      return [
        { text: t("incidentReport.schoolAction"), choices: skip(t("incidentReport.schoolActionNone")) },
      ];
    case "school-action":
      draft.schoolAction = text.slice(0, 2000);
      draft.step = "photo";
      return [photoPrompt()];
    case "photo":
      return [{ text: t("report.photoOrDone"), choices: done() }];
    case "kind":
    case "place":
    case "injuries":
    case "urgency":
    case "confirm":
      return [{ text: t("report.pickAbove") }];
  }
}

async function submit(turn: Turn, draft: IncidentDraft): Promise<Reply[]> {
  const desk = turn.deps.incidents;
  if (!desk) return [{ text: t("incidentReport.unavailable") }];
  const { incidentKind: kind, urgency, occurredAt, place, description } = draft;
  if (!kind || !urgency || occurredAt === undefined || !place || !description)
    return [{ text: t("incidentReport.invalid") }];
  const submission: IncidentSubmissionInput = {
    kind,
    urgency,
    occurredAt,
    place,
    description,
    involved: draft.involved,
    photoIds: draft.photoIds,
    ...(draft.placeText && { placeText: draft.placeText }),
    ...(draft.injuries && { injuries: draft.injuries }),
    ...(draft.schoolAction && { schoolAction: draft.schoolAction }),
  };
  try {
    const receipt = await desk.report(turn.chat, submission);
    turn.session.flow = undefined;
    return [
      ...(receipt.emergency ? [emergencyReply({ kinds: [...receipt.emergency.kinds] })] : []),
      { text: t("incidentReport.sent", { code: receipt.caseCode }) },
    ];
  } catch (e) {
    if (!isIncidentRefused(e)) throw e;
    if (e.reason === "not-school-staff") {
      turn.session.flow = undefined;
      return notStaff();
    }
    // The draft stays: photos can be sent again, the time or text mended ("/huy" drops it).
    if (e.reason === "photo-expired") {
      draft.photoIds = [];
      draft.step = "photo";
      return [{ text: t("incident.refused.photo-expired") }, photoPrompt()];
    }
    return [{ text: t(`incident.refused.${e.reason}`) }, { text: t("incidentReport.invalid") }];
  }
}

/** The choices of the draft, `ir:<what>[:<value>]`; undefined when out of step. */
function choose(turn: Turn, [what, value = ""]: readonly string[]): Reply[] | Promise<Reply[]> | undefined {
  if (what === "start") return start(turn);
  const draft = draftOf(turn.session);
  if (!draft) return undefined;
  switch (what) {
    case "kind":
      if (draft.step !== "kind" || !(INCIDENT_KINDS as readonly string[]).includes(value)) return undefined;
      draft.incidentKind = value as IncidentDraft["incidentKind"];
      draft.step = "when";
      return [whenPrompt()];
    case "when": {
      const now = Date.now();
      if (draft.step === "when" && value === "now") return setTime(draft, now, whenPrompt());
      if (draft.step === "when" && (value === "morning" || value === "yesterday")) {
        draft.day = vietnamDay(now, value === "yesterday" ? -1 : 0);
        draft.step = "when-time";
        return [hourPrompt()];
      }
      // Not sure of the hour: the morning's 8h (not later than now), or the day before's noon.
      if (draft.step === "when-time" && value === "unsure" && draft.day !== undefined)
        return setTime(
          draft,
          Math.min(now, draft.day + (draft.day < vietnamDay(now) ? 12 : 8) * 3_600_000),
          hourPrompt(),
        );
      return undefined;
    }
    case "place":
      if (draft.step !== "place" || !(INCIDENT_PLACES as readonly string[]).includes(value)) return undefined;
      draft.place = value as IncidentDraft["place"];
      draft.step = "place-text";
      return [
        {
          text: t(value === "khac" ? "incidentReport.placeOther" : "incidentReport.placeText"),
          choices: skip(),
        },
      ];
    case "skip":
      if (draft.step === "place-text") {
        draft.step = "description";
        return [{ text: t("incidentReport.description") }];
      }
      if (draft.step === "injuries-text") {
        draft.injuries = t(`incidentReport.injury.${draft.severity ?? "nhe"}`);
        draft.step = "school-action";
        return [
          { text: t("incidentReport.schoolAction"), choices: skip(t("incidentReport.schoolActionNone")) },
        ];
      }
      if (draft.step === "school-action") {
        draft.step = "photo";
        return [photoPrompt()];
      }
      return undefined;
    case "inv":
      if (draft.step !== "involved" || value !== "done") return undefined;
      draft.step = "injuries";
      return [injuriesPrompt()];
    case "inj":
      if (draft.step !== "injuries" || !["none", "nhe", "nang"].includes(value)) return undefined;
      if (value === "none") {
        draft.injuries = t("incidentReport.injury.none");
        draft.step = "school-action";
        return [
          { text: t("incidentReport.schoolAction"), choices: skip(t("incidentReport.schoolActionNone")) },
        ];
      }
      draft.severity = value as "nhe" | "nang";
      draft.step = "injuries-text";
      return [{ text: t("incidentReport.injuriesText"), choices: skip() }];
    case "photos":
      if (draft.step !== "photo" || value !== "done") return undefined;
      draft.step = "urgency";
      return [
        {
          text: t("incidentReport.urgency"),
          choices: INCIDENT_URGENCIES.map((u) => ir(`urg:${u}`, t(`urgency.${u}`))),
        },
      ];
    case "urg":
      if (draft.step !== "urgency" || !(INCIDENT_URGENCIES as readonly string[]).includes(value))
        return undefined;
      draft.urgency = value as IncidentDraft["urgency"];
      draft.step = "confirm";
      return [summary(draft)];
    case "send":
      return draft.step === "confirm" ? submit(turn, draft) : undefined;
    case "cancel":
      return cancel(turn);
    default:
      return undefined;
  }
}

/**
 * A school's named incident report (issue 15), step by step: kind → when → where (+ text) →
 * what happened → who was involved (by role and class, several) → injuries → what the school did
 * → photos → urgency → summary → "Gửi" (`IncidentDesk.report`). `/baocao` first says which path
 * protects what and offers the anonymous tip instead. Choices `ir:<what>[:<value>]`; the draft
 * is the session's "incident" flow, sealed at rest like a tip draft and dropped after 30 idle
 * minutes. Only chats bound to school staff may report; the web chat is pointed to Telegram/Zalo.
 */
export const incidentReportFeature: Feature = {
  name: "incident-report",
  commands: { baocao: open },
  choices: { ir: choose },
  flows: { incident: (turn, text) => typed(turn, draftOf(turn.session) as IncidentDraft, text) },
  beforeTurn: async (turn, input) => {
    const draft = draftOf(turn.session);
    if (!draft || Date.now() - draft.touchedAt <= DRAFT_TIMEOUT_MS) return undefined;
    turn.session.flow = undefined;
    turn.session.offered = undefined;
    const command = input.kind === "text" && input.text.trim().startsWith("/");
    return { replies: [{ text: t("incidentReport.expired") }], stop: !command };
  },
  afterTurn: (session) => {
    const draft = draftOf(session);
    if (draft) draft.touchedAt = Math.floor(Date.now() / 60_000) * 60_000;
  },
  photos: {
    // Sanitised as a tip's photo (the tip intake's upload: re-encoded, no metadata, a day).
    prepare: async (deps, session, bytes): Promise<PreparedPhoto> => {
      if (draftOf(session)?.step !== "photo") return { kind: "no-draft" };
      try {
        return { kind: "ok", id: await deps.intake.addPhoto(bytes) };
      } catch (e) {
        if (e instanceof Error && e.name === "PhotoRejectedError")
          return { kind: "rejected", reason: String((e as Error & { reason?: unknown }).reason) };
        throw e;
      }
    },
    handle: (turn, photo) => {
      const draft = draftOf(turn.session);
      if (draft?.step !== "photo" || photo.kind === "no-draft")
        return [{ text: t("incidentReport.noPhotoNow") }];
      if (photo.kind === "rejected")
        return [{ text: t(PHOTO_REFUSALS[photo.reason] ?? "report.photoType"), choices: done() }];
      if (draft.photoIds.length >= MAX_PHOTOS)
        return [{ text: t("report.maxPhotos", { max: MAX_PHOTOS }), choices: done() }];
      draft.photoIds.push(photo.id);
      return [{ text: t("report.photoReceived", { count: draft.photoIds.length }), choices: done() }];
    },
  },
};
