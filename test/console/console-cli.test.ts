import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDirectoryCli } from "../workers/directory-cli-run.js";
import { type ConsoleHarness, consoleHarness, LINK_SECRET } from "./console-harness.js";

describe("npm run directory -- console-link", () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await consoleHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("prints a one-time link that signs the operator in as the province's admin, once", async () => {
    // The CLI has no database and no Redis here: the link is signed with the sender salt alone.
    const run = await runDirectoryCli(
      {
        TIP_SENDER_SALT: LINK_SECRET.toString("utf8"),
        PUBLIC_URL: "https://antoan.example.vn",
        REDIS_URL: "redis://127.0.0.1:1",
      },
      "console-link",
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const url = run.stdout.trim().split("\n").at(-1) as string;
    expect(url).toMatch(/^https:\/\/antoan\.example\.vn\/console\/dang-nhap#[\w-]+\.[\w-]{43}$/);
    const token = url.split("#")[1];
    const first = await h.as(undefined, "POST", "/console/api/session", { token });
    expect(first.statusCode).toBe(204);
    const cookie = first.cookies.find((c) => c.name === "ssg_console")?.value;
    expect((await h.as(cookie, "GET", "/console/api/me")).json()).toMatchObject({
      isAdmin: true,
      canTriage: false,
    });
    expect((await h.as(undefined, "POST", "/console/api/session", { token })).statusCode).toBe(401);
    expect((await h.audit.latest()).find((a) => a.action === "sign-in" && a.allowed)?.actor).toBe("operator");
  });

  it("refuses extra arguments", async () => {
    const run = await runDirectoryCli({}, "console-link", "--admin");
    expect(run.code).toBe(64);
    expect(run.stderr).toContain("console-link");
  });
});
