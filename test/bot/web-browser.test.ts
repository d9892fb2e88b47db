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
import { freshDatabase, type TestDatabase } from "../db/engines.js";
import { photoWithMetadata } from "../fixtures/photos.js";

/**
 * The web chat end to end in real headless Chromium (Debian's `chromium`, driven by
 * playwright-core; no browser download): `npm start` with no token and the demo officer view
 * on; a parent asks, a student reports a tip with a photo and gets a case code, the demo
 * officer asks a question, the student answers it from the page, the officer closes the case
 * and the student checks its status. The server's logs and every Redis value are then searched
 * for the browser's cookie.
 *
 * Waits are on events (a message appearing, the server's start-up lines, a process exiting),
 * never fixed sleeps; those that wait for the server's workers and the pages' polling are long,
 * as a busy 2-core machine can take many seconds to deliver a tip.
 */

const CHROMIUM = "/usr/bin/chromium";
const ROOT = resolve(import.meta.dirname, "../..");
const CASE_CODE = /AT-[A-Z0-9]{4}-[A-Z0-9]{2}/;
/** The line that introduces an answer's sources. */
const SOURCES = /(Nguồn|Căn cứ): /;
if (!existsSync(CHROMIUM))
  console.warn(
    `web-browser.test: ${CHROMIUM} not found — skipped (apt-get install chromium, or run .ci/run)`,
  );

/** Resolves with the chat's URL once `npm start` prints it (its start-up lines, on stdout). */
function chatUrlPrinted(child: ChildProcess, output: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const look = () => {
      // The whole block is printed at once; its last line is the channels'.
      const url = /Web chat: +(http:\/\/\S+\/).*Channels:/s.exec(output())?.[1];
      if (!url) return;
      child.stdout?.off("data", look);
      resolve(url);
    };
    child.stdout?.on("data", look);
    child.once("exit", (code) => reject(new Error(`npm start exited with ${code}:\n${output()}`)));
  });
}

/** Waits for the process to exit, up to `ms`; true if it did. */
function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** A reply of the server itself: long enough for a loaded machine. */
const REPLY_MS = 30_000;
/** Something the workers deliver and a page polls for (tip → officer, question → tipster). */
const DELIVERY_MS = 90_000;

/** The chat log's last message that matches, once it appears. */
async function lastMessage(page: Page, text: string | RegExp, timeout = REPLY_MS): Promise<string> {
  const item = page.getByRole("log").getByRole("listitem").filter({ hasText: text }).last();
  await item.waitFor({ timeout });
  return item.innerText();
}

/**
 * The newest message's end is on screen above the composer (not under it), and the hotline bar
 * is on screen. Waits for a smooth scroll to end first.
 */
async function expectNewestInView(page: Page): Promise<void> {
  // (Strings: the test is compiled without the DOM library.)
  const measure = `(() => {
    const last = document.querySelector("#log > li:last-child").getBoundingClientRect();
    const replying = document.getElementById("replying");
    const bottomBar = replying.hidden ? document.getElementById("composer") : replying;
    const hotlines = document.querySelector(".emergency").getBoundingClientRect();
    return {
      lastBottom: last.bottom,
      composerTop: bottomBar.getBoundingClientRect().top,
      hotlinesTop: hotlines.top,
      hotlinesBottom: hotlines.bottom,
      viewport: innerHeight,
    };
  })()`;
  // Measured at every animation frame until the message is placed (a smooth scroll ends), or 10 s.
  const settled = `new Promise((resolve) => {
    const end = performance.now() + 10000;
    const tick = () => {
      const m = ${measure};
      if (m.lastBottom <= m.composerTop + 1 || performance.now() > end) resolve(m);
      else requestAnimationFrame(tick);
    };
    tick();
  })`;
  const m = (await page.evaluate(settled)) as Record<string, number>;
  expect(m.lastBottom, JSON.stringify(m)).toBeLessThanOrEqual((m.composerTop as number) + 1);
  expect(m.lastBottom, JSON.stringify(m)).toBeGreaterThan(m.hotlinesBottom as number);
  expect(m.hotlinesTop, JSON.stringify(m)).toBeGreaterThanOrEqual(0);
  expect(m.hotlinesBottom, JSON.stringify(m)).toBeLessThanOrEqual(m.viewport as number);
}

/** Console errors of a page, except the 401 of the first message (the page then opens a session). */
function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of 401/.test(m.text())) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

/** Clicks a button offered in the latest message that has it. */
async function pick(page: Page, label: string | RegExp): Promise<void> {
  await page
    .getByRole("log")
    .getByRole("button", { name: label, exact: typeof label === "string" })
    .last()
    .click();
}

/** Types into the composer (the status form has text boxes too) and sends with Enter. */
async function type(page: Page, text: string): Promise<void> {
  const box = page.locator("#message");
  await box.fill(text);
  await box.press("Enter");
}

