import type { Lang } from "../../i18n.js";
import type { ArticleRef, ArticleText } from "../../knowledge/answer/article-text.js";
import type { Answer } from "../../knowledge/answer/compose.js";
import type {
  ConfirmOptions,
  DocumentPreview,
  LibraryChange,
} from "../../knowledge/library/document-library.js";
import type { Logger } from "../../logger.js";
import type { DutyDesk } from "../../workers/directory/duty.js";
import type { InvitationDesk } from "../../workers/directory/invitations.js";
import type { IncidentDesk } from "../../workers/incident/desk.js";
import type { TipIntake } from "../../workers/intake.js";
import type { ChatAddress } from "../../workers/messenger.js";
import type { Routing } from "../../workers/routing/routing-table.js";
import type { Triage } from "../../workers/triage.js";
import type { FeedbackStore } from "./feedback-store.js";
import type { Session, SessionStore } from "./session-store.js";

/** Something a person did in a chat, whatever the channel. */
export type Incoming =
  | {
      readonly kind: "text";
      readonly text: string;
      /** Text of the message replied to, if any. */
      readonly quoted?: string;
    }
  | { readonly kind: "choice"; readonly data: string }
  | { readonly kind: "photo"; readonly bytes: Buffer }
  | IncomingDocument
  | { readonly kind: "unsupported" };

export type TextInput = Extract<Incoming, { kind: "text" }>;

/**
 * A file that may be a PDF or DOCX for the document library. It is fetched only when the
 * dialogue wants it (a province admin's), so nobody else's file is ever downloaded.
 */
export interface IncomingDocument {
  readonly kind: "document";
  /** The name it was sent under: shown and audited, never trusted for its type. */
  readonly filename: string;
  /** Its size in bytes, when the channel tells it before the download. */
  readonly size?: number;
  /** Downloads it, at most `MAX_DOWNLOAD_BYTES`. @throws DownloadError ("too-large", …) */
  readonly read: () => Promise<Buffer>;
}

/**
 * A choice offered with a reply: a button on Telegram and the web, a numbered line on Zalo.
 *
 * Choice grammar: `data` is `<verb>[:<arg>[:<arg>]]` — a verb owned by exactly one feature
 * (see each feature's `choices`), then its arguments, ids of the routing table, tips or
 * outcomes, which never contain ":". With Telegram's adapter prefix it must fit the 64 bytes
 * of callback data. `menu:<entry>` opens a feature's menu entry. A choice is only an offer:
 * its handler checks that it still fits the session (the step, the flow) and a stale or forged
 * one changes nothing.
 */
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
  readonly routing: Routing;
  readonly intake: TipIntake;
  readonly triage: Triage;
  /**
   * Answers a question from the knowledge base; `lang`, the chat's language, words an abstention
   * and its referrals (the quotes and their citation stay Vietnamese, like the documents).
   */
  readonly ask: (question: string, lang: Lang) => Promise<Answer>;
  /**
   * Reads a quoted article again from the index in use, for "Xem nguồn" (`articleText` over the
   * live index). Without it, the answer's `detail` (its first article) is kept in the session
   * until the next answer instead.
   */
  readonly article?: (ref: ArticleRef) => ArticleText | null | Promise<ArticleText | null>;
  /** Salt for the session key (a hash of the chat). */
  readonly salt: Buffer;
  /** Where 👍/👎 on answers go. */
  readonly feedback: FeedbackStore;
  /**
   * Officers' duty status (`/truc`, `/nghi`) and the roster (`/catruc`), over the directory
   * database; without it those commands say the function is not available here.
   */
  readonly duty?: DutyDesk;
  /**
   * Invitations and the people who joined by them (`/thamgia`, `/moi`); without it those
   * commands say the function is not available here.
   */
  readonly directory?: InvitationDesk;
  /** The Telegram bot's username, for invitation deep links; known once the adapter has started. */
  readonly botUsername?: () => string | undefined;
  /**
   * Sends a message to another chat: the minter of an invitation someone accepted, the previous
   * holder of a contact slot. Failures are the sender's to log; the dialogue goes on.
   */
  readonly tell?: (to: ChatAddress, text: string) => Promise<void>;
  /**
   * A one-time sign-in link to the console for the person behind `chat` (`/dangnhap`), or
   * undefined when the directory knows nobody there. Without it the command says the console
   * is not available here.
   */
  readonly signIn?: (
    chat: ChatAddress,
  ) => Promise<{ readonly url: string; readonly minutes: number } | undefined>;
  /**
   * The document library (issue 14), for a province admin who sends a PDF or DOCX to the bot:
   * read it, then put it in force. Without it, or without `directory`, a file gets a notice
   * that documents are not taken here.
   */
  readonly documents?: DocumentDesk;
  /**
   * Schools' named incident reports (issue 15): `/baocao` from a chat bound to school staff, the
   * reporter's answers to officers' questions and the officers' incident buttons. Without it
   * `/baocao` says the function is not available here and offers the anonymous tip.
   */
  readonly incidents?: IncidentDesk;
  /**
   * The directory's name of the person behind a chat ("how they introduced themselves"): a named
   * incident report shows it to the officer, so `/baocao` asks for it when it is not known yet.
   * Without it the report goes with the name the directory has (or the role alone).
   */
  readonly people?: PersonNames;
}

