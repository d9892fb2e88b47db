import { z } from "zod";
import { parseKey } from "./keys.js";

/**
 * The whole configuration, parsed once from the environment at start-up. Nothing else reads
 * `process.env`. A bad value fails here with a message naming the variable.
 */

const url = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL");
const positiveInt = z.coerce.number().int().positive();
const ratio = z.coerce.number().min(0).max(1);
const flag = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const origins = z
  .string()
  .transform((v) =>
    v
      .split(",")
      .map((o) => o.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^https:\/\/[a-z0-9.-]+(:\d+)?$/i, "https origins only, comma-separated")));

const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    KNOWLEDGE_DIR: z.string().min(1).default("knowledge/corpus"),
    INDEX_DIR: z.string().min(1).default("data/index"),
    KNOWLEDGE_UPLOADS_DIR: z.string().min(1).default("data/documents"),
    EMBEDDING_DIMENSIONS: positiveInt.max(4096).default(768),
    EMBEDDINGS_BASE_URL: url.optional(),
    EMBEDDINGS_API_KEY: z.string().min(1).optional(),
    EMBEDDINGS_MODEL: z.string().min(1).optional(),
    ANSWER_MIN_COVERAGE: ratio.default(0.45),
    LLM_BASE_URL: url.optional(),
    LLM_MODEL: z.string().min(1).optional(),
    LLM_API_KEY: z.string().min(1).optional(),
    LLM_TIMEOUT_MS: positiveInt.max(120_000).default(8000),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
      .default("redis://127.0.0.1:6379"),
    QUEUE_PREFIX: z
      .string()
      .regex(/^[a-z0-9-]+$/, "lower-case letters, digits and '-' only")
      .default("ssg"),
    ROUTING_FILE: z.string().min(1).default("workers/routing/example-province.yaml"),
    DATABASE_URL: z
      .string()
      .url()
      .regex(/^postgres(?:ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
    PG_DATA_DIR: z.string().min(1).default("data/pg"),
    TIP_REPLY_KEY: z.string().min(1).optional(),
    TIP_SENDER_SALT: z.string().min(16, "at least 16 characters").optional(),
    TIP_DATA_KEY: z.string().min(1).optional(),
    TIP_DATA_KEY_PREVIOUS: z.string().min(1).optional(),
    TIP_RETENTION_DAYS: positiveInt.max(36_500).default(180),
    SECRETS_DIR: z.string().min(1).default("data/secrets"),
    TIPS_PER_SENDER_PER_HOUR: positiveInt.max(1000).default(5),
    STATUS_CHECKS_PER_HOUR: positiveInt.max(1000).default(10),
    TIPS_PER_PLACE_PER_HOUR: positiveInt.max(100_000).default(30),
    TIPS_PER_MINUTE: positiveInt.max(100_000).default(120),
    NOTIFY_ATTEMPTS: positiveInt.max(50).default(8),
    NOTIFY_BACKOFF_MS: positiveInt.default(2000),
    CHAT_MIN_INTERVAL_MS: z.coerce.number().int().min(0).default(1000),
    WORKER_CONCURRENCY: positiveInt.max(256).default(8),
    WORKER_LOCK_MS: positiveInt.default(30_000),
    WORKER_STALLED_INTERVAL_MS: positiveInt.default(30_000),
    PHOTO_THREADS: positiveInt.max(16).optional(),
    PHOTO_QUEUE: z.coerce.number().int().min(0).max(100).default(8),
    PHOTO_TIMEOUT_MS: positiveInt.default(50_000),
    TELEGRAM_BOT_TOKEN: z
      .string()
      .regex(/^\d+:[\w-]{20,}$/, "does not look like a bot token (123456:ABC…)")
      .optional(),
    TELEGRAM_API_ROOT: url.default("https://api.telegram.org"),
    ZALO_BOT_TOKEN: z.string().min(10, "does not look like a Zalo bot token").optional(),
    ZALO_API_ROOT: url.default("https://bot-api.zaloplatforms.com"),
    BOT_MODE: z.enum(["polling", "webhook"]).default("polling"),
    PUBLIC_URL: url.optional(),
    WEBHOOK_SECRET: z
      .string()
      .min(8, "at least 8 characters")
      .max(256, "at most 256 characters")
      .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, '_' and '-' only (Telegram's rule)")
      .optional(),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOST: z.string().min(1).default("127.0.0.1"),
    ADMIN_USER: z.string().min(1).optional(),
    ADMIN_PASSWORD: z.string().min(12, "at least 12 characters").optional(),
    TRUST_PROXY: flag.default("false"),
    WEB_CHAT: flag.default("true"),
    WEB_DEMO_OFFICERS: flag.default("false"),
    WEB_EMBED_ORIGINS: origins.optional(),
    CONSOLE: flag.default("true"),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.ADMIN_USER) !== Boolean(env.ADMIN_PASSWORD))
      ctx.addIssue({
        code: "custom",
        path: [env.ADMIN_USER ? "ADMIN_PASSWORD" : "ADMIN_USER"],
        message: "ADMIN_USER and ADMIN_PASSWORD go together (the queue dashboard is off without them)",
      });
    if (env.BOT_MODE === "webhook") {
      if (!env.PUBLIC_URL)
        ctx.addIssue({ code: "custom", path: ["PUBLIC_URL"], message: "required when BOT_MODE=webhook" });
      if (!env.WEBHOOK_SECRET)
        ctx.addIssue({ code: "custom", path: ["WEBHOOK_SECRET"], message: "required when BOT_MODE=webhook" });
    }
    if (env.NODE_ENV === "production" && !env.TIP_REPLY_KEY)
      ctx.addIssue({
        code: "custom",
        path: ["TIP_REPLY_KEY"],
        message: "required in production (64 hex characters)",
      });
    if (env.NODE_ENV === "production" && !env.TIP_SENDER_SALT)
      ctx.addIssue({ code: "custom", path: ["TIP_SENDER_SALT"], message: "required in production" });
    if (env.NODE_ENV === "production" && !env.TIP_DATA_KEY)
      ctx.addIssue({
        code: "custom",
        path: ["TIP_DATA_KEY"],
        message: "required in production (64 hex characters, not the reply key)",
      });
    const keys: Partial<Record<"TIP_DATA_KEY" | "TIP_DATA_KEY_PREVIOUS", string>> = {};
    for (const name of ["TIP_DATA_KEY", "TIP_DATA_KEY_PREVIOUS"] as const) {
      const value = env[name];
      if (!value) continue;
      try {
        keys[name] = parseKey(value).toString("hex");
      } catch (e) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: (e as Error).message.replace("reply key", "key"),
        });
      }
    }
    if (env.TIP_REPLY_KEY) {
      try {
        const reply = parseKey(env.TIP_REPLY_KEY).toString("hex");
        for (const name of ["TIP_DATA_KEY", "TIP_DATA_KEY_PREVIOUS"] as const)
          if (keys[name] === reply)
            ctx.addIssue({
              code: "custom",
              path: [name],
              message: "must differ from TIP_REPLY_KEY (one key reads tips, the other reaches tipsters)",
            });
      } catch {
        // TIP_REPLY_KEY's own problem is reported below.
      }
    }
    if (env.TIP_DATA_KEY_PREVIOUS && !env.TIP_DATA_KEY)
      ctx.addIssue({
        code: "custom",
        path: ["TIP_DATA_KEY_PREVIOUS"],
        message: "only with TIP_DATA_KEY (the previous key opens old tips while TIP_DATA_KEY seals)",
      });
    if (keys.TIP_DATA_KEY && keys.TIP_DATA_KEY === keys.TIP_DATA_KEY_PREVIOUS)
      ctx.addIssue({
        code: "custom",
        path: ["TIP_DATA_KEY_PREVIOUS"],
        message: "is the same key as TIP_DATA_KEY: a rotation needs a new TIP_DATA_KEY",
      });
    if (env.TIP_REPLY_KEY) {
      try {
        parseKey(env.TIP_REPLY_KEY);
      } catch (e) {
        ctx.addIssue({ code: "custom", path: ["TIP_REPLY_KEY"], message: (e as Error).message });
      }
    }
    if (env.WEB_DEMO_OFFICERS && env.NODE_ENV === "production")
      ctx.addIssue({
        code: "custom",
        path: ["WEB_DEMO_OFFICERS"],
        message: "the demo officer view shows every tip to anyone: not allowed in production",
      });
    if (env.WEB_EMBED_ORIGINS?.length && !env.PUBLIC_URL?.startsWith("https://"))
      ctx.addIssue({
        code: "custom",
        path: ["WEB_EMBED_ORIGINS"],
        message: "embedding needs an https PUBLIC_URL (the chat cookie must then be Secure)",
      });
    if (Boolean(env.LLM_BASE_URL) !== Boolean(env.LLM_MODEL))
      ctx.addIssue({
        code: "custom",
        path: [env.LLM_BASE_URL ? "LLM_MODEL" : "LLM_BASE_URL"],
        message: "LLM_BASE_URL and LLM_MODEL go together (the answers stay extractive without them)",
      });
    if (env.LLM_API_KEY && !env.LLM_BASE_URL)
      ctx.addIssue({
        code: "custom",
        path: ["LLM_API_KEY"],
        message: "only with LLM_BASE_URL and LLM_MODEL",
      });
    if (env.EMBEDDINGS_BASE_URL && !env.EMBEDDINGS_MODEL)
      ctx.addIssue({
        code: "custom",
        path: ["EMBEDDINGS_MODEL"],
        message: "required when EMBEDDINGS_BASE_URL is set",
      });
  });

