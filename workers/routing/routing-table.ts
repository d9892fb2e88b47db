import type { Category, Channel, Place, Urgency } from "../tip/tip.js";
import { PlaceIndex, type PlaceMatch } from "./place-search.js";
import {
  type BoundContact,
  type Commune,
  type Contact,
  isBound,
  type ParsedTable,
  type Province,
  type Route,
  routeKey,
  type School,
  validate,
} from "./schema.js";

/**
 * The routing table: which police contacts receive a tip, by category and place.
 *
 * Since 01/3/2025 there is no district police and local government has two levels (province →
 * commune/ward/special zone), so a table describes one province: its communes, the schools in
 * them, the contacts (commune police duty desks and officers, provincial units such as the drug,
 * fire and cyber-security departments, the provincial duty desk) and the routes between them.
 *
 * A route names a `primary` contact, an optional `backup` and a `duty` contact; a tip goes down
 * that chain when nobody acknowledges it in time (`deadlines`). The most specific route wins:
 * (category, commune) > ("*", commune) > (category, "*") > ("*", "*").
 *
 * Who is reachable now changes the chain, never the table: a vacant contact (no chat yet) and a
 * contact off duty (`/nghi`, see `DutyOverlay`) are left out of it, and when nobody of a route
 * is left the tip goes to the province's duty officer alone. The duty officer is never left out
 * for being off duty — the provincial duty desk (trực ban) is staffed around the clock and is
 * where every tip ends up, so it cannot step away; `setDuty` refuses it. A vacant duty officer
 * with nobody else reachable leaves no one to send to: `resolve` throws `NoReachableContactError`
 * and the route stage keeps the tip and tries again (see `workers/route.ts`) — a tip is never
 * dropped, and the table still loads, because a province imports its contacts before any officer
 * has joined.
 *
 * The file's schema and validation are in `schema.ts`, reading it from disk in `load.ts` and
 * the free-text place search in `place-search.ts`.
 */

/**
 * Contacts off duty: contact id → until when (epoch ms), or null until they say `/truc`. A
 * contact not in the map is on duty; one whose time has passed is on duty again by itself.
 */
export type DutyOverlay = ReadonlyMap<string, number | null>;

/** Whether `contactId` is off duty at `now` under `overlay`. */
export function isOffDuty(overlay: DutyOverlay, contactId: string, now: number): boolean {
  if (!overlay.has(contactId)) return false;
  const until = overlay.get(contactId);
  return until === null || until === undefined || until > now;
}

/** A tip named a school or commune that is not in the routing table. */
export class UnknownPlaceError extends Error {
  override readonly name = "UnknownPlaceError";
  constructor(
    readonly kind: "school" | "commune",
    readonly id: string,
  ) {
    super(`unknown ${kind} "${id}"`);
  }
}

/**
 * Nobody a tip could be sent to: every contact of its route is vacant or off duty, and the
 * province's duty officer is vacant too. Transient: it ends when an officer joins the duty desk.
 */
export class NoReachableContactError extends Error {
  override readonly name = "NoReachableContactError";
  constructor(
    readonly dutyOfficer: string,
    /** The contacts of the route that matched, none of them reachable. */
    readonly route: readonly string[],
  ) {
    super(
      `nobody to send to: ${route.length > 0 ? `${route.join(", ")} vacant or off duty, and ` : ""}the duty officer "${dutyOfficer}" has no chat bound (invite an officer to it)`,
    );
  }
}

/** A contact has no chat to send to: a vacant slot (notify refuses it, it does not guess). */
export class VacantContactError extends Error {
  override readonly name = "VacantContactError";
  constructor(readonly contactId: string) {
    super(`contact "${contactId}" is vacant: no chat is bound to it`);
  }
}

/** Where a tip is, as far as routing cares. When both are given the school wins. */
export type PlaceRef = Pick<Place, "schoolId" | "communeId">;

