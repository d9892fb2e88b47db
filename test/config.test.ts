import { describe, expect, it } from "vitest";
import { type ConfigError, parseConfig } from "../config.js";
import { DEFAULT_ANSWER } from "../knowledge/answer/compose.js";

/** The ConfigError thrown by parseConfig for `env`, or a failure if none is thrown. */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    parseConfig(env);
  } catch (e) {
    expect((e as Error).name).toBe("ConfigError");
    return e as ConfigError;
  }
  throw new Error(`parseConfig accepted ${JSON.stringify(env)}`);
}

describe("parseConfig", () => {
  it("gives the defaults for an empty environment", () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      env: "development",
      logLevel: "info",
      redisUrl: "redis://127.0.0.1:6379",
      knowledge: {
        corpusDir: "knowledge/corpus",
        indexDir: "data/index",
        embeddingDimensions: 768,
        minCoverage: DEFAULT_ANSWER.minCoverage,
      },
      tips: {
        prefix: "ssg",
        routingFile: "workers/routing/example-province.yaml",
        tipsPerSenderPerHour: 5,
        chatMinIntervalMs: 1000,
      },
    });
    expect(config.knowledge.embeddings).toBeUndefined();
    expect(config.tips.replyKey).toBeUndefined();
    expect(config.telegram).toBeUndefined();
  });

  it("treats empty strings as not set", () => {
    expect(parseConfig({ EMBEDDING_DIMENSIONS: "", EMBEDDINGS_BASE_URL: "", LOG_LEVEL: "" })).toEqual(
      parseConfig({}),
    );
  });

  it("reads and coerces the values it is given", () => {
    const config = parseConfig({
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      KNOWLEDGE_DIR: "/srv/corpus",
      INDEX_DIR: "/srv/index",
      EMBEDDING_DIMENSIONS: "256",
      ANSWER_MIN_COVERAGE: "0.3",
    });
    expect(config).toMatchObject({
      env: "test",
      logLevel: "silent",
      knowledge: {
        corpusDir: "/srv/corpus",
        indexDir: "/srv/index",
        embeddingDimensions: 256,
        minCoverage: 0.3,
      },
    });
  });

  it("requires the tip secrets in production and checks the reply key's form", () => {
    const problems = configError({ NODE_ENV: "production" }).problems.map((p) => p.variable);
    expect(problems).toEqual(expect.arrayContaining(["TIP_REPLY_KEY", "TIP_SENDER_SALT", "TIP_DATA_KEY"]));
    expect(configError({ TIP_REPLY_KEY: "abcd" }).message).toContain("TIP_REPLY_KEY");
    const key = "0123456789abcdef".repeat(4);
    const dataKey = "fedcba9876543210".repeat(4);
    const config = parseConfig({
      NODE_ENV: "production",
      TIP_REPLY_KEY: key,
      TIP_SENDER_SALT: "a-long-enough-salt",
      TIP_DATA_KEY: dataKey,
    });
    expect(config.tips.replyKey?.toString("hex")).toBe(key);
    expect(config.tips.dataKey?.toString("hex")).toBe(dataKey);
    expect(config.tips.retentionDays).toBe(180);
  });

  it("keeps the data key apart from the reply key, and a rotation's previous key apart from the new one", () => {
    const key = "0123456789abcdef".repeat(4);
    const other = "fedcba9876543210".repeat(4);
    const same = configError({ TIP_REPLY_KEY: key, TIP_DATA_KEY: key });
    expect(same.problems).toEqual([expect.objectContaining({ variable: "TIP_DATA_KEY" })]);
    expect(same.message).toContain("must differ from TIP_REPLY_KEY");
    // The same bytes written another way (base64) are the same key.
    const b64 = Buffer.from(key, "hex").toString("base64");
    expect(configError({ TIP_REPLY_KEY: key, TIP_DATA_KEY: b64 }).problems[0]?.variable).toBe("TIP_DATA_KEY");
    expect(configError({ TIP_DATA_KEY: other, TIP_DATA_KEY_PREVIOUS: other }).problems[0]?.variable).toBe(
      "TIP_DATA_KEY_PREVIOUS",
    );
    expect(configError({ TIP_DATA_KEY_PREVIOUS: other }).problems[0]?.variable).toBe("TIP_DATA_KEY_PREVIOUS");
    expect(configError({ TIP_DATA_KEY: "abcd" }).problems[0]?.variable).toBe("TIP_DATA_KEY");
    expect(configError({ TIP_RETENTION_DAYS: "0" }).problems[0]?.variable).toBe("TIP_RETENTION_DAYS");
    expect(
      configError({ TIP_REPLY_KEY: key, TIP_DATA_KEY: other, TIP_DATA_KEY_PREVIOUS: b64 }).problems,
    ).toEqual([expect.objectContaining({ variable: "TIP_DATA_KEY_PREVIOUS" })]);
    const previous = "00112233445566778899aabbccddeeff".repeat(2);
    const rotating = parseConfig({
      TIP_REPLY_KEY: key,
      TIP_DATA_KEY: other,
      TIP_DATA_KEY_PREVIOUS: Buffer.from(previous, "hex").toString("base64"),
    });
    expect(rotating.tips.dataKeyPrevious?.toString("hex")).toBe(previous);
  });

  it("needs a public URL and a webhook secret in webhook mode", () => {
    const problems = configError({ BOT_MODE: "webhook" }).problems.map((p) => p.variable);
    expect(problems).toEqual(expect.arrayContaining(["PUBLIC_URL", "WEBHOOK_SECRET"]));
    expect(configError({ WEBHOOK_SECRET: "short" }).message).toContain("WEBHOOK_SECRET");
    const c = parseConfig({
      BOT_MODE: "webhook",
      PUBLIC_URL: "https://bot.example.vn/",
      WEBHOOK_SECRET: "s3cret-for-hooks",
    });
    expect(c.mode).toEqual({
      kind: "webhook",
      publicUrl: "https://bot.example.vn",
      secret: "s3cret-for-hooks",
    });
    expect(parseConfig({}).mode).toEqual({ kind: "polling" });
  });

  it("checks the Telegram token and the Redis URL", () => {
    expect(configError({ TELEGRAM_BOT_TOKEN: "not-a-token" }).message).toContain("TELEGRAM_BOT_TOKEN");
    expect(configError({ REDIS_URL: "http://127.0.0.1:6379" }).message).toContain("REDIS_URL");
    expect(configError({ TELEGRAM_API_ROOT: "ftp://x" }).message).toContain("TELEGRAM_API_ROOT");
    const t = parseConfig({
      TELEGRAM_BOT_TOKEN: "123456:ABCdefGHIjklMNOpqrSTUvwx",
      TELEGRAM_API_ROOT: "http://127.0.0.1:9",
    });
    expect(t.telegram).toEqual({ token: "123456:ABCdefGHIjklMNOpqrSTUvwx", apiRoot: "http://127.0.0.1:9" });
  });

  it("configures an embeddings endpoint only with a base URL and a model", () => {
    const config = parseConfig({
      EMBEDDINGS_BASE_URL: "http://127.0.0.1:8080/v1",
      EMBEDDINGS_MODEL: "bge-m3",
      EMBEDDING_DIMENSIONS: "1024",
    });
    expect(config.knowledge.embeddings).toEqual({
      baseURL: "http://127.0.0.1:8080/v1",
      apiKey: "none",
      model: "bge-m3",
      dimensions: 1024,
    });
    expect(parseConfig({ EMBEDDINGS_MODEL: "bge-m3" }).knowledge.embeddings).toBeUndefined();
  });

  it.each([
    ["EMBEDDING_DIMENSIONS", "abc"],
    ["EMBEDDING_DIMENSIONS", "0"],
    ["EMBEDDING_DIMENSIONS", "12.5"],
    ["EMBEDDING_DIMENSIONS", "5000"],
    ["ANSWER_MIN_COVERAGE", "2"],
    ["ANSWER_MIN_COVERAGE", "-0.1"],
    ["ANSWER_MIN_COVERAGE", "half"],
    ["LOG_LEVEL", "verbose"],
    ["NODE_ENV", "staging"],
  ])("rejects %s=%s with a ConfigError naming the variable", (variable, value) => {
    const error = configError({ [variable]: value });
    expect(error.message).toContain(variable);
    expect(error.problems.map((p) => p.variable)).toEqual([variable]);
  });

  it("rejects a base URL that is not an http(s) URL", () => {
    for (const value of ["not a url", "ftp://example.org/v1"]) {
      const error = configError({ EMBEDDINGS_BASE_URL: value, EMBEDDINGS_MODEL: "m" });
      expect(error.message).toContain("EMBEDDINGS_BASE_URL");
      // "not a url" fails both the URL check and the http(s) check; both name the variable.
      expect(new Set(error.problems.map((p) => p.variable))).toEqual(new Set(["EMBEDDINGS_BASE_URL"]));
    }
  });

  it("requires EMBEDDINGS_MODEL when EMBEDDINGS_BASE_URL is set", () => {
    const error = configError({ EMBEDDINGS_BASE_URL: "https://api.example.org/v1" });
    expect(error.problems).toEqual([
      { variable: "EMBEDDINGS_MODEL", message: "required when EMBEDDINGS_BASE_URL is set" },
    ]);
    expect(error.message).toContain("EMBEDDINGS_MODEL");
  });

  it("lists every bad variable at once", () => {
    const error = configError({ EMBEDDING_DIMENSIONS: "abc", ANSWER_MIN_COVERAGE: "2", LOG_LEVEL: "loud" });
    expect(error.problems.map((p) => p.variable).sort()).toEqual([
      "ANSWER_MIN_COVERAGE",
      "EMBEDDING_DIMENSIONS",
      "LOG_LEVEL",
    ]);
    for (const v of ["ANSWER_MIN_COVERAGE", "EMBEDDING_DIMENSIONS", "LOG_LEVEL"])
      expect(error.message).toContain(v);
  });

  it("serves the web chat by default, with the demo officer view off and never in production", () => {
    const config = parseConfig({});
    expect(config.web).toEqual({ secureCookies: false, embedOrigins: [], demoOfficers: false });
    expect(parseConfig({ WEB_CHAT: "false" }).web).toBeUndefined();
    expect(parseConfig({ WEB_DEMO_OFFICERS: "true" }).web?.demoOfficers).toBe(true);
    const error = configError({
      NODE_ENV: "production",
      TIP_REPLY_KEY: "0123456789abcdef".repeat(4),
      TIP_SENDER_SALT: "s".repeat(32),
      TIP_DATA_KEY: "fedcba9876543210".repeat(4),
      WEB_DEMO_OFFICERS: "1",
    });
    expect(error.problems.map((p) => p.variable)).toEqual(["WEB_DEMO_OFFICERS"]);
    expect(configError({ WEB_CHAT: "yes" }).problems.map((p) => p.variable)).toEqual(["WEB_CHAT"]);
  });

  it("allows embedding the chat only from https origins behind an https PUBLIC_URL", () => {
    const ok = parseConfig({
      PUBLIC_URL: "https://bot.example.org",
      WEB_EMBED_ORIGINS: "https://thpt-tran-phu.edu.vn, https://www.example.org:8443",
    });
    expect(ok.web).toMatchObject({
      secureCookies: true,
      embedOrigins: ["https://thpt-tran-phu.edu.vn", "https://www.example.org:8443"],
    });
    expect(
      configError({ WEB_EMBED_ORIGINS: "https://thpt-tran-phu.edu.vn" }).problems.map((p) => p.variable),
    ).toEqual(["WEB_EMBED_ORIGINS"]);
    expect(
      configError({ PUBLIC_URL: "https://bot.example.org", WEB_EMBED_ORIGINS: "http://plain.example.org" })
        .problems[0]?.variable,
    ).toBe("WEB_EMBED_ORIGINS");
  });
});
