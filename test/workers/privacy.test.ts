import { createCipheriv, createHash, randomBytes, randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { Jimp } from "jimp";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseKey } from "../../keys.js";
import { CASE_CODE_ALPHABET, newCaseCode, parseCaseCode } from "../../workers/tip/case-code.js";
import { PhotoRejectedError, sanitizePhoto } from "../../workers/tip/photo.js";
import { legacyScryptHash, newPin, PinHasher } from "../../workers/tip/pin.js";
import { type ReplyAddress, ReplyHandleSealer } from "../../workers/tip/reply-handle.js";
import { SenderRateLimiter, senderKey } from "../../workers/tip/sender-key.js";
import { containsPair, GPS_POINTER, headerMarkers, photoWithMetadata, segment } from "../fixtures/photos.js";

/** Runs `fn` and returns what it threw (awaiting it if async); fails if it did not throw. */
async function thrown(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof Error) return err;
    throw new Error(`threw a non-Error: ${String(err)}`);
  }
  throw new Error("expected a throw");
}

describe("case codes", () => {
  const symbol = `[${CASE_CODE_ALPHABET}]`;
  const shape = new RegExp(`^AT-${symbol}{4}-${symbol}{2}$`);

  it("uses an alphabet without look-alikes", () => {
    expect(CASE_CODE_ALPHABET).toHaveLength(29);
    expect(new Set(CASE_CODE_ALPHABET).size).toBe(29);
    for (const ch of "0O1ILUZ") expect(CASE_CODE_ALPHABET).not.toContain(ch);
  });

  it("generates codes of the form AT-XXXX-XX that parse back to themselves", () => {
    for (let i = 0; i < 1000; i++) {
      const code = newCaseCode();
      expect(code).toMatch(shape);
      expect(parseCaseCode(code)).toBe(code);
    }
  });

  it("draws 1000 codes without (more than chance) repeats", () => {
    const codes = new Set(Array.from({ length: 1000 }, () => newCaseCode()));
    // 29⁵ ≈ 20.5 M codes: among 1000, one repeat has a 2.4 % chance (the store retries with SET NX),
    // three or more about 2·10⁻⁶. Demanding zero repeats would make this test flaky.
    expect(codes.size).toBeGreaterThanOrEqual(998);
  });

  it("catches every single-character typo and every swap of two characters", () => {
    const typos = [...CASE_CODE_ALPHABET, ..."0O1ILUZ"];
    for (let n = 0; n < 200; n++) {
      const code = newCaseCode();
      const body = code.replace(/^AT-|-/g, "");
      for (let i = 0; i < body.length; i++) {
        for (const ch of typos) {
          if (ch === body[i]) continue;
          const typo = body.slice(0, i) + ch + body.slice(i + 1);
          expect(parseCaseCode(`AT-${typo}`), `${code} → ${typo}`).toBeUndefined();
        }
        for (let j = i + 1; j < body.length; j++) {
          if (body[i] === body[j]) continue;
          const chars = [...body];
          [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
          expect(parseCaseCode(chars.join("")), `${code} swap ${i},${j}`).toBeUndefined();
        }
      }
    }
  });

  it("normalises what users type", () => {
    expect(parseCaseCode("AT-7KQ3-M8")).toBe("AT-7KQ3-M8");
    for (const typed of [
      "at 7kq3 m8",
      "at7kq3m8",
      "AT7KQ3M8",
      "7kq3m8",
      "7KQ3-M8",
      "  AT - 7KQ3 - M8  ",
      "AT--7KQ3--M8",
      "AT–7KQ3–M8",
      "at_7kq3.m8",
      "#AT-7KQ3-M8",
    ]) {
      expect(parseCaseCode(typed), typed).toBe("AT-7KQ3-M8");
    }
    for (const code of Array.from({ length: 50 }, () => newCaseCode())) {
      expect(parseCaseCode(code.toLowerCase().replace(/-/g, " "))).toBe(code);
    }
  });

  it("refuses what is not a code", () => {
    for (const bad of [
      "",
      "AT",
      "AT-7KQ3-M",
      "AT-7KQ3-M8X",
      "AT-7KQ3-M2",
      "XT-7KQ3-M8",
      "AT-7KQ3-M8-AT",
      "AT-7KQ3-MO",
      "mã của tôi là AT-7KQ3-M8",
      "AT-7KQ3-M8".repeat(10),
    ]) {
      expect(parseCaseCode(bad), bad).toBeUndefined();
    }
  });
});

describe("PINs", () => {
  const pins = new PinHasher(randomBytes(32));

  it("are six digits", () => {
    for (let i = 0; i < 500; i++) expect(newPin()).toMatch(/^[0-9]{6}$/);
  });

  it("verify the right PIN and refuse a wrong one", async () => {
    const pin = newPin();
    const stored = pins.hash(pin);
    expect(stored).toMatch(/^hmac\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(stored).not.toContain(pin);
    expect(await pins.verify(pin, stored)).toBe(true);
    expect(await pins.verify(`${pin.slice(0, 3)} ${pin.slice(3)}`, stored)).toBe(true);
    const wrong = ((Number(pin) + 1) % 1_000_000).toString().padStart(6, "0");
    expect(await pins.verify(wrong, stored)).toBe(false);
    for (const bad of ["", "12345", "1234567", "abcdef", "12 34 5", "１２３４５６"]) {
      expect(await pins.verify(bad, stored), bad).toBe(false);
    }
  });

  it("salt each hash, so two hashes of one PIN differ", async () => {
    const [a, b] = [pins.hash("004821"), pins.hash("004821")];
    expect(a).not.toBe(b);
    expect(await pins.verify("004821", a)).toBe(true);
    expect(await pins.verify("004821", b)).toBe(true);
  });

  it("cannot be checked without the key: another key refuses every PIN", async () => {
    const stored = pins.hash("271828");
    const other = new PinHasher(randomBytes(32));
    expect(await other.verify("271828", stored)).toBe(false);
    expect(() => new PinHasher(randomBytes(16))).toThrow(RangeError);
  });

  it("still verify tips stored with the legacy scrypt hash", async () => {
    const legacy = await legacyScryptHash("314159");
    expect(legacy).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(await pins.verify("314159", legacy)).toBe(true);
    expect(await pins.verify("314158", legacy)).toBe(false);
  });

  it("return false, never throw, for stored strings that are not our hashes", async () => {
    const good = pins.hash("123456");
    const [, salt, mac] = good.split("$") as [string, string, string];
    const legacy = await legacyScryptHash("123456");
    const [, , , , lsalt, lhash] = legacy.split("$") as [string, string, string, string, string, string];
    const garbage = [
      "",
      "hmac",
      "123456",
      "hmac$$",
      `sha1$${salt}$${mac}`,
      `hmac$${salt}`,
      `hmac$${salt}$${mac}$extra`,
      `hmac$${salt.slice(0, 8)}$${mac}`, // salt too short
      `hmac$${salt}$${mac.slice(0, -2)}`, // not base64 any more
      `hmac$${salt}$${Buffer.alloc(32).toString("base64")}`, // well-formed, wrong MAC
      good.toUpperCase(),
      "scrypt$$$$$",
      `scrypt$30000$8$1$${lsalt}$${lhash}`, // N not a power of two
      `scrypt$1099511627776$8$1$${lsalt}$${lhash}`, // would need terabytes
      `scrypt$32768$0$1$${lsalt}$${lhash}`,
      `scrypt$32768$8$1$${lsalt.slice(0, 8)}$${lhash}`,
      `scrypt$32768$8$1$${lsalt}$${Buffer.alloc(32).toString("base64")}`,
    ];
    for (const stored of garbage) expect(await pins.verify("123456", stored), stored).toBe(false);
    // Not even non-strings (data read back from a corrupted record) make it throw.
    expect(await pins.verify("123456", undefined as unknown as string)).toBe(false);
    expect(await pins.verify(123456 as unknown as string, good)).toBe(false);
  });

  it("refuses to hash something that is not a PIN", () => {
    expect(() => pins.hash("12345")).toThrow(RangeError);
  });
});

describe("reply handles", () => {
  const key = randomBytes(32);
  const sealer = new ReplyHandleSealer(key);
  const address: ReplyAddress = { channel: "telegram", chatId: "5512345678" };

  it("round-trip for every channel", () => {
    for (const a of [
      address,
      { channel: "zalo", chatId: "8432512345678901234" },
      { channel: "web", chatId: randomUUID() },
      { channel: "telegram", chatId: "-1001234567890" },
    ] as const) {
      expect(sealer.open(sealer.seal(a))).toEqual({ ...a, lang: "vi" });
    }
  });

  it("carry the tipster's language without the handle's length telling which", () => {
    const web: ReplyAddress = { channel: "web", chatId: randomBytes(32).toString("base64url") };
    for (const a of [address, web]) {
      const english = sealer.seal({ ...a, lang: "en" });
      expect(sealer.open(english)).toEqual({ ...a, lang: "en" });
      expect(english.length).toBe(sealer.seal({ ...a, lang: "vi" }).length);
      expect(english.length).toBe(sealer.seal(a).length);
    }
    expect(() => sealer.seal({ ...address, lang: "fr" } as unknown as ReplyAddress)).toThrow(TypeError);
  });

  it("still open handles sealed before the language was added", () => {
    // A handle of the earlier format: {"c","i"} only, padded to 64 bytes, same cipher and AAD.
    const json = Buffer.from(JSON.stringify({ c: "telegram", i: "5512345678" }));
    const plaintext = Buffer.alloc(64, 0x20);
    json.copy(plaintext);
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: 16 });
    cipher.setAAD(Buffer.from("ssg-reply-v1"));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const old = Buffer.concat([Buffer.of(1), iv, body, cipher.getAuthTag()]).toString("base64url");
    expect(sealer.open(old)).toEqual({ channel: "telegram", chatId: "5512345678" });
  });

  it("seal the same address to unlinkable handles of one length", () => {
    const a = sealer.seal(address);
    const b = sealer.seal(address);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    // Padding: a Telegram id and a longer Zalo id give handles of the same length.
    expect(sealer.seal({ channel: "zalo", chatId: "8432512345678901234" })).toHaveLength(a.length);
  });

  it("do not carry the chat id in any readable form", () => {
    const handle = sealer.seal(address);
    const id = address.chatId;
    const forms = [
      id,
      Buffer.from(id).toString("base64"),
      Buffer.from(id).toString("base64url"),
      Buffer.from(id).toString("base64").slice(0, 8),
      Buffer.from(id).toString("hex"),
    ];
    for (const form of forms) expect(handle).not.toContain(form);
    expect(Buffer.from(handle, "base64url").includes(Buffer.from(id))).toBe(false);
    expect(Buffer.from(handle, "base64url").includes(Buffer.from("telegram"))).toBe(false);
  });

  it("refuse a handle with any byte flipped", async () => {
    const raw = Buffer.from(sealer.seal(address), "base64url");
    for (let i = 0; i < raw.length; i++) {
      const tampered = Buffer.from(raw);
      tampered[i] = (tampered[i] as number) ^ 0x01;
      const err = await thrown(() => sealer.open(tampered.toString("base64url")));
      expect(err.name).toBe("ReplyHandleError");
      expect((err as Error & { reason: string }).reason).toBe(
        i === 0 ? "unknown-version" : "authentication-failed",
      );
    }
  });

  it("refuse a handle sealed under another key", async () => {
    const other = new ReplyHandleSealer(randomBytes(32));
    const err = await thrown(() => other.open(sealer.seal(address)));
    expect(err.name).toBe("ReplyHandleError");
    expect(err.message).not.toContain(address.chatId);
  });

  it("refuse garbage", async () => {
    const handle = sealer.seal(address);
    for (const bad of [
      "",
      "not a handle",
      "AQ",
      handle.slice(0, 20),
      handle.slice(0, -1),
      `${handle}==`,
      "x".repeat(5000),
    ]) {
      expect((await thrown(() => sealer.open(bad))).name, bad).toBe("ReplyHandleError");
    }
  });

  it("refuse to seal something that is not an address", async () => {
    for (const bad of [{ channel: "sms", chatId: "1" }, { channel: "telegram", chatId: "" }, {}]) {
      expect((await thrown(() => sealer.seal(bad as unknown as ReplyAddress))).name).toBe("TypeError");
    }
  });

  it("need a 32-byte key that is not a placeholder", async () => {
    for (const bad of [randomBytes(16), randomBytes(33), Buffer.alloc(32)]) {
      expect((await thrown(() => new ReplyHandleSealer(bad))).name).toBe("ReplyKeyError");
    }
  });
});

