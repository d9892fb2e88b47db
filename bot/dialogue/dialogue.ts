import { t, withLang } from "../../i18n.js";
import { cleanUserText } from "../../text/clean-user-text.js";
import type { ChatAddress } from "../../workers/messenger.js";
import { detectEmergency } from "../../workers/tip/emergency.js";
import { senderKey } from "../../workers/tip/sender-key.js";
import { emergencyReply } from "./emergency.js";
import type {
  Choice,
  DialogueDeps,
  Feature,
  Incoming,
  PreparedPhoto,
  Reply,
  TextInput,
  Turn,
} from "./feature.js";
import { FEATURES } from "./features/index.js";
import type { Session } from "./session-store.js";

export type { Choice, DialogueDeps, Incoming, Reply } from "./feature.js";
export { DRAFT_TIMEOUT_MS } from "./features/report.js";

/** A prepared photo and the feature that prepared it (and handles it in the turn). */
interface TakenPhoto {
  readonly taker: NonNullable<Feature["photos"]>;
  readonly photo: PreparedPhoto;
}

const COMMAND = /^\/(\w+)(?:@\w+)?\s*(.*)$/s;
const BARE_NUMBER = /^\s*(\d{1,2})\s*\.?\s*$/;

/**
 * The conversation, written once for every channel: a router over the features in
 * `features/`. Adapters turn channel updates into `Incoming` and send back the `Reply`s. Each
 * turn holds the chat's session (keyed by a salted hash of the chat), so that two messages of
 * one chat never overwrite each other's changes.
 */
export class Dialogue {
  private readonly commands = new Map<string, NonNullable<Feature["commands"]>[string]>();
  private readonly choices = new Map<string, NonNullable<Feature["choices"]>[string]>();
  private readonly flows = new Map<
    string,
    NonNullable<NonNullable<Feature["flows"]>[keyof NonNullable<Feature["flows"]>]>
  >();
  private readonly menuEntries: NonNullable<Feature["menu"]>[number][];
  /** Features that take photos, in order: a photo goes to the first whose draft wants it. */
  private readonly photos: NonNullable<Feature["photos"]>[];
  private readonly documents: Feature["documents"];

  constructor(
    private readonly deps: DialogueDeps,
    private readonly features: readonly Feature[] = FEATURES,
  ) {
    const claim = <V>(map: Map<string, V>, what: string, entries: [string, V][], owner: string) => {
      for (const [k, v] of entries) {
        if (map.has(k)) throw new Error(`${what} "${k}" is claimed twice (again by ${owner})`);
        map.set(k, v);
      }
    };
    for (const f of features) {
      claim(this.commands, "command", Object.entries(f.commands ?? {}), f.name);
      claim(this.choices, "choice", Object.entries(f.choices ?? {}), f.name);
      claim(this.flows, "flow", Object.entries(f.flows ?? {}) as [string, never][], f.name);
    }
    this.menuEntries = features.flatMap((f) => f.menu ?? []).sort((a, b) => a.order - b.order);
    claim(
      new Map(),
      "menu entry",
      this.menuEntries.map((e) => [e.id, e]),
      "menu",
    );
    this.photos = features.flatMap((f) => (f.photos ? [f.photos] : []));
    if (this.photos.length === 0) throw new Error("no feature takes photos");
    const takers = features.filter((f) => f.documents);
    if (takers.length > 1) throw new Error(`documents are claimed twice (again by ${takers[1]?.name})`);
    this.documents = takers[0]?.documents;
  }

  async handle(chat: ChatAddress, input: Incoming): Promise<Reply[]> {
    const key = senderKey(this.deps.salt, chat.channel, chat.chatId);
    // A photo is prepared (sanitised: slow) before the session is held.
    const prepared = input.kind === "photo" ? await this.preparePhoto(key, input.bytes) : undefined;
    const release = await this.deps.sessions.lock(key);
    try {
      const session = await this.deps.sessions.load(key);
      // The language is read again after the turn: /lang changes it for the replies of this turn.
      return await withLang(session.lang, () =>
        this.turn(key, { chat, session, deps: this.deps, menu: () => this.menu() }, input, prepared),
      );
    } finally {
      await release();
    }
  }

