import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { parseDocument } from "yaml";
import { type ZodIssue, z } from "zod";
import { removeDiacritics } from "../../knowledge/text/normalize.js";
import { CATEGORIES, type Category, type Channel, type Place, type Urgency } from "../tip/tip.js";

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
 * The file is checked completely when loaded — schema, cross-references and route coverage —
 * and every problem is reported at once with its path in the file, because it is edited by hand
 * and a table that fails in production at the first unusual tip would lose that tip.
 */

// ---------------------------------------------------------------------------------------------
// Errors

/** One bad field, with its path in the file (`schools.3.commune`). */
export interface RoutingTableProblem {
  readonly path: string;
  readonly message: string;
}

/** The routing table file cannot be used. Lists every problem, not just the first. */
export class RoutingTableError extends Error {
  override readonly name = "RoutingTableError";
  constructor(
    readonly file: string,
    readonly problems: ReadonlyArray<RoutingTableProblem>,
    options?: { cause?: unknown },
  ) {
    super(
      `invalid routing table ${file}:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}`,
      options,
    );
  }
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

// ---------------------------------------------------------------------------------------------
// Model

export interface Province {
  readonly id: string;
  readonly name: string;
}

/** A commune, ward or special zone (xã, phường, đặc khu). */
export interface Commune {
  readonly id: string;
  readonly name: string;
}

export interface School {
  readonly id: string;
  readonly name: string;
  /** Id of the commune the school is in. */
  readonly commune: string;
}

/** Channels officers can be reached on (the web channel is for tipsters only). */
export type ContactChannel = Exclude<Channel, "web">;

/** A police contact. Only listed contacts may act on tips. */
export interface Contact {
  readonly id: string;
  /** Display name, e.g. "Trực ban Công an phường An Hòa". */
  readonly name: string;
  readonly channel: ContactChannel;
  /** Telegram: a numeric chat id as a string (negative for groups). Zalo: the user id. */
  readonly chatId: string;
}

export interface Route {
  readonly category: Category | "*";
  /** A commune id, or "*" for the whole province. */
  readonly commune: string;
  readonly primary: string;
  readonly backup?: string;
  readonly duty: string;
}

/** Where a tip is, as far as routing cares. When both are given the school wins. */
export type PlaceRef = Pick<Place, "schoolId" | "communeId">;

export interface RouteChain {
  readonly commune: Commune | undefined;
  readonly school: School | undefined;
  /** The route that matched; undefined when the province has no "*" route for a tip without a place. */
  readonly route: Route | undefined;
  /** Primary, backup, duty — each contact once. Only the provincial duty officer if no route matched. */
  readonly chain: readonly [Contact, ...Contact[]];
}

/** A place found by free-text search. */
export type PlaceMatch =
  | {
      readonly kind: "school";
      readonly id: string;
      readonly name: string;
      readonly school: School;
      readonly commune: Commune;
    }
  | { readonly kind: "commune"; readonly id: string; readonly name: string; readonly commune: Commune };

// ---------------------------------------------------------------------------------------------
// Schema

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
// Ids travel in Telegram callback data (64 bytes) together with a short prefix.
const ID_MAX = 48;
const idSchema = z
  .string({ invalid_type_error: "must be a string id" })
  .max(ID_MAX, `must be at most ${ID_MAX} characters`)
  .regex(ID, 'must be a kebab-case id (a-z, 0-9 and "-"), e.g. "phuong-an-hoa"');
const nameSchema = z.string().trim().min(1, "must not be empty").max(160);

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(?:\d+[smhd])+$/;

/** Parses "30s", "10m", "4h", "1d" or combinations such as "1h30m" into milliseconds. */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (!DURATION.test(t))
    throw new RangeError(`invalid duration "${text}": use e.g. 30s, 10m, 4h, 1d or 1h30m`);
  let ms = 0;
  for (const m of t.matchAll(/(\d+)([smhd])/g)) ms += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  if (!(ms > 0) || !Number.isSafeInteger(ms))
    throw new RangeError(`invalid duration "${text}": must be positive`);
  return ms;
}

