import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { t } from "../i18n.js";
import type {
  DocumentLibrary,
  DocumentPreview,
  LibraryChange,
  LibraryDocument,
} from "../knowledge/library/document-library.js";
import type { RejectReason } from "../knowledge/library/errors.js";
import { MAX_UPLOAD_BYTES } from "../knowledge/library/read-upload.js";
import { type ConsoleDeps, fail, viewerOf } from "./context.js";

/**
 * The document library for province admins (issue 14, "Documents"): upload a PDF or DOCX and
 * see what was read, confirm it with corrections, list, mark replaced or in force, remove.
 * Changes go through `DocumentLibrary` (a rebuilt index, announced to every process) and are
 * answered once published. Admins only; every change and every refusal is written to
 * console_audit with the document's id and symbol, never its content.
 *
 * The upload is the file itself as the request body (`POST /documents/uploads?name=…`), as the
 * web chat takes photos: one file needs no multipart, and the library judges it by its bytes
 * whatever type the browser claims.
 */

/** Types a browser may give a PDF or DOCX (or none it knows): the content decides. */
const UPLOAD_TYPES = [
  "application/pdf",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/octet-stream",
];
const DOC_ID = /^[a-z0-9-]{1,100}$/;
const UPLOAD_ID = /^[0-9a-f-]{36}$/;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const text = z.string().trim().min(1).max(500);
const statusSchema = z
  .object({
    status: z.enum(["in force", "replaced"]),
    replacedBy: text.optional(),
    replacedOn: day.optional(),
  })
  .strict();
const confirmSchema = statusSchema
  .extend({
    title: text.optional(),
    symbol: text.optional(),
    kind: text.optional(),
    issuer: text.optional(),
    date: day.optional(),
    effective: day.optional(),
  })
  .strict();
const nameSchema = z.object({ name: z.string().max(255).optional() }).strict();

/** The library's refusals of an upload, as statuses. */
const REJECTED: Record<RejectReason, number> = {
  "too-large": 413,
  "unsupported-type": 415,
  unreadable: 422,
  "no-text": 422,
};

/** A document-library error body: a code and its sentence from `console.documents.error.*`. */
function refuse(
  reply: FastifyReply,
  status: number,
  code: string,
  vars: Record<string, string | number> = {},
) {
  return reply.code(status).send({ error: code, message: t(`console.documents.error.${code}`, vars) });
}

/** A document as the page lists it (the library's bookkeeping of hashes left out). */
function listed(d: LibraryDocument) {
  return {
    id: d.id,
    title: d.title,
    symbol: d.symbol ?? null,
    kind: d.kind ?? null,
    issuer: d.issuer ?? null,
    date: d.date ?? null,
    effective: d.effective ?? null,
    status: d.status,
    replacedBy: d.replacedBy ?? null,
    replacedOn: d.replacedOn ?? null,
    originalName: d.originalName,
    size: d.size,
    uploadedAt: d.uploadedAt,
    changedAt: d.changedAt,
  };
}

