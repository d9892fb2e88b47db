import type { FastifyReply } from "fastify";
import type { ZodIssue } from "zod";
import { t } from "../i18n.js";
import { type ContactRole, describeContact } from "../workers/directory/describe.js";
import { formatDuration, type TableDocument } from "../workers/directory/document.js";
import { SCHOOL_ROLES } from "../workers/directory/invitations.js";
import type { DirectoryRows } from "../workers/directory/rows.js";
import type { RoutingTableProblem } from "../workers/routing/schema.js";
import { CATEGORIES, URGENCIES } from "../workers/tip/tip.js";

/**
 * What the console's directory pages show, from the stored rows: communes, schools, contacts
 * (bound or vacant — never a chat id), routes with their contacts by name, deadlines and the
 * duty desk; and the routing schema's problems worded for the page, each with the thing its
 * path points at.
 */

const categoryLabel = (c: string) => (c === "*" ? t("console.directory.any-category") : t(`category.${c}`));

/** The directory as the pages read it (`GET /console/api/directory`). */
export function directoryView(rows: DirectoryRows) {
  const communeName = new Map(rows.communes.map((c) => [c.id, c.name]));
  const contactName = new Map(rows.contacts.map((c) => [c.id, c.name]));
  const named = (id: string) => ({ id, name: contactName.get(id) ?? id });
  const routes = rows.routes.map((r) => {
    const category = r.category ?? "*";
    const commune = r.communeId ?? "*";
    const of = (role: string) => r.chain.find((s) => s.role === role)?.contactId;
    const backup = of("backup");
    return {
      key: `${category}|${commune}`,
      category,
      categoryLabel: categoryLabel(category),
      commune,
      communeName:
        commune === "*" ? t("console.directory.whole-province") : (communeName.get(commune) ?? commune),
      primary: named(of("primary") ?? ""),
      backup: backup ? named(backup) : null,
      duty: named(of("duty") ?? ""),
    };
  });
  const uses = new Map<string, number>();
  for (const r of routes)
    for (const id of new Set([r.primary.id, r.backup?.id, r.duty.id]))
      if (id) uses.set(id, (uses.get(id) ?? 0) + 1);
  return {
    province: rows.province,
    communes: rows.communes.map((c) => ({
      id: c.id,
      name: c.name,
      kind: c.kind,
      schools: rows.schools.filter((s) => s.communeId === c.id).length,
    })),
    schools: rows.schools.map((s) => ({
      id: s.id,
      name: s.name,
      commune: s.communeId,
      communeName: communeName.get(s.communeId) ?? s.communeId,
      level: s.level,
    })),
    // Whether a chat is bound and on which channel; the chat id itself never leaves the server.
    contacts: rows.contacts.map((c) => ({
      id: c.id,
      name: c.name,
      rank: c.rank,
      unit: c.unit,
      role: c.role,
      person: personOf(c.name, c.rank),
      status: c.chatId === null ? ("vacant" as const) : ("bound" as const),
      channel: c.chatId === null ? null : c.channel,
      routes: uses.get(c.id) ?? 0,
      dutyOfficer: c.id === rows.dutyOfficer,
    })),
    routes,
    deadlines: URGENCIES.map((u) => ({
      urgency: u,
      label: t(`console.directory.urgency.${u}`),
      value: formatDuration(rows.deadlines[u]),
      ms: rows.deadlines[u],
    })),
    dutyOfficer: named(rows.dutyOfficer),
    categories: ["*", ...CATEGORIES].map((id) => ({ id, label: categoryLabel(id) })),
    schoolRoles: SCHOOL_ROLES.map((id) => ({ id, label: t(`console.directory.school-role.${id}`) })),
  };
}

/** "Thượng úy Nguyễn Văn Minh – Công an phường An Hòa" → "Nguyễn Văn Minh" (officers only). */
function personOf(name: string, rank: string | null): string | null {
  if (!rank) return null;
  const [head = ""] = name.split(/\s+[–—-]\s+/);
  return head.trim().split(/\s+/).slice(rank.split(/\s+/).length).join(" ") || null;
}