describe("parseKey", () => {
  const key = randomBytes(32);

  it("reads hex, base64 and base64url", () => {
    expect(parseKey(key.toString("hex"))).toEqual(key);
    expect(parseKey(key.toString("hex").toUpperCase())).toEqual(key);
    expect(parseKey(key.toString("base64"))).toEqual(key);
    expect(parseKey(key.toString("base64url"))).toEqual(key);
    expect(parseKey(` ${key.toString("hex")}\n`)).toEqual(key);
  });

  it("explains what is wrong without echoing the value", async () => {
    const secretish = randomBytes(16).toString("hex");
    for (const bad of [
      "",
      "changeme",
      secretish,
      key.toString("hex").slice(0, 63),
      `${key.toString("hex")}0`,
      randomBytes(31).toString("base64"),
      randomBytes(48).toString("base64"),
      "0".repeat(64),
      `${key.toString("base64").slice(0, -2)}+_`,
    ]) {
      const err = await thrown(() => parseKey(bad));
      expect(err.name, bad).toBe("ReplyKeyError");
      expect(err.message).toMatch(/32 bytes|placeholder/);
      if (bad.length > 8) expect(err.message).not.toContain(bad);
    }
  });
});

describe("sender keys", () => {
  const salt = randomBytes(32);

  it("are 32 hex characters, stable for one salt and sender", () => {
    const k = senderKey(salt, "telegram", "123456789");
    expect(k).toMatch(/^[0-9a-f]{32}$/);
    expect(senderKey(salt, "telegram", "123456789")).toBe(k);
    expect(senderKey(randomBytes(32), "telegram", "123456789")).not.toBe(k);
    expect(senderKey(salt, "zalo", "123456789")).not.toBe(k);
    expect(senderKey(salt, "telegram", "123456780")).not.toBe(k);
  });

  it("do not contain the raw id", () => {
    const id = "5512345678";
    const k = senderKey(salt, "telegram", id);
    expect(k).not.toContain(id);
    expect(k).not.toContain(Buffer.from(id).toString("hex").slice(0, 8));
  });

  it("need a salt of at least 16 bytes", async () => {
    expect((await thrown(() => senderKey(randomBytes(8), "web", "x"))).name).toBe("RangeError");
  });
});

