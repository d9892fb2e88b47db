import { describe, expect, it } from "vitest";
import {
  BASIS_PREFIX,
  basisLine,
  type Citation,
  shortName,
  sourceLines,
  vnDate,
} from "../../knowledge/answer/citation.js";

const TT124_TITLE =
  "Thông tư quy định khu dân cư, xã, phường, thị trấn, cơ quan, doanh nghiệp, cơ sở giáo dục đạt tiêu chuẩn “An toàn về an ninh, trật tự”";

function cite(c: Partial<Citation> & Pick<Citation, "docId">): Citation {
  return {
    symbol: null,
    title: c.docId,
    kind: null,
    article: null,
    section: null,
    date: null,
    replacedBy: null,
    score: 0.01,
    ...c,
  };
}

const tt124 = (article: string | null, section: string | null = null) =>
  cite({
    docId: "tt-124-2021-tt-bca",
    symbol: "124/2021/TT-BCA",
    title: TT124_TITLE,
    kind: "thông tư",
    date: "2021-12-28",
    article,
    section,
  });
const tt23 = cite({
  docId: "thong-tu-23-2012-tt-bca",
  symbol: "23/2012/TT-BCA",
  title: "Thông tư quy định về … “An toàn về an ninh, trật tự”",
  kind: "thông tư",
  date: "2012-04-27",
  section: "Nội dung chính của Thông tư 23",
  replacedBy: "124/2021/TT-BCA",
});
const sheet = (article: string | null, section: string | null = null) =>
  cite({
    docId: "luat-36-2024-qh15-tom-tat",
    title: "Tóm tắt Luật 36/2024/QH15",
    kind: "tài liệu hướng dẫn",
    article,
    section,
  });

describe("shortName", () => {
  it("names an official text by kind and symbol, never by its long title", () => {
    expect(shortName(tt124("7"))).toBe("Thông tư 124/2021/TT-BCA");
    expect(
      shortName({ symbol: "168/2024/NĐ-CP", title: "Nghị định quy định xử phạt …", kind: "Nghị định" }),
    ).toBe("Nghị định 168/2024/NĐ-CP");
    expect(
      shortName({
        symbol: "101/2015/QH13",
        title: "Bộ luật Tố tụng hình sự (trích)",
        kind: "bộ luật (trích)",
      }),
    ).toBe("Bộ luật 101/2015/QH13");
    expect(
      shortName({
        symbol: "06/2015/TTLT-BCA-BGDĐT",
        title: "Thông tư liên tịch …",
        kind: "thông tư liên tịch",
      }),
    ).toBe("Thông tư liên tịch 06/2015/TTLT-BCA-BGDĐT");
  });

  it("says what a fact sheet is instead of lending it the law's number", () => {
    expect(shortName(sheet(null))).toBe("Tóm tắt Luật 36/2024/QH15 (tài liệu hướng dẫn)");
    // A title that already says its kind is not repeated; a document without kind keeps its title.
    expect(shortName({ symbol: null, title: "Báo cáo năm 2017", kind: "báo cáo" })).toBe("Báo cáo năm 2017");
    expect(shortName({ symbol: null, title: "Ghi chú", kind: null })).toBe("Ghi chú");
    // A symbol on a document that is not a legal text is shown beside its title.
    expect(shortName({ symbol: "12/BC-UBND", title: "Báo cáo năm 2017", kind: "báo cáo" })).toBe(
      "Báo cáo năm 2017 (12/BC-UBND)",
    );
  });
});

describe("vnDate", () => {
  it("writes ISO days, months and years the Vietnamese way", () => {
    expect(vnDate("2021-12-28")).toBe("28/12/2021");
    expect(vnDate("2024-06")).toBe("06/2024");
    expect(vnDate("2024")).toBe("2024");
  });
});

describe("sourceLines", () => {
  it("gives one line per document, its articles merged in order, with the date in dd/mm/yyyy", () => {
    const lines = sourceLines([tt124("7"), sheet("33"), tt124("6"), tt124("7", "khoản 2"), sheet("46")]);
    expect(lines).toEqual([
      "Thông tư 124/2021/TT-BCA, ngày 28/12/2021: Điều 6, Điều 7",
      "Tóm tắt Luật 36/2024/QH15 (tài liệu hướng dẫn): Điều 33, Điều 46",
    ]);
    expect(lines.join("\n")).not.toContain("khu dân cư");
  });

  it("says when a document has been replaced, and by which", () => {
    expect(sourceLines([tt23])).toEqual([
      "Thông tư 23/2012/TT-BCA, ngày 27/04/2012: mục “Nội dung chính của Thông tư 23” — đã được thay thế bởi 124/2021/TT-BCA",
    ]);
    // Metadata that only says "replaced" gets no invented successor.
    expect(sourceLines([{ ...tt23, section: null, replacedBy: "replaced" }])).toEqual([
      "Thông tư 23/2012/TT-BCA, ngày 27/04/2012 — đã được thay thế",
    ]);
  });

  it("names a section by its innermost heading, at most two per document", () => {
    const report = (section: string) =>
      cite({ docId: "bao-cao", title: "Báo cáo năm 2017", kind: "báo cáo", section });
    expect(
      sourceLines([report("I. Tình hình › 1. Kết quả"), report("II. Tồn tại"), report("III. Đề xuất")]),
    ).toEqual(["Báo cáo năm 2017: mục “1. Kết quả”; mục “II. Tồn tại”; 1 mục khác"]);
  });

  it("is empty for an answer without sources", () => {
    expect(sourceLines([])).toEqual([]);
  });
});

describe("basisLine", () => {
  it("cites the quoted documents the legal way, numbered as sourceLines numbers them", () => {
    const all = [sheet("33"), tt124("7"), tt23];
    expect(sourceLines(all)[1]).toMatch(/^Thông tư 124/);
    expect(basisLine([tt124("7")], all)).toBe(`${BASIS_PREFIX} [2] Điều 7 Thông tư 124/2021/TT-BCA`);
    expect(basisLine([sheet("33"), tt124("7"), tt124("6")], all)).toBe(
      "Căn cứ: [1] Tóm tắt Luật 36/2024/QH15 (tài liệu hướng dẫn), Điều 33; [2] Điều 6, Điều 7 Thông tư 124/2021/TT-BCA",
    );
  });

  it("keeps the warning about a replaced document in the answer itself", () => {
    expect(basisLine([tt23], [tt23])).toBe(
      "Căn cứ: [1] Thông tư 23/2012/TT-BCA (đã được thay thế bởi 124/2021/TT-BCA)",
    );
  });
});
