import { type ZodIssue, z } from "zod";
import { CATEGORIES, type Category, type Channel, type Urgency } from "../tip/tip.js";

/**
 * The routing table file: its zod schema, the types derived from it and its validation.
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

/**
 * A police contact. Only listed contacts may act on tips. A contact without `channel` and
 * `chatId` is a vacant slot: imported by name, waiting for its officer to join by invitation
 * (chat ids are never typed by a person). Nothing is routed to a vacant slot.
 */
export interface Contact {
  readonly id: string;
  /** Display name, e.g. "Trực ban Công an phường An Hòa". */
  readonly name: string;
  /** Where the contact is reached; absent for a vacant slot (then `chatId` is absent too). */
  readonly channel?: ContactChannel;
  /** Telegram: a numeric chat id as a string (negative for groups). Zalo: the user id. */
  readonly chatId?: string;
}

/** A contact somebody holds: it has a chat to send to. */
export type BoundContact = Contact & { readonly channel: ContactChannel; readonly chatId: string };

/** Whether a contact has a chat (is not a vacant slot). */
export function isBound(contact: Contact): contact is BoundContact {
  return contact.channel !== undefined && contact.chatId !== undefined;
}

export interface Route {
  readonly category: Category | "*";
  /** A commune id, or "*" for the whole province. */
  readonly commune: string;
  readonly primary: string;
  readonly backup?: string;
  readonly duty: string;
}

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
    // Both or neither: a slot without them is vacant until its officer joins by invitation.
    channel: z.enum(["telegram", "zalo"]).nullish(),
    chatId: z
      .string({ invalid_type_error: "must be a string: put the chat id in quotes" })
      .trim()
      .min(1, "must not be empty")
      .max(128)
      .nullish(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.channel && c.chatId == null)
      ctx.addIssue({
        code: "custom",
        path: ["chatId"],
        message: "required with a channel (or leave out both channel and chatId for a vacant slot)",
      });
    if (c.chatId != null && !c.channel)
      ctx.addIssue({
        code: "custom",
        path: ["channel"],
        message: "required with a chatId (or leave out both channel and chatId for a vacant slot)",
      });
    if (c.channel === "telegram" && c.chatId && !/^-?\d{1,20}$/.test(c.chatId))
      ctx.addIssue({
        code: "custom",
        path: ["chatId"],
        message: `a Telegram chat id is a number in quotes, e.g. "100000001", not "${c.chatId}"`,
      });
  })
  .transform(({ channel, chatId, ...c }): Contact => (channel && chatId ? { ...c, channel, chatId } : c));

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

/** A validated table, before `RoutingTable` indexes and freezes it. */
export interface ParsedTable {
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

/** The key of a route in the table: category and commune (either may be "*"). */
export function routeKey(category: string, commune: string): string {
  return `${category}|${commune}`;
}

/** Validates a parsed document. Throws a RoutingTableError listing every problem. */
export function validate(doc: unknown, file: string): ParsedTable {
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