export interface RouteChain {
  readonly commune: Commune | undefined;
  readonly school: School | undefined;
  /** The route that matched; undefined when the province has no "*" route for a tip without a place. */
  readonly route: Route | undefined;
  /**
   * Primary, backup, duty — each contact once, without the vacant and those off duty. Only the
   * provincial duty officer if no route matched or nobody of the route is reachable.
   */
  readonly chain: readonly [BoundContact, ...BoundContact[]];
}

/**
 * What the bot and the workers ask of the directory: a `RoutingTable`, or a live view that swaps
 * tables when the directory changes (`workers/directory/live.ts`). Hold on to a `Routing`, never
 * to what it returned a while ago: a contact or a route may be gone after the next change.
 */
export interface Routing {
  readonly province: Province;
  readonly communes: readonly Commune[];
  readonly schools: readonly School[];
  readonly contacts: readonly Contact[];
  readonly routes: readonly Route[];
  readonly dutyOfficer: Contact;
  /** `now` (epoch ms, default the clock) decides who is off duty. */
  resolve(category: Category, place?: PlaceRef, now?: number): RouteChain;
  deadlineMs(urgency: Urgency): number;
  contactById(id: string): Contact | undefined;
  contactByChat(channel: Channel, chatId: string | number): Contact | undefined;
  contactsByChat(channel: Channel, chatId: string | number): readonly Contact[];
  areaOf(contact: Contact | string): readonly string[];
  covers(contact: Contact | string, commune: string, category: Category): boolean;
  searchPlaces(text: string, limit?: number): PlaceMatch[];
}

/**
 * A validated routing table. Build it with `loadRoutingTable(path)` or `RoutingTable.parse(doc)`;
 * it is immutable and safe to share between the bot and the workers.
 */
export class RoutingTable implements Routing {
  readonly province: Province;
  /** Communes in file order, for menus. */
  readonly communes: readonly Commune[];
  /** Schools in file order, for menus. */
  readonly schools: readonly School[];
  readonly contacts: readonly Contact[];
  readonly routes: readonly Route[];
  /** Province-wide duty contact: receives dead-letter alerts and tips no route matched. */
  readonly dutyOfficer: Contact;

  readonly #deadlines: Readonly<Record<Urgency, number>>;
  readonly #communes: ReadonlyMap<string, Commune>;
  readonly #schools: ReadonlyMap<string, School>;
  readonly #contacts: ReadonlyMap<string, Contact>;
  readonly #byChat: ReadonlyMap<string, readonly Contact[]>;
  readonly #routes: ReadonlyMap<string, Route>;
  readonly #areas: ReadonlyMap<string, readonly string[]>;
  /** Per contact, the (category, commune) pairs of the routes naming it ("*" for any). */
  readonly #coverage: ReadonlyMap<string, readonly { category: string; commune: string }[]>;
  readonly #places: PlaceIndex;

  /**
   * Validates a parsed YAML/JSON document. `file` only names the source in errors.
   * @throws RoutingTableError listing every problem
   */
  static parse(doc: unknown, file = "(inline)", options: { offDuty?: DutyOverlay } = {}): RoutingTable {
    return new RoutingTable(validate(doc, file), file, options.offDuty ?? new Map());
  }

  readonly #parsed: ParsedTable;
  readonly #offDuty: DutyOverlay;

