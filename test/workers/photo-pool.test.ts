import { Jimp } from "jimp";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_PIXELS, PhotoRejectedError } from "../../workers/tip/photo.js";
import { PhotoPool, type PhotoPoolOptions } from "../../workers/tip/photo-pool.js";
import { bigJpeg, declaredJpeg, declaredPng } from "../fixtures/big-photos.js";
import {
  COMMENT,
  containsPair,
  GPS_POINTER,
  headerMarkers,
  photoWithMetadata,
  XMP,
} from "../fixtures/photos.js";

/** What `promise` was rejected with, as a PhotoRejectedError's reason. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => {
      throw new Error("expected a refusal");
    },
    (e: unknown) => e,
  );
  expect((err as Error).name).toBe("PhotoRejectedError");
  expect(err).toBeInstanceOf(PhotoRejectedError);
  return (err as PhotoRejectedError).reason;
}

describe("PhotoPool", () => {
  const pools: PhotoPool[] = [];
  const newPool = (opts: PhotoPoolOptions) => {
    const pool = new PhotoPool(opts);
    pools.push(pool);
    return pool;
  };
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });

  it("sanitises on a worker thread: a bare JPEG, no EXIF, GPS, XMP, ICC or comment, at most 1600 px", async () => {
    const pool = newPool({ threads: 1 });
    const input = await photoWithMetadata(64, 48, 6); // orientation 6: rotate 90° clockwise
    expect(input.includes(GPS_POINTER)).toBe(true);
    const out = await pool.sanitize(input);
    expect(pool.stats).toMatchObject({ threads: 1, completed: 1, pending: 0 });
    expect(out.mime).toBe("image/jpeg");
    expect(Buffer.isBuffer(out.bytes)).toBe(true);
    expect([out.width, out.height]).toEqual([48, 64]);
    expect(headerMarkers(out.bytes).every((m) => [0xe0, 0xdb, 0xc0, 0xc4, 0xda].includes(m))).toBe(true);
    for (const [a, b] of [
      [0xff, 0xe1], // EXIF, XMP
      [0xff, 0xe2], // ICC
      [0xff, 0xfe], // comment
    ] as const)
      expect(containsPair(out.bytes, a, b)).toBe(false);
    for (const needle of [Buffer.from("Exif", "latin1"), GPS_POINTER, XMP.subarray(0, 20), COMMENT])
      expect(out.bytes.includes(needle)).toBe(false);

    const png = await new Jimp({ width: 3200, height: 1000, color: 0x808080ff }).getBuffer("image/png");
    const scaled = await pool.sanitize(png);
    expect([scaled.width, scaled.height]).toEqual([1600, 500]);
    expect((await Jimp.fromBuffer(scaled.bytes)).mime).toBe("image/jpeg");
  });

  it("gives each caller the result of its own photo, and refuses a broken photo alone", async () => {
    const pool = newPool({ threads: 2, queue: 8 });
    const sizes = [
      [64, 48],
      [120, 90],
      [33, 77],
      [200, 20],
      [50, 50],
      [17, 301],
    ] as const;
    const photos = await Promise.all(sizes.map(([w, h]) => photoWithMetadata(w, h)));
    // Its header is sound (so it reaches a thread), its image data is missing.
    const good = await photoWithMetadata(64, 48);
    const broken = good.subarray(0, good.indexOf(Buffer.from([0xff, 0xda])) + 2);
    const inputs = [...photos.slice(0, 3), broken, ...photos.slice(3)];
    const results = await Promise.allSettled(inputs.map((b) => pool.sanitize(b)));
    const seen = results.map((r) =>
      r.status === "fulfilled" ? [r.value.width, r.value.height] : (r.reason as PhotoRejectedError).reason,
    );
    expect(seen).toEqual([...sizes.slice(0, 3), "not-an-image", ...sizes.slice(3)]);
    expect(pool.stats).toMatchObject({ completed: inputs.length, pending: 0 });
  });

  it("refuses with 'busy' at once when every thread and queue slot is taken, and admits again once one frees", async () => {
    const photo = await photoWithMetadata(64, 48);
    const single = newPool({ threads: 1, queue: 0 });
    expect(single.capacity).toBe(1);
    // The slot is taken before sanitize returns, so the second call finds it taken whatever
    // the speed of the machine.
    const first = single.sanitize(photo);
    expect(await refusal(single.sanitize(photo))).toBe("busy");
    expect(single.stats.pending).toBe(1);
    expect((await first).width).toBe(64);
    expect(single.stats.pending).toBe(0);
    expect((await single.sanitize(photo)).width).toBe(64);

    const queued = newPool({ threads: 1, queue: 2 });
    const calls = [1, 2, 3, 4, 5].map(() => queued.sanitize(photo));
    const settled = await Promise.allSettled(calls);
    expect(
      settled.map((s) => (s.status === "fulfilled" ? "ok" : (s.reason as PhotoRejectedError).reason)),
    ).toEqual(["ok", "ok", "ok", "busy", "busy"]);
  });

  it("refuses from the header, on the calling thread, what must not be decoded", async () => {
    const pool = newPool({ threads: 1 });
    // 7000 × 5800 is 40.6 MP: over the limit by 1.5 %, and 24 bytes long.
    expect(7000 * 5800).toBeGreaterThan(MAX_PIXELS);
    expect(await refusal(pool.sanitize(declaredJpeg(7000, 5800)))).toBe("too-many-pixels");
    expect(await refusal(pool.sanitize(declaredJpeg(65535, 65535)))).toBe("too-many-pixels");
    expect(await refusal(pool.sanitize(declaredPng(8000, 8000)))).toBe("too-many-pixels");
    expect(await refusal(pool.sanitize(Buffer.alloc(20 * 1024 * 1024 + 1)))).toBe("too-large");
    expect(await refusal(pool.sanitize(Buffer.from("GIF89a\x01\x00\x01\x00\x00\x00\x00;", "latin1")))).toBe(
      "not-an-image",
    );
    // No photo was admitted, no thread was even started.
    expect(pool.stats).toEqual({ pending: 0, threads: 0, completed: 0 });
  });

  it("gives up a photo past its deadline as 'busy', and frees its slot", async () => {
    // Decoding 39.9 MP takes seconds on any machine; the deadline is a tenth of a second.
    const pool = newPool({ threads: 1, queue: 0, timeoutMs: 100 });
    expect(await refusal(pool.sanitize(await bigJpeg(7000, 5700)))).toBe("busy");
    expect(pool.stats.pending).toBe(0);
  });

  it("refuses new photos as 'busy' once closed, and stops its threads", async () => {
    const pool = newPool({ threads: 1 });
    await pool.sanitize(await photoWithMetadata(64, 48));
    expect(pool.stats.threads).toBe(1);
    await pool.close();
    expect(pool.stats.threads).toBe(0);
    expect(await refusal(pool.sanitize(await photoWithMetadata(64, 48)))).toBe("busy");
    await pool.close(); // idempotent
  });
});
