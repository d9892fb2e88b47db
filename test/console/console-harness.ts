import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from "fastify";
import { ConsoleAudit } from "../../console/audit.js";
import type { ConsoleDirectoryDeps } from "../../console/directory-deps.js";
import { registerConsole } from "../../console/server.js";
import { ConsoleSessions } from "../../console/sessions.js";
import { type DatabaseHandle, openDatabase } from "../../db/client.js";
import type { DocumentLibrary } from "../../knowledge/library/document-library.js";
import { createLogger } from "../../logger.js";
import { importDirectory } from "../../workers/directory/import.js";
import { InvitationDesk } from "../../workers/directory/invitations.js";
import { type ConsolePrincipal, SignInLinks } from "../../workers/directory/sign-in-links.js";
import type { TipRecord } from "../../workers/tip/tip-store.js";
import { freshDatabase, type TestDatabase } from "../db/engines.js";
import {
  EXAMPLE_ROUTING,
  exampleRouting,
  NO_DEADLINES,
  type TestRuntime,
  testRuntime,
} from "../workers/harness.js";

/** The sender salt the harness's links are signed under. */
export const LINK_SECRET = Buffer.from("test-sender-salt");

/** Chats of the example province (workers/routing/example-province.yaml). */
export const CHATS = {
  /** Commune A (Phường An Hòa) police duty desk. */
  anHoa: { kind: "chat", channel: "telegram", chatId: "100000011" },
  /** Commune B (Phường Đồng Tiến) police duty desk. */
  dongTien: { kind: "chat", channel: "telegram", chatId: "100000031" },
  /** The provincial drugs unit (ma-tuy everywhere, nothing else). */
  drugsUnit: { kind: "chat", channel: "telegram", chatId: "100000002" },
} as const satisfies Record<string, ConsolePrincipal>;

/** A console on its own Fastify, over a fresh PGlite directory (the example province) and Redis. */
export interface ConsoleHarness {
  readonly app: FastifyInstance;
  readonly rt: TestRuntime;
  readonly handle: DatabaseHandle;
  readonly links: SignInLinks;
  readonly audit: ConsoleAudit;
  readonly invitations: InvitationDesk;
  /** A session cookie for `principal`, through a one-time link as a browser would get it. */
  signIn(principal: ConsolePrincipal): Promise<string>;
  /** A request with that cookie (and the console's header on writes). */
  as(
    cookie: string | undefined,
    method: string,
    url: string,
    payload?: object,
  ): Promise<LightMyRequestResponse>;
  /** Stores a tip as the pipeline would have delivered it. */
  tip(over?: Partial<TipRecord>): Promise<TipRecord>;
  close(): Promise<void>;
}

/** Optional parts of the console under test. */
export interface ConsoleHarnessOptions {
  /** The document library behind /console/api/documents (absent: those routes answer 503). */
  readonly documents?: DocumentLibrary;
  /** The directory pages' deps, over the harness's database and invitation desk (absent: 503). */
  readonly directory?: (base: {
    readonly handle: DatabaseHandle;
    readonly invitations: InvitationDesk;
  }) => ConsoleDirectoryDeps;
  /** Give the console the runtime's incident desk (`rt.incidents`; absent: those routes answer 503). */
  readonly incidents?: boolean;
}

export async function consoleHarness(opts: ConsoleHarnessOptions = {}): Promise<ConsoleHarness> {
  const place: TestDatabase = await freshDatabase("pglite");
  const handle = await openDatabase(place.config);
  await importDirectory(handle.db, EXAMPLE_ROUTING, { actor: "test" });
  // Closed tips' statistics rows go to this database when the test flushes the outbox.
  const rt = await testRuntime(undefined, {}, {}, await exampleRouting(NO_DEADLINES), {
    database: handle.db,
    drainOutcomes: false,
  });
  const logger = createLogger("silent");
  const invitations = new InvitationDesk({ db: handle.db, secret: Buffer.from("test"), logger });
  const links = new SignInLinks(rt.redis, rt.prefix, LINK_SECRET);
  const audit = new ConsoleAudit(handle.db, logger);
  const app = Fastify();
  await registerConsole(app, {
    logger,
    sessions: new ConsoleSessions(rt.redis, rt.prefix),
    links,
    viewers: { routing: rt.routing, db: handle.db, invitations },
    routing: rt.routing,
    triage: rt.triage,
    store: rt.store,
    audit,
    photoKey: Buffer.from("photo-key"),
    secureCookies: false,
    signInsPerMinute: 1000,
    reports: { db: handle.db, store: rt.store, routing: rt.routing },
    ...(opts.documents && { documents: opts.documents }),
    ...(opts.directory && { directory: opts.directory({ handle, invitations }) }),
    ...(opts.incidents && rt.incidents && { incidents: rt.incidents }),
  });
  const as = (cookie: string | undefined, method: string, url: string, payload?: object) =>
    app.inject({
      method: method as "GET",
      url,
      ...(cookie && { cookies: { ssg_console: cookie } }),
      ...(method !== "GET" && { headers: { "x-console": "1" } }),
      ...(payload && { payload }),
    });
  return {
    app,
    rt,
    handle,
    links,
    audit,
    invitations,
    as,
    async signIn(principal) {
      const { token } = links.mint(principal);
      const r = await as(undefined, "POST", "/console/api/session", { token });
      const cookie = r.cookies.find((c) => c.name === "ssg_console")?.value;
      if (r.statusCode !== 204 || !cookie) throw new Error(`sign-in failed: ${r.statusCode} ${r.body}`);
      return cookie;
    },
    async tip(over = {}) {
      const tip: TipRecord = {
        id: randomUUID(),
        caseCode: `AT-${randomUUID().slice(0, 4).toUpperCase()}-R${Math.floor(Math.random() * 10)}`,
        category: "bao-luc-hoc-duong",
        urgency: "binh-thuong",
        place: { schoolId: "thpt-tran-phu", text: "cổng sau" },
        description: "Nhóm học sinh chặn đánh bạn ở cổng sau.",
        photoIds: [],
        createdAt: Date.now(),
        status: "delivered",
        chain: ["ca-dong-tien-truc-ban", "ca-dong-tien-hung", "ca-tinh-truc-ban"],
        level: 0,
        communeId: "phuong-dong-tien",
        schoolId: "thpt-tran-phu",
        pinHash: "x",
        replyHandle: "x",
        ...over,
      };
      const stored = Object.fromEntries(Object.entries(tip).filter(([, v]) => v !== undefined)) as TipRecord;
      await rt.store.create(stored, { at: tip.createdAt, actor: "tipster", action: "received" });
      return stored;
    },
    async close() {
      await app.close();
      await rt.dispose();
      await handle.close();
      await place.drop();
    },
  };
}
