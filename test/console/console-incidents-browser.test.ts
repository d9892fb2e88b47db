import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations, chromiumAvailable, consoleErrors, launchChromium } from "../fixtures/browser.js";
import { CHATS, type ConsoleHarness, consoleHarness } from "./console-harness.js";

/**
 * The "Sự việc của trường" page and its printable report in headless Chromium, served by the
 * console harness over the real incident desk: the head of a school sees the incident a teacher
 * reported, its detail and timeline, the counts, and the printable report without the pupil's
 * name; the commune's officer gets the action forms. Each state passes axe's WCAG 2.1 A/AA rules
 * under the console's strict CSP, with no console error.
 */

const HAS_CHROMIUM = chromiumAvailable("console-incidents-browser.test");
const SCHOOL = "thpt-tran-phu";
const PUPIL = "Trần Thị Cúc";
const WAIT_MS = 20_000;

describe.skipIf(!HAS_CHROMIUM)("the school's incident log in headless Chromium", () => {
  let h: ConsoleHarness;
  let browser: Browser;
  let base = "";
  let code = "";
  const cookies: Record<string, string> = {};

  beforeAll(async () => {
    h = await consoleHarness({ incidents: true });
    const desk = h.rt.incidents;
    if (!desk) throw new Error("the runtime has no incident desk");
    for (const [key, schoolRole, name] of [
      ["head", "head", "Thầy Hùng"],
      ["teacher", "teacher", "Cô Mai"],
    ] as const) {
      const chat = { channel: "telegram" as const, chatId: `browser-${key}` };
      const minted = await h.invitations.mint(
        { role: "school-staff", schoolId: SCHOOL, schoolRole },
        { by: "cli:test" },
      );
      await h.invitations.join(minted.code, chat, { name });
      cookies[key] = await h.signIn({ kind: "chat", ...chat });
      if (key === "teacher")
        code = (
          await desk.report(chat, {
            kind: "bao-luc-hoc-duong",
            urgency: "khan-cap",
            occurredAt: Date.now() - 600_000,
            place: "cong-truong",
            description: "Một nhóm thanh niên chặn đánh học sinh ở cổng trường.",
            involved: [{ role: "hoc-sinh", className: "11B1", name: PUPIL }],
          })
        ).caseCode;
    }
    cookies.officer = await h.signIn(CHATS.dongTien);
    await h.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  /** A page signed in as `who` (the session cookie set as the sign-in link would). */
  const pageAs = async (who: string): Promise<{ page: Page; errors: string[] }> => {
    const context = await browser.newContext();
    await context.addCookies([{ name: "ssg_console", value: cookies[who] ?? "", url: `${base}/console/` }]);
    // The icon is the web app's (npm start), not the console's: answered here instead.
    await context.route("**/favicon.svg", (route) =>
      route.fulfill({ contentType: "image/svg+xml", body: '<svg xmlns="http://www.w3.org/2000/svg"/>' }),
    );
    const page = await context.newPage();
    return { page, errors: consoleErrors(page) };
  };

  it("shows the head the list, the counts and the detail, accessibly", async () => {
    const { page, errors } = await pageAs("head");
    await page.goto(`${base}/console/#su-viec`);
    await page.getByRole("heading", { level: 1, name: "Sự việc của trường" }).waitFor({ timeout: WAIT_MS });
    const link = page.getByRole("link", { name: new RegExp(code) });
    await link.waitFor({ timeout: WAIT_MS });
    await page
      .getByRole("heading", { name: /Trường THPT Trần Phú: 1 vụ việc/ })
      .waitFor({ timeout: WAIT_MS });
    expect(await page.locator("#view-su-viec").innerText()).not.toContain(PUPIL);
    expect(await axeViolations(page)).toEqual([]);

    await link.click();
    await page.getByRole("heading", { name: `Vụ việc ${code}` }).waitFor({ timeout: WAIT_MS });
    await page.getByText(PUPIL).waitFor({ timeout: WAIT_MS });
    await page.getByText("Nhà trường báo cáo").waitFor({ timeout: WAIT_MS });
    expect(await axeViolations(page)).toEqual([]);

    // The period presets fill the dates; the links follow.
    await page.getByLabel("Kỳ báo cáo").selectOption({ index: 1 });
    const href = await page.getByRole("link", { name: "Trang in" }).getAttribute("href");
    expect(href).toMatch(/^\/console\/su-viec-in\.html\?from=\d{4}-09-01&to=\d{4}-11-15$/);
    expect(errors).toEqual([]);
  });

  it("prints the school's report without the pupil's name, accessibly", async () => {
    const { page, errors } = await pageAs("head");
    await page.goto(`${base}/console/su-viec-in.html`);
    await page.getByRole("heading", { level: 1, name: /BÁO CÁO/ }).waitFor({ timeout: WAIT_MS });
    const text = await page.locator("main").innerText();
    expect(text).toContain(code);
    expect(text).toContain("HIỆU TRƯỞNG");
    expect(text).not.toContain(PUPIL);
    expect(text).not.toContain("chặn đánh");
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("gives the commune's officer the action forms, accessibly", async () => {
    const { page, errors } = await pageAs("officer");
    await page.goto(`${base}/console/#su-viec/${await idOf(code)}`);
    await page.getByRole("heading", { name: `Vụ việc ${code}` }).waitFor({ timeout: WAIT_MS });
    await page.getByRole("button", { name: "Nhận xử lý" }).waitFor({ timeout: WAIT_MS });
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Nhận xử lý" }).click();
    await page.getByText(`Đã nhận xử lý vụ việc ${code}.`).waitFor({ timeout: WAIT_MS });
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  /** The incident's id, as the head's list gives it. */
  async function idOf(caseCode: string): Promise<string> {
    const r = await h.as(cookies.head, "GET", "/console/api/incidents");
    const found = (r.json() as { incidents: { id: string; caseCode: string }[] }).incidents.find(
      (i) => i.caseCode === caseCode,
    );
    if (!found) throw new Error(`no incident ${caseCode}`);
    return found.id;
  }
});
