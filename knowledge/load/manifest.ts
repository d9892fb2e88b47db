import { readFile } from "node:fs/promises";
import { z } from "zod";
import { DocumentLoadError } from "../errors.js";
import { type MetaFields, metaFieldsSchema } from "./meta.js";

/** `manifest.json` in a folder: metadata for the files beside it. */
const manifestSchema = z.array(metaFieldsSchema.extend({ file: z.string().min(1) }));

/** Reads a folder's manifest into a map from file name to metadata. */
export async function readManifest(path: string): Promise<Map<string, MetaFields>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (cause) {
    throw new DocumentLoadError(path, "manifest is not valid JSON", { cause });
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new DocumentLoadError(
      path,
      `manifest does not match [{file, id, title, kind, issuer, date}]: ${where}`,
    );
  }
  return new Map(parsed.data.map(({ file, ...meta }) => [file, meta]));
}
