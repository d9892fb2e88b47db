import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { TipRejectedError } from "../../workers/intake.js";
import { senderKey } from "../../workers/tip/sender-key.js";
import { testDialogue } from "../bot/dialogue-harness.js";
import { RecordingMessenger } from "../fakes/recording-messenger.js";
import { type TestRuntime, testRuntime } from "./harness.js";

const tip = (schoolId = "thcs-an-hoa") => ({
  category: "bao-luc-hoc-duong",
  urgency: "binh-thuong",
  place: { schoolId },
  description: "Nhóm học sinh lớp 9 chặn đường bắt nạt một bạn lớp 6 sau giờ học.",
});
const web = (i: number) => ({
  channel: "web" as const,
  chatId: `${"C".repeat(40)}${String(i).padStart(3, "0")}`,
});

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "accepted";
  } catch (e) {
    if (e instanceof TipRejectedError) return e.reason;
    throw e;
  }
}

/** Every key under the prefix with what it holds, read by type (not DUMP), and its expiry. */
async function dump(
  redis: Redis,
  prefix: string,
): Promise<Map<string, { values: string[]; expireAt: number }>> {
  const out = new Map<string, { values: string[]; expireAt: number }>();
  for (const key of await redis.keys(`${prefix}:*`)) {
    const type = await redis.type(key);
    let values: string[] = [];
    if (type === "string") values = [(await redis.get(key)) ?? ""];
    else if (type === "hash") values = Object.entries(await redis.hgetall(key)).flat();
    else if (type === "list") values = await redis.lrange(key, 0, -1);
    else if (type === "set") values = await redis.smembers(key);
    else if (type === "zset") values = await redis.zrange(key, 0, -1, "WITHSCORES");
    else if (type === "stream")
      values = (await redis.xrange(key, "-", "+")).flatMap(([id, fields]) => [id, ...fields]);
    out.set(key, { values, expireAt: Number(await redis.call("PEXPIRETIME", key)) });
  }
  return out;
}

describe("intake limits and what a stored tip tells", () => {
  let rt: TestRuntime | undefined;
  afterEach(async () => {
    await rt?.dispose();
    rt = undefined;
  });

  it("limits tips per place and in all, whoever sends them (new chats or cookies buy nothing)", async () => {
    rt = await testRuntime(undefined, {}, { TIPS_PER_PLACE_PER_HOUR: "2", TIPS_PER_MINUTE: "3" });
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await reason(rt.intake.submit(tip(), web(i))));
    expect(results).toEqual(["accepted", "accepted", "busy"]);
    // Another school still gets through, until the intake's ceiling for the minute.
    expect(await reason(rt.intake.submit(tip("th-an-hoa"), web(3)))).toBe("accepted");
    expect(await reason(rt.intake.submit(tip("th-an-hoa"), web(4)))).toBe("busy");
  });

  it("strips bidi overrides, zero-width and control characters and lone surrogates from tip text", async () => {
    const messenger = new RecordingMessenger();
    rt = await testRuntime(messenger);
    const sneaky = "Kẻ bán\u202E gnort\u200B ở cổng\u0000 trường\uD800 lúc 5 giờ\u2066 chiều\uFEFF.";
    const { tipId } = await rt.intake.submit(
      { ...tip(), description: sneaky, place: { schoolId: "thcs-an-hoa", text: "cổng\u202D sau\u200C" } },
      web(9),
    );
    const stored = await rt.store.get(tipId);
    expect(stored?.description).toBe("Kẻ bán gnort ở cổng trường lúc 5 giờ chiều.");
    expect(stored?.place.text).toBe("cổng sau");
    await messenger.waitFor(() => messenger.sent.length > 0);
    expect(messenger.sent[0]?.message.text).toContain("Kẻ bán gnort ở cổng trường lúc 5 giờ chiều.");
    expect(messenger.sent[0]?.message.text).not.toMatch(/(?!\n)[\p{Cc}\p{Cf}]/u);
  });

  it("keeps a tip's time to the minute, and no key named by its sender holds a time near it", async () => {
    const saltText = randomBytes(24).toString("base64url");
    const salt = Buffer.from(saltText, "utf8"); // as config reads TIP_SENDER_SALT
    rt = await testRuntime(undefined, {}, { TIP_SENDER_SALT: saltText });
    const { dialogue, dispose } = await testDialogue(rt, salt);
    try {
      const student = { channel: "telegram" as const, chatId: "5512345678" };
      await dialogue.handle(student, { kind: "text", text: "/baotin" });
      await dialogue.handle(student, { kind: "choice", data: "cat:ma-tuy" });
      await dialogue.handle(student, { kind: "choice", data: "place:school:thcs-an-hoa" });
      await dialogue.handle(student, {
        kind: "text",
        text: "Có người bán thuốc lá điện tử lạ trước cổng trường.",
      });
      await dialogue.handle(student, { kind: "choice", data: "photo:done" });
      await dialogue.handle(student, { kind: "choice", data: "urg:binh-thuong" });
      const sentFrom = Date.now();
      const done = await dialogue.handle(student, { kind: "choice", data: "send:yes" });
      const sentTo = Date.now();
      const code = /AT-[A-Z0-9]{4}-[A-Z0-9]{2}/.exec(done.at(-1)?.text ?? "")?.[0] as string;
      const stored = await rt.store.get((await rt.store.idForCaseCode(code)) as string);
      expect((stored?.createdAt ?? 1) % 60_000).toBe(0);

      const near = (n: number) => n >= sentFrom - 5_000 && n <= sentTo + 5_000;
      const key = senderKey(salt, "telegram", student.chatId);
      const named = [...(await dump(rt.redis, rt.prefix))].filter(([k]) => k.includes(key));
      // The session and the rate-limit counters are the sender's keys…
      expect(named.map(([k]) => k.slice(rt?.prefix.length)).sort()).toEqual([
        `:session:${key}`,
        `:tips:rl:${key}`,
      ]);
      // …and neither their contents nor their expiry tell when the tip was sent.
      for (const [k, { values, expireAt }] of named) {
        expect(near(expireAt), k).toBe(false);
        for (const v of values)
          for (const n of v.match(/\d{10,}/g) ?? []) {
            expect(near(Number(n)), `${k}: ${v}`).toBe(false);
            expect(near(Number(n) * 1000), `${k}: ${v}`).toBe(false);
          }
        expect(values.join(" "), k).not.toContain(code);
      }
    } finally {
      await dispose();
    }
  });
});
