/**
 * `npm start`: the bot on every configured channel plus the tip workers.
 * Telegram (runner + per-chat sequentialize) and Zalo by long polling, or both by webhook
 * (BOT_MODE=webhook) on the HTTP server, which also answers /healthz.
 */
import { run } from "@grammyjs/runner";
import { eq } from "drizzle-orm";
import { Dialogue } from "../bot/dialogue/dialogue.js";
import { RedisFeedbackStore } from "../bot/dialogue/feedback-store.js";
import { RedisSessionStore } from "../bot/dialogue/session-store.js";
import { registerQueueBoard } from "../bot/http/queue-board.js";
import { createHttpServer } from "../bot/http/server.js";
import { LocalRedisError, localRedis, type ResolvedRedis } from "../bot/local-redis.js";
import { createTelegramBot } from "../bot/telegram/bot.js";
import { cookieSecretFrom, registerWebChat } from "../bot/web/web-chat.js";
import { ZaloClient } from "../bot/zalo/zalo-client.js";
import { pollZalo } from "../bot/zalo/zalo-polling.js";
import { configFromEnvOrExit } from "../config.js";
import { ConsoleAudit } from "../console/audit.js";
import { registerConsole } from "../console/server.js";
import { ConsoleSessions } from "../console/sessions.js";
import { mayUseConsole } from "../console/viewer.js";
import type { Database } from "../db/client.js";
import { people } from "../db/schema.js";
import { t } from "../i18n.js";
import { articleText } from "../knowledge/answer/article-text.js";
import { answerQuestion, DEFAULT_ANSWER } from "../knowledge/answer/compose.js";
import { createGroundedModel, phrase } from "../knowledge/answer/grounded.js";
import { openLiveIndex } from "../knowledge/engine.js";
import { redisIndexChannel } from "../knowledge/index/live-index.js";
import { DocumentLibrary } from "../knowledge/library/document-library.js";
import { createLogger } from "../logger.js";
import { createDutyDesk } from "../workers/directory/duty.js";
import { InvitationDesk } from "../workers/directory/invitations.js";
import { personOfChat } from "../workers/directory/people.js";
import { SIGN_IN_LINK_TTL_MS, SignInLinks, signInUrl } from "../workers/directory/sign-in-links.js";
import type { ChatAddress } from "../workers/messenger.js";
import { isBound } from "../workers/routing/schema.js";
import { createTipRuntime } from "../workers/runtime.js";
import { SenderRateLimiter } from "../workers/tip/sender-key.js";
import { chatStreamsFor, mediaSignerFor, messengersFor, senderSaltFor } from "./channels.js";
import { type DirectoryRuntime, openDirectoryRuntime } from "./directory-runtime.js";

const given = configFromEnvOrExit(process.env);
const logger = createLogger(given.logLevel);
// Without REDIS_URL: the local Redis, or a private redis-server under ./data (the embedded default).
let redis: ResolvedRedis | undefined;
if (!given.redisUrlGiven) {
  try {
    redis = await localRedis({ logger });
  } catch (e) {
    if (!(e instanceof LocalRedisError)) throw e;
    console.error(e.message);
    process.exit(69);
  }
}
const config = redis ? { ...given, redisUrl: redis.url } : given;
// The directory: its database (PGlite in ./data/pg, or DATABASE_URL), the demo province imported
// into an empty one, and the live routing table every part below asks.
let directory: DirectoryRuntime;
try {
  directory = await openDirectoryRuntime(config, { logger, importWhenEmpty: true });
} catch (e) {
  const known = [
    "DataFolderLockedError",
    "DatabaseOpenError",
    "DirectoryUnavailableError",
    "RoutingTableError",
  ];
  if (!known.includes((e as Error).name)) throw e;
  console.error((e as Error).message);
  await redis?.stop();
  process.exit(69);
}
const media = await mediaSignerFor(config);
const salt = await senderSaltFor(config);
const runtime = await createTipRuntime(config, {
  logger,
  routing: directory.directory,
  // Closed tips' statistics rows are drained into it; /thongke reads them from there.
  ...(directory.database && { database: directory.database.db }),
  workers: { messenger: (r) => messengersFor(config, { media, ...chatStreamsFor(config, r, salt) }).router },
});
// Optional: a language model phrases answers from the retrieved passages (LLM_BASE_URL, LLM_MODEL).
const llm = config.knowledge.llm && (await createGroundedModel(config.knowledge.llm));
// The knowledge index: the current version, swapped when `npm run ingest` or the console's
// document library publishes another (announced on this channel to every process).
const indexChannel = redisIndexChannel(runtime.redis, config.tips.prefix, logger);
const index = await openLiveIndex(config.knowledge, {
  logger,
  channel: indexChannel,
  onBuild: (r) => logger.info({ chunks: r.chunks, failed: r.failed.length }, "built the knowledge index"),
});
// The page reads the same streams the workers write (stateless views of Redis keys).
const streams = chatStreamsFor(config, runtime.redis, salt);
await runtime.intake.reconcile();
// Drafts in sessions are sealed like the tips they become.
const sessions = new RedisSessionStore(runtime.redis, config.tips.prefix, undefined, runtime.content);
// Joining by invitation and going on/off duty write the directory's database, then tell every
// process to reload it (directory.changed()).
const database = directory.database;
const announce = () => directory.directory.changed();
const invitations =
  database &&
  new InvitationDesk({
    db: database.db,
    secret: salt,
    logger,
    onChange: announce,
    // Invitation codes tried per chat: 10 an hour.
    attempts: new SenderRateLimiter(runtime.redis, {
      prefix: `${config.tips.prefix}:join`,
      limit: 10,
      windowMs: 3_600_000,
    }),
  });