  private constructor(
    t: ParsedTable,
    /** Where the table came from, for logs. */
    readonly file: string,
    offDuty: DutyOverlay,
  ) {
    this.#parsed = t;
    this.#offDuty = new Map(offDuty);
    const freeze = <T extends object>(items: T[]): readonly T[] =>
      Object.freeze(items.map((i) => Object.freeze({ ...i })));
    this.province = Object.freeze({ ...t.province });
    this.communes = freeze(t.communes);
    this.schools = freeze(t.schools);
    this.contacts = freeze(t.contacts);
    this.routes = freeze(t.routes);
    this.#deadlines = Object.freeze({ ...t.deadlines });
    this.#communes = new Map(this.communes.map((c) => [c.id, c]));
    this.#schools = new Map(this.schools.map((s) => [s.id, s]));
    this.#contacts = new Map(this.contacts.map((c) => [c.id, c]));
    this.#routes = new Map(this.routes.map((r) => [routeKey(r.category, r.commune), r]));
    this.dutyOfficer = this.#contact(t.dutyOfficer);

    const byChat = new Map<string, Contact[]>();
    for (const c of this.contacts) {
      if (!isBound(c)) continue;
      const key = `${c.channel}:${c.chatId}`;
      byChat.set(key, [...(byChat.get(key) ?? []), c]);
    }
    this.#byChat = byChat;

    const allCommunes = this.communes.map((c) => c.id);
    const areas = new Map<string, Set<string>>();
    const addArea = (contact: string, commune: string) => {
      const set = areas.get(contact) ?? new Set<string>();
      for (const id of commune === "*" ? allCommunes : [commune]) set.add(id);
      areas.set(contact, set);
    };
    const coverage = new Map<string, { category: string; commune: string }[]>();
    const addCoverage = (contact: string, category: string, commune: string) =>
      coverage.set(contact, [...(coverage.get(contact) ?? []), { category, commune }]);
    for (const r of this.routes)
      for (const id of [r.primary, r.backup, r.duty])
        if (id) {
          addArea(id, r.commune);
          addCoverage(id, r.category, r.commune);
        }
    addArea(this.dutyOfficer.id, "*");
    addCoverage(this.dutyOfficer.id, "*", "*");
    this.#coverage = coverage;
    this.#areas = new Map(
      [...areas].map(([contact, set]) => [contact, Object.freeze(allCommunes.filter((id) => set.has(id)))]),
    );

