import type { Redis } from "ioredis";

/** Every key under the prefix and every value it holds, read by the key's type, as raw bytes. */
export async function dumpValues(redis: Redis, prefix: string): Promise<{ key: string; value: Buffer }[]> {
  const out: { key: string; value: Buffer }[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
    cursor = next;
    for (const key of keys) {
      const add = (...values: Buffer[]) => {
        for (const value of values) out.push({ key, value });
      };
      add(Buffer.from(key, "utf8"));
      const type = await redis.type(key);
      if (type === "string") add((await redis.getBuffer(key)) ?? Buffer.alloc(0));
      else if (type === "hash") {
        const h = await redis.hgetallBuffer(key);
        add(...Object.keys(h).map((k) => Buffer.from(k)), ...Object.values(h));
      } else if (type === "list") add(...(await redis.lrangeBuffer(key, 0, -1)));
      else if (type === "set") add(...(await redis.smembersBuffer(key)));
      else if (type === "zset") add(...(await redis.zrangeBuffer(key, 0, -1)));
      else if (type === "stream")
        for (const [id, fields] of await redis.xrangeBuffer(key, "-", "+")) add(Buffer.from(id), ...fields);
      else if (type !== "none") throw new Error(`key ${key} has a type the dump does not read: ${type}`);
    }
  } while (cursor !== "0");
  return out;
}