/** Every environment variable the configuration reads (for deployment files and their tests). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.innerType().shape);

/** An OpenAI-compatible endpoint. */
export interface ModelEndpoint {
  readonly baseURL: string;
  readonly apiKey: string;
  readonly model: string;
}

export interface Config {
  readonly env: "development" | "production" | "test";
  readonly logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
  readonly knowledge: {
    readonly corpusDir: string;
    readonly indexDir: string;
    /**
     * The document library (knowledge/library): PDF/DOCX uploaded by admins, with their
     * manifest and audit log. Ingested with `corpusDir` (default `data/documents`).
     */
    readonly uploadsDir: string;
    readonly embeddingDimensions: number;
    /** Optional upgrade: embeddings from an OpenAI-compatible endpoint instead of the offline model. */
    readonly embeddings?: ModelEndpoint & { readonly dimensions: number };
    readonly minCoverage: number;
    /**
     * Optional: a chat model that rephrases each extractive answer from its passages, checked
     * before it is sent (knowledge/answer/grounded.ts). `apiKey` is absent for a local server;
     * `timeoutMs` (default 8000) bounds the whole call, its one retry included.
     */
    readonly llm?: {
      readonly baseURL: string;
      readonly model: string;
      readonly apiKey?: string;
      readonly timeoutMs: number;
    };
  };
  /** The directory's database: PostgreSQL at `url`, else the embedded PGlite in `dataDir`. */
  readonly database: { readonly url?: string; readonly dataDir: string };
  readonly redisUrl: string;
  /** False when REDIS_URL was not set: `npm start` may then start a private redis-server. */
  readonly redisUrlGiven: boolean;
  readonly tips: {
    /** Prefix of every Redis key and BullMQ queue of the tip pipeline. */
    readonly prefix: string;
    readonly routingFile: string;
    /** AES-256-GCM key sealing reply handles; generated under `secretsDir` in development. */
    readonly replyKey?: Buffer;
    /** Salt hashing sender ids for rate limits; generated under `secretsDir` in development. */
    readonly senderSalt?: Buffer;
    /**
     * AES-256-GCM key sealing tip content at rest (text, answers, photos); never the reply key.
     * Generated under `secretsDir` in development.
     */
    readonly dataKey?: Buffer;
    /** During a rotation: the old data key, which still opens content but never seals. */
    readonly dataKeyPrevious?: Buffer;
    /**
     * Days a closed tip's content is kept after it was closed, then purged (default 180). Tips
     * that are not closed are never purged, however old: police may still be working on them.
     */
    readonly retentionDays: number;
    readonly secretsDir: string;
    readonly tipsPerSenderPerHour: number;
    readonly statusChecksPerHour: number;
    /** Tips accepted per school (or commune, or "elsewhere") per hour, whoever sends them. */
    readonly tipsPerPlacePerHour: number;
    /** Tips accepted per minute in all, whoever sends them: the intake's ceiling. */
    readonly tipsPerMinute: number;
    readonly notifyAttempts: number;
    readonly backoffMs: number;
    readonly chatMinIntervalMs: number;
    readonly concurrency: number;
    readonly lockMs: number;
    readonly stalledIntervalMs: number;
    /** Threads that decode tip photos; default one less than the cores, 1 to 2 (PhotoPool). */
    readonly photoThreads?: number;
    /** Photos that may wait for a thread before more are refused as "busy". */
    readonly photoQueue: number;
    /** A photo not sanitised this long after upload is refused as "busy" (its decoding stopped). */
    readonly photoTimeoutMs: number;
  };
  /** How chats reach the bot: long polling, or webhooks on `publicUrl` checked with `secret`. */
  readonly mode:
    | { readonly kind: "polling" }
    | { readonly kind: "webhook"; readonly publicUrl: string; readonly secret: string };
  readonly http: {
    readonly port: number;
    readonly host: string;
    /** Credentials of the queue dashboard (/admin/queues); it is off when unset. */
    readonly admin?: { readonly user: string; readonly password: string };
    /** Behind a load balancer: take the client address from X-Forwarded-For (rate limits only). */
    readonly trustProxy: boolean;
  };
  /**
   * The console for police and schools at `/console/`; off with CONSOLE=false. Sign-in links
   * point at `baseUrl` (PUBLIC_URL, or this machine's port for a local try-out).
   */
  readonly console?: { readonly baseUrl: string; readonly secureCookies: boolean };
  /** The web chat at `/`; off with WEB_CHAT=false. */
  readonly web?: {
    /** Cookies only over HTTPS (PUBLIC_URL is https). */
    readonly secureCookies: boolean;
    /** Sites that may show the chat in an iframe (CSP frame-ancestors; cookie SameSite=None). */
    readonly embedOrigins: readonly string[];
    /** Demo: Telegram/Zalo officers without a token get their messages in the page's officer view. */
    readonly demoOfficers: boolean;
  };
  readonly zalo?: {
    readonly token: string;
    readonly apiRoot: string;
  };
  readonly telegram?: {
    readonly token: string;
    /** Bot API server (grammY `client.apiRoot`); a local fake in tests. */
    readonly apiRoot: string;
  };
}