describe.skipIf(!existsSync(CHROMIUM))("web chat in headless Chromium (npm start, no tokens)", () => {
  const prefix = `test-${randomUUID()}`;
  let dir = "";
  let child: ChildProcess | undefined;
  let browser: Browser | undefined;
  let base = "";
  let logs = "";
  let database: TestDatabase | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ssg-web-"));
    // The embedded default (PGlite): the demo province is imported into it at start.
    database = await freshDatabase("pglite");
    const port = await freePort();
    child = spawn(process.execPath, ["--import", "tsx", "app/main.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...database.env,
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
    // The first start builds the index: up to a few minutes on a busy machine.
    base = (await chatUrlPrinted(child, () => logs)).replace(/\/$/, "");
    expect(base).toBe(`http://127.0.0.1:${port}`);
    expect(logs).toContain(`Officer demo:    ${base}/canbo.html`);
    expect(logs).toContain(`key prefix "${prefix}"`);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
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
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      if (!(await exited(child, 15_000))) child.kill("SIGKILL");
    }
    const redis = new Redis();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    if (dir) await rm(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it("passes the axe-core WCAG 2 A/AA checks on a phone screen, with a conversation on it", {
    timeout: 120_000,
  }, async () => {
    if (!browser) throw new Error("no browser");
    // axe is injected as a script, which the page's own CSP rightly forbids: bypass it here only.
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(base);
    await lastMessage(page, "Gửi tin báo ẩn danh");
    await type(page, "so dien thoai duong day nong bao ve tre em");
    await lastMessage(page, SOURCES);
    await page.getByText("Chúng tôi lưu gì về bạn?").click();
    // The status form's fields are checked too.
    await page.getByRole("navigation").getByRole("button", { name: "Tra cứu tin báo" }).click();
    await page.getByLabel("Mã tin báo").waitFor({ timeout: REPLY_MS });
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
    timeout: 400_000,
  }, async () => {
    if (!browser) throw new Error("no browser");
    // A phone-sized screen: the page must work there.
    const student = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "vi-VN" });
    const page = await student.newPage();
    const errors = consoleErrors(page);
    await page.goto(base);
    await lastMessage(page, "Gửi tin báo ẩn danh");

    // Ask, without diacritics: a cited answer, with 👍/👎 in words as well.
    await type(page, "di xe may khong doi mu bao hiem bi phat bao nhieu");
    const answer = await lastMessage(page, SOURCES);
    expect(answer).toMatch(/168\/2024\/NĐ-CP/);
    expect(answer).toMatch(/400\.000/);
    const helpful = page.getByRole("log").getByRole("button", { name: "Hữu ích", exact: true }).last();
    expect(await helpful.innerText()).toBe("👍 Hữu ích");
    await page.getByRole("log").getByRole("button", { name: "Chưa hữu ích", exact: true }).last().waitFor();
    await expectNewestInView(page);
    // SCREENSHOT_DIR=bot/web npx vitest run web-browser renews the README's picture.
    if (process.env.SCREENSHOT_DIR) {
      await mkdir(process.env.SCREENSHOT_DIR, { recursive: true });
      // The whole conversation in one tall phone screen: the conversation scrolls inside the
      // page, so the screen grows by what is scrolled away.
      // (Strings: the test is compiled without the DOM library.)
      const height = Number(
        await page.evaluate(
          "(() => { const s = document.getElementById('scroll'); return innerHeight + s.scrollHeight - s.clientHeight; })()",
        ),
      );
      await page.setViewportSize({ width: 390, height });
      await page.evaluate("document.activeElement?.blur()");
      await expectNewestInView(page);
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
    // The case code and PIN, at the end of the newest message, are not under the composer.
    await expectNewestInView(page);

    // The demo officer view: the tip arrived with its photo, and the officer asks a question.
    const officer = await browser.newPage();
    const officerErrors = consoleErrors(officer);
    await officer.goto(`${base}/canbo.html`);
    const tipMessage = await lastMessage(officer, code as string, DELIVERY_MS);
    expect(tipMessage).toContain("1 ảnh đính kèm");
    expect(tipMessage).toContain("Trường THPT Trần Phú");
    const photo = officer.getByRole("img", { name: "Ảnh kèm tin báo (đã xóa thông tin ẩn)" });
    await photo.waitFor({ timeout: REPLY_MS });
    expect(await photo.getAttribute("src")).toMatch(/^\/demo\/photos\/[a-f0-9]{32}\.jpg$/);
    const loaded = `new Promise((resolve) => {
      const img = document.querySelector("#log img");
      if (img.complete) resolve(img.naturalWidth);
      img.addEventListener("load", () => resolve(img.naturalWidth));
      img.addEventListener("error", () => resolve(0));
    })`;
    expect(await officer.evaluate(loaded)).toBe(640);
    await pick(officer, "Nhận xử lý");
    await lastMessage(officer, "Đã nhận xử lý");
    await pick(officer, "Hỏi thêm");
    await lastMessage(officer, "Gõ câu hỏi");
    await type(officer, "Người bán thường đứng ở đâu, mấy giờ?");
    await lastMessage(officer, "Đã chuyển câu hỏi");

    // The student sees the question in the chat (polled from the outbox) and answers it.
    const question = await lastMessage(page, "mấy giờ", DELIVERY_MS);
    expect(question).toContain(code);
    await page.getByRole("log").getByRole("button", { name: "Trả lời" }).last().click();
    await type(page, "Đứng cạnh quán nước đối diện cổng sau, khoảng 17 giờ");
    await lastMessage(page, "Đã chuyển câu trả lời");
    const relayed = await lastMessage(officer, "quán nước", DELIVERY_MS);
    expect(relayed).toContain(code);

    // The officer closes it; the student checks the status with code and PIN in the status form.
    await pick(officer, "Đóng");
    await pick(officer, "Có cơ sở");
    await lastMessage(officer, "Đã đóng tin báo");
    await page.getByRole("navigation").getByRole("button", { name: "Tra cứu tin báo" }).click();
    await page.getByLabel("Mã tin báo").fill(code as string);
    await page.getByLabel("Mã PIN (6 chữ số)").fill(pin as string);
    await page.getByRole("button", { name: "Tra cứu", exact: true }).click();
    const status = await lastMessage(page, new RegExp(`Tin báo ${code}: `));
    expect(status).toContain("đã xử lý xong");
    // The PIN is not written into the conversation.
    expect(await page.getByRole("log").innerText()).toContain(`Tra cứu tin báo ${code}`);
    expect(await page.getByRole("log").getByText(`${code} ${pin}`).count()).toBe(0);
    // After a long conversation: the newest message above the composer, the hotlines on top.
    await expectNewestInView(page);

    // Reloaded, the officer's page offers no action on the closed case.
    await officer.reload();
    await lastMessage(officer, "quán nước", DELIVERY_MS);
    const closedTip = await lastMessage(officer, "TIN BÁO MỚI");
    expect(closedTip).toContain("Trạng thái: đã đóng");
    for (const action of ["Nhận xử lý", "Hỏi thêm", "Đóng"])
      expect(await officer.getByRole("log").getByRole("button", { name: action, exact: true }).count()).toBe(
        0,
      );

    expect(errors).toEqual([]);
    expect(officerErrors).toEqual([]);

    // The browser's only identity, its cookie (the random chat id and its signature), is nowhere
    // in the logs or in Redis.
    const raw = (await student.cookies()).find((c) => c.name === "ssg_chat")?.value ?? "";
    const cookie = decodeURIComponent(raw);
    expect(cookie).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9+/]{43}$/);
    const chatId = cookie.split(".")[0] as string;
    for (const secret of [raw, cookie, chatId]) expect(logs).not.toContain(secret);
    expect(logs).not.toMatch(/remoteAddress|"ip"|user-agent|cookie/i);
    expect(logs).toMatch(/"route":"\/chat\/message","status":200/);
    const redis = new Redis();
    try {
      const keys = await redis.keys(`${prefix}*`);
      expect(keys.length).toBeGreaterThan(10);
      for (const key of keys) {
        const value = await readValue(redis, key);
        for (const secret of [raw, cookie, chatId]) {
          expect(key).not.toContain(secret);
          expect(value, key).not.toContain(secret);
        }
      }
    } finally {
      redis.disconnect();
    }
    await student.close();
  });

  it("words the page's own notices and 👍/👎 in English once the chat is in English", {
    timeout: 120_000,
  }, async () => {
    if (!browser) throw new Error("no browser");
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const errors = consoleErrors(page);
    await page.goto(base);
    await lastMessage(page, "Gửi tin báo ẩn danh");
    await type(page, "/lang en");
    await lastMessage(page, "answer in English");
    await type(page, "di xe may khong doi mu bao hiem bi phat bao nhieu");
    await lastMessage(page, /168\/2024/);
    expect(await page.getByRole("log").getByRole("button", { name: "Helpful", exact: true }).count()).toBe(1);
    // A photo over the web limit is refused before it is uploaded, with the limit.
    await page.setInputFiles("#photo", {
      name: "big.jpg",
      mimeType: "image/jpeg",
      buffer: Buffer.alloc(15 * 1024 * 1024 + 1, 0xff),
    });
    expect(await lastMessage(page, "too large")).toContain("up to 15 MB");
    expect(errors).toEqual([]);
    await context.close();
  });
});

/**
 * A key's value as text, read by its type (DUMP is RDB-encoded and may be compressed, so a
 * cookie inside a hash, list or stream would not show in it).
 */
async function readValue(redis: Redis, key: string): Promise<string> {
  switch (await redis.type(key)) {
    case "string":
      return (await redis.getBuffer(key))?.toString("latin1") ?? "";
    case "hash":
      return JSON.stringify(await redis.hgetall(key));
    case "list":
      return JSON.stringify(await redis.lrange(key, 0, -1));
    case "set":
      return JSON.stringify(await redis.smembers(key));
    case "zset":
      return JSON.stringify(await redis.zrange(key, 0, -1, "WITHSCORES"));
    case "stream":
      return JSON.stringify(await redis.xrange(key, "-", "+"));
    case "none":
      return "";
    default:
      throw new Error(`${key}: a type this test cannot read`);
  }
}
