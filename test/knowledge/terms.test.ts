import { describe, expect, it } from "vitest";
import { ABBREVIATIONS, expandAbbreviation } from "../../knowledge/text/abbreviations.js";
import { dropQuestionNoise, features, type Term, terms } from "../../knowledge/text/terms.js";

const accented = (list: readonly Term[]) => list.map((t) => t.accented);
const folded = (list: readonly Term[]) => list.map((t) => t.folded);

describe("terms", () => {
  it("gives each word an accented and a folded key", () => {
    expect(terms("Trường học")).toEqual([
      { accented: "trươngf", folded: "truong" },
      { accented: "hocj", folded: "hoc" },
    ]);
  });

  it('expands "ANTT" to "an ninh trật tự" and keeps "antt" itself', () => {
    const expected = [{ accented: "antt", folded: "antt" }, ...terms("an ninh trật tự")];
    expect(terms("ANTT")).toEqual(expected);
    // "always" abbreviations are expanded in any case.
    expect(terms("antt")).toEqual(expected);
    expect(folded(terms("ANTT"))).toEqual(["antt", "an", "ninh", "trat", "tu"]);
  });

  it('expands "TT 124" to thông tư, but not a lower-case "tt" without a number', () => {
    expect(accented(terms("TT 124"))).toEqual(["tt", ...accented(terms("thông tư")), "124"]);
    expect(accented(terms("tt 124"))).toEqual(["tt", ...accented(terms("thông tư")), "124"]);
    expect(accented(terms("tt"))).toEqual(["tt"]);
    expect(accented(terms("tt nhé"))).toEqual(["tt", ...accented(terms("nhé"))]);
    // In capitals it is an abbreviation even without a number.
    expect(accented(terms("TT"))).toEqual(["tt", ...accented(terms("thông tư"))]);
  });

  it('expands "nd 80" to nghị định: the folded form is found without diacritics', () => {
    const nghiDinh = accented(terms("nghị định"));
    expect(nghiDinh).toEqual(["nghij", "đinhj"]);
    expect(accented(terms("nd 80"))).toEqual(["nd", ...nghiDinh, "80"]);
    expect(accented(terms("NĐ 80"))).toEqual(["nđ", ...nghiDinh, "80"]);
    expect(accented(terms("nđ 80"))).toEqual(["nđ", ...nghiDinh, "80"]);
    expect(accented(terms("nd"))).toEqual(["nd"]);
  });

  it('expands "CA" to công an only in upper case', () => {
    const congAn = accented(terms("công an"));
    expect(accented(terms("CA"))).toEqual(["ca", ...congAn]);
    expect(accented(terms("CA 12"))).toEqual(["ca", ...congAn, "12"]);
    expect(accented(terms("ca"))).toEqual(["ca"]);
    expect(accented(terms("Ca trực"))).toEqual(["ca", ...accented(terms("trực"))]);
    // A number after it is not enough for an "upper" abbreviation: "ca 2" is a shift.
    expect(accented(terms("ca 2"))).toEqual(["ca", "2"]);
  });

  it("numbers lose leading zeros in terms too", () => {
    expect(terms("Chỉ thị 07")).toEqual(terms("chỉ thị 7"));
  });
});

describe("expandAbbreviation", () => {
  it("knows every table entry under its folded key and never expands an unknown word", () => {
    for (const [key, entry] of ABBREVIATIONS) {
      expect(key).toMatch(/^[a-z]+$/);
      expect(expandAbbreviation(key.toUpperCase(), key, "1")).toBe(entry.expansion);
    }
    expect(expandAbbreviation("trường", "truong", "1")).toBeUndefined();
  });

  it('takes only all-capital words as written in capitals ("Ca" at the start of a sentence is not "CA")', () => {
    expect(expandAbbreviation("Ca", "ca", undefined)).toBeUndefined();
    expect(expandAbbreviation("CA", "ca", undefined)).toBe("công an");
  });
});

describe("dropQuestionNoise", () => {
  const cleaned = (q: string) => accented(dropQuestionNoise(terms(q)));

  it('removes "đúng hay sai" and "là gì" but keeps the content words', () => {
    expect(cleaned("Đội mũ bảo hiểm khi đi xe đạp điện là bắt buộc, đúng hay sai?")).toEqual(
      accented(terms("Đội mũ bảo hiểm khi đi xe đạp điện là bắt buộc")),
    );
    expect(cleaned("Tệ nạn xã hội là gì")).toEqual(accented(terms("Tệ nạn xã hội")));
  });

  it("removes multi-word noise written without diacritics too", () => {
    expect(cleaned("doi mu bao hiem la bat buoc dung hay sai")).toEqual(
      accented(terms("doi mu bao hiem la bat buoc")),
    );
    expect(cleaned("te nan xa hoi la gi")).toEqual(accented(terms("te nan xa hoi")));
    expect(cleaned("cho em hoi xu phat nhu the nao")).toEqual(accented(terms("xu phat")));
  });

  it('drops the particle "ạ" but not the word "a" written without diacritics', () => {
    expect(cleaned("xử phạt thế nào ạ")).toEqual(accented(terms("xử phạt")));
    expect(cleaned("hoc sinh lop 12a a")).toEqual(["hoc", "sinh", "lop", "12a", "a"]);
    // "vay" (to borrow) is not the particle "vậy".
    expect(cleaned("vay tiền vậy")).toEqual(accented(terms("vay tiền")));
  });

  it("removes multiple-choice boilerplate, and 'nao'/'gi' typed without marks", () => {
    expect(cleaned("Đâu không phải là điều kiện cấp thẻ hướng dẫn viên du lịch?")).toEqual(
      accented(terms("điều kiện cấp thẻ hướng dẫn viên du lịch")),
    );
    expect(cleaned("cac dich vu khac gom dieu nao? Chon cau tra loi dung nhat")).toEqual(
      accented(terms("cac dich vu khac gom dieu")),
    );
    // "dau" without marks is đầu or dầu as often as đâu: it stays.
    expect(cleaned("dau tu cho giao duc la gi")).toEqual(accented(terms("dau tu cho giao duc")));
  });

  it("keeps a question made only of content words unchanged", () => {
    const q = terms("mức phạt vượt đèn đỏ");
    expect(dropQuestionNoise(q)).toEqual(q);
  });

  it("keeps the words of an abbreviation expansion", () => {
    expect(cleaned("ANTT là gì")).toEqual(accented(terms("ANTT")));
  });
});

describe("features", () => {
  it("yields unigrams and bigrams in accented and folded forms", () => {
    expect(features(terms("An toàn giao thông"))).toEqual({
      accented: ["an", "an toanf", "toanf", "toanf giao", "giao", "giao thông", "thông"],
      folded: ["an", "an toan", "toan", "toan giao", "giao", "giao thong", "thong"],
    });
  });

  it("gives n unigrams and n-1 bigrams, and nothing for no terms", () => {
    const list = terms("Nhà trường phối hợp với công an xã");
    const f = features(list);
    expect(f.accented).toHaveLength(2 * list.length - 1);
    expect(f.folded).toHaveLength(2 * list.length - 1);
    expect(f.accented.filter((x) => x.includes(" "))).toHaveLength(list.length - 1);
    expect(features([])).toEqual({ accented: [], folded: [] });
  });

  it("matches a question without diacritics to a text with them through the folded form", () => {
    const withMarks = features(terms("phòng cháy chữa cháy")).folded;
    const without = features(terms("phong chay chua chay")).folded;
    expect(without).toEqual(withMarks);
  });
});