  /** A photo prepared (sanitised: slow) by the first feature whose draft wants it, before the lock. */
  private async preparePhoto(key: string, bytes: Buffer): Promise<TakenPhoto | undefined> {
    const session = await this.deps.sessions.load(key);
    for (const taker of this.photos) {
      const photo = await taker.prepare(this.deps, session, bytes);
      if (photo.kind !== "no-draft") return { taker, photo };
    }
    return undefined;
  }

  /** The language the chat speaks with the bot (what the web page words its own notices in). */
  async languageOf(chat: ChatAddress): Promise<Session["lang"]> {
    return (await this.deps.sessions.load(senderKey(this.deps.salt, chat.channel, chat.chatId))).lang;
  }

  /** Forgets the chat's session ("forget this browser" on the web chat). Sent tips are not touched. */
  async forget(chat: ChatAddress): Promise<void> {
    await this.deps.sessions.delete(senderKey(this.deps.salt, chat.channel, chat.chatId));
  }

  private menu(): Choice[] {
    return this.menuEntries.map((e) => ({ data: `menu:${e.id}`, label: t(e.label) }));
  }

  private async turn(key: string, turn: Turn, raw: Incoming, photo?: TakenPhoto): Promise<Reply[]> {
    const input: Incoming = raw.kind === "text" ? { ...raw, text: cleanUserText(raw.text) } : raw;
    const replies: Reply[] = [];
    // Danger to life comes before anything else, whatever the step.
    if (input.kind === "text") {
      const emergency = detectEmergency(input.text);
      if (emergency) replies.push(emergencyReply(emergency));
    }
    for (const f of this.features) {
      const r = await f.beforeTurn?.(turn, input);
      if (!r) continue;
      replies.push(...r.replies);
      if (r.stop) return this.finish(key, turn.session, replies);
    }
    // On channels without buttons, a bare number picks one of the choices offered last.
    const picked = input.kind === "text" ? BARE_NUMBER.exec(input.text) : null;
    const offered = picked ? turn.session.offered?.[Number(picked[1]) - 1] : undefined;
    replies.push(...(await this.route(turn, offered ? { kind: "choice", data: offered } : input, photo)));
    return this.finish(key, turn.session, replies);
  }

  private async finish(key: string, session: Session, replies: Reply[]): Promise<Reply[]> {
    const lastChoices = replies.findLast((r) => r.choices && r.choices.length > 0)?.choices;
    session.offered = lastChoices?.map((c) => c.data);
    for (const f of this.features) f.afterTurn?.(session);
    await this.deps.sessions.save(key, session);
    return replies;
  }

  private async route(turn: Turn, input: Incoming, photo?: TakenPhoto): Promise<Reply[]> {
    switch (input.kind) {
      case "unsupported":
        return [{ text: t("unsupported", { hotlines: t("hotlines") }) }];
      case "photo":
        return (photo?.taker ?? (this.photos[0] as NonNullable<Feature["photos"]>)).handle(
          turn,
          photo?.photo ?? { kind: "no-draft" },
        );
      case "document":
        return this.documents
          ? this.documents(turn, input)
          : [{ text: t("unsupported", { hotlines: t("hotlines") }) }];
      case "choice":
        return (await this.choice(turn, input.data)) ?? [{ text: t("choice.stale"), choices: this.menu() }];
      case "text":
        return this.text(turn, input);
    }
  }

  /** Choices are `<verb>[:<arg>[:<arg>]]` (see `Choice`); undefined if stale or forged. */
  private async choice(turn: Turn, data: string): Promise<Reply[] | undefined> {
    const [verb = "", ...args] = data.split(":");
    if (verb === "menu") return this.menuEntries.find((e) => e.id === args[0])?.open(turn);
    return this.choices.get(verb)?.(turn, args);
  }

  private async text(turn: Turn, input: TextInput): Promise<Reply[]> {
    const text = input.text.trim();
    const command = COMMAND.exec(text);
    if (command) {
      const handler = this.commands.get((command[1] as string).toLowerCase());
      return handler
        ? handler(turn, command[2] ?? "")
        : [{ text: t("command.unknown"), choices: this.menu() }];
    }
    const flow = turn.session.flow && this.flows.get(turn.session.flow.kind);
    if (flow) return flow(turn, text, input);
    for (const f of this.features) {
      const r = await f.recognise?.(turn, text, input);
      if (r) return r;
    }
    return [];
  }
}
