import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ExcelJS from "exceljs";
import { Redis } from "ioredis";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../bot/local-redis.js";
import { freshDatabase, type TestDatabase } from "../db/engines.js";
import { FakeTelegramApi } from "../fakes/telegram-bot-api.js";
import { Chats } from "../fakes/telegram-chats.js";
import {
  axeViolations,
  chromiumAvailable,
  consoleErrors,
  exited,
  launchChromium,
  startedAt,
} from "../fixtures/browser.js";
import { photoWithMetadata } from "../fixtures/photos.js";

/**
 * The web chat and the console end to end in real headless Chromium (Debian's `chromium`, driven
 * by playwright-core; no browser download): `npm start` with the officers on the fake Telegram
 * Bot API; a parent asks, a student reports a tip with a photo and gets a case code; the
 * commune's officer gets it on Telegram, asks the bot for a sign-in link (/dangnhap), opens the
 * console, acknowledges the case and asks a question; the student answers it from the page, the
 * answer appears in the console, the officer closes the case, the student checks its status, the
 * dashboard counts it and the XLSX report holds it. The server's logs and every Redis value are
 * then searched for the browser's cookie.
 *
 * Waits are on events (a message appearing, the server's start-up lines, a process exiting),
 * never fixed sleeps; those that wait for the server's workers and the pages' polling are long,
 * as a busy 2-core machine can take many seconds to deliver a tip.
 */

const ROOT = resolve(import.meta.dirname, "../..");
const CASE_CODE = /AT-[A-Z0-9]{4}-[A-Z0-9]{2}/;
/** The line that introduces an answer's sources. */
const SOURCES = /(Nguồn|Căn cứ): /;
const HAS_CHROMIUM = chromiumAvailable("web-browser.test");

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

/** The Telegram chat of Phường Đồng Tiến's police duty desk (the example province). */
const OFFICER_CHAT = 100000031;
const TOKEN = "123456:web-browser-test-token-abcdefghij";

