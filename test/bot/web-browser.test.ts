import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../bot/local-redis.js";
import { photoWithMetadata } from "../fixtures/photos.js";

/**
 * The web chat end to end in real headless Chromium (Debian's `chromium`, driven by
 * playwright-core; no browser download): `npm start` with no token and the demo officer view
 * on; a parent asks, a student reports a tip with a photo and gets a case code, the demo
 * officer asks a question, the student answers it from the page, the officer closes the case
 * and the student checks its status. The server's logs and Redis are then searched for the
 * browser's cookie.
 */

const CHROMIUM = "/usr/bin/chromium";
const ROOT = resolve(import.meta.dirname, "../..");
const CASE_CODE = /AT-[A-Z0-9]{4}-[A-Z0-9]{2}/;
if (!existsSync(CHROMIUM))
  console.warn(
    `web-browser.test: ${CHROMIUM} not found — skipped (apt-get install chromium, or run .ci/run)`,
  );

async function waitForHealth(base: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
    const ok = await fetch(`${base}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("the server did not become healthy");
}

/** The chat log's last message that matches, once it appears. */
async function lastMessage(page: Page, text: string | RegExp): Promise<string> {
  const item = page.getByRole("log").getByRole("listitem").filter({ hasText: text }).last();
  await item.waitFor({ timeout: 20_000 });
  return item.innerText();
}

/** Clicks a button offered in the latest message that has it. */
async function pick(page: Page, label: string | RegExp): Promise<void> {
  await page
    .getByRole("log")
    .getByRole("button", { name: label, exact: typeof label === "string" })
    .last()
    .click();
}

async function type(page: Page, text: string): Promise<void> {
  await page.getByRole("textbox").fill(text);
  await page.keyboard.press("Enter");
}

describe.skipIf(!existsSync(CHROMIUM))("web chat in headless Chromium (npm start, no tokens)", () => {
  const prefix = `test-${randomUUID()}`;
  let dir = "";
  let child: ChildProcess | undefined;
  let browser: Browser | undefined;
  let base = "";
  let logs = "";

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ssg-web-"));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ["--import", "tsx", "bot/main.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        QUEUE_PREFIX: prefix,
        INDEX_DIR: join(dir, "index"),
        SECRETS_DIR: join(dir, "secrets"),
        WEB_DEMO_OFFICERS: "true",
        LOG_LEVEL: "info",
        PORT: String(port),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d: Buffer) => {
      logs += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
      logs += d.toString();
    });
    await waitForHealth(base, child);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null) child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    if (child && child.exitCode === null) child.kill("SIGKILL");
    const redis = new Redis();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("passes the axe-core WCAG 2 A/AA checks on a phone screen, with a conversation on it", {
    timeout: 60_000,
  }, async () => {
    if (!browser) throw new Error("no browser");
    // axe is injected as a script, which the page's own CSP rightly forbids: bypass it here only.
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(base);
    await lastMessage(page, "Gửi tin báo ẩn danh");
    await type(page, "so dien thoai duong day nong bao ve tre em");
    await lastMessage(page, "Nguồn:");
    await page.getByText("Chúng tôi lưu gì về bạn?").click();
    await page.addScriptTag({ path: createRequire(import.meta.url).resolve("axe-core/axe.min.js") });
    const result = (await page.evaluate(
      "axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })",
    )) as { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };
    const found = result.violations.map(
      (v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
    );
    expect(found).toEqual([]);
    await context.close();
  });

  it("asks with a cited answer, reports a tip, answers the officer, and checks the status", {
    timeout: 120_000,
  }, async () => {
    if (!browser) throw new Error("no browser");
    // A phone-sized screen: the page must work there.
    const student = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "vi-VN" });
    const page = await student.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(base);
    await lastMessage(page, "Gửi tin báo ẩn danh");

    // Ask, without diacritics: a cited answer.
    await type(page, "di xe may khong doi mu bao hiem bi phat bao nhieu");
    const answer = await lastMessage(page, "Nguồn:");
    expect(answer).toMatch(/168\/2024\/NĐ-CP/);
    expect(answer).toMatch(/400\.000/);
    // SCREENSHOT_DIR=bot/web npx vitest run web-browser renews the README's picture.
    if (process.env.SCREENSHOT_DIR) {
      await mkdir(process.env.SCREENSHOT_DIR, { recursive: true });
      // The whole conversation in one tall phone screen (the composer sticks to its bottom).
      // (Strings: the test is compiled without the DOM library.)
      const height = Number(await page.evaluate("document.documentElement.scrollHeight"));
      await page.setViewportSize({ width: 390, height });
      await page.evaluate("document.activeElement?.blur()");
      await page.screenshot({ path: join(process.env.SCREENSHOT_DIR, "screenshot.png") });
      await page.setViewportSize({ width: 390, height: 844 });
    }

    // Report a tip with a photo carrying GPS in its EXIF.
    await page.getByRole("navigation").getByRole("button", { name: "Báo tin ẩn danh" }).click();
    await lastMessage(page, "KHÔNG lưu tên");
    await pick(page, "Ma túy");
    await lastMessage(page, "Việc xảy ra ở đâu");
    await type(page, "thpt tran phu");
    await pick(page, "Trường THPT Trần Phú");
    await lastMessage(page, "Điều gì đã xảy ra");
    await type(page, "Có người lạ bán thuốc lá điện tử có chất lạ ở cổng sau giờ tan học");
    await lastMessage(page, "Bạn có ảnh không");
    await page.setInputFiles("#photo", {
      name: "cong-truong.jpg",
      mimeType: "image/jpeg",
      buffer: await photoWithMetadata(640, 480),
    });
    await lastMessage(page, "Đã nhận 1 ảnh");
    await pick(page, "Xong");
    await pick(page, "Bình thường");
    await lastMessage(page, "Kiểm tra lại tin báo");
    await pick(page, "Gửi");
    const sent = await lastMessage(page, "Mã tin báo");
    const code = CASE_CODE.exec(sent)?.[0];
    const pin = /Mã PIN: (\d{6})/.exec(sent)?.[1];
    expect(code).toBeDefined();
    expect(pin).toBeDefined();

    // The demo officer view: the tip arrived with its photo, and the officer asks a question.
    const officer = await browser.newPage();
    await officer.goto(`${base}/canbo.html`);
    const tipMessage = await lastMessage(officer, code as string);
    expect(tipMessage).toContain("📷 1 ảnh");
    expect(tipMessage).toContain("Trường THPT Trần Phú");
    await pick(officer, "Nhận xử lý");
    await lastMessage(officer, "Đã nhận xử lý");
    await pick(officer, "Hỏi thêm");
    await lastMessage(officer, "Gõ câu hỏi");
    await type(officer, "Người bán thường đứng ở đâu, mấy giờ?");
    await lastMessage(officer, "Đã chuyển câu hỏi");

    // The student sees the question in the chat (polled from the outbox) and answers it.
    const question = await lastMessage(page, "mấy giờ");
    expect(question).toContain(code);
    await page.getByRole("log").getByRole("button", { name: "Trả lời" }).last().click();
    await type(page, "Đứng cạnh quán nước đối diện cổng sau, khoảng 17 giờ");
    await lastMessage(page, "Đã chuyển câu trả lời");
    const relayed = await lastMessage(officer, "quán nước");
    expect(relayed).toContain(code);

    // The officer closes it; the student checks the status with code and PIN.
    await pick(officer, "Đóng");
    await pick(officer, "Có cơ sở");
    await lastMessage(officer, "Đã đóng tin báo");
    await page.getByRole("navigation").getByRole("button", { name: "Tra cứu tin báo" }).click();
    await type(page, `/trangthai ${code} ${pin}`);
    const status = await lastMessage(page, new RegExp(`Tin báo ${code}: `));
    expect(status).toContain("đã xử lý xong");

    expect(pageErrors).toEqual([]);

    // The browser's only identity, its cookie, is nowhere in the logs or in Redis.
    const cookie = (await student.cookies()).find((c) => c.name === "ssg_chat")?.value;
    expect(cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(logs).not.toContain(cookie);
    expect(logs).not.toMatch(/remoteAddress|"ip"|user-agent|cookie/i);
    expect(logs).toMatch(/"route":"\/chat\/message","status":200/);
    const redis = new Redis();
    try {
      for (const key of await redis.keys(`${prefix}*`)) {
        expect(key).not.toContain(cookie);
        const type = await redis.type(key);
        const dump = type === "string" ? await redis.get(key) : JSON.stringify(await redis.dump(key));
        expect(dump ?? "").not.toContain(cookie);
      }
    } finally {
      redis.disconnect();
    }
    await student.close();
  });
});
