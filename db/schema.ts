import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  customType,
  date,
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

/** Tip outcomes, as `OUTCOMES` in `workers/tip/tip.ts`. */
export const tipOutcome = pgEnum("tip_outcome", [
  "co-co-so",
  "khong-co-so",
  "trung",
  "bao-sai",
  "chi-de-biet",
]);

/**
 * What a person may do: a province admin runs the directory, a police contact holds a contact
 * slot (and triages its tips), school staff act for one school.
 */
export const personRole = pgEnum("person_role", ["province-admin", "police-contact", "school-staff"]);

/** A school staff member's role: the head (hiệu trưởng), the safety staff, a teacher. */
export const schoolRole = pgEnum("school_role", ["head", "safety-staff", "teacher"]);

/** Kinds of incident a school reports, as `INCIDENT_KINDS` in `workers/incident/incident.ts`. */
export const incidentKind = pgEnum("incident_kind", [
  "bao-luc-hoc-duong",
  "ma-tuy",
  "chay-no",
  "tai-nan-giao-thong",
  "xam-nhap",
  "an-ninh-mang",
  "khac",
]);

/** Where an incident happened, as `INCIDENT_PLACES`. */
export const incidentPlace = pgEnum("incident_place", [
  "trong-truong",
  "cong-truong",
  "duong-den-truong",
  "gan-truong",
  "tren-mang",
  "khac",
]);

/** As `INCIDENT_STATUSES`. */
export const incidentStatus = pgEnum("incident_status", [
  "received",
  "routed",
  "delivered",
  "acknowledged",
  "on-site",
  "closed",
]);

/** As `OUTCOMES` in `workers/incident/incident.ts`. */
export const incidentOutcome = pgEnum("incident_outcome", [
  "da-xu-ly",
  "chuyen-co-quan-khac",
  "khong-co-co-so",
  "trung",
]);

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

/**
 * The people who use the product by name: province admins, police officers, school staff. A
 * person is known by the chats bound to them (`person_bindings`), never by a typed chat id: a
 * binding comes from accepting an invitation.
 */
export const people = pgTable("people", {
  id: uuid().primaryKey().defaultRandom(),
  provinceId: text()
    .notNull()
    .references(() => provinces.id),
  /** How they introduced themselves, or the contact's name; shown to admins. */
  name: text(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** A person's chat on a channel: one person per chat, one chat per person and channel. */
export const personBindings = pgTable(
  "person_bindings",
  {
    personId: uuid()
      .notNull()
      .references(() => people.id, { onDelete: "cascade" }),
    channel: contactChannel().notNull(),
    chatId: text().notNull(),
    boundAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.channel, t.chatId] }),
    unique("person_bindings_person_channel_key").on(t.personId, t.channel),
    check("person_bindings_chat_id_not_empty", sql`length(${t.chatId}) between 1 and 128`),
  ],
);

/**
 * What a person may do. A police contact names the contact slot it holds; school staff name
 * their school and role there; a province admin names neither.
 */
export const personRoles = pgTable(
  "person_roles",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    personId: uuid()
      .notNull()
      .references(() => people.id, { onDelete: "cascade" }),
    role: personRole().notNull(),
    contactId: text().references(() => contacts.id, { onDelete: "cascade" }),
    schoolId: text().references(() => schools.id, { onDelete: "cascade" }),
    schoolRole: schoolRole(),
    grantedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** Who granted it: the invitation's minter, e.g. "cli:root" or a person's id. */
    grantedBy: text().notNull(),
  },
  (t) => [
    unique("person_roles_key").on(t.personId, t.role, t.contactId, t.schoolId).nullsNotDistinct(),
    index("person_roles_contact_idx").on(t.contactId),
    index("person_roles_school_idx").on(t.schoolId),
    check(
      "person_roles_shape",
      sql`(${t.role} = 'police-contact' and ${t.contactId} is not null and ${t.schoolId} is null and ${t.schoolRole} is null)
        or (${t.role} = 'school-staff' and ${t.schoolId} is not null and ${t.schoolRole} is not null and ${t.contactId} is null)
        or (${t.role} = 'province-admin' and ${t.contactId} is null and ${t.schoolId} is null and ${t.schoolRole} is null)`,
    ),
  ],
);

/**
 * One-time invitation codes for a contact slot, a school role or a province admin. Only a keyed
 * hash of the code is stored (the code itself is shown once to whoever minted it); single use,
 * expiring, revocable.
 */
export const invitations = pgTable(
  "invitations",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    provinceId: text()
      .notNull()
      .references(() => provinces.id),
    /** HMAC-SHA-256 of the code under a server key, hex. */
    codeHash: text().notNull().unique(),
    role: personRole().notNull(),
    contactId: text().references(() => contacts.id, { onDelete: "cascade" }),
    schoolId: text().references(() => schools.id, { onDelete: "cascade" }),
    schoolRole: schoolRole(),
    createdBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
    usedBy: uuid().references(() => people.id, { onDelete: "set null" }),
    revokedAt: timestamp({ withTimezone: true }),
    revokedBy: text(),
  },
  (t) => [
    check("invitations_expiry_after_creation", sql`${t.expiresAt} > ${t.createdAt}`),
    check(
      "invitations_shape",
      sql`(${t.role} = 'police-contact' and ${t.contactId} is not null and ${t.schoolId} is null and ${t.schoolRole} is null)
        or (${t.role} = 'school-staff' and ${t.schoolId} is not null and ${t.schoolRole} is not null and ${t.contactId} is null)
        or (${t.role} = 'province-admin' and ${t.contactId} is null and ${t.schoolId} is null and ${t.schoolRole} is null)`,
    ),
    index("invitations_contact_idx").on(t.contactId),
  ],
);

