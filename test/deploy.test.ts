import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONFIG_VARIABLES, parseConfig } from "../config.js";

// `docker build` cannot run here (no engine): these tests keep the deployment files honest.
const ROOT = resolve(import.meta.dirname, "..");
const compose = parse(readFileSync(resolve(ROOT, "compose.yaml"), "utf8")) as {
  services: Record<string, { command?: string[]; environment?: Record<string, string>; build?: string }>;
};
const dockerfile = readFileSync(resolve(ROOT, "Dockerfile"), "utf8");

describe("compose.yaml", () => {
  it("runs bot, worker, a durable Redis and PostgreSQL for the directory", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["bot", "postgres", "redis", "worker"]);
    for (const name of ["bot", "worker"])
      expect(String(compose.services[name]?.environment?.DATABASE_URL)).toMatch(
        /^postgres:\/\/.*@postgres:5432\//,
      );
    const redis = compose.services.redis?.command?.join(" ") ?? "";
    expect(redis).toContain("--appendonly yes");
    expect(redis).toContain("--appendfsync everysec");
    expect(redis).toContain("--maxmemory-policy noeviction");
  });

  it("gives bot and worker only variables the config knows, including what production requires", () => {
    for (const name of ["bot", "worker"]) {
      const env = compose.services[name]?.environment ?? {};
      for (const key of Object.keys(env)) expect(CONFIG_VARIABLES, `${name}: ${key}`).toContain(key);
      const values = Object.fromEntries(
        Object.entries(env).map(([k, v]) => [
          k,
          String(v)
            .replace(/\$\{[A-Z_]+:?-([^}]*)\}/, "$1")
            .replace(/\$\{POSTGRES_PASSWORD:\?[^}]*\}/, "pw"),
        ]),
      );
      // With the secrets filled in, the environment parses as a production config.
      const filled = {
        ...values,
        TIP_REPLY_KEY: "0123456789abcdef".repeat(4),
        TIP_SENDER_SALT: "a-salt-of-sixteen+",
        TIP_DATA_KEY: "fedcba9876543210".repeat(4),
      };
      expect(() => parseConfig(filled)).not.toThrow();
      // compose refuses to start without them
      for (const secret of ["TIP_REPLY_KEY", "TIP_DATA_KEY", "DATABASE_URL"])
        expect(String(env[secret]), secret).toMatch(/:\?/);
    }
    expect(compose.services.worker?.command).toEqual(["node", "dist/app/worker.js"]);
  });
});

describe("Dockerfile", () => {
  it("is multi-stage, runs as a non-root user without dev dependencies, and starts an entry that exists", () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    const cmd = /^CMD \["node", "dist\/(.+)\.js"\]$/m.exec(dockerfile)?.[1];
    expect(cmd).toBeDefined();
    expect(existsSync(resolve(ROOT, `${cmd}.ts`))).toBe(true);
    for (const service of ["bot", "worker"]) {
      const entry = /^dist\/(.+)\.js$/.exec(compose.services[service]?.command?.[1] ?? "")?.[1];
      expect(existsSync(resolve(ROOT, `${entry}.ts`)), service).toBe(true);
    }
  });

  it("ships the files the code reads at run time beside dist/: locales and the web chat page", () => {
    const build = (
      JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")) as { scripts: { build: string } }
    ).scripts.build;
    for (const dir of ["locales", "bot/web/public"]) {
      expect(build, dir).toContain(dir);
      expect(existsSync(resolve(ROOT, dir)), dir).toBe(true);
    }
    expect(dockerfile).toMatch(/^COPY bot \.\/bot$/m);
    expect(dockerfile).toMatch(/^COPY locales \.\/locales$/m);
    expect(existsSync(resolve(ROOT, "bot/web/public/index.html"))).toBe(true);
  });
});