describe.skipIf(!HAS_CHROMIUM)("web chat and console in headless Chromium (npm start)", () => {
  const prefix = `test-${randomUUID()}`;
  let dir = "";
  let child: ChildProcess | undefined;
  let browser: Browser | undefined;
  let base = "";
  let logs = "";
  let database: TestDatabase | undefined;
  let api: FakeTelegramApi | undefined;
  let chats: Chats;

  beforeAll(async () => {
    api = await new FakeTelegramApi(TOKEN).start();
    chats = new Chats(api, DELIVERY_MS);
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
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: api.apiRoot,
        PUBLIC_URL: `http://127.0.0.1:${port}`,
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
    base = await startedAt(child, () => logs);
    expect(base).toBe(`http://127.0.0.1:${port}`);
    expect(logs).toContain(`Console:         ${base}/console/ (demo: sign in as any example officer`);
    expect(logs).toContain(`key prefix "${prefix}"`);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    browser = await launchChromium();
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
    await api?.close();
  });

  it("passes the axe-core WCAG 2 A/AA checks on a phone screen, with a conversation on it", {
    timeout: 120_000,
  }, async () => {
    if (!browser) throw new Error("no browser");
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(base);
    await lastMessage(page, "Gửi tin báo ẩn danh");
    await type(page, "so dien thoai duong day nong bao ve tre em");
    await lastMessage(page, SOURCES);
    await page.getByText("Chúng tôi lưu gì về bạn?").click();
    // The status form's fields are checked too.
    await page.getByRole("navigation").getByRole("button", { name: "Tra cứu tin báo" }).click();
    await page.getByLabel("Mã tin báo").waitFor({ timeout: REPLY_MS });
    expect(await axeViolations(page)).toEqual([]);
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

    // The officer of the school's commune gets the tip on Telegram (the fake Bot API), asks the
    // bot for a sign-in link (/dangnhap) and opens it: the console shows the new case.
    await chats.next(OFFICER_CHAT, 0, (m) => m.text.includes(code as string));
    // Its photo, re-encoded: no EXIF, no GPS.
    const sentPhoto = (await chats.next(OFFICER_CHAT, 0, (m) => m.photo !== undefined)).photo as Buffer;
    expect(sentPhoto.includes(Buffer.from("Exif", "latin1"))).toBe(false);
    const reply = await chats.say(OFFICER_CHAT, "/dangnhap", (m) => m.text.includes("/console/dang-nhap#"));
    const link = /(http:\/\/\S+\/console\/dang-nhap#\S+)/.exec(reply.text)?.[1] as string;
    expect(link.startsWith(`${base}/console/dang-nhap#`)).toBe(true);
    const desk = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: "vi-VN",
      acceptDownloads: true,
    });
    const officer = await desk.newPage();
    const officerErrors = consoleErrors(officer);
    await officer.goto(link);
    await officer.getByRole("button", { name: "Đăng nhập", exact: true }).click();
    await officer.waitForURL(`${base}/console/**`);
    const caseLink = officer.getByRole("link", { name: new RegExp(code as string) });
    await caseLink.waitFor({ timeout: DELIVERY_MS });
    await caseLink.click();
    const detail = officer.locator("section.detail");
    await detail.getByText("Có người lạ bán thuốc lá điện tử").waitFor({ timeout: REPLY_MS });
    const photo = detail.getByRole("img").first();
    await photo.waitFor({ timeout: REPLY_MS });
    expect(await photo.getAttribute("src")).toMatch(
      /^\/console\/api\/photos\/[0-9a-f-]{36}\/[a-f0-9]{32}\.jpg\?exp=\d+&sig=[\w-]{43}$/,
    );
    const loaded = `new Promise((resolve) => {
      const img = document.querySelector("section.detail img");
      if (img.complete) resolve(img.naturalWidth);
      img.addEventListener("load", () => resolve(img.naturalWidth));
      img.addEventListener("error", () => resolve(0));
    })`;
    expect(await officer.evaluate(loaded)).toBe(640);
    await detail.getByRole("button", { name: "Xác nhận đã nhận" }).click();
    // The forms are drawn again for the acknowledged case: wait for that before typing.
    await expect
      .poll(() => detail.getByRole("button", { name: "Xác nhận đã nhận" }).count(), { timeout: REPLY_MS })
      .toBe(0);
    await detail.getByLabel("Câu hỏi").fill("Người bán thường đứng ở đâu, mấy giờ?");
    await detail.getByRole("button", { name: "Gửi câu hỏi" }).click();
    await detail.getByText("Chờ người báo tin").first().waitFor({ timeout: REPLY_MS });

    // The student sees the question in the chat (polled from the outbox) and answers it.
    const question = await lastMessage(page, "mấy giờ", DELIVERY_MS);
    expect(question).toContain(code);
    await page.getByRole("log").getByRole("button", { name: "Trả lời" }).last().click();
    await type(page, "Đứng cạnh quán nước đối diện cổng sau, khoảng 17 giờ");
    await lastMessage(page, "Đã chuyển câu trả lời");
    // The answer appears in the case's timeline without a reload (and on Telegram too).
    await detail.getByText("quán nước").waitFor({ timeout: DELIVERY_MS });
    expect((await chats.next(OFFICER_CHAT, 0, (m) => m.text.includes("quán nước"))).text).toContain(code);

    // The officer closes it; the student checks the status with code and PIN in the status form.
    await detail.getByLabel("Kết quả xử lý").selectOption({ label: "Có cơ sở" });
    await detail.getByRole("button", { name: "Đóng vụ việc" }).click();
    await detail.getByText("Đã đóng").first().waitFor({ timeout: REPLY_MS });
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
    // A closed case offers no action any more.
    for (const action of ["Xác nhận đã nhận", "Gửi câu hỏi", "Đóng vụ việc"])
      expect(await detail.getByRole("button", { name: action }).count()).toBe(0);

    // The dashboard counts the case (once its statistics row has reached the database), and the
    // XLSX export of the commune's report holds it.
    await officer.getByRole("navigation").getByRole("link", { name: "Thống kê" }).click();
    // (The numbers' table of a chart is folded under "Bảng số liệu": read its text, not what shows.)
    const outcomes = officer.locator("table", {
      has: officer.locator("caption", { hasText: "Kết quả xử lý" }),
    });
    await expect
      .poll(
        async () => {
          await officer.getByRole("button", { name: "Xem", exact: true }).click();
          return /Có cơ sở\s*1(?!\d)/.test(
            (await outcomes
              .first()
              .textContent()
              .catch(() => "")) ?? "",
          );
        },
        { timeout: DELIVERY_MS },
      )
      .toBe(true);
    await officer.getByRole("navigation").getByRole("link", { name: "Báo cáo" }).click();
    const [download] = await Promise.all([
      officer.waitForEvent("download"),
      officer.getByRole("link", { name: "Tải XLSX" }).click(),
    ]);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile((await download.path()) as string);
    const rowOf = (label: string) => {
      let values: unknown[] = [];
      book.worksheets[0]?.eachRow((row) => {
        const cells = (row.values as unknown[]).slice(1);
        if (cells[0] === label) values = cells.slice(1);
      });
      return values.map(Number);
    };
    // Phường Đồng Tiến: one drugs tip (and its total); the report is the officer's commune only.
    const dongTien = rowOf("Phường Đồng Tiến");
    expect(dongTien.reduce((a, b) => a + b, 0)).toBe(2);
    expect(rowOf("Phường An Hòa")).toEqual([]);

    // The console's pages pass the axe-core WCAG 2.1 A/AA rules: the report, the dashboard, the
    // inbox with the closed case open, on a desktop and on a phone.
    for (const view of ["#bao-cao", "#thong-ke", "#hop-tin"]) {
      await officer.goto(`${base}/console/${view}`);
      await officer
        .locator(`#view-${view.slice(1)} h1`)
        .first()
        .waitFor({ timeout: REPLY_MS });
      if (view === "#hop-tin") {
        await officer
          .getByRole("radio", { name: "Đã đóng" })
          .check()
          .catch(() => undefined);
        await officer.getByRole("link", { name: new RegExp(code as string) }).click();
        await officer.locator("section.detail").getByText("quán nước").waitFor({ timeout: REPLY_MS });
      }
      expect(await axeViolations(officer), view).toEqual([]);
    }
    await officer.setViewportSize({ width: 360, height: 780 });
    expect(await axeViolations(officer), "inbox on a phone").toEqual([]);

    expect(errors).toEqual([]);
    expect(officerErrors).toEqual([]);
    await desk.close();

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