const durationSchema = z
  .string({ invalid_type_error: 'must be a duration such as "10m"' })
  .transform((s, ctx) => {
    try {
      return parseDuration(s);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: (e as Error).message });
      return z.NEVER;
    }
  });

const provinceSchema = z.object({ id: idSchema, name: nameSchema }).strict();
const communeSchema = z.object({ id: idSchema, name: nameSchema }).strict();
const schoolSchema = z.object({ id: idSchema, name: nameSchema, commune: idSchema }).strict();

const contactSchema = z
  .object({
    id: idSchema,
    name: nameSchema,
    channel: z.enum(["telegram", "zalo"]),
    chatId: z
      .string({ invalid_type_error: "must be a string: put the chat id in quotes" })
      .trim()
      .min(1, "must not be empty")
      .max(128),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.channel === "telegram" && !/^-?\d{1,20}$/.test(c.chatId))
      ctx.addIssue({
        code: "custom",
        path: ["chatId"],
        message: `a Telegram chat id is a number in quotes, e.g. "100000001", not "${c.chatId}"`,
      });
  });

const routeCategorySchema = z.enum([...CATEGORIES, "*"]);
const routeCommuneSchema = z
  .string({ invalid_type_error: 'must be a commune id or "*"' })
  .refine((s) => s === "*" || idSchema.safeParse(s).success, 'must be a commune id or "*"');

const routeSchema = z
  .object({
    category: routeCategorySchema,
    commune: routeCommuneSchema,
    primary: idSchema,
    backup: idSchema.nullish(),
    duty: idSchema,
  })
  .strict();

const deadlinesSchema = z
  .object({ "khan-cap": durationSchema, "binh-thuong": durationSchema } satisfies Record<Urgency, unknown>)
  .strict();

const SECTIONS = [
  "province",
  "communes",
  "schools",
  "contacts",
  "routes",
  "deadlines",
  "dutyOfficer",
] as const;

// ---------------------------------------------------------------------------------------------
// Validation

interface ParsedTable {
  province: Province;
  communes: Commune[];
  schools: School[];
  contacts: Contact[];
  routes: Route[];
  deadlines: Record<Urgency, number>;
  dutyOfficer: string;
}

function joinPath(path: ReadonlyArray<string | number>): string {
  return path.length > 0 ? path.join(".") : "(file)";
}

function addIssues(
  problems: RoutingTableProblem[],
  prefix: Array<string | number>,
  issues: ZodIssue[],
): void {
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys)
        problems.push({ path: joinPath([...path, key]), message: "unknown field" });
    } else if (issue.code === "invalid_type" && issue.received === "undefined") {
      problems.push({ path: joinPath(path), message: "required" });
    } else {
      problems.push({ path: joinPath(path), message: issue.message });
    }
  }
}

/** Parses one section; reports its problems and returns undefined if it is bad. */
function section<T>(
  doc: Record<string, unknown>,
  key: string,
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  problems: RoutingTableProblem[],
): T | undefined {
  const r = schema.safeParse(doc[key]);
  if (r.success) return r.data;
  addIssues(problems, [key], r.error.issues);
  return undefined;
}

interface List<T> {
  /** The raw elements, for cross-reference checks that should not cascade from unrelated bad fields. */
  raw: unknown[];
  valid: T[];
}

/** Parses a list element by element, so that one bad element does not hide the others. */
function list<T>(
  doc: Record<string, unknown>,
  key: string,
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  problems: RoutingTableProblem[],
  min: number,
): List<T> {
  const value = doc[key];
  if (!Array.isArray(value)) {
    problems.push({ path: key, message: value === undefined ? "required" : "must be a list" });
    return { raw: [], valid: [] };
  }
  if (value.length < min)
    problems.push({ path: key, message: `needs at least ${min} entr${min === 1 ? "y" : "ies"}` });
  const valid: T[] = [];
  value.forEach((element, index) => {
    const r = schema.safeParse(element);
    if (r.success) valid.push(r.data);
    else addIssues(problems, [key, index], r.error.issues);
  });
  return { raw: value, valid };
}

