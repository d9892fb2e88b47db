import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * One text catalogue (`locales/{vi,en}.json`, read through `i18n.ts`): every user-facing string
 * comes from it, so that an English user gets English notices and a wording is changed in one
 * place. This test reads the TypeScript sources and fails on a string or template literal with a
 * Vietnamese letter outside the catalogue, and on a key used but missing from either language.
 */

const ROOT = resolve(import.meta.dirname, "..");
const FLOORS = ["app", "console", "bot", "workers", "knowledge", "text"];
/** Not our code's words: the documents the bot answers from, and the web page's own assets. */
const SKIPPED = ["knowledge/corpus", "bot/web/public", "console/public"];

/** Letters with Vietnamese diacritics, and đ (NFC). */
const VIETNAMESE = /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/u;

/**
 * Vietnamese literals that are not user-facing text, each with why. Keep it short: text a
 * person reads belongs in the catalogue. (Regular-expression literals are not checked at all:
 * they are what the engine matches — "Điều", "Chương", "Số:" — never what it shows.)
 */
const ALLOWED: ReadonlyArray<{ file: string; literal?: RegExp; reason: string }> = [
  {
    file: "knowledge/text/abbreviations.ts",
    reason: "linguistic data: the expansions of abbreviations (ANTT → an ninh trật tự) matched on both sides",
  },
  {
    file: "knowledge/text/terms.ts",
    reason: "linguistic data: question phrases and stop words ('là gì', 'bao nhiêu') dropped before matching",
  },
  {
    file: "knowledge/text/concepts.ts",
    reason:
      "linguistic data: the concept dictionary ('thuốc lá điện tử', 'xe gắn máy') matched in questions and passages",
  },
  { file: "text/normalize.ts", reason: "linguistic data: đ/Đ in the table that folds diacritics" },
  {
    file: "knowledge/answer/brief.ts",
    reason:
      "linguistic data: how a question asks ('bao lâu', 'khi nào', 'hay không'), not what, dropped before weighing sentences",
  },
  {
    file: "knowledge/answer/polarity.ts",
    reason:
      "linguistic data: passive 'được' verbs ('bảo vệ', 'công nhận') that are not permission, and the law's synonyms of a question's verb",
  },
  {
    file: "knowledge/answer/roles.ts",
    literal: /^với$/,
    reason: "linguistic data: 'với' separates who acts from towards whom in a question",
  },
  {
    file: "knowledge/text/asked-facts.ts",
    reason:
      "linguistic data: words of a question that asks for a penalty or an amount ('phạt', 'xử lý', 'kỷ luật')",
  },
  {
    file: "knowledge/answer/facts.ts",
    reason:
      "linguistic data: number, multiplier and unit words ('năm', 'triệu', 'tuổi') the grounding checker reads as numbers",
  },
  {
    file: "knowledge/chunk/legal.ts",
    literal: /^Điều \{…\}/,
    reason:
      "legal structure: the 'Điều N.' heading given to an article without one, as the chunker parses it",
  },
  {
    file: "knowledge/load/formats.ts",
    literal: /^luật$/,
    reason: "corpus metadata: the document kind of legal-articles JSON, like a front matter `kind:`",
  },
  {
    file: "workers/directory/describe.ts",
    reason:
      "directory data: the People's Public Security ranks, matched in officers' names and stored as their official title",
  },
  {
    file: "knowledge/library/read-upload.ts",
    reason:
      "legal structure: the kinds of official texts as their heading lines write them ('NGHỊ ĐỊNH'), and the headings ('Số:', 'Điều N.') named in developer messages — the console words warnings from the catalogue by their code",
  },
  {
    file: "console/directory-view.ts",
    literal: /^Trực ban$/,
    reason:
      "directory data: a duty desk is named 'Trực ban <unit>', the form workers/directory/describe.ts reads back",
  },
  {
    file: "app/main.ts",
    literal: /^Cổng trường an toàn is running:$/,
    reason: "console output for the operator (like a log message), naming the product",
  },
];

function sources(): string[] {
  const inFloors = FLOORS.flatMap((floor) =>
    readdirSync(join(ROOT, floor), { recursive: true, encoding: "utf8" }).map((f) => `${floor}/${f}`),
  );
  const atRoot = readdirSync(ROOT).filter((f) => f.endsWith(".ts"));
  return [...inFloors, ...atRoot]
    .map((f) => f.split("\\").join("/"))
    .filter((f) => f.endsWith(".ts") && !SKIPPED.some((s) => f.startsWith(`${s}/`)))
    .sort();
}

interface Literal {
  readonly file: string;
  readonly line: number;
  /** The literal's text; a template's holes are shown as `{…}`. */
  readonly text: string;
  /** Whether it is the key argument of `t(key)` or `tl(lang, key)`. */
  readonly isKeyArgument: boolean;
}

