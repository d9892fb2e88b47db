import type { FastifyReply, FastifyRequest } from "fastify";
import { t } from "../i18n.js";
import type { DocumentLibrary } from "../knowledge/library/document-library.js";
import type { Logger } from "../logger.js";
import type { SignInLinks } from "../workers/directory/sign-in-links.js";
import type { IncidentDesk } from "../workers/incident/desk.js";
import type { ReportDeps } from "../workers/outcomes/report.js";
import type { Routing } from "../workers/routing/routing-table.js";
import type { TipStore } from "../workers/tip/tip-store.js";
import type { Triage } from "../workers/triage.js";
import type { ConsoleAudit } from "./audit.js";
import type { ConsoleDirectoryDeps } from "./directory-deps.js";
import type { ConsoleSessions } from "./sessions.js";
import type { Viewer, ViewerDeps } from "./viewer.js";

/** A period (Vietnam days, both inclusive) and the area a viewer may see. */
export interface StatisticsScope {
  readonly from: string;
  readonly to: string;
  /** Communes (absent: the whole province, for an admin). */
  readonly communes?: ReadonlySet<string>;
  readonly schools?: ReadonlySet<string>;
}

/** The demo's people (WEB_DEMO_OFFICERS=true): sign in as one without a messenger. */
export interface ConsoleDemo {
  readonly people: () => readonly { readonly id: string; readonly name: string; readonly role: string }[];
}

export interface ConsoleDeps {
  readonly logger: Logger;
  readonly sessions: ConsoleSessions;
  readonly links: SignInLinks;
  readonly viewers: ViewerDeps;
  readonly routing: Routing;
  readonly triage: Triage;
  readonly store: TipStore;
  readonly audit: ConsoleAudit;
  /** Signs photo URLs (derived from the sender salt). */
  readonly photoKey: Buffer;
  /** The statistics rows' database, for the dashboard and the report (absent: they answer 503). */
  readonly reports?: ReportDeps;
  /** Send the cookie only over HTTPS. */
  readonly secureCookies: boolean;
  readonly demo?: ConsoleDemo;
  /** The directory pages for admins (absent: they answer 503). */
  readonly directory?: ConsoleDirectoryDeps;
  /** The document library admins upload to (absent: the documents page answers 503). */
  readonly documents?: DocumentLibrary;
  /** The incident desk behind the school's incident log (absent: those routes answer 503). */
  readonly incidents?: IncidentDesk;
  /** Sign-in attempts per address per minute (links are 256-bit: this only slows floods). Default 10. */
  readonly signInsPerMinute?: number;
  readonly now?: () => number;
}

export const COOKIE = "ssg_console";

/** The JSON error body the pages show: a code and the sentence to show. */
export function fail(
  reply: FastifyReply,
  status: number,
  error: string,
  vars: Record<string, string | number> = {},
) {
  return reply.code(status).send({ error, message: t(`console.error.${error}`, vars) });
}

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in viewer, set by the session hook on the API's protected routes. */
    viewer?: Viewer;
  }
}

/** The viewer of a protected route (the hook has refused the request otherwise). */
export function viewerOf(req: FastifyRequest): Viewer {
  if (!req.viewer) throw new Error("a protected console route ran without a viewer");
  return req.viewer;
}