/** The elements whose `field` holds a well-formed value, even if other fields are bad. */
function fieldValues<T>(raw: unknown[], field: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>) {
  const out: Array<{ index: number; value: T }> = [];
  raw.forEach((element, index) => {
    if (typeof element !== "object" || element === null) return;
    const r = schema.safeParse((element as Record<string, unknown>)[field]);
    if (r.success) out.push({ index, value: r.data });
  });
  return out;
}

function routeKey(category: string, commune: string): string {
  return `${category}|${commune}`;
}

/** Validates a parsed document. Throws a RoutingTableError listing every problem. */
function validate(doc: unknown, file: string): ParsedTable {
  const problems: RoutingTableProblem[] = [];
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new RoutingTableError(file, [
      { path: "(file)", message: `must be a mapping with the sections ${SECTIONS.join(", ")}` },
    ]);
  }
  const d = doc as Record<string, unknown>;
  for (const key of Object.keys(d))
    if (!(SECTIONS as readonly string[]).includes(key))
      problems.push({ path: key, message: `unknown section (expected ${SECTIONS.join(", ")})` });

  const province = section(d, "province", provinceSchema, problems);

  // Communes and schools share one id space: both are offered in the same place menus.
  const placeIds = new Map<string, string>();
  const checkDuplicates = (name: string, raw: unknown[], seen: Map<string, string>) => {
    for (const { index, value } of fieldValues(raw, "id", idSchema)) {
      const path = `${name}.${index}.id`;
      const first = seen.get(value);
      if (first) problems.push({ path, message: `duplicate id "${value}", already used at ${first}` });
      else seen.set(value, path);
    }
  };

  const communes = list(d, "communes", communeSchema, problems, 1);
  checkDuplicates("communes", communes.raw, placeIds);
  const communeIds = new Set(fieldValues(communes.raw, "id", idSchema).map((f) => f.value));

  const schools = list(d, "schools", schoolSchema, problems, 0);
  checkDuplicates("schools", schools.raw, placeIds);
  for (const { index, value } of fieldValues(schools.raw, "commune", idSchema))
    if (!communeIds.has(value))
      problems.push({ path: `schools.${index}.commune`, message: `unknown commune "${value}"` });

  const contacts = list(d, "contacts", contactSchema, problems, 1);
  checkDuplicates("contacts", contacts.raw, new Map());
  const contactIds = new Set(fieldValues(contacts.raw, "id", idSchema).map((f) => f.value));

  const routes = list(d, "routes", routeSchema, problems, 1);
  for (const field of ["primary", "backup", "duty"])
    for (const { index, value } of fieldValues(routes.raw, field, idSchema))
      if (!contactIds.has(value))
        problems.push({ path: `routes.${index}.${field}`, message: `unknown contact "${value}"` });

  const routeKeys = new Map<string, number>();
  const categories = fieldValues(routes.raw, "category", routeCategorySchema);
  const routeCommunes = new Map(
    fieldValues(routes.raw, "commune", routeCommuneSchema).map((f) => [f.index, f.value]),
  );
  for (const { index, value: category } of categories) {
    const commune = routeCommunes.get(index);
    if (commune === undefined) continue;
    if (commune !== "*" && !communeIds.has(commune)) {
      problems.push({ path: `routes.${index}.commune`, message: `unknown commune "${commune}"` });
      continue;
    }
    const key = routeKey(category, commune);
    const first = routeKeys.get(key);
    if (first !== undefined)
      problems.push({
        path: `routes.${index}`,
        message: `duplicate route for category "${category}" and commune "${commune}", already at routes.${first}`,
      });
    else routeKeys.set(key, index);
  }
  // Every tip in a known commune must reach somebody.
  if (Array.isArray(d.routes)) {
    for (const commune of communeIds) {
      const missing = CATEGORIES.filter(
        (c) =>
          !routeKeys.has(routeKey(c, commune)) &&
          !routeKeys.has(routeKey("*", commune)) &&
          !routeKeys.has(routeKey(c, "*")) &&
          !routeKeys.has(routeKey("*", "*")),
      );
      if (missing.length > 0)
        problems.push({
          path: "routes",
          message: `no route for commune "${commune}" and categor${missing.length === 1 ? "y" : "ies"} ${missing.join(", ")}: add routes for them or a "*" route`,
        });
    }
  }

  const deadlines = section(d, "deadlines", deadlinesSchema, problems);
  const dutyOfficer = section(d, "dutyOfficer", idSchema, problems);
  if (dutyOfficer !== undefined && !contactIds.has(dutyOfficer))
    problems.push({ path: "dutyOfficer", message: `unknown contact "${dutyOfficer}"` });

  if (problems.length > 0 || !province || !deadlines || dutyOfficer === undefined)
    throw new RoutingTableError(file, problems);
  return {
    province,
    communes: communes.valid,
    schools: schools.valid,
    contacts: contacts.valid,
    routes: routes.valid.map(({ backup, ...r }) => (backup ? { ...r, backup } : r)),
    deadlines,
    dutyOfficer,
  };
}

