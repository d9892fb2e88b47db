import { Composer, type Context } from "grammy";
import { downloadLimited } from "../../download.js";
import { converse, type TelegramDeps } from "../context.js";

/** What a PDF or DOCX may be called or typed as; the library judges the bytes themselves. */
const DOCUMENT_TYPES = new Set([
  "application/pdf",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
]);
const DOCUMENT_NAME = /\.(pdf|docx)$/i;

/**
 * PDF and DOCX files, for the document library of province admins: handed to the dialogue with
 * a way to fetch them (getFile, ≤ 20 MB), which it uses only for an admin. Other files (a photo
 * sent uncompressed, a voice note…) go on to the catch-all.
 */
export function documentsFeature(deps: TelegramDeps): Composer<Context> {
  const composer = new Composer();
  composer.on("message:document", async (ctx, next) => {
    const doc = ctx.message.document;
    const named = doc.file_name ?? "";
    if (!DOCUMENT_TYPES.has(doc.mime_type ?? "") && !DOCUMENT_NAME.test(named)) return next();
    await converse(ctx, deps, {
      kind: "document",
      filename: named || "tai-lieu",
      ...(doc.file_size !== undefined && { size: doc.file_size }),
      read: async () => {
        const file = await ctx.api.getFile(doc.file_id);
        if (!file.file_path) throw new Error("getFile returned no file_path");
        return downloadLimited(`${deps.apiRoot}/file/bot${deps.token}/${file.file_path}`);
      },
    });
  });
  return composer;
}