/**
 * Whether a contact takes tips now. No row means on duty. Off duty until `until`, or until they
 * say `/truc` when `until` is null: routing skips them and the tip goes to the next in the chain.
 */
export const dutyStatus = pgTable("duty_status", {
  contactId: text()
    .primaryKey()
    .references(() => contacts.id, { onDelete: "cascade" }),
  onDuty: boolean().notNull(),
  until: timestamp({ withTimezone: true }),
  changedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  changedBy: text().notNull(),
});

/**
 * Anonymous statistics of a closed tip, kept after its content is purged. No text, photo,
 * handle, tip id or code; times as days (Asia/Ho_Chi_Minh) and durations in whole minutes. The
 * id is made at close time for the outbox's idempotence and names nothing else. Places are
 * named by id without foreign keys: the statistics outlive directory changes.
 */
export const tipOutcomes = pgTable(
  "tip_outcomes",
  {
    id: uuid().primaryKey(),
    provinceId: text().notNull(),
    category: tipCategory().notNull(),
    urgency: tipUrgency().notNull(),
    communeId: text(),
    schoolId: text(),
    receivedOn: date({ mode: "string" }).notNull(),
    closedOn: date({ mode: "string" }).notNull(),
    /** Minutes from receipt to the first acknowledgement; null when closed unacknowledged. */
    ackMinutes: integer(),
    /** Minutes from receipt to close. */
    closeMinutes: integer().notNull(),
    outcome: tipOutcome().notNull(),
  },
  (t) => [
    index("tip_outcomes_received_idx").on(t.provinceId, t.receivedOn),
    index("tip_outcomes_commune_idx").on(t.communeId, t.receivedOn),
    check(
      "tip_outcomes_minutes",
      sql`${t.closeMinutes} >= 0 and (${t.ackMinutes} is null or ${t.ackMinutes} >= 0)`,
    ),
  ],
);

/**
 * The console's audit: every sign-in (and refused one), every view of a tip and every action
 * taken there, allowed or refused. `actor` is a person id, `contact:<id>` for a contact bound
 * without a person, `operator` for a link from the command line, or `unknown`; never a chat id.
 * `tipId` names the tip looked at (tips hold nothing about their tipster).
 */
export const consoleAudit = pgTable(
  "console_audit",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    actor: text().notNull(),
    action: text().notNull(),
    tipId: uuid(),
    allowed: boolean().notNull(),
    /** Why it was refused, the filters of a list or export, the outcome of a close. */
    detail: jsonb(),
  },
  (t) => [index("console_audit_at_idx").on(t.at), index("console_audit_tip_idx").on(t.tipId)],
);

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => "bytea",
  fromDriver: (v) => Buffer.from(v),
});

/**
 * Incidents reported by school staff as their school (issue 15): named, unlike tips, and kept
 * here, in the system of record, not in Redis. The school, commune and reporter are named by id
 * without foreign keys (a school removed from the directory, or a person deleted, must not take
 * its incidents with it), with the reporter's name and role as they were when reporting. The
 * reporter's chat is where officers' questions go: a named path, erased with the content.
 *
 * Retention (`workers/incident/retention.ts`): once closed longer than the tips' retention, the
 * content — description, place text, pupils' names in `involved`, injuries, school action,
 * photos, the reporter's chat, the texts of the events — is erased (`erased_at`); kind, school,
 * commune, dates, statuses and outcome stay for the school's counts.
 */