/** A configuration error listing every bad variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: ReadonlyArray<{ variable: string; message: string }>) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join("\n")}`);
  }
}

/** Parses the environment into the typed configuration. Pure: pass `process.env` from the entry file. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  // Empty strings in .env files mean "not set".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({
        variable: String(i.path[0] ?? "(environment)"),
        message: i.message,
      })),
    );
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    redisUrl: e.REDIS_URL,
    redisUrlGiven: cleaned.REDIS_URL !== undefined,
    database: { ...(e.DATABASE_URL && { url: e.DATABASE_URL }), dataDir: e.PG_DATA_DIR },
    mode:
      e.BOT_MODE === "webhook" && e.PUBLIC_URL && e.WEBHOOK_SECRET
        ? { kind: "webhook", publicUrl: e.PUBLIC_URL.replace(/\/$/, ""), secret: e.WEBHOOK_SECRET }
        : { kind: "polling" },
    http: {
      port: e.PORT,
      host: e.HOST,
      ...(e.ADMIN_USER && e.ADMIN_PASSWORD && { admin: { user: e.ADMIN_USER, password: e.ADMIN_PASSWORD } }),
      trustProxy: e.TRUST_PROXY,
    },
    ...(e.CONSOLE && {
      console: {
        baseUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ""),
        secureCookies: e.PUBLIC_URL?.startsWith("https://") ?? false,
      },
    }),
    ...(e.WEB_CHAT && {
      web: {
        secureCookies: e.PUBLIC_URL?.startsWith("https://") ?? false,
        embedOrigins: e.WEB_EMBED_ORIGINS ?? [],
        demoOfficers: e.WEB_DEMO_OFFICERS,
      },
    }),
    tips: {
      prefix: e.QUEUE_PREFIX,
      routingFile: e.ROUTING_FILE,
      ...(e.TIP_REPLY_KEY && { replyKey: parseKey(e.TIP_REPLY_KEY) }),
      ...(e.TIP_SENDER_SALT && { senderSalt: Buffer.from(e.TIP_SENDER_SALT, "utf8") }),
      ...(e.TIP_DATA_KEY && { dataKey: parseKey(e.TIP_DATA_KEY) }),
      ...(e.TIP_DATA_KEY_PREVIOUS && { dataKeyPrevious: parseKey(e.TIP_DATA_KEY_PREVIOUS) }),
      retentionDays: e.TIP_RETENTION_DAYS,
      secretsDir: e.SECRETS_DIR,
      tipsPerSenderPerHour: e.TIPS_PER_SENDER_PER_HOUR,
      statusChecksPerHour: e.STATUS_CHECKS_PER_HOUR,
      tipsPerPlacePerHour: e.TIPS_PER_PLACE_PER_HOUR,
      tipsPerMinute: e.TIPS_PER_MINUTE,
      notifyAttempts: e.NOTIFY_ATTEMPTS,
      backoffMs: e.NOTIFY_BACKOFF_MS,
      chatMinIntervalMs: e.CHAT_MIN_INTERVAL_MS,
      concurrency: e.WORKER_CONCURRENCY,
      lockMs: e.WORKER_LOCK_MS,
      stalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
      ...(e.PHOTO_THREADS && { photoThreads: e.PHOTO_THREADS }),
      photoQueue: e.PHOTO_QUEUE,
      photoTimeoutMs: e.PHOTO_TIMEOUT_MS,
    },
    ...(e.TELEGRAM_BOT_TOKEN && { telegram: { token: e.TELEGRAM_BOT_TOKEN, apiRoot: e.TELEGRAM_API_ROOT } }),
    ...(e.ZALO_BOT_TOKEN && { zalo: { token: e.ZALO_BOT_TOKEN, apiRoot: e.ZALO_API_ROOT } }),
    knowledge: {
      corpusDir: e.KNOWLEDGE_DIR,
      indexDir: e.INDEX_DIR,
      uploadsDir: e.KNOWLEDGE_UPLOADS_DIR,
      embeddingDimensions: e.EMBEDDING_DIMENSIONS,
      minCoverage: e.ANSWER_MIN_COVERAGE,
      ...(e.LLM_BASE_URL &&
        e.LLM_MODEL && {
          llm: {
            baseURL: e.LLM_BASE_URL,
            model: e.LLM_MODEL,
            ...(e.LLM_API_KEY && { apiKey: e.LLM_API_KEY }),
            timeoutMs: e.LLM_TIMEOUT_MS,
          },
        }),
      ...(e.EMBEDDINGS_BASE_URL &&
        e.EMBEDDINGS_MODEL && {
          embeddings: {
            baseURL: e.EMBEDDINGS_BASE_URL,
            apiKey: e.EMBEDDINGS_API_KEY ?? "none",
            model: e.EMBEDDINGS_MODEL,
            dimensions: e.EMBEDDING_DIMENSIONS,
          },
        }),
    },
  };
}

/** For entry files: parses the environment, or prints what is wrong and exits (EX_CONFIG). */
export function configFromEnvOrExit(env: Record<string, string | undefined>): Config {
  try {
    return parseConfig(env);
  } catch (e) {
    console.error(e instanceof ConfigError ? e.message : e);
    process.exit(78);
  }
}
