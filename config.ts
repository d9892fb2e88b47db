import { z } from "zod";

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

const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    KNOWLEDGE_DIR: z.string().min(1).default("knowledge/corpus"),
    INDEX_DIR: z.string().min(1).default("data/index"),
    EMBEDDING_DIMENSIONS: positiveInt.max(4096).default(768),
    EMBEDDINGS_BASE_URL: url.optional(),
    EMBEDDINGS_API_KEY: z.string().min(1).optional(),
    EMBEDDINGS_MODEL: z.string().min(1).optional(),
    ANSWER_MIN_COVERAGE: ratio.default(0.45),
  })
  .superRefine((env, ctx) => {
    if (env.EMBEDDINGS_BASE_URL && !env.EMBEDDINGS_MODEL)
      ctx.addIssue({
        code: "custom",
        path: ["EMBEDDINGS_MODEL"],
        message: "required when EMBEDDINGS_BASE_URL is set",
      });
  });

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
    readonly embeddingDimensions: number;
    /** Optional upgrade: embeddings from an OpenAI-compatible endpoint instead of the offline model. */
    readonly embeddings?: ModelEndpoint & { readonly dimensions: number };
    readonly minCoverage: number;
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
    knowledge: {
      corpusDir: e.KNOWLEDGE_DIR,
      indexDir: e.INDEX_DIR,
      embeddingDimensions: e.EMBEDDING_DIMENSIONS,
      minCoverage: e.ANSWER_MIN_COVERAGE,
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