    this.#places = new PlaceIndex(this.communes, this.schools);
  }

  /** The same table under another duty overlay (the table itself is shared, not validated again). */
  withDuty(offDuty: DutyOverlay): RoutingTable {
    return new RoutingTable(this.#parsed, this.file, offDuty);
  }

  /** Who is off duty, and until when (see `DutyOverlay`). */
  get offDuty(): DutyOverlay {
    return this.#offDuty;
  }

  /**
   * Whether a contact takes tips at `now`: it has a chat, and it is on duty. The province's duty
   * officer is never off duty (see the class comment).
   */
  isReachable(contact: Contact, now: number = Date.now()): boolean {
    if (!isBound(contact)) return false;
    return contact.id === this.dutyOfficer.id || !isOffDuty(this.#offDuty, contact.id, now);
  }

  /**
   * The contacts a tip on `route` goes to at `now`: primary, backup, duty, each once, without
   * the unreachable; the duty officer alone when nobody is left.
   * @throws NoReachableContactError when the duty officer is vacant too
   */
  chainOf(route: Route | undefined, now: number = Date.now()): readonly [BoundContact, ...BoundContact[]] {
    const ids = route
      ? [...new Set([route.primary, route.backup, route.duty].filter((id): id is string => !!id))]
      : [];
    const reachable = ids
      .map((id) => this.#contact(id))
      .filter((c): c is BoundContact => isBound(c) && this.isReachable(c, now));
    const [first, ...rest] = reachable;
    if (first) return [first, ...rest];
    const duty = this.dutyOfficer;
    if (!isBound(duty)) throw new NoReachableContactError(duty.id, ids);
    return [duty];
  }

  #contact(id: string): Contact {
    const c = this.#contacts.get(id);
    // Validation guarantees every referenced contact exists.
    if (!c) throw new Error(`routing table ${this.file}: contact "${id}" vanished`);
    return c;
  }

  /**
   * Who receives a tip of `category` at `place`. The school's commune is used when a school is
   * given (a differing `communeId` is ignored), else the commune, else the province-wide route.
   * The chain leaves out whoever is vacant or off duty at `now` (default the clock; see `chainOf`).
   * @throws UnknownPlaceError for a school or commune id not in the table
   * @throws NoReachableContactError when nobody, not even the duty officer, can be sent to
   */
  resolve(category: Category, place: PlaceRef = {}, now: number = Date.now()): RouteChain {
    const matched = this.match(category, place);
    return { ...matched, chain: this.chainOf(matched.route, now) };
  }

  /**
   * The route a tip of `category` at `place` takes, whoever is reachable (see `resolve`).
   * @throws UnknownPlaceError for a school or commune id not in the table
   */
  match(category: Category, place: PlaceRef = {}): Omit<RouteChain, "chain"> {
    let school: School | undefined;
    let commune: Commune | undefined;
    if (place.schoolId) {
      school = this.#schools.get(place.schoolId);
      if (!school) throw new UnknownPlaceError("school", place.schoolId);
      commune = this.#communes.get(school.commune);
    } else if (place.communeId) {
      commune = this.#communes.get(place.communeId);
      if (!commune) throw new UnknownPlaceError("commune", place.communeId);
    }
    const candidates = commune
      ? [
          routeKey(category, commune.id),
          routeKey("*", commune.id),
          routeKey(category, "*"),
          routeKey("*", "*"),
        ]
      : [routeKey(category, "*"), routeKey("*", "*")];
    let route: Route | undefined;
    for (const key of candidates) {
      route = this.#routes.get(key);
      if (route) break;
    }
    return { commune, school, route };
  }

  /** How long a contact has to acknowledge a tip before it goes to the next one, in milliseconds. */
  deadlineMs(urgency: Urgency): number {
    return this.#deadlines[urgency];
  }

  contactById(id: string): Contact | undefined {
    return this.#contacts.get(id);
  }

  /**
   * The contact behind a chat — how officers are authorised: only listed contacts may act.
   * One chat may hold several roles; this returns the first listed (see `contactsByChat`).
   * Telegram ids may be given as numbers, as grammY reports them.
   */
  contactByChat(channel: Channel, chatId: string | number): Contact | undefined {
    return this.contactsByChat(channel, chatId)[0];
  }

  /** Every contact behind a chat (one officer can hold two roles); never a vacant slot. */
  contactsByChat(channel: Channel, chatId: string | number): readonly Contact[] {
    return this.#byChat.get(`${channel}:${String(chatId)}`) ?? [];
  }

  /**
   * The commune ids a contact is responsible for: every commune of a route naming it, all of
   * them for a "*" route and for the provincial duty officer. In table order; empty if none.
   */
  areaOf(contact: Contact | string): readonly string[] {
    return this.#areas.get(typeof contact === "string" ? contact : contact.id) ?? [];
  }

  /**
   * Whether a route naming the contact covers a tip of `category` in `commune`: a provincial
   * drugs unit (ma-tuy, "*") covers drugs tips everywhere and nothing else; a commune's police
   * ("*", commune) every tip of their commune; the duty officer everything.
   */
  covers(contact: Contact | string, commune: string, category: Category): boolean {
    const pairs = this.#coverage.get(typeof contact === "string" ? contact : contact.id) ?? [];
    return pairs.some(
      (p) => (p.category === "*" || p.category === category) && (p.commune === "*" || p.commune === commune),
    );
  }

  /**
   * Schools and communes whose names match `text`, ignoring case and diacritics, best first.
   * Every word must match, except "trường", "xã", "phường", "đặc khu"; the last word may be a
   * prefix (typing in progress); "thcs" and "trung học cơ sở" are the same; a school also
   * matches on its commune's name. Default limit 8 (a menu's worth).
   */
  searchPlaces(text: string, limit = 8): PlaceMatch[] {
    return this.#places.search(text, limit);
  }
}