// ---------------------------------------------------------------------------------------------
// Free-text place search

/** School-level names and their usual abbreviations, both ways ("thcs" ↔ "trung học cơ sở"). */
const LEVEL_ALIASES: ReadonlyArray<readonly [phrase: string, abbreviation: string]> = [
  ["mam non", "mn"],
  ["mau giao", "mg"],
  ["tieu hoc", "th"],
  ["trung hoc co so", "thcs"],
  ["trung hoc pho thong", "thpt"],
  ["pho thong dan toc noi tru", "ptdtnt"],
  ["giao duc thuong xuyen", "gdtx"],
];

/** Words a user may type or leave out ("trường", "xã", "phường", "đặc khu"). */
const GENERIC_WORDS = new Set(["truong", "xa", "phuong", "dac", "khu"]);

function foldedWords(text: string): string[] {
  return (
    removeDiacritics(text)
      .toLowerCase()
      .match(/[a-z0-9]+/g) ?? []
  );
}

function withAliases(words: string[]): Set<string> {
  const out = new Set(words);
  const joined = ` ${words.join(" ")} `;
  for (const [phrase, abbreviation] of LEVEL_ALIASES) {
    if (joined.includes(` ${phrase} `)) out.add(abbreviation);
    if (out.has(abbreviation)) for (const w of phrase.split(" ")) out.add(w);
  }
  return out;
}

interface SearchEntry {
  readonly match: PlaceMatch;
  readonly words: readonly string[];
  readonly tokens: ReadonlySet<string>;
  /** For a school, the words of its commune: "tiểu học an hòa" finds a school in An Hòa. */
  readonly context: ReadonlySet<string>;
  readonly order: number;
}

function scoreEntry(entry: SearchEntry, query: string[]): number | undefined {
  let score = 0;
  let matchedName = 0;
  query.forEach((q, i) => {
    const last = i === query.length - 1;
    if (entry.tokens.has(q)) {
      score += 2;
      matchedName++;
    } else if (last && [...entry.tokens].some((t) => t.startsWith(q))) {
      score += 1.5;
      matchedName++;
    } else if (entry.context.has(q)) score += 1;
    else if (last && [...entry.context].some((t) => t.startsWith(q))) score += 0.75;
    else if (!GENERIC_WORDS.has(q)) score = Number.NEGATIVE_INFINITY;
  });
  if (!(score > 0)) return undefined;
  const name = entry.words.join(" ");
  const phrase = query.join(" ");
  if (name === phrase) score += 5;
  else if (` ${name} `.includes(` ${phrase} `)) score += 3;
  // Prefer tight matches: "an hòa" ranks Phường An Hòa above Trường Tiểu học An Hòa.
  return score - 0.1 * Math.max(0, entry.words.length - matchedName);
}

// ---------------------------------------------------------------------------------------------
// The table

/**
 * A validated routing table. Build it with `loadRoutingTable(path)` or `RoutingTable.parse(doc)`;
 * it is immutable and safe to share between the bot and the workers.
 */
export class RoutingTable {
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
  readonly #search: readonly SearchEntry[];

  /**
   * Validates a parsed YAML/JSON document. `file` only names the source in errors.
   * @throws RoutingTableError listing every problem
   */
  static parse(doc: unknown, file = "(inline)"): RoutingTable {
    return new RoutingTable(validate(doc, file), file);
  }

