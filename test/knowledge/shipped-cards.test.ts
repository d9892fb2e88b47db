import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { discoverSources, loadSource } from "../../knowledge/load/sources.js";

const corpus = resolve(import.meta.dirname, "../../knowledge/corpus");

describe("the shipped corpus (knowledge/corpus)", () => {
  it("names each official symbol once: guidance cards have no symbol, only the texts in van-ban do", async () => {
    const { files, errors } = await discoverSources([corpus]);
    expect(errors).toEqual([]);
    const bySymbol = new Map<string, string[]>();
    for (const file of files)
      for (const doc of await loadSource(file)) {
        const card = !file.path.includes("/van-ban/");
        if (card) expect(doc.meta.symbol, `${file.path} is a card`).toBeUndefined();
        if (doc.meta.symbol)
          bySymbol.set(doc.meta.symbol, [...(bySymbol.get(doc.meta.symbol) ?? []), file.path]);
      }
    for (const [symbol, paths] of bySymbol) expect(paths, symbol).toHaveLength(1);
    expect(bySymbol.has("124/2021/TT-BCA")).toBe(true);
  });
});