/** Which argument is the key: `t(key, vars)`, `tl(lang, key, vars)`. */
const KEY_ARGUMENT: Readonly<Record<string, number>> = { t: 0, tl: 1 };

/** String and template literals of a file (regular expressions and comments are not literals). */
function literals(file: string): Literal[] {
  const code = readFileSync(join(ROOT, file), "utf8");
  const source = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true);
  const found: Literal[] = [];
  const add = (node: ts.Node, text: string) => {
    const call = node.parent;
    const callee = ts.isCallExpression(call) && ts.isIdentifier(call.expression) ? call.expression.text : "";
    const keyAt = KEY_ARGUMENT[callee];
    const isKeyArgument = keyAt !== undefined && (call as ts.CallExpression).arguments[keyAt] === node;
    const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
    found.push({ file, line, text, isKeyArgument });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) add(node, node.text);
    else if (ts.isTemplateExpression(node))
      add(node, [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join("{…}"));
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const allowed = (l: Literal) =>
  ALLOWED.some((a) => a.file === l.file && (a.literal === undefined || a.literal.test(l.text)));

const catalogue = (lang: "vi" | "en") =>
  JSON.parse(readFileSync(join(ROOT, "locales", `${lang}.json`), "utf8")) as Record<string, string>;

/**
 * The keys a literal names, as a pattern: the key argument of `t("…")` and `tl(lang, "…")`, and
 * any literal whose first segment is one of the catalogue's key prefixes ("menu.ask",
 * `category.${c}`: keys passed around first — menu labels, refusal tables, small `say` helpers).
 * A template's holes stand for any text.
 */
function keyUses(literal: Literal, prefixes: ReadonlySet<string>): RegExp | undefined {
  const m = /^([a-z][A-Za-z]*)\.[A-Za-z0-9.{}…-]+$/.exec(literal.text);
  if (!literal.isKeyArgument && !(m && prefixes.has(m[1] as string))) return undefined;
  const parts = literal.text.split("{…}").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".+")}$`);
}

/** The interpolated variables of a catalogue text ("{{code}}"). */
const variables = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

describe("the text catalogue", () => {
  const files = sources();
  const all = files.flatMap(literals);
  const vi = catalogue("vi");
  const en = catalogue("en");

  it("reads the sources it is meant to (floors and root files, not tests or the corpus)", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "i18n.ts",
        "workers/render.ts",
        "knowledge/answer/compose.ts",
        "console/viewer.ts",
      ]),
    );
    expect(files.some((f) => f.startsWith("test/") || f.startsWith("knowledge/corpus/"))).toBe(false);
  });

  it("holds every user-facing Vietnamese string: none is written in the code", () => {
    const stray = all
      .filter((l) => VIETNAMESE.test(l.text.normalize("NFC").toLowerCase()) && !allowed(l))
      .map((l) => `${l.file}:${l.line}: ${JSON.stringify(l.text.slice(0, 80))}`);
    expect(stray, "move these into locales/{vi,en}.json, or add a reason to ALLOWED").toEqual([]);
  });

  it("allows only literals that still exist", () => {
    const unused = ALLOWED.filter(
      (a) => !all.some((l) => l.file === a.file && (a.literal === undefined || a.literal.test(l.text))),
    ).map((a) => `${a.file} ${a.literal ?? ""}`);
    expect(unused).toEqual([]);
  });

  it("has every key used in the code, in both languages", () => {
    const prefixes = new Set(Object.keys(vi).map((k) => k.split(".")[0] as string));
    const uses = all.flatMap((l) => {
      const key = keyUses(l, prefixes);
      return key ? [{ ...l, key }] : [];
    });
    // The scan finds the keys it should (a broken scan would pass everything).
    expect(uses.map((u) => u.text)).toEqual(
      expect.arrayContaining([
        "hotlines",
        "menu.ask",
        "officerMessage.title",
        "category.{…}",
        "answer.basis",
      ]),
    );
    const missing = uses.flatMap((u) =>
      [
        ["vi", vi],
        ["en", en],
      ].flatMap(([lang, texts]) =>
        Object.keys(texts as Record<string, string>).some((k) => u.key.test(k))
          ? []
          : [`${u.file}:${u.line}: ${u.text} (${lang as string})`],
      ),
    );
    expect(missing).toEqual([]);
  });

  it("has the same keys, with the same variables, in Vietnamese and English", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort());
    const differ = Object.keys(vi).filter(
      (k) =>
        en[k] !== undefined &&
        en[k] !== "" &&
        vi[k] !== "" &&
        variables(vi[k] as string).join() !== variables(en[k] as string).join(),
    );
    expect(differ).toEqual([]);
  });
});