/** A problem of an edit, worded for the page; `field` when it is a field of the edited form. */
export interface PageProblem {
  readonly path: string;
  readonly message: string;
  /** What the path points at, e.g. "Trường THPT Trần Phú" or "Tuyến Ma túy × Phường An Hòa". */
  readonly where?: string;
  readonly field?: string;
}

/** The routing schema's messages, in the page's words (others are shown as the schema says them). */
const WORDING: ReadonlyArray<[RegExp, string, (m: RegExpExecArray) => Record<string, string>]> = [
  [/^required$/, "required", () => ({})],
  [/^must not be empty$/, "required", () => ({})],
  [/^must be a kebab-case id/, "id", () => ({})],
  [/^must be at most (\d+) characters/, "too-long", (m) => ({ max: m[1] ?? "" })],
  [/^String must contain at most (\d+) character/, "too-long", (m) => ({ max: m[1] ?? "" })],
  [/^duplicate id "([^"]*)"/, "duplicate-id", (m) => ({ id: m[1] ?? "" })],
  [/^unknown commune "([^"]*)"/, "unknown-commune", (m) => ({ id: m[1] ?? "" })],
  [/^unknown contact "([^"]*)"/, "unknown-contact", (m) => ({ id: m[1] ?? "" })],
  [/^duplicate route for category "([^"]*)" and commune "([^"]*)"/, "duplicate-route", () => ({})],
  [
    /^no route for commune "([^"]*)" and categor(?:y|ies) (.+?): add/,
    "no-route",
    (m) => ({
      commune: m[1] ?? "",
      categories: (m[2] ?? "")
        .split(", ")
        .map((c) => categoryLabel(c))
        .join(", "),
    }),
  ],
  [/^invalid duration/, "duration", () => ({})],
  [/^must be a commune id or "\*"$/, "commune-or-all", () => ({})],
  [/^Invalid enum value/, "category", () => ({})],
  [/^(?:Expected|must be a)/, "type", () => ({})],
  [/^unknown field$/, "unknown-field", () => ({})],
  [/^needs at least/, "at-least-one", () => ({})],
];

function wording(message: string): string {
  for (const [re, key, vars] of WORDING) {
    const m = re.exec(message);
    if (m) return t(`console.directory.problem.${key}`, vars(m));
  }
  return message;
}

/** What `path` ("schools.3.commune") names in `document`, for a person. */
function whereOf(
  document: TableDocument,
  before: TableDocument | undefined,
  path: string,
): string | undefined {
  const [section, index] = path.split(".");
  const at = Number(index);
  const item = Number.isInteger(at)
    ? (document as unknown as Record<string, unknown[]>)[section ?? ""]?.[at]
    : undefined;
  const name = (item as { name?: unknown } | undefined)?.name;
  const label = typeof name === "string" && name ? name : undefined;
  switch (section) {
    case "communes":
      return t("console.directory.where.commune", { name: label ?? index ?? "" });
    case "schools":
      return t("console.directory.where.school", { name: label ?? index ?? "" });
    case "contacts":
      return t("console.directory.where.contact", { name: label ?? index ?? "" });
    case "routes": {
      const r = item as { category?: unknown; commune?: unknown } | undefined;
      if (!r) return t("console.directory.where.routes");
      const commune = [...document.communes, ...(before?.communes ?? [])].find(
        (c) => c.id === r.commune,
      )?.name;
      return t("console.directory.where.route", {
        category: categoryLabel(String(r.category)),
        commune: r.commune === "*" ? t("console.directory.whole-province") : (commune ?? String(r.commune)),
      });
    }
    case "deadlines":
      return t("console.directory.where.deadlines");
    case "dutyOfficer":
      return t("console.directory.where.duty-officer");
    default:
      return undefined;
  }
}