export const incidents = pgTable(
  "incidents",
  {
    id: uuid().primaryKey(),
    /** "SC-XXXX-XX" (`workers/incident/case-code.ts`). */
    caseCode: text().notNull().unique(),
    schoolId: text().notNull(),
    communeId: text().notNull(),
    reporterPersonId: uuid().notNull(),
    reporterName: text().notNull(),
    reporterSchoolRole: schoolRole().notNull(),
    /** Where questions go; null once erased. */
    reporterChannel: contactChannel(),
    reporterChatId: text(),
    kind: incidentKind().notNull(),
    urgency: tipUrgency().notNull(),
    occurredAt: timestamp({ withTimezone: true, mode: "date" }).notNull(),
    place: incidentPlace().notNull(),
    placeText: text(),
    description: text().notNull(),
    /** `Involved[]`: role, class, count and, only when needed, a name. */
    involved: jsonb().$type<unknown[]>().notNull(),
    injuries: text(),
    schoolAction: text(),
    /** Ids of the photos in `incident_photos`, in the order sent. */
    photoIds: jsonb().$type<string[]>().notNull(),
    status: incidentStatus().notNull(),
    /** Contact ids, in escalation order, chosen when routed. */
    chain: jsonb().$type<string[]>().notNull(),
    level: smallint().notNull().default(0),
    createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull(),
    updatedAt: timestamp({ withTimezone: true, mode: "date" }).notNull(),
    deliveredAt: timestamp({ withTimezone: true, mode: "date" }),
    acknowledgedAt: timestamp({ withTimezone: true, mode: "date" }),
    acknowledgedBy: text(),
    onSiteAt: timestamp({ withTimezone: true, mode: "date" }),
    onSiteBy: text(),
    closedAt: timestamp({ withTimezone: true, mode: "date" }),
    closedBy: text(),
    outcome: incidentOutcome(),
    erasedAt: timestamp({ withTimezone: true, mode: "date" }),
  },
  (t) => [
    index("incidents_school_occurred_idx").on(t.schoolId, t.occurredAt),
    index("incidents_reporter_idx").on(t.reporterPersonId),
    index("incidents_commune_idx").on(t.communeId, t.status),
    index("incidents_closed_idx").on(t.closedAt),
    check(
      "incidents_closed_has_outcome",
      sql`(${t.status} = 'closed') = (${t.outcome} is not null and ${t.closedAt} is not null)`,
    ),
    check("incidents_reporter_chat", sql`(${t.reporterChannel} is null) = (${t.reporterChatId} is null)`),
  ],
);

/**
 * An incident's timeline. `actor`: "system", "contact:<id>", "person:<uuid>" or "caller:<hash>"
 * (a refused chat, hashed with the sender salt; never a raw chat id).
 */
export const incidentEvents = pgTable(
  "incident_events",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    incidentId: uuid()
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    at: timestamp({ withTimezone: true, mode: "date" }).notNull(),
    actor: text().notNull(),
    action: text().notNull(),
    detail: text(),
  },
  (t) => [index("incident_events_incident_idx").on(t.incidentId, t.id)],
);

/** An incident's photos, already sanitised (re-encoded JPEG, no metadata); deleted at erasure. */
export const incidentPhotos = pgTable(
  "incident_photos",
  {
    incidentId: uuid()
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    photoId: text().notNull(),
    bytes: bytea().notNull(),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.photoId] })],
);

/** Who a campaign is for: parents, pupils or teachers of a school. */
export const audienceRole = pgEnum("audience_role", ["parent", "pupil", "teacher"]);

/** A campaign's life: scheduled → sending → done, or cancelled before it ends. */
export const campaignStatus = pgEnum("campaign_status", ["scheduled", "sending", "done", "cancelled"]);

/**
 * People who asked for schools' safety messages (`/dangky`, or consent when signing a
 * commitment). Campaign recipients only: nothing here refers to a tip or to the tip store, and
 * nothing there to this table. `unsubscribed_at` (`/huydangky`) and `blocked_at` (the channel
 * said the bot was blocked) stop every later batch; a new `/dangky` clears both.
 */
export const subscribers = pgTable(
  "subscribers",
  {
    /** Increasing: campaigns page through recipients by id (keyset). */
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    channel: contactChannel().notNull(),
    chatId: text().notNull(),
    role: audienceRole().notNull(),
    schoolId: text().notNull(),
    className: text(),
    communeId: text().notNull(),
    subscribedAt: timestamp({ withTimezone: true, mode: "date" }).notNull(),
    blockedAt: timestamp({ withTimezone: true, mode: "date" }),
    unsubscribedAt: timestamp({ withTimezone: true, mode: "date" }),
  },
  (t) => [
    unique("subscribers_chat_school_role").on(t.channel, t.chatId, t.schoolId, t.role),
    index("subscribers_school_idx").on(t.schoolId, t.role, t.id),
    index("subscribers_commune_idx").on(t.communeId, t.role, t.id),
  ],
);

/**
 * A safety message to subscribers. `audience`: the filter (`workers/campaign/campaign.ts`:
 * schools, classes, communes, roles). `sent`/`failed`/`blocked` are flushed from the live counts
 * in Redis after each batch.
 */
export const campaigns = pgTable(
  "campaigns",
  {
    id: uuid().primaryKey(),
    /** "person:<uuid>" or "contact:<id>". */
    author: text().notNull(),
    audience: jsonb().$type<Record<string, unknown>>().notNull(),
    text: text().notNull(),
    sendAt: timestamp({ withTimezone: true, mode: "date" }).notNull(),
    status: campaignStatus().notNull(),
    sent: integer().notNull().default(0),
    failed: integer().notNull().default(0),
    blocked: integer().notNull().default(0),
    createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull(),
    finishedAt: timestamp({ withTimezone: true, mode: "date" }),
  },
  (t) => [index("campaigns_status_idx").on(t.status, t.sendAt)],
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
  people,
  personBindings,
  personRoles,
  invitations,
  dutyStatus,
  tipOutcomes,
  consoleAudit,
  incidents,
  incidentEvents,
  incidentPhotos,
  subscribers,
  campaigns,
};

/** The schema's type, for the typed database. */
export type Schema = typeof schema;