  private constructor(
    t: ParsedTable,
    /** Where the table came from, for logs. */
    readonly file: string,
  ) {
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
    for (const r of this.routes)
      for (const id of [r.primary, r.backup, r.duty]) if (id) addArea(id, r.commune);
    addArea(this.dutyOfficer.id, "*");
    this.#areas = new Map(
      [...areas].map(([contact, set]) => [contact, Object.freeze(allCommunes.filter((id) => set.has(id)))]),
    );

    let order = 0;
    const search: SearchEntry[] = [];
    for (const commune of this.communes) {
      const words = foldedWords(commune.name);
      const match: PlaceMatch = { kind: "commune", id: commune.id, name: commune.name, commune };
      search.push({ match, words, tokens: new Set(words), context: new Set(), order: order++ });
    }
    for (const school of this.schools) {
      const commune = this.#communes.get(school.commune) as Commune;
      const words = foldedWords(school.name);
      const match: PlaceMatch = { kind: "school", id: school.id, name: school.name, school, commune };
      const context = new Set(foldedWords(commune.name));
      search.push({ match, words, tokens: withAliases(words), context, order: order++ });
    }
    this.#search = search;
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
   * @throws UnknownPlaceError for a school or commune id not in the table
   */
  resolve(category: Category, place: PlaceRef = {}): RouteChain {
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
    if (!route) return { commune, school, route: undefined, chain: [this.dutyOfficer] };
    const ids = [...new Set([route.primary, route.backup, route.duty].filter((id): id is string => !!id))];
    const [first, ...rest] = ids.map((id) => this.#contact(id));
    return { commune, school, route, chain: [first as Contact, ...rest] };
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

  /** Every contact behind a chat (one officer can hold two roles). */
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
   * Schools and communes whose names match `text`, ignoring case and diacritics, best first.
   * Every word must match, except "trường", "xã", "phường", "đặc khu"; the last word may be a
   * prefix (typing in progress); "thcs" and "trung học cơ sở" are the same; a school also
   * matches on its commune's name. Default limit 8 (a menu's worth).
   */
  searchPlaces(text: string, limit = 8): PlaceMatch[] {
    const query = foldedWords(text);
    if (query.length === 0) return [];
    const scored: Array<{ entry: SearchEntry; score: number }> = [];
    for (const entry of this.#search) {
      const score = scoreEntry(entry, query);
      if (score !== undefined) scored.push({ entry, score });
    }
    scored.sort(
      (a, b) =>
        b.score - a.score || a.entry.words.length - b.entry.words.length || a.entry.order - b.entry.order,
    );
    return scored.slice(0, limit).map((s) => s.entry.match);
  }
}

// ---------------------------------------------------------------------------------------------
// Loading

/**
 * Reads and validates a routing table: `.yaml`/`.yml` (comments allowed) or `.json`.
 * @throws RoutingTableError naming the file for an unreadable file, a syntax error or any problem
 */
export async function loadRoutingTable(path: string): Promise<RoutingTable> {
  const ext = extname(path).toLowerCase();
  if (![".yaml", ".yml", ".json"].includes(ext))
    throw new RoutingTableError(path, [
      { path: "(file)", message: `unsupported extension "${ext}": use .yaml or .json` },
    ]);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new RoutingTableError(
      path,
      [{ path: "(file)", message: `cannot read: ${(cause as Error).message}` }],
      {
        cause,
      },
    );
  }
  let doc: unknown;
  if (ext === ".json") {
    try {
      doc = JSON.parse(text);
    } catch (cause) {
      throw new RoutingTableError(
        path,
        [{ path: "(file)", message: `invalid JSON: ${(cause as Error).message}` }],
        {
          cause,
        },
      );
    }
  } else {
    const parsed = parseDocument(text, { uniqueKeys: true });
    if (parsed.errors.length > 0) {
      throw new RoutingTableError(
        path,
        parsed.errors.map((e) => {
          const at = e.linePos?.[0];
          return {
            path: at ? `line ${at.line}, column ${at.col}` : "(file)",
            message: `invalid YAML: ${(e.message.split("\n")[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, "")}`,
          };
        }),
        { cause: parsed.errors[0] },
      );
    }
    doc = parsed.toJS();
  }
  return RoutingTable.parse(doc, path);
}
