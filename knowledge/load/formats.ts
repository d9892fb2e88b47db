import matter from "gray-matter";
import mammoth from "mammoth";
import { PDFParse } from "pdf-parse";
import { z } from "zod";
import { normalizeText } from "../../text/normalize.js";
import type { LoadedDocument } from "../document.js";
import { DocumentLoadError } from "../errors.js";
import { buildMeta, type MetaFields, metaFieldsSchema } from "./meta.js";

/**
 * One loader per file format. Each gets the file's bytes, its path (for messages and ids) and
 * the manifest entry for it, and returns the documents in it.
 */
export type FormatLoader = (bytes: Buffer, path: string, manifest?: MetaFields) => Promise<LoadedDocument[]>;

function textOf(bytes: Buffer, path: string): string {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  if (text.includes("\u0000")) throw new DocumentLoadError(path, "looks like a binary file, not text");
  return normalizeText(text).replace(/^\ufeff/, "");
}

function nonEmpty(text: string, path: string): string {
  if (text.trim().length === 0) throw new DocumentLoadError(path, "no text found in the file");
  return text;
}

export const loadPlainText: FormatLoader = async (bytes, path, manifest) => {
  const text = nonEmpty(textOf(bytes, path), path);
  return [{ meta: buildMeta(path, text, manifest), text }];
};

/** Markdown with optional YAML front matter (id, symbol, title, kind, issuer, date, status, replaced_by, aliases). */
export const loadMarkdown: FormatLoader = async (bytes, path, manifest) => {
  let parsed: matter.GrayMatterFile<string>;
  try {
    // With options given, gray-matter parses afresh instead of returning a cached, shared result.
    parsed = matter(textOf(bytes, path), { language: "yaml" });
  } catch (cause) {
    throw new DocumentLoadError(path, `front matter is not valid YAML: ${(cause as Error).message}`, {
      cause,
    });
  }
  const front = metaFieldsSchema.safeParse(parsed.data);
  if (!front.success) {
    const where = front.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new DocumentLoadError(path, `front matter: ${where}`);
  }
  if (front.data.explains && front.data.symbol)
    throw new DocumentLoadError(
      path,
      `a guidance card (it has explains) has no symbol of its own; ${front.data.symbol} is the text it explains`,
    );
  const text = nonEmpty(parsed.content, path);
  return [{ meta: buildMeta(path, text, manifest, front.data), text }];
};

export const loadDocx: FormatLoader = async (bytes, path, manifest) => {
  let value: string;
  try {
    ({ value } = await mammoth.extractRawText({ buffer: bytes }));
  } catch (cause) {
    throw new DocumentLoadError(path, `not a readable .docx file: ${(cause as Error).message}`, { cause });
  }
  const text = nonEmpty(normalizeText(value), path);
  return [{ meta: buildMeta(path, text, manifest), text }];
};

export const loadPdf: FormatLoader = async (bytes, path, manifest) => {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  let raw: string;
  try {
    raw = (await parser.getText()).text;
  } catch (cause) {
    throw new DocumentLoadError(path, `not a readable PDF: ${(cause as Error).message}`, { cause });
  } finally {
    await parser.destroy();
  }
  // pdf-parse marks page breaks as "-- 1 of 3 --"; they are not part of the text.
  const text = nonEmpty(normalizeText(raw).replace(/^-- \d+ of \d+ --$/gm, ""), path);
  return [{ meta: buildMeta(path, text, manifest), text }];
};

const legalArticlesSchema = z
  .array(
    z.object({
      id: z.string().min(1),
      title: z.string().optional(),
      articles: z.array(z.object({ id: z.coerce.string().min(1), text: z.string().min(1) })).min(1),
    }),
  )
  .min(1);

/** Legal-articles JSON: `[{id, articles:[{id, text}]}]`, one document per law. */
export const loadLegalJson: FormatLoader = async (bytes, path, manifest) => {
  let raw: unknown;
  try {
    raw = JSON.parse(textOf(bytes, path));
  } catch (cause) {
    throw new DocumentLoadError(path, "not valid JSON", { cause });
  }
  const parsed = legalArticlesSchema.safeParse(raw);
  if (!parsed.success) {
    const where = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    throw new DocumentLoadError(path, `expected [{id, articles:[{id, text}]}]: ${where}`);
  }
  return parsed.data.map((law) => ({
    meta: buildMeta(path, "", manifest, {
      id: law.id,
      title: law.title ?? law.id,
      kind: manifest?.kind ?? "luật",
    }),
    text: "",
    articles: law.articles.map((a) => ({ id: a.id, text: normalizeText(a.text) })),
  }));
};

/** Loader by file extension (lower case, with the dot). */
export const LOADERS: Readonly<Record<string, FormatLoader>> = {
  ".txt": loadPlainText,
  ".md": loadMarkdown,
  ".markdown": loadMarkdown,
  ".docx": loadDocx,
  ".pdf": loadPdf,
  ".json": loadLegalJson,
};