describe("SenderRateLimiter (real Redis at 127.0.0.1:6379)", () => {
  let redis: Redis;
  let prefix: string;
  const salt = randomBytes(32);

  beforeEach(() => {
    redis = new Redis({ host: "127.0.0.1", port: 6379, maxRetriesPerRequest: null });
    prefix = `test-${randomUUID()}`;
  });

  afterEach(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it("allows `limit` hits, then refuses with a retry delay", async () => {
    const limiter = new SenderRateLimiter(redis, { prefix, limit: 3, windowMs: 60_000 });
    const key = senderKey(salt, "telegram", "5512345678");
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await limiter.hit(key));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false, false]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0, 0]);
    expect(results[0]?.retryAfterMs).toBe(0);
    for (const r of results.slice(3)) {
      expect(r.retryAfterMs).toBeGreaterThan(0);
      // The sliding window is estimated from two counters, as if the last window's hits were
      // spread evenly: the wait can reach into the next window, never past it.
      expect(r.retryAfterMs).toBeLessThanOrEqual(120_000);
    }
    // Another sender has their own budget.
    expect((await limiter.hit(senderKey(salt, "telegram", "5512345679"))).allowed).toBe(true);
  });

  it("stores only hashed keys, under <prefix>:rl:, with an expiry", async () => {
    const limiter = new SenderRateLimiter(redis, { prefix, limit: 2, windowMs: 60_000 });
    const key = senderKey(salt, "zalo", "8432512345678901234");
    await limiter.hit(key);
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys).toEqual([`${prefix}:rl:${key}`]);
    expect(await redis.pttl(keys[0] as string)).toBeGreaterThan(0);
    const fields = await redis.hgetall(keys[0] as string);
    expect(JSON.stringify(fields)).not.toContain("8432512345678901234");
    expect((await thrown(() => limiter.hit("8432512345678901234"))).name).toBe("RangeError");
  });

  it("keeps counts, not times: nothing in its state tells when a hit happened", async () => {
    const windowMs = 3_600_000;
    const limiter = new SenderRateLimiter(redis, { prefix, limit: 5, windowMs });
    const key = senderKey(salt, "telegram", "5512345678");
    await limiter.hit(key);
    await limiter.hit(key);
    const [stored] = await redis.keys(`${prefix}:*`);
    const fields = await redis.hgetall(stored as string);
    // One counter per window, named by the window's number; the expiry is a window boundary.
    const [[windowNumber, count]] = Object.entries(fields) as [[string, string]];
    expect(count).toBe("2");
    const [seconds] = await redis.time();
    expect(Number(windowNumber)).toBe(Math.floor((Number(seconds) * 1000) / windowMs));
    expect(Number(await redis.call("PEXPIRETIME", stored as string)) % windowMs).toBe(0);
  });

  it("lets the sender in again once the window has slid", async () => {
    const limiter = new SenderRateLimiter(redis, { prefix, limit: 1, windowMs: 300 });
    const key = senderKey(salt, "web", randomUUID());
    expect((await limiter.hit(key)).allowed).toBe(true);
    const refused = await limiter.hit(key);
    expect(refused.allowed).toBe(false);
    await new Promise((r) => setTimeout(r, refused.retryAfterMs + 20));
    expect((await limiter.hit(key)).allowed).toBe(true);
  });

  it("is atomic under concurrent hits", async () => {
    const limiter = new SenderRateLimiter(redis, { prefix, limit: 5, windowMs: 60_000 });
    const key = senderKey(salt, "telegram", "42");
    const results = await Promise.all(Array.from({ length: 20 }, () => limiter.hit(key)));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
  });
});