const duty = database && createDutyDesk({ db: database.db, logger, onChange: announce });
// The console: one-time links from /dangnhap (or `npm run directory -- console-link`), sessions
// in Redis, authorised from the directory at every request. It needs the directory's database.
const consoleConfig = database && config.console;
const links = new SignInLinks(runtime.redis, config.tips.prefix, salt);
const viewers = {
  routing: runtime.routing,
  ...(database && { db: database.db }),
  ...(invitations && { invitations }),
};
// Messages to other chats than the one speaking (an invitation's minter, a released holder).
const outgoing = messengersFor(config, { media, ...streams }).router;
// Admins' uploads (KNOWLEDGE_UPLOADS_DIR), from the console or sent to the bot, rebuilt into
// the index and announced.
const documents = new DocumentLibrary({ knowledge: config.knowledge, channel: indexChannel, logger });
const dialogue = new Dialogue({
  sessions,
  routing: runtime.routing,
  intake: runtime.intake,
  triage: runtime.triage,
  ask: async (q, lang) => {
    const extractive = await answerQuestion(
      index.current,
      q,
      { ...DEFAULT_ANSWER, minCoverage: config.knowledge.minCoverage },
      lang,
    );
    runtime.metrics.answers.inc({ abstained: String(extractive.abstained) });
    if (!llm) return extractive;
    // The model only rephrases the passages; anything it adds that they do not say is refused.
    const { answer, outcome } = await phrase(q, extractive, extractive.passages, llm, lang);
    runtime.metrics.phrased.inc({ outcome: outcome.source === "model" ? "model" : outcome.reason });
    // Debug only: the detail may repeat the model's text.
    if (outcome.source === "extractive" && outcome.reason !== "abstained")
      logger.debug({ reason: outcome.reason, detail: outcome.detail }, "kept the extractive answer");
    return answer;
  },
  // "Xem nguồn": the full article, read from the index in use when asked.
  article: (ref) => articleText(index.current, ref),
  salt,
  feedback: new RedisFeedbackStore(runtime.redis, config.tips.prefix),
  ...(invitations && { directory: invitations }),
  ...(duty && { duty }),
  // Schools' named incident reports (/baocao), their questions and answers, officers' buttons.
  ...(runtime.incidents && { incidents: runtime.incidents }),
  // The name a staff member gives before their first named report (people.name).
  ...(database && {
    people: {
      nameOf: async (chat: ChatAddress) => (await personBehind(database.db, chat))?.name ?? undefined,
      introduce: async (chat: ChatAddress, name: string) => {
        const person = await personBehind(database.db, chat);
        if (person) await database.db.update(people).set({ name }).where(eq(people.id, person.id));
      },
    },
  }),
  tell: async (to, text) => {
    try {
      await outgoing.send(to, { text });
    } catch (err) {
      logger.warn({ channel: to.channel, err: (err as Error).message }, "could not tell another chat");
    }
  },
  ...(consoleConfig && {
    signIn: async (chat: { channel: "telegram" | "zalo" | "web"; chatId: string }) => {
      if (chat.channel === "web" || !(await mayUseConsole(viewers, chat))) return undefined;
      const { token } = links.mint({
        kind: "chat",
        channel: chat.channel,
        chatId: String(chat.chatId),
      });
      return { url: signInUrl(consoleConfig.baseUrl, token), minutes: SIGN_IN_LINK_TTL_MS / 60_000 };
    },
  }),
  // A province admin's PDF/DOCX sent to the bot: read, shown, then put in force.
  documents: {
    preview: (bytes, filename, by) => documents.preview(bytes, filename, by),
    confirm: (uploadId, options, by) => documents.confirm(uploadId, options, by),
    discard: (uploadId, by) => documents.discard(uploadId, by),
    logger,
  },
  // For the invitation's deep link t.me/<bot>?start=<code>, known once the bot is initialised.
  botUsername: (): string | undefined => (bot?.isInited() ? bot.botInfo.username : undefined),
});

