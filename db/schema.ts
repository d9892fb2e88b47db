import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";

/**
 * The directory: the province, its communes and schools, the police contacts and how to reach
 * them, the routes between them, the deadlines and the duty desk, and an audit of every change.
 * One schema for PGlite and PostgreSQL; `npm run db:generate` writes its SQL migration into
 * `db/migrations/` (drizzle-kit), applied by `openDatabase`.
 *
 * Ids are the kebab-case ids of the YAML file (they travel in Telegram callback data). The
 * directory holds one province in this slice: every row names it, so a second province only needs
 * composite keys later. The lists a tipster picks from keep the file's order (`position`).
 *
 * Enumerations repeat the tip model's values (`db/` imports nothing above it); a test checks
 * that they agree with `workers/tip/tip.ts`, so adding a category means adding a migration.
 */

/** Tip categories, as `CATEGORIES` in `workers/tip/tip.ts`. */
export const tipCategory = pgEnum("tip_category", [
  "ma-tuy",
  "bao-luc-hoc-duong",
  "chay-no",
  "an-ninh-mang",
  "khac",
]);

/** Tip urgencies, as `URGENCIES` in `workers/tip/tip.ts`. */
export const tipUrgency = pgEnum("tip_urgency", ["khan-cap", "binh-thuong"]);

/** Channels an officer is reached on (the web channel is for tipsters only). */
export const contactChannel = pgEnum("contact_channel", ["telegram", "zalo"]);

/** xã, phường, đặc khu: the communes of two-level local government (since 01/7/2025). */
export const communeKind = pgEnum("commune_kind", ["xa", "phuong", "dac-khu"]);

/** mầm non, tiểu học, THCS, THPT, liên cấp (several levels in one school). */
export const schoolLevel = pgEnum("school_level", ["mam-non", "tieu-hoc", "thcs", "thpt", "lien-cap"]);

/** A duty desk (trực ban), a provincial unit (phòng PC04…) or a named officer. */
export const contactRole = pgEnum("contact_role", ["duty-desk", "unit", "officer"]);

/** Place of a contact in a route's chain: tried in `position` order. */
export const routeStepRole = pgEnum("route_step_role", ["primary", "backup", "duty"]);

/** added, changed or removed, in the audit. */
export const auditChange = pgEnum("audit_change", ["added", "changed", "removed"]);

const ID_CHECK = "~ '^[a-z0-9]+(-[a-z0-9]+)*$'";

export const provinces = pgTable(
  "provinces",
  {
    id: text().primaryKey(),
    name: text().notNull(),
  },
  (t) => [check("provinces_id_format", sql`${t.id} ${sql.raw(ID_CHECK)}`)],
);

export const communes = pgTable(
  "communes",
  {
    id: text().primaryKey(),
    provinceId: text()
      .notNull()
      .references(() => provinces.id),
    name: text().notNull(),
    /** Read from the name ("Phường An Hòa"); null when the name does not say. */
    kind: communeKind(),
    position: integer().notNull(),
  },
  (t) => [
    check("communes_id_format", sql`${t.id} ${sql.raw(ID_CHECK)}`),
    index("communes_province_idx").on(t.provinceId, t.position),
  ],
);

export const schools = pgTable(
  "schools",
  {
    id: text().primaryKey(),
    provinceId: text()
      .notNull()
      .references(() => provinces.id),
    communeId: text()
      .notNull()
      .references(() => communes.id),
    name: text().notNull(),
    /** Read from the name ("Trường THCS …"); null when the name does not say. */
    level: schoolLevel(),
    position: integer().notNull(),
  },
  (t) => [
    check("schools_id_format", sql`${t.id} ${sql.raw(ID_CHECK)}`),
    index("schools_commune_idx").on(t.communeId),
    index("schools_province_idx").on(t.provinceId, t.position),
  ],
);