/** The form field a problem's path belongs to, when it is one of the edited entry's. */
export type FieldOf = (path: string) => string | undefined;

/** The fields of the entry at `entry` ("schools.12"): "schools.12.commune" → "commune". */
export const fieldsUnder =
  (entry: string | undefined): FieldOf =>
  (path) =>
    entry && path.startsWith(`${entry}.`) ? path.slice(entry.length + 1).split(".")[0] : undefined;

/** The problems for the page: worded, with where each is and, for the edited entry, its field. */
export function pageProblems(
  problems: readonly RoutingTableProblem[],
  document: TableDocument,
  before?: TableDocument,
  fieldOf: FieldOf = () => undefined,
): PageProblem[] {
  return problems.map((p) => {
    const where = whereOf(document, before, p.path);
    const field = fieldOf(p.path);
    return { path: p.path, message: wording(p.message), ...(where && { where }), ...(field && { field }) };
  });
}

/** A contact's name from its parts, as officers' names are written (`describeContact` reads it back). */
export interface ContactParts {
  readonly role: ContactRole;
  readonly rank?: string;
  readonly person?: string;
  readonly unit?: string;
}

const DUTY_DESK = "Trực ban";

/**
 * "Thượng úy" + "Nguyễn Văn Minh" + "Công an phường An Hòa" → "Thượng úy Nguyễn Văn Minh – Công
 * an phường An Hòa"; a duty desk → "Trực ban <unit>"; a unit → its name. Problems name the
 * part (`rank`, `person`, `unit`) that does not read back as given.
 */
export function contactName(parts: ContactParts): { name?: string; problems: PageProblem[] } {
  const rank = parts.rank?.trim() ?? "";
  const person = parts.person?.trim() ?? "";
  const unit = parts.unit?.trim() ?? "";
  const problem = (field: string, key: string): PageProblem => ({
    path: field,
    field,
    message: t(`console.directory.problem.${key}`),
  });
  if (parts.role === "officer") {
    const problems = [
      ...(rank ? [] : [problem("rank", "required")]),
      ...(person ? [] : [problem("person", "required")]),
    ];
    if (problems.length > 0) return { problems };
    // The rank alone must be one (not "Thượng úy Nguyễn"), and is written as the law spells it.
    const described = describeContact(`${rank} X`);
    if (!described.rank || described.rank.split(" ").length !== rank.split(/\s+/).length)
      return { problems: [problem("rank", "rank")] };
    const head = `${described.rank} ${person}`;
    return { name: unit ? `${head} – ${unit}` : head, problems: [] };
  }
  if (!unit) return { problems: [problem("unit", "required")] };
  if (parts.role === "duty-desk") return { name: `${DUTY_DESK} ${unit}`, problems: [] };
  if (describeContact(unit).role !== "unit") return { problems: [problem("unit", "unit")] };
  return { name: unit, problems: [] };
}

/** A body that is not even the right shape, as the page's problems. */
export function shapeProblems(issues: readonly ZodIssue[]): PageProblem[] {
  return issues.flatMap((i) =>
    i.code === "unrecognized_keys"
      ? i.keys.map((k) => ({
          path: k,
          field: k,
          message: t(
            k === "chatId" || k === "channel"
              ? "console.directory.problem.no-chat-ids"
              : "console.directory.problem.unknown-field",
          ),
        }))
      : [
          {
            path: i.path.join("."),
            field: String(i.path[0] ?? ""),
            message: t(
              i.code === "invalid_type" && i.received === "undefined"
                ? "console.directory.problem.required"
                : "console.directory.problem.type",
            ),
          },
        ],
  );
}

/** 400 with every problem, for the page to show next to its fields. */
export function invalid(reply: FastifyReply, problems: readonly PageProblem[]) {
  return reply.code(400).send({ error: "invalid", message: t("console.directory.invalid"), problems });
}