/** The directory's person behind a Telegram or Zalo chat (nobody on the web chat). */
function personBehind(db: Database, chat: ChatAddress) {
  return chat.channel === "web"
    ? undefined
    : personOfChat(db, { channel: chat.channel, chatId: chat.chatId });
}

/** A check's result, or false when it fails or takes longer than `ms` (Redis down queues forever). */
function within(ms: number, check: Promise<boolean>): Promise<boolean> {
  const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref());
  return Promise.race([check.catch(() => false), timeout]);
}

const stops: Array<() => Promise<void>> = [];
const webhook = config.mode.kind === "webhook" ? config.mode : undefined;
const bot = config.telegram ? createTelegramBot({ dialogue, logger, ...config.telegram }) : undefined;
const zaloClient = config.zalo
  ? new ZaloClient(config.zalo.token, { apiRoot: config.zalo.apiRoot })
  : undefined;

const server = createHttpServer({
  logger,
  trustProxy: config.http.trustProxy,
  metrics: runtime.metrics.registry,
  // /metrics is served to the admin only (the start-up lines say where).
  ...(config.http.admin && { admin: config.http.admin }),
  health: async () => ({
    redis: await within(
      1000,
      runtime.redis.ping().then((r) => r === "PONG"),
    ),
    queues: await within(
      1000,
      runtime.queues.notify.getJobCounts("waiting").then(() => true),
    ),
    index: index.current.chunks.size > 0,
  }),
  // Tips flow on the last good directory while its database is away.
  degraded: async () => ({
    database: (await within(1000, directory.databaseUp())) && !directory.directory.stale(),
  }),
  ...(media && { media: { signer: media, store: runtime.store } }),
  ...(bot && webhook && { telegram: { bot, secret: webhook.secret } }),
  ...(zaloClient &&
    webhook && {
      zalo: {
        client: zaloClient,
        dialogue,
        secret: webhook.secret,
        redis: runtime.redis,
        prefix: config.tips.prefix,
      },
    }),
});
if (config.http.admin) await registerQueueBoard(server, runtime.queues, config.http.admin);
if (consoleConfig && database) {
  const demo = config.web?.demoOfficers;
  await registerConsole(server, {
    logger,
    sessions: new ConsoleSessions(runtime.redis, config.tips.prefix),
    links,
    viewers,
    routing: runtime.routing,
    triage: runtime.triage,
    store: runtime.store,
    audit: new ConsoleAudit(database.db, logger),
    photoKey: salt,
    reports: { db: database.db, store: runtime.store, routing: runtime.routing },
    // The directory pages: edits announce the change as /moi and /nghi do; invitations through /moi's desk.
    ...(invitations && {
      directory: {
        db: database.db,
        invitations,
        ...(duty && { duty }),
        announce,
        botUsername: () => (bot?.isInited() ? bot.botInfo.username : undefined),
      },
    }),
    secureCookies: consoleConfig.secureCookies,
    documents,
    // The school's incident log (issue 15): the runtime's desk, present with the database.
    ...(runtime.incidents && { incidents: runtime.incidents }),
    // WEB_DEMO_OFFICERS=true (refused in production): sign in as one of the example's officers.
    ...(demo && {
      demo: {
        people: () => [
          { id: "admin", name: t("console.demo.admin"), role: "province-admin" },
          ...runtime.routing.contacts
            .filter(isBound)
            .map((c) => ({ id: c.id, name: c.name, role: "police-contact" })),
        ],
      },
    }),
  });
} else if (config.console) logger.warn("the console needs the directory's database: it is off");
if (config.web) {
  await registerWebChat(server, {
    dialogue,
    outbox: streams.web,
    logger,
    secureCookies: config.web.secureCookies,
    embedOrigins: config.web.embedOrigins,
    cookieSecret: cookieSecretFrom(salt),
    languageOf: (chatId) => dialogue.languageOf({ channel: "web", chatId }),
  });
}
await server.listen({ port: config.http.port, host: config.http.host });
stops.unshift(() => server.close());
logger.info({ port: config.http.port, mode: config.mode.kind }, "http server listening");
// Another `npm start` with the demo under the same prefix would take this one's tips.
const demoPresence = await streams.demo?.announce();
if (demoPresence) stops.push(demoPresence.stop);
// The logs go to stderr; what a newcomer needs to open goes to stdout.
console.log(startBanner(demoPresence?.others ?? 0));