/** Reads and sets the name of the person a chat is bound to (nothing for an unbound chat). */
export interface PersonNames {
  readonly nameOf: (chat: ChatAddress) => Promise<string | undefined>;
  readonly introduce: (chat: ChatAddress, name: string) => Promise<void>;
}

/** What the dialogue needs of `DocumentLibrary` (which audits its changes itself). */
export interface DocumentDesk {
  readonly preview: (bytes: Buffer, filename: string, by: string) => Promise<DocumentPreview>;
  /** Resolves once the rebuilt index is current (seconds to a minute). */
  readonly confirm: (uploadId: string, options: ConfirmOptions, by: string) => Promise<LibraryChange>;
  /** Drops a staged upload ("Hủy"), so that its confirm button no longer works; false if none waited. */
  readonly discard: (uploadId: string, by: string) => Promise<boolean>;
  /** Uploads, confirmations and cancellations at info (ids and symbol, never content). */
  readonly logger: Logger;
}

/** One turn of one chat, as a feature's handlers see it: they may change the session. */
export interface Turn {
  readonly chat: ChatAddress;
  readonly session: Session;
  readonly deps: DialogueDeps;
  /** The main menu, every feature's entries in order. */
  menu(): Choice[];
}

/** What a feature does before routing: replies to add, and whether the turn ends there. */
export interface Interception {
  readonly replies: Reply[];
  readonly stop: boolean;
}

type Replies = Reply[] | Promise<Reply[]>;
/** Undefined when the choice does not fit the session (stale, forged or out of step). */
type MaybeReplies = Reply[] | undefined | Promise<Reply[] | undefined>;

/** A photo, sanitised before the chat's session is held (it is slow). */
export type PreparedPhoto =
  | { readonly kind: "ok"; readonly id: string }
  | { readonly kind: "rejected"; readonly reason: string }
  | { readonly kind: "no-draft" };

export interface MenuEntry {
  readonly id: string;
  /** Locale key of its label. */
  readonly label: string;
  readonly order: number;
  readonly open: (turn: Turn) => Replies;
}

export type FlowKind = NonNullable<Session["flow"]>["kind"];

/**
 * A feature of the conversation: the one place that knows its commands, its choices, the flows
 * it keeps in the session and its menu entries. Adding a feature is a file exporting one of
 * these, its line in `features/index.ts`, and its locale keys.
 */
export interface Feature {
  readonly name: string;
  /** Typed commands by name (lower case, without "/"); a button and its command share a handler. */
  readonly commands?: Readonly<Record<string, (turn: Turn, arg: string) => Replies>>;
  /** Choices by verb (see `Choice`), with the arguments after the verb. */
  readonly choices?: Readonly<Record<string, (turn: Turn, args: readonly string[]) => MaybeReplies>>;
  /** Text typed while one of this feature's flows is open in the session. */
  readonly flows?: Readonly<
    Partial<Record<FlowKind, (turn: Turn, text: string, input: TextInput) => Replies>>
  >;
  /** Entries of the main menu (`menu:<id>`), labelled by locale key, shown by `order`. */
  readonly menu?: readonly MenuEntry[];
  /**
   * Runs before anything is routed, in the order features are registered; `stop` ends the
   * turn with what was said so far (a draft that timed out, a message offered as an answer).
   */
  readonly beforeTurn?: (turn: Turn, input: Incoming) => Promise<Interception | undefined>;
  /** Plain text, with no flow open, that this feature recognises (tried in order; ask is last). */
  readonly recognise?: (turn: Turn, text: string, input: TextInput) => MaybeReplies;
  /** Runs after every turn, before the session is saved. */
  readonly afterTurn?: (session: Session) => void;
  /** Files sent as documents (PDF/DOCX for the library); at most one feature takes them. */
  readonly documents?: (turn: Turn, document: IncomingDocument) => Replies;
  /** Photos: prepared outside the session's lock, then handled in the turn. */
  readonly photos?: {
    readonly prepare: (deps: DialogueDeps, session: Session, bytes: Buffer) => Promise<PreparedPhoto>;
    readonly handle: (turn: Turn, photo: PreparedPhoto) => Reply[];
  };
}
