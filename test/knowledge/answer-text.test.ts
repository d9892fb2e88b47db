import { describe, expect, it } from "vitest";
import { BASIS_PREFIX, sourceLines } from "../../knowledge/answer/citation.js";
import { answerQuestion } from "../../knowledge/answer/compose.js";
import { corpusEmbeddingProvider, KnowledgeIndex } from "../../knowledge/index/knowledge-index.js";
import type { SourceFile } from "../../knowledge/load/sources.js";

const DOCS: Record<string, string> = {
  "tt-124.md": `---
id: tt-124
symbol: 124/2021/TT-BCA
title: Thông tư quy định khu dân cư, xã, phường, thị trấn, cơ quan, doanh nghiệp, cơ sở giáo dục đạt tiêu chuẩn “An toàn về an ninh, trật tự”
kind: thông tư
date: 2021-12-28
---
Điều 3. Đánh giá hằng năm
Việc đánh giá, công nhận cơ sở giáo dục đạt tiêu chuẩn an toàn về an ninh, trật tự được thực hiện mỗi năm một lần.
Điều 7. Tiêu chí đối với cơ sở giáo dục
Cơ sở giáo dục không để xảy ra bạo lực học đường.
Điều 8. Thời gian đánh giá
Năm đánh giá tính từ ngày 16 tháng 11 năm trước đến ngày 15 tháng 11.
`,
  "tom-tat.md": `---
id: tom-tat-luat-36
title: Tóm tắt Luật 36/2024/QH15
kind: tài liệu hướng dẫn
explains: [36/2024/QH15]
note: Bản tóm tắt, không phải văn bản pháp luật.
---
## Đội mũ bảo hiểm (Điều 33)

Người lái xe máy và người ngồi sau phải đội mũ bảo hiểm đạt chuẩn, cài quai đúng cách.
`,
  "tet.txt": "Nghỉ Tết\nHọc sinh trang trí cành mai, cành đào trong lớp trước kỳ nghỉ.",
};

async function indexOf(docs: Record<string, string>): Promise<KnowledgeIndex> {
  const index = KnowledgeIndex.create(corpusEmbeddingProvider(64));
  await index.update(
    Object.entries(docs).map(([path, text]): SourceFile => ({ path, hash: path, bytes: Buffer.from(text) })),
  );
  return index;
}

describe("the answer text", () => {
  it("is the quotes, a blank line and one 'Căn cứ:' line; the full list is left to sourceLines", async () => {
    const index = await indexOf(DOCS);
    const a = await answerQuestion(
      index,
      "Trường được đánh giá an toàn về an ninh, trật tự bao lâu một lần?",
    );
    expect(a.abstained).toBe(false);
    expect(a.answer).toBe(`${a.body}\n\n${a.basis}`);
    expect(a.body).toContain("mỗi năm một lần. [1]");
    expect(a.basis).toMatch(new RegExp(`^${BASIS_PREFIX} \\[1\\] Điều 3 Thông tư 124/2021/TT-BCA`));
    expect(a.answer).not.toContain("Nguồn:");
    expect(a.answer).not.toContain("khu dân cư, xã, phường");
    expect(sourceLines(a.citations)[0]).toMatch(/^Thông tư 124\/2021\/TT-BCA, ngày 28\/12\/2021: Điều 3/);
  });

  it("names a fact sheet as what it is, and never quotes its note", async () => {
    const index = await indexOf(DOCS);
    const a = await answerQuestion(index, "Người ngồi sau xe máy có phải đội mũ bảo hiểm không?");
    // Cited as the card: the "(Điều 33)" in its heading is the law's article, not the card's.
    expect(a.basis).toBe("Căn cứ: [1] Tóm tắt Luật 36/2024/QH15 (tài liệu hướng dẫn)");
    expect(a.citations[0]).toMatchObject({
      docId: "tom-tat-luat-36",
      symbol: null,
      kind: "tài liệu hướng dẫn",
    });
    expect(a.answer).not.toContain("không phải văn bản pháp luật");
  });

  it("has no basis when it abstains", async () => {
    const index = await indexOf(DOCS);
    const a = await answerQuestion(index, "Giá vàng SJC hôm nay bao nhiêu?");
    expect(a.abstained).toBe(true);
    expect(a.basis).toBeNull();
    expect(a.answer).toBe(a.body);
  });
});