/** Police units and officers. How to reach them is in `contact_bindings`. */
export const contacts = pgTable(
  "contacts",
  {
    id: text().primaryKey(),
    provinceId: text()
      .notNull()
      .references(() => provinces.id),
    /** Display name, e.g. "Thượng úy Nguyễn Văn Minh – Công an phường An Hòa". */
    name: text().notNull(),
    /** Police rank of an officer ("Thượng úy"), read from the name. */
    rank: text(),
    /** The unit ("Công an phường An Hòa"), read from the name. */
    unit: text(),
    role: contactRole(),
    position: integer().notNull(),
  },
  (t) => [
    check("contacts_id_format", sql`${t.id} ${sql.raw(ID_CHECK)}`),
    index("contacts_province_idx").on(t.provinceId, t.position),
  ],
);

/**
 * Where a contact is reached: one chat per contact per channel. Chat ids come from imports
 * today and from invitations later; a person never types one. One chat may serve several
 * contacts (an officer holding two roles), so a chat id is not unique.
 */
export const contactBindings = pgTable(
  "contact_bindings",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    contactId: text()
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    channel: contactChannel().notNull(),
    chatId: text().notNull(),
    boundAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("contact_bindings_contact_channel_key").on(t.contactId, t.channel),
    index("contact_bindings_chat_idx").on(t.channel, t.chatId),
    check("contact_bindings_chat_id_not_empty", sql`length(${t.chatId}) between 1 and 128`),
  ],
);

/**
 * Category × commune → a chain of contacts (`route_steps`). A null category is every category
 * ("*" in the file), a null commune the whole province; the most specific route wins.
 */
export const routes = pgTable(
  "routes",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    provinceId: text()
      .notNull()
      .references(() => provinces.id),
    category: tipCategory(),
    communeId: text().references(() => communes.id),
    position: integer().notNull(),
  },
  (t) => [
    unique("routes_province_category_commune_key")
      .on(t.provinceId, t.category, t.communeId)
      .nullsNotDistinct(),
  ],
);

/** The ordered chain of a route: primary, backup…, duty. */
export const routeSteps = pgTable(
  "route_steps",
  {
    routeId: bigint({ mode: "number" }).notNull(),
    position: smallint().notNull(),
    role: routeStepRole().notNull(),
    contactId: text()
      .notNull()
      .references(() => contacts.id),
  },
  (t) => [
    primaryKey({ columns: [t.routeId, t.position] }),
    foreignKey({ columns: [t.routeId], foreignColumns: [routes.id] }).onDelete("cascade"),
    index("route_steps_contact_idx").on(t.contactId),
  ],
);

/** How long a contact has to acknowledge a tip before the next one in the chain is tried. */
export const deadlines = pgTable(
  "deadlines",
  {
    provinceId: text()
      .notNull()
      .references(() => provinces.id),
    urgency: tipUrgency().notNull(),
    ackWithinMs: bigint({ mode: "number" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.provinceId, t.urgency] }),
    check("deadlines_positive", sql`${t.ackWithinMs} > 0`),
  ],
);

/** The province's duty desk: receives dead-letter alerts and tips no route matched. */
export const dutyOfficer = pgTable("duty_officer", {
  provinceId: text()
    .primaryKey()
    .references(() => provinces.id),
  contactId: text()
    .notNull()
    .references(() => contacts.id),
});

/**
 * Every directory change: who, when, what (one row per added, changed or removed entity, the
 * rows of one import sharing a `batch`). Entities are named by key, not by foreign key, so the
 * audit outlives what it describes.
 */
export const directoryAudit = pgTable(
  "directory_audit",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    batch: uuid().notNull(),
    /** Who made the change, e.g. "cli:root"; a person's id once people exist. */
    actor: text().notNull(),
    /** What made it, e.g. "import". */
    action: text().notNull(),
    /** The file imported, when there is one. */
    source: text(),
    /** "province", "commune", "school", "contact", "route", "deadline" or "duty-officer". */
    entity: text().notNull(),
    entityKey: text().notNull(),
    change: auditChange().notNull(),
    before: jsonb(),
    after: jsonb(),
  },
  (t) => [
    index("directory_audit_at_idx").on(t.at),
    index("directory_audit_entity_idx").on(t.entity, t.entityKey),
  ],
);

/** Every table, for `drizzle({ schema })`. */
export const schema = {
  provinces,
  communes,
  schools,
  contacts,
  contactBindings,
  routes,
  routeSteps,
  deadlines,
  dutyOfficer,
  directoryAudit,
};

/** The schema's type, for the typed database. */
export type Schema = typeof schema;