/** Where everything is, and which Redis and key prefix hold the data. */
function startBanner(otherDemos: number): string {
  const h = config.http.host;
  const host = h === "0.0.0.0" || h === "::" ? "localhost" : h.includes(":") ? `[${h}]` : h;
  const base = `http://${host}:${config.http.port}`;
  const redisUrl = new URL(config.redisUrl);
  if (redisUrl.password) redisUrl.password = "***";
  const privateRedis = redis && config.redisUrl !== "redis://127.0.0.1:6379";
  const channels = [
    config.telegram && `Telegram (${config.mode.kind})`,
    config.zalo && `Zalo (${config.mode.kind})`,
    config.web && "web",
  ].filter(Boolean);
  const rows: [string, string][] = [
    ["Web chat", config.web ? `${base}/` : "off (WEB_CHAT=false)"],
    [
      "Console",
      !consoleConfig
        ? "off (CONSOLE=false, or no directory database)"
        : config.web?.demoOfficers
          ? `${base}/console/ (demo: sign in as any example officer, no link needed)`
          : `${base}/console/ (sign in: /dangnhap to the bot, or npm run directory -- console-link)`,
    ],
    [
      "Queues, metrics",
      config.http.admin
        ? `${base}/admin/queues, ${base}/metrics (as ADMIN_USER)`
        : "off (set ADMIN_USER and ADMIN_PASSWORD)",
    ],
    ["Health", `${base}/healthz`],
    ...(config.mode.kind === "webhook" ? [["Public URL", config.mode.publicUrl] as [string, string]] : []),
    [
      "Redis",
      `${redisUrl.toString()}${privateRedis ? " (a private redis-server, data in ./data/redis)" : ""}, key prefix "${config.tips.prefix}" (QUEUE_PREFIX)`,
    ],
    [
      "Directory",
      directory.database
        ? directory.database.engine === "pglite"
          ? `${directory.database.location} (embedded PGlite; DATABASE_URL for a PostgreSQL server)`
          : directory.database.location
        : "the snapshot in Redis",
    ],
    ["Channels", channels.join(", ")],
  ];
  const warning =
    otherDemos > 0
      ? [
          `Warning: ${otherDemos} other npm start with the officer demo uses the prefix "${config.tips.prefix}" on this Redis:`,
          "  you would take each other's tips and see each other's demo inboxes. Give yours its own,",
          `  e.g. QUEUE_PREFIX=${config.tips.prefix}-yourname npm start`,
        ]
      : [];
  return [
    "Cổng trường an toàn is running:",
    ...rows.map(([k, v]) => `  ${`${k}:`.padEnd(17)}${v}`),
    ...warning,
  ].join("\n");
}

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "stopping: no new updates, finishing active work");
  for (const s of stops) await s();
  await index.close();
  await runtime.close();
  await directory.close();
  await redis?.stop();
  process.exit(0);
}
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));

/**
 * Sets a channel's webhook in the background, retrying with a capped backoff: a channel that is
 * unreachable at start must not hold up the web chat, the other channel or the signal handlers
 * (`/healthz` reports Telegram's state meanwhile).
 */
function setWebhookInBackground(channel: string, set: () => Promise<unknown>): void {
  void (async () => {
    for (let attempt = 1, wait = 1000; !stopping; attempt++, wait = Math.min(wait * 2, 60_000)) {
      try {
        await set();
        logger.info({ channel, attempts: attempt }, "webhook set");
        return;
      } catch (err) {
        // A refused token does not get better by asking again.
        if ((err as Error).name === "TelegramInitError") {
          logger.error(
            { channel, err: (err as Error).message },
            "the channel refused the bot; check its token",
          );
          return;
        }
        logger.warn(
          { channel, attempt, err: (err as Error).message },
          "setting the webhook failed; retrying",
        );
        await new Promise((r) => setTimeout(r, wait).unref());
      }
    }
  })();
}

if (bot && webhook) {
  const url = `${webhook.publicUrl}/webhook/telegram`;
  setWebhookInBackground("telegram", async () => {
    await bot.init();
    await bot.api.setWebhook(url, { secret_token: webhook.secret });
  });
} else if (bot) {
  const runner = run(bot);
  stops.push(async () => {
    if (runner.isRunning()) await runner.stop();
  });
}
if (zaloClient && webhook) {
  const url = `${webhook.publicUrl}/webhook/zalo`;
  setWebhookInBackground("zalo", () => zaloClient.setWebhook({ url, secret_token: webhook.secret }));
} else if (zaloClient) {
  const zalo = pollZalo(zaloClient, dialogue, logger);
  stops.push(zalo.stop);
}
if (!bot && !zaloClient && !config.web?.demoOfficers)
  logger.warn(
    "no TELEGRAM_BOT_TOKEN or ZALO_BOT_TOKEN: officers cannot be reached (WEB_DEMO_OFFICERS=true lets you act as them in the console)",
  );