// --- photos -------------------------------------------------------------------------------------

describe("sanitizePhoto", () => {
  it("drops EXIF with GPS, XMP, ICC and comments, keeping the picture", async () => {
    const input = await photoWithMetadata(64, 48);
    expect(input.includes(Buffer.from("Exif\0\0", "latin1"))).toBe(true);
    expect(input.includes(GPS_POINTER)).toBe(true);
    expect(headerMarkers(input)).toEqual(expect.arrayContaining([0xe1, 0xe2, 0xfe]));
    // The input still decodes (the metadata did not break it).
    expect((await Jimp.fromBuffer(input)).width).toBe(64);

    const out = await sanitizePhoto(input);
    expect(out.mime).toBe("image/jpeg");
    expect([out.width, out.height]).toEqual([64, 48]);
    expect(containsPair(out.bytes, 0xff, 0xe1)).toBe(false); // no APP1 anywhere: no EXIF, no XMP
    expect(containsPair(out.bytes, 0xff, 0xe2)).toBe(false); // no ICC
    expect(containsPair(out.bytes, 0xff, 0xfe)).toBe(false); // no comment
    expect(headerMarkers(out.bytes).every((m) => [0xe0, 0xdb, 0xc0, 0xc4, 0xda].includes(m))).toBe(true);
    for (const needle of [
      Buffer.from("Exif", "latin1"),
      GPS_POINTER,
      Buffer.from("Nguyen"),
      Buffer.from("adobe"),
    ]) {
      expect(out.bytes.includes(needle)).toBe(false);
    }
    expect(out.id).toMatch(/^[a-f0-9]{32}$/);
    expect(out.id).toBe(createHash("sha256").update(out.bytes).digest("hex").slice(0, 32));

    const decoded = await Jimp.fromBuffer(out.bytes);
    expect([decoded.width, decoded.height]).toEqual([64, 48]);
  });

  it("applies the EXIF orientation before dropping it", async () => {
    const out = await sanitizePhoto(await photoWithMetadata(64, 48, 6)); // 6 = rotate 90° clockwise
    expect([out.width, out.height]).toEqual([48, 64]);
    expect(containsPair(out.bytes, 0xff, 0xe1)).toBe(false);
  });

  it("scales a large image down to maxSide, never up", async () => {
    const big = await new Jimp({ width: 4000, height: 2500, color: 0x808080ff }).getBuffer("image/png");
    const out = await sanitizePhoto(big);
    expect([out.width, out.height]).toEqual([1600, 1000]);
    const smaller = await sanitizePhoto(big, { maxSide: 400 });
    expect([smaller.width, smaller.height]).toEqual([400, 250]);
    const small = await sanitizePhoto(await photoWithMetadata(64, 48), { maxSide: 4000 });
    expect([small.width, small.height]).toEqual([64, 48]);
  });

  it("turns a transparent PNG into a JPEG on white", async () => {
    const png = await new Jimp({ width: 20, height: 10, color: 0x00000000 }).getBuffer("image/png");
    const out = await sanitizePhoto(png);
    expect([out.width, out.height]).toEqual([20, 10]);
    const decoded = await Jimp.fromBuffer(out.bytes);
    const { data } = decoded.bitmap;
    expect(Math.min(data[0] as number, data[1] as number, data[2] as number)).toBeGreaterThan(245);
  });

  async function rejection(bytes: Buffer, opts?: Parameters<typeof sanitizePhoto>[1]): Promise<string> {
    const err = await thrown(() => sanitizePhoto(bytes, opts));
    expect(err.name).toBe("PhotoRejectedError");
    expect(err).toBeInstanceOf(PhotoRejectedError);
    return (err as PhotoRejectedError).reason;
  }

  it("refuses what is not a JPEG or PNG", async () => {
    const noise = randomBytes(4096);
    noise[0] = 0x00; // so it cannot start with a JPEG or PNG signature by chance
    expect(await rejection(noise)).toBe("not-an-image");
    expect(await rejection(Buffer.alloc(0))).toBe("not-an-image");
    expect(await rejection(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), randomBytes(4096)]))).toBe(
      "not-an-image",
    );
    expect(await rejection(Buffer.from("GIF89a\x01\x00\x01\x00\x00\x00\x00;", "latin1"))).toBe(
      "not-an-image",
    );
    expect(await rejection(Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>"))).toBe("not-an-image");
    const jpeg = await photoWithMetadata(64, 48);
    const headerOnly = jpeg.subarray(0, jpeg.indexOf(Buffer.from([0xff, 0xda])) + 2);
    expect(await rejection(headerOnly)).toBe("not-an-image");
  });

  it("refuses inputs over the size limit", async () => {
    expect(await rejection(Buffer.alloc(20 * 1024 * 1024 + 1))).toBe("too-large");
    expect(await rejection(await photoWithMetadata(64, 48), { maxInputBytes: 100 })).toBe("too-large");
  });

  it("refuses decompression bombs from the header, before decoding", async () => {
    // A JPEG that declares 10000 × 5000 (50 MP) and has no image data at all.
    const sof = Buffer.from([8, 0x13, 0x88, 0x27, 0x10, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]);
    sof.writeUInt16BE(5000, 1);
    sof.writeUInt16BE(10000, 3);
    const jpegBomb = Buffer.concat([
      Buffer.from([0xff, 0xd8]),
      segment(0xc0, sof),
      Buffer.from([0xff, 0xd9]),
    ]);
    expect(await rejection(jpegBomb)).toBe("too-many-pixels");
    // A PNG whose IHDR declares 8000 × 8000 (64 MP).
    const ihdr = Buffer.alloc(33);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(ihdr);
    ihdr.writeUInt32BE(13, 8);
    ihdr.write("IHDR", 12, "latin1");
    ihdr.writeUInt32BE(8000, 16);
    ihdr.writeUInt32BE(8000, 20);
    ihdr.set([8, 6, 0, 0, 0], 24);
    expect(await rejection(ihdr)).toBe("too-many-pixels");
  });
});
