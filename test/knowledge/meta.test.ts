import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { chunkDocument } from "../../knowledge/chunk/chunk-document.js";
import type { LoadedDocument } from "../../knowledge/document.js";
import { buildMeta, metaFieldsSchema } from "../../knowledge/load/meta.js";
import { discoverSources, loadSource, type SourceFile } from "../../knowledge/load/sources.js";

const FACT_SHEET = `---
id: tom-tat-luat-36
title: Tóm tắt Luật 36/2024/QH15
kind: tài liệu hướng dẫn
explains: [36/2024/QH15]
note: Bản tóm tắt, không phải văn bản pháp luật.
aliases: [luật giao thông 2024]
---
Luật số: 36/2024/QH15 có hiệu lực từ ngày 01/01/2025.

## Đội mũ bảo hiểm (Điều 33)

Người ngồi trên xe máy phải đội mũ bảo hiểm.
`;

const markdown = (text: string): SourceFile => ({
  path: "tom-tat.md",
  hash: "h",
  bytes: Buffer.from(text),
});

describe("fact sheet metadata", () => {
  it("gives a sheet no symbol of its own, even when its text quotes the law's 'Luật số:' line", async () => {
    const [doc] = await loadSource(markdown(FACT_SHEET));
    expect(doc?.meta).toEqual({
      docId: "tom-tat-luat-36",
      title: "Tóm tắt Luật 36/2024/QH15",
      kind: "tài liệu hướng dẫn",
      // Found under the symbol it explains, never cited as it.
      aliases: ["luật giao thông 2024", "36/2024/QH15"],
      explains: ["36/2024/QH15"],
      source: "tom-tat.md",
    });
  });

  it("keeps the note out of the text, so that no chunk can quote it", async () => {
    const [doc] = await loadSource(markdown(FACT_SHEET));
    const chunks = chunkDocument(doc as LoadedDocument);
    expect(chunks.map((c) => c.text).join("\n")).not.toContain("không phải văn bản pháp luật");
    expect(chunks.find((c) => c.headings.at(-1)?.includes("Điều 33"))?.text).toContain("mũ bảo hiểm");
    // The card's "(Điều 33)" names the law's article: the card's own chunks carry none.
    expect(chunks.every((c) => c.article === undefined)).toBe(true);
  });

  it("accepts explains as numbers or strings and any note; without explains, still detects a symbol", () => {
    const fields = metaFieldsSchema.parse({ explains: [124, "36/2024/QH15"], note: ["a", "b"] });
    expect(fields.explains).toEqual(["124", "36/2024/QH15"]);
    expect(buildMeta("a.txt", "Số: 5/2020/NĐ-CP\n", {}).symbol).toBe("5/2020/NĐ-CP");
    expect(buildMeta("a.txt", "Số: 5/2020/NĐ-CP\n", { explains: ["5/2020/NĐ-CP"] }).symbol).toBeUndefined();
  });
});

describe("the shipped knowledge base", () => {
  const corpus = resolve(import.meta.dirname, "../../knowledge/corpus");

  async function loadCorpus(): Promise<LoadedDocument[]> {
    const { files, errors } = await discoverSources([corpus]);
    expect(errors).toEqual([]);
    return (await Promise.all(files.map(loadSource))).flat();
  }

  it("has no guidance sheet under a law's number: a sheet that explains texts is not one of them", async () => {
    for (const { meta } of await loadCorpus()) {
      if (meta.kind === "tài liệu hướng dẫn") expect(meta.symbol, meta.docId).toBeUndefined();
      if (meta.symbol) expect(meta.kind, meta.docId).not.toMatch(/hướng dẫn/);
    }
  });

  it("indexes no sentence in which a sheet talks about itself", async () => {
    const selfTalk =
      /tài liệu hướng dẫn|không phải văn bản pháp luật|bản tóm tắt này|bộ tri thức|khi trả lời|nội dung dưới đây/iu;
    for (const doc of await loadCorpus())
      for (const chunk of chunkDocument(doc)) expect(chunk.text, chunk.id).not.toMatch(selfTalk);
  });
});

describe("the shipped official texts and guidance cards", () => {
  const corpus = resolve(import.meta.dirname, "../../knowledge/corpus");

  it("ships the official texts with provenance, and cards that name only what exists", async () => {
    const { files, errors } = await discoverSources([corpus]);
    expect(errors).toEqual([]);
    const docs = (await Promise.all(files.map(loadSource))).flat();
    const texts = docs.filter((d) => d.meta.explains === undefined);
    const cards = docs.filter((d) => d.meta.explains !== undefined);
    expect(texts.map((d) => d.meta.symbol).sort()).toEqual(
      [
        "06/2019/TT-BGDĐT",
        "101/2015/QH13",
        "102/2016/QH13",
        "124/2021/TT-BCA",
        "136/2020/NĐ-CP",
        "168/2024/NĐ-CP",
        "24/2018/QH14",
        "36/2024/QH15",
        "56/2017/NĐ-CP",
        "73/2021/QH14",
        "80/2017/NĐ-CP",
      ].sort(),
    );
    expect(cards).toHaveLength(17);
    const articles = new Set(
      texts.flatMap((d) => chunkDocument(d).map((c) => `${c.docId}#dieu-${c.article ?? ""}`)),
    );
    for (const { meta } of cards) {
      expect(meta.docId).toMatch(/^the-huong-dan-/);
      expect(meta.title).toMatch(/^Hướng dẫn: /);
      expect(meta.symbol, meta.docId).toBeUndefined();
      for (const ref of meta.explains ?? [])
        if (ref.includes("#")) expect(articles.has(ref), `${meta.docId} explains ${ref}`).toBe(true);
    }
    const nd136 = texts.find((d) => d.meta.symbol === "136/2020/NĐ-CP")?.meta;
    expect(nd136).toMatchObject({ replacedBy: "105/2025/NĐ-CP", replacedOn: "2025-07-01" });
  });
});
