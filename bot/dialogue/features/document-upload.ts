import { type Lang, t, tl } from "../../../i18n.js";
import type { DocumentPreview, LibraryChange } from "../../../knowledge/library/document-library.js";
import { isInvitationRefused } from "../../../workers/directory/invitations.js";
import { MAX_DOWNLOAD_BYTES } from "../../download.js";
import type { DocumentDesk, Feature, IncomingDocument, Reply, Turn } from "../feature.js";

/** "Điều N." lines listed in the preview; the rest are counted. */
const LISTED_ARTICLES = 10;
const UPLOAD_ID = /^[0-9a-f-]{36}$/;
/** The library's refusals of an upload, each worded in `documentUpload.error.*`. */
const REJECTIONS = ["unsupported-type", "unreadable", "no-text"] as const;

const mb = MAX_DOWNLOAD_BYTES / 1048576;
/** "2025-03-12" as the documents write it, 12/03/2025. */
const day = (iso: string) => iso.replace(/^(\d{4})-(\d{2})-(\d{2})$/, "$3/$2/$1");
const size = (bytes: number) =>
  bytes < 1048576 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1048576).toFixed(1)} MB`;

/**
 * Runs `then` for a province admin (with their person id: the `by` the library audits); anyone
 * else is refused politely, their file neither downloaded nor kept, and the directory logs the
 * refusal under a hash of the chat.
 */
async function asAdmin(
  turn: Turn,
  action: string,
  then: (desk: DocumentDesk, by: string) => Promise<Reply[]>,
): Promise<Reply[]> {
  const { documents, directory } = turn.deps;
  if (!documents || !directory) return [{ text: t("documentUpload.unavailable") }];
  let by: string;
  try {
    by = await directory.requireAdmin(turn.chat, action);
  } catch (e) {
    if (!isInvitationRefused(e)) throw e;
    return [{ text: t("documentUpload.refused") }];
  }
  return then(documents, by);
}

/** The error's sentence when it is one of the library's (compared by name), else undefined. */
function refusal(e: unknown): string | undefined {
  const err = e as Error & { reason?: string; reasons?: readonly string[] };
  switch (err.name) {
    case "DownloadError":
      return err.reason === "too-large" ? t("documentUpload.tooLarge", { mb }) : undefined;
    case "UploadRejectedError":
      if (err.reason === "too-large") return t("documentUpload.tooLarge", { mb });
      return t(`documentUpload.error.${REJECTIONS.find((r) => r === err.reason) ?? "unreadable"}`);
    case "UnknownUploadError":
      return t("documentUpload.expired");
    case "LibraryChangeFailedError":
      return t("documentUpload.buildFailed", { reasons: (err.reasons ?? []).join("; ").slice(0, 300) });
    default:
      return undefined;
  }
}

/** What was read, the warnings, and the question with its two choices. */
function shown(p: DocumentPreview): Reply[] {
  const lines = [
    t("documentUpload.read", { filename: p.filename, format: p.format.toUpperCase(), size: size(p.size) }),
    t("documentUpload.title", { title: p.title }),
  ];
  if (p.symbol) lines.push(t("documentUpload.symbol", { symbol: p.symbol }));
  if (p.kind) lines.push(t("documentUpload.kind", { kind: p.kind }));
  if (p.issuer) lines.push(t("documentUpload.issuer", { issuer: p.issuer }));
  if (p.date) lines.push(t("documentUpload.date", { date: day(p.date) }));
  if (p.effective) lines.push(t("documentUpload.effective", { date: day(p.effective) }));
  if (p.articles.length > 0) {
    lines.push(t("documentUpload.articles", { n: p.articles.length }));
    for (const a of p.articles.slice(0, LISTED_ARTICLES))
      lines.push(t("documentUpload.article", { number: a.number, title: a.title }));
    if (p.articles.length > LISTED_ARTICLES)
      lines.push(t("documentUpload.moreArticles", { n: p.articles.length - LISTED_ARTICLES }));
  }
  lines.push(t("documentUpload.passages", { n: p.chunks }));
  for (const w of p.warnings)
    if (w.code !== "no-text") lines.push(t(`documentUpload.warning.${w.code}`, { symbol: p.symbol ?? "" }));
  // A scan has nothing to index: the library would refuse it, so it is not offered.
  if (p.warnings.some((w) => w.code === "no-text"))
    return [{ text: [...lines, t("documentUpload.error.no-text")].join("\n") }];
  const minutes = Math.max(1, Math.round((Date.parse(p.expiresAt) - Date.now()) / 60_000));
  lines.push("", t("documentUpload.question", { minutes }));
  return [
    {
      text: lines.join("\n"),
      choices: [
        { data: `doc:ok:${p.uploadId}`, label: t("documentUpload.confirm") },
        { data: `doc:no:${p.uploadId}`, label: t("documentUpload.cancel") },
      ],
    },
  ];
}

/** An admin's file: downloaded, read by the library (staged, nothing indexed) and shown. */
function received(turn: Turn, file: IncomingDocument): Promise<Reply[]> {
  return asAdmin(turn, "document-upload", async (desk, by) => {
    if ((file.size ?? 0) > MAX_DOWNLOAD_BYTES) return [{ text: t("documentUpload.tooLarge", { mb }) }];
    let preview: DocumentPreview;
    try {
      preview = await desk.preview(await file.read(), file.filename, by);
    } catch (e) {
      const sentence = refusal(e);
      if (!sentence) throw e;
      desk.logger.info(
        {
          action: "document-upload",
          by,
          channel: turn.chat.channel,
          result: "refused",
          error: (e as Error).name,
        },
        "document from a chat refused",
      );
      return [{ text: sentence }];
    }
    desk.logger.info(
      {
        action: "document-upload",
        by,
        channel: turn.chat.channel,
        result: "staged",
        uploadId: preview.uploadId,
        symbol: preview.symbol ?? null,
        format: preview.format,
        size: preview.size,
        articles: preview.articles.length,
      },
      "document from a chat read, waiting for confirmation",
    );
    return shown(preview);
  });
}

/** The reply once the rebuilt index is current. */
function done(lang: Lang, change: LibraryChange): string {
  const { title, symbol } = change.document;
  return symbol
    ? tl(lang, "documentUpload.doneSymbol", { title, symbol })
    : tl(lang, "documentUpload.done", { title });
}

/**
 * "Đưa vào thư viện": the upload goes in force and the index is rebuilt. With `tell`, the turn
 * answers at once and the chat is told when the build is over (it can take a minute, longer
 * than a chat's session may be held); without it, the turn waits for the build.
 */
function confirm(turn: Turn, uploadId: string): Promise<Reply[]> {
  return asAdmin(turn, "document-confirm", async (desk, by) => {
    const lang = turn.session.lang;
    const log = (result: string, extra: Record<string, unknown>) =>
      desk.logger.info(
        { action: "document-confirm", by, channel: turn.chat.channel, uploadId, result, ...extra },
        "document from a chat: confirmation",
      );
    const building = desk.confirm(uploadId, { status: "in force" }, by).then(
      (change) => {
        log(change.published ? "published" : "unchanged", {
          document: change.document.id,
          symbol: change.document.symbol ?? null,
          version: change.version,
        });
        return done(lang, change);
      },
      (e: unknown) => {
        const sentence = refusal(e);
        log("refused", { error: (e as Error).name });
        if (sentence) return sentence;
        throw e;
      },
    );
    const tell = turn.deps.tell;
    if (!tell) return [{ text: await building }];
    const chat = turn.chat;
    void building
      .catch((e: unknown) => {
        desk.logger.error(
          { uploadId, err: (e as Error).message },
          "document from a chat: confirmation failed",
        );
        return tl(lang, "documentUpload.failed");
      })
      .then((text) => tell(chat, text))
      .catch(() => undefined);
    return [{ text: t("documentUpload.building") }];
  });
}

/** "Hủy": nothing goes into the library, and the staged upload is dropped (its confirm goes stale). */
function cancel(turn: Turn, uploadId: string): Promise<Reply[]> {
  return asAdmin(turn, "document-cancel", async (desk, by) => {
    if (!(await desk.discard(uploadId, by))) return [{ text: t("documentUpload.expired") }];
    desk.logger.info(
      { action: "document-cancel", by, channel: turn.chat.channel, uploadId },
      "document from a chat cancelled",
    );
    return [{ text: t("documentUpload.cancelled") }];
  });
}

/**
 * Documents for the library from a province admin's chat (issue 14): a PDF or DOCX sent to the
 * bot is read by `DocumentLibrary.preview` and shown (title, symbol, issuer, dates, the
 * "Điều N." found, warnings) with "Đưa vào thư viện" / "Hủy"; confirming puts it in force and
 * rebuilds the index, and the chat is told once the bot answers from it. Anyone else's file is
 * refused without being downloaded. Choices `doc:ok:<uploadId>`, `doc:no:<uploadId>`; each
 * checks again that the chat is an admin's (a choice is only an offer), and the library refuses
 * an upload id it does not hold.
 */
export const documentUploadFeature: Feature = {
  name: "document-upload",
  documents: received,
  choices: {
    doc: (turn, [step, uploadId]) => {
      if (!uploadId || !UPLOAD_ID.test(uploadId)) return undefined;
      if (step === "ok") return confirm(turn, uploadId);
      if (step === "no") return cancel(turn, uploadId);
      return undefined;
    },
  },
};