export function documentRoutes(deps: ConsoleDeps) {
  /** Changes asked for and not answered yet: the page shows that the index is being rebuilt. */
  let building = 0;

  const audit = (req: FastifyRequest, action: string, allowed: boolean, detail: Record<string, unknown>) =>
    deps.audit.record({ actor: req.viewer?.actor ?? "unknown", action, allowed, detail });

  /** The library's typed errors (compared by name) as statuses and sentences; others rethrown. */
  const failed = (reply: FastifyReply, e: unknown) => {
    const err = e as Error & { reason?: RejectReason; reasons?: readonly string[] };
    switch (err.name) {
      case "UploadRejectedError": {
        const reason = err.reason ?? "unreadable";
        return refuse(reply, REJECTED[reason] ?? 422, reason, { mb: MAX_UPLOAD_BYTES / 1048576 });
      }
      case "UnknownUploadError":
        return refuse(reply, 404, "upload-expired");
      case "UnknownDocumentError":
        return refuse(reply, 404, "no-document");
      case "InvalidChangeError":
        return refuse(reply, 400, "invalid-change");
      case "LibraryChangeFailedError":
        return refuse(reply, 409, "build-failed", { reasons: (err.reasons ?? []).join("; ").slice(0, 500) });
      default:
        throw e;
    }
  };

  /** Runs a change, audits it (done or refused, with the library's error name) and answers. */
  const change = async (
    req: FastifyRequest,
    reply: FastifyReply,
    action: string,
    subject: Record<string, unknown>,
    run: (library: DocumentLibrary, by: string) => Promise<LibraryChange>,
  ) => {
    const library = deps.documents;
    if (!library) return refuse(reply, 503, "unavailable");
    building++;
    try {
      const done = await run(library, viewerOf(req).actor);
      await audit(req, action, true, {
        ...subject,
        document: done.document.id,
        symbol: done.document.symbol ?? null,
        result: done.published ? "published" : "unchanged",
        version: done.version,
      });
      return { document: listed(done.document), version: done.version, published: done.published };
    } catch (e) {
      await audit(req, action, true, { ...subject, result: "refused", error: (e as Error).name });
      return failed(reply, e);
    } finally {
      building--;
    }
  };

  return async (api: FastifyInstance) => {
    // Admins only: refused before the body is read, and audited.
    api.addHook("onRequest", async (req, reply) => {
      if (viewerOf(req).isAdmin) return undefined;
      await audit(req, "documents", false, { method: req.method, route: req.routeOptions.url ?? null });
      return refuse(reply, 403, "admins-only");
    });
    api.addContentTypeParser(
      UPLOAD_TYPES,
      { parseAs: "buffer", bodyLimit: MAX_UPLOAD_BYTES },
      (_req, body, done) => done(null, body),
    );
    api.setErrorHandler(async (err: Error & { statusCode?: number; code?: string }, req, reply) => {
      const reason =
        err.code === "FST_ERR_CTP_BODY_TOO_LARGE"
          ? "too-large"
          : err.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE"
            ? "unsupported-type"
            : undefined;
      if (reason) {
        await audit(req, "document-upload", true, { result: "refused", error: reason });
        return refuse(reply, REJECTED[reason], reason, { mb: MAX_UPLOAD_BYTES / 1048576 });
      }
      if (err.statusCode && err.statusCode < 500) return fail(reply, err.statusCode, "invalid");
      deps.logger.error({ route: req.routeOptions.url, err: err.message }, "console document request failed");
      return fail(reply, 503, "unavailable");
    });

    api.get("/documents", async (_req, reply) => {
      if (!deps.documents) return refuse(reply, 503, "unavailable");
      reply.header("cache-control", "private, no-store");
      return { documents: (await deps.documents.list()).map(listed), building: building > 0 };
    });

    api.post("/documents/uploads", async (req, reply) => {
      const library = deps.documents;
      if (!library) return refuse(reply, 503, "unavailable");
      const query = nameSchema.safeParse(req.query);
      if (!query.success) return fail(reply, 400, "invalid");
      // A type Fastify parses itself (text, JSON) is not a document either.
      if (!Buffer.isBuffer(req.body)) {
        await audit(req, "document-upload", true, { result: "refused", error: "unsupported-type" });
        return refuse(reply, 415, "unsupported-type");
      }
      let preview: DocumentPreview;
      try {
        preview = await library.preview(req.body, query.data.name ?? "tai-lieu", viewerOf(req).actor);
      } catch (e) {
        await audit(req, "document-upload", true, { result: "refused", error: (e as Error).name });
        return failed(reply, e);
      }
      await audit(req, "document-upload", true, {
        result: "staged",
        uploadId: preview.uploadId,
        symbol: preview.symbol ?? null,
        format: preview.format,
        size: preview.size,
        articles: preview.articles.length,
      });
      return reply.code(201).send({ preview: await shown(library, preview, req.body) });
    });

    api.post<{ Params: { uploadId: string } }>("/documents/uploads/:uploadId/confirm", async (req, reply) => {
      const body = confirmSchema.safeParse(req.body ?? {});
      if (!UPLOAD_ID.test(req.params.uploadId) || !body.success) return refuse(reply, 400, "invalid-change");
      const { uploadId } = req.params;
      if (body.data.status === "replaced" && !body.data.replacedBy)
        return refuse(reply, 400, "replaced-by-missing");
      return change(req, reply, "document-confirm", { uploadId }, (library, by) =>
        library.confirm(uploadId, body.data, by),
      );
    });

    api.put<{ Params: { id: string } }>("/documents/:id/status", async (req, reply) => {
      const body = statusSchema.safeParse(req.body ?? {});
      if (!DOC_ID.test(req.params.id) || !body.success) return refuse(reply, 400, "invalid-change");
      const { status, ...replacement } = body.data;
      if (status === "replaced" && !replacement.replacedBy) return refuse(reply, 400, "replaced-by-missing");
      return change(req, reply, "document-status", { document: req.params.id, status }, (library, by) =>
        library.setStatus(req.params.id, status, replacement, by),
      );
    });

    api.delete<{ Params: { id: string } }>("/documents/:id", async (req, reply) => {
      if (!DOC_ID.test(req.params.id)) return refuse(reply, 404, "no-document");
      return change(req, reply, "document-remove", { document: req.params.id }, (library, by) =>
        library.remove(req.params.id, by),
      );
    });
  };
}

/** The preview as the page shows it: the warnings in Vietnamese, naming the document they concern. */
async function shown(library: DocumentLibrary, p: DocumentPreview, bytes: Buffer) {
  const docs = await library.list();
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const sameFile = docs.find((d) => d.sha256 === sha256);
  const sameSymbol = p.symbol ? docs.find((d) => d.symbol === p.symbol) : undefined;
  const vars = (d: LibraryDocument | undefined) => ({
    id: d?.id ?? "",
    title: d?.title ?? "",
    symbol: p.symbol ?? "",
  });
  return {
    uploadId: p.uploadId,
    expiresAt: p.expiresAt,
    filename: p.filename,
    format: p.format,
    size: p.size,
    title: p.title,
    symbol: p.symbol ?? null,
    issuer: p.issuer ?? null,
    kind: p.kind ?? null,
    date: p.date ?? null,
    effective: p.effective ?? null,
    articles: p.articles.map((a) => ({ number: a.number, title: a.title })),
    passages: p.chunks,
    firstLines: p.firstLines,
    warnings: p.warnings.map((w) => ({
      code: w.code,
      message: t(
        `console.documents.warning.${w.code}`,
        vars(w.code === "same-file" ? sameFile : w.code === "same-symbol" ? sameSymbol : undefined),
      ),
    })),
  };
}
