import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  accentKey,
  foldKey,
  hasDiacritics,
  normalizeText,
  rawWords,
  removeDiacritics,
  words,
} from "../../text/normalize.js";

const VIETNAMESE_LOWER =
  "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ";
const VIETNAMESE_LETTERS = [...VIETNAMESE_LOWER, ...VIETNAMESE_LOWER.toLocaleUpperCase("vi")];
const ASCII_PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
const TONE_LETTERS = ["", "f", "s", "x", "r", "j"];

/** Strings of Vietnamese letters, ASCII and newlines, in NFC. */
const vietnameseText = fc.string({
  unit: fc.constantFrom(...VIETNAMESE_LETTERS, ...ASCII_PRINTABLE, "\n"),
  maxLength: 60,
});

describe("normalizeText", () => {
  it("turns decomposed (NFD) input into the precomposed form", () => {
    const nfd = "Trường học".normalize("NFD");
    expect(nfd).not.toBe("Trường học");
    expect(normalizeText(nfd)).toBe("Trường học");
  });

  it('replaces the Icelandic "Ð"/"ð" by the Vietnamese "Đ"/"đ"', () => {
    expect(normalizeText("\u00d0ường \u00f0i")).toBe("Đường đi");
    expect(words("\u00d0ường")).toEqual(words("Đường"));
  });

  it("removes zero-width spaces, soft hyphens and byte-order marks", () => {
    expect(normalizeText("an\u200bninh trật\u00ad tự\ufeff")).toBe("anninh trật tự");
    expect(words("trư\u00adờng\u200b học")).toEqual(["trường", "học"]);
  });

  it("turns non-breaking and other Unicode spaces into plain spaces, CRLF into LF", () => {
    expect(normalizeText("a\u00a0b\u2009c\r\nd\re")).toBe("a b c\nd\ne");
  });
});

describe("removeDiacritics", () => {
  it('turns "Đường bộ" into "Duong bo", keeping case', () => {
    expect(removeDiacritics("Đường bộ")).toBe("Duong bo");
    expect(removeDiacritics("ĐƯỜNG BỘ")).toBe("DUONG BO");
  });

  it("gives the same result for NFC, NFD and Icelandic-Eth input", () => {
    const nfc = "Đảm bảo an ninh";
    expect(removeDiacritics(nfc.normalize("NFD"))).toBe(removeDiacritics(nfc));
    expect(removeDiacritics("\u00d0ảm bảo an ninh")).toBe("Dam bao an ninh");
  });

  it("leaves only ASCII for any text of Vietnamese letters and ASCII (property)", () => {
    fc.assert(
      fc.property(vietnameseText, (s) => {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
        expect(removeDiacritics(s)).toMatch(/^[\x00-\x7f]*$/);
        expect(hasDiacritics(removeDiacritics(s))).toBe(false);
      }),
    );
  });
});

describe("hasDiacritics", () => {
  it("sees tone marks, vowel marks and đ, in NFC or NFD", () => {
    expect(hasDiacritics("an toàn")).toBe(true);
    expect(hasDiacritics("an toàn".normalize("NFD"))).toBe(true);
    expect(hasDiacritics("ca")).toBe(false);
    expect(hasDiacritics("cơ")).toBe(true); // vowel mark only, no tone
    expect(hasDiacritics("đi")).toBe(true);
    expect(hasDiacritics("\u00d0i")).toBe(true);
    expect(hasDiacritics("an toan giao thong 2025")).toBe(false);
  });
});

describe("accentKey and foldKey", () => {
  it("give NFC and NFD spellings of a word the same keys", () => {
    for (const w of ["trường", "quỹ", "hoà", "nghị", "định", "đường"]) {
      const nfd = w.normalize("NFD");
      expect(nfd).not.toBe(w);
      expect(accentKey(nfd)).toBe(accentKey(w));
      expect(foldKey(nfd)).toBe(foldKey(w));
    }
  });

  it("ignore old vs new tone placement", () => {
    expect(accentKey("hoà")).toBe(accentKey("hòa"));
    expect(accentKey("thuỷ")).toBe(accentKey("thủy"));
    expect(accentKey("qúy")).toBe(accentKey("quý"));
    expect(accentKey("hoạ")).toBe(accentKey("họa"));
  });

  it("keep the tone as a Telex letter at the end and the vowel marks in place", () => {
    expect(accentKey("hòa")).toBe("hoaf"); // huyền
    expect(accentKey("quý")).toBe("quys"); // sắc
    expect(accentKey("thủy")).toBe("thuyr"); // hỏi
    expect(accentKey("ngã")).toBe("ngax"); // ngã
    expect(accentKey("trật")).toBe("trâtj"); // nặng, circumflex kept
    expect(accentKey("đường")).toBe("đươngf");
    expect(accentKey("an")).toBe("an"); // ngang: no letter
  });

  it("distinguish words that differ only by tone, but fold them together", () => {
    expect(accentKey("gà")).not.toBe(accentKey("gã"));
    expect(accentKey("ga")).not.toBe(accentKey("gà"));
    expect(foldKey("gà")).toBe(foldKey("gã"));
    expect(foldKey("gà")).toBe("ga");
    expect(foldKey("đường")).toBe("duong");
  });

  it("relate to each other: the folded accent key is the folded word plus at most a tone letter (property)", () => {
    fc.assert(
      fc.property(vietnameseText, (s) => {
        for (const w of words(s)) {
          const key = accentKey(w);
          const folded = foldKey(w);
          const foldedKey = foldKey(key);
          expect(foldedKey.startsWith(folded)).toBe(true);
          expect(TONE_LETTERS).toContain(foldedKey.slice(folded.length));
          // The accent key carries no tone mark any more, so keying it again changes nothing.
          expect(accentKey(key)).toBe(key);
          if (!hasDiacritics(w)) expect(key).toBe(w);
        }
      }),
    );
  });
});

describe("words", () => {
  it("splits on punctuation and lower-cases", () => {
    expect(words("Thông tư 124/2021/TT-BCA, Điều 5.")).toEqual([
      "thông",
      "tư",
      "124",
      "2021",
      "tt",
      "bca",
      "điều",
      "5",
    ]);
  });

  it('drops the leading zeros of numbers ("07" → "7", "000" → "0") but not of words', () => {
    expect(words("Chỉ thị 07")).toEqual(words("chỉ thị 7"));
    expect(words("số 000 và 0")).toEqual(["số", "0", "và", "0"]);
    expect(words("số 010")).toEqual(["số", "10"]);
    expect(words("mã 07a")).toEqual(["mã", "07a"]);
  });

  it("gives the same words for NFC, NFD and Icelandic-Eth input", () => {
    const text = "Đảm bảo an ninh, trật tự trường học";
    expect(words(text.normalize("NFD"))).toEqual(words(text));
    expect(words(text.replace("Đ", "\u00d0"))).toEqual(words(text));
  });

  it("never yields empty or upper-case words and ignores NFC/NFD (property)", () => {
    fc.assert(
      fc.property(vietnameseText, (s) => {
        const list = words(s);
        for (const w of list) {
          expect(w.length).toBeGreaterThan(0);
          expect(w).toBe(w.toLocaleLowerCase("vi"));
          expect(w).toMatch(/^[\p{L}\p{N}]+$/u);
        }
        expect(words(s.normalize("NFD"))).toEqual(list);
      }),
    );
  });
});

describe("rawWords", () => {
  it("keeps case and leading zeros", () => {
    expect(rawWords("TT 07 của BCA")).toEqual(["TT", "07", "của", "BCA"]);
  });
});
