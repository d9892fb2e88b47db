import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { DirectoryEmptyError } from "../workers/directory/errors.js";
import { readDirectory } from "../workers/directory/read.js";
import { type ConsoleDeps, fail, viewerOf } from "./context.js";
import type { ConsoleDirectoryDeps } from "./directory-deps.js";
import {
  addEntry,
  addRoute,
  changeEntry,
  changeRoute,
  changeSettings,
  type DirectoryEditError,
  type DocumentEdit,
  editDirectory,
  removeEntry,
  removeRoute,
  routeKeyOf,
} from "./directory-edit.js";
import { invitationRoutes } from "./directory-invitation-routes.js";
import {
  contactName,
  directoryView,
  type FieldOf,
  fieldsUnder,
  invalid,
  pageProblems,
  shapeProblems,
} from "./directory-view.js";

const text = z.string().max(400);
const communeBody = z.object({ id: text, name: text }).strict();
const communeChange = communeBody.omit({ id: true });
const schoolBody = z.object({ id: text, name: text, commune: text }).strict();
const schoolChange = schoolBody.omit({ id: true });
// A contact is named, or described by its parts; never given a chat (officers join by invitation).
const contactBody = z
  .object({
    id: text,
    name: text.optional(),
    role: z.enum(["officer", "duty-desk", "unit"]).optional(),
    rank: z.string().max(40).optional(),
    person: z.string().max(160).optional(),
    unit: z.string().max(160).optional(),
  })
  .strict();
const routeBody = z
  .object({ category: text, commune: text, primary: text, backup: text.nullish(), duty: text })
  .strict();
const settingsBody = z
  .object({
    dutyOfficer: text.optional(),
    deadlines: z.object({ "khan-cap": text.optional(), "binh-thuong": text.optional() }).strict().optional(),
  })
  .strict();

type List = "communes" | "schools" | "contacts";

/**
 * The directory for province admins (`/console/api/directory…`): read it, and add, change or
 * remove a commune, school, contact or route, or the duty desk and deadlines — each edit through
 * the YAML import's validation and write path (`editDirectory`), audited in `directory_audit`
 * as the viewer, then announced so that every process reloads. Anyone else: 403, audited.
 */
export function directoryRoutes(deps: ConsoleDeps) {
  return async (api: FastifyInstance) => {
    api.addHook("onRequest", async (req, reply) => {
      const v = viewerOf(req);
      if (!v.isAdmin) {
        await deps.audit.record({
          actor: v.actor,
          action: "directory",
          allowed: false,
          detail: { method: req.method, route: req.routeOptions.url ?? null, reason: "not-an-admin" },
        });
        return fail(reply, 403, "forbidden");
      }
      if (!deps.directory) return fail(reply, 503, "unavailable");
      return undefined;
    });
    const dir = (): ConsoleDirectoryDeps => deps.directory as ConsoleDirectoryDeps;

    const view = async () => {
      const stored = await readDirectory(dir().db);
      if (!stored) throw new DirectoryEmptyError();
      return directoryView(stored.rows);
    };

    api.get("/directory", async (req, reply) => {
      await deps.audit.record({ actor: viewerOf(req).actor, action: "view-directory", allowed: true });
      return reply.header("cache-control", "private, no-store").send(await view());
    });

    /**
     * Runs one edit: validated and written (or refused whole), audited, announced, answered with
     * the directory as it now is. `fields` tells, from the edited document, which problems are
     * the form's own fields (those of the entry it edits), so the page shows them there.
     */
    const run = async (
      req: FastifyRequest,
      reply: FastifyReply,
      what: { readonly entity: string; readonly op: "add" | "change" | "remove"; readonly key: string },
      edit: DocumentEdit,
      fields?: (document: DirectoryEditError["document"]) => FieldOf,
    ) => {
      const v = viewerOf(req);
      const record = (allowed: boolean, detail: Record<string, unknown>) =>
        deps.audit.record({
          actor: v.actor,
          action: "directory-edit",
          allowed,
          detail: { ...what, ...detail },
        });
      let changes: number;
      try {
        ({ changes } = await editDirectory(dir().db, edit, { actor: v.actor, action: "console-edit" }));
      } catch (e) {
        const name = (e as Error).name;
        if (name === "DirectoryTargetError") {
          await record(false, { reason: "not-found" });
          return fail(reply, 404, "not-found");
        }
        if (name !== "DirectoryEditError") throw e;
        const err = e as DirectoryEditError;
        await record(false, { reason: "invalid", problems: err.problems.map((p) => p.path) });
        return invalid(reply, pageProblems(err.problems, err.document, err.before, fields?.(err.document)));
      }
      await record(true, { changes });
      if (changes > 0)
        try {
          await dir().announce();
        } catch (err) {
          // Committed: the other processes see it at their next poll of the database.
          deps.logger.warn(
            { err: (err as Error).message },
            "directory edited, but the change was not announced",
          );
        }
      return { ok: true, changes, directory: await view() };
    };

    const at =
      (list: List, id: string, last = false) =>
      (d: DirectoryEditError["document"]) => {
        const ids = (d[list] as Array<{ id: unknown }>).map((e) => e.id);
        const i = last ? ids.lastIndexOf(id) : ids.indexOf(id);
        return fieldsUnder(i < 0 ? undefined : `${list}.${i}`);
      };
    const idParam = (req: FastifyRequest) => String((req.params as { id: string }).id);

    // ——— Communes, schools ———
    const places = [
      { list: "communes", entity: "commune", body: communeBody, change: communeChange },
      { list: "schools", entity: "school", body: schoolBody, change: schoolChange },
    ] as const;
    for (const { list, entity, body: schema, change } of places) {
      api.post(`/directory/${list}`, async (req, reply) => {
        const body = schema.safeParse(req.body);
        if (!body.success) return invalid(reply, shapeProblems(body.error.issues));
        const key = body.data.id;
        return run(req, reply, { entity, op: "add", key }, addEntry(list, body.data), at(list, key, true));
      });
      api.put(`/directory/${list}/:id`, async (req, reply) => {
        const body = (change as z.ZodType<Record<string, string>>).safeParse(req.body);
        if (!body.success) return invalid(reply, shapeProblems(body.error.issues));
        const key = idParam(req);
        return run(
          req,
          reply,
          { entity, op: "change", key },
          changeEntry(list, key, body.data),
          at(list, key),
        );
      });
      api.delete(`/directory/${list}/:id`, async (req, reply) =>
        run(req, reply, { entity, op: "remove", key: idParam(req) }, removeEntry(list, idParam(req))),
      );
    }

    // ——— Contacts: a name, or its parts (rank, person, unit) ———
    const named = (data: z.infer<typeof contactBody> | Omit<z.infer<typeof contactBody>, "id">) => {
      if (data.role) {
        const composed = contactName({
          role: data.role,
          ...(data.rank !== undefined && { rank: data.rank }),
          ...(data.person !== undefined && { person: data.person }),
          ...(data.unit !== undefined && { unit: data.unit }),
        });
        return composed;
      }
      return { name: data.name ?? "", problems: [] };
    };
    api.post("/directory/contacts", async (req, reply) => {
      const body = contactBody.safeParse(req.body);
      if (!body.success) return invalid(reply, shapeProblems(body.error.issues));
      const { name, problems } = named(body.data);
      if (name === undefined) return invalid(reply, problems);
      const key = body.data.id;
      return run(
        req,
        reply,
        { entity: "contact", op: "add", key },
        addEntry("contacts", { id: key, name }),
        at("contacts", key, true),
      );
    });
    api.put("/directory/contacts/:id", async (req, reply) => {
      const body = contactBody.omit({ id: true }).safeParse(req.body);
      if (!body.success) return invalid(reply, shapeProblems(body.error.issues));
      const { name, problems } = named(body.data);
      if (name === undefined) return invalid(reply, problems);
      const key = idParam(req);
      return run(
        req,
        reply,
        { entity: "contact", op: "change", key },
        changeEntry("contacts", key, { name }),
        at("contacts", key),
      );
    });
    api.delete("/directory/contacts/:id", async (req, reply) =>
      run(
        req,
        reply,
        { entity: "contact", op: "remove", key: idParam(req) },
        removeEntry("contacts", idParam(req)),
      ),
    );

    // ——— Routes: category × commune → primary, backup, duty ———
    const routeAt =
      (key: string, last = false) =>
      (d: DirectoryEditError["document"]) => {
        const keys = d.routes.map(routeKeyOf);
        const i = last ? keys.lastIndexOf(key) : keys.indexOf(key);
        return fieldsUnder(i < 0 ? undefined : `routes.${i}`);
      };
    const routeParam = (req: FastifyRequest) => {
      const p = req.params as { category: string; commune: string };
      return `${p.category}|${p.commune}`;
    };
    api.post("/directory/routes", async (req, reply) => {
      const body = routeBody.safeParse(req.body);
      if (!body.success) return invalid(reply, shapeProblems(body.error.issues));
      const key = routeKeyOf(body.data);
      return run(req, reply, { entity: "route", op: "add", key }, addRoute(body.data), routeAt(key, true));
    });
    api.put("/directory/routes/:category/:commune", async (req, reply) => {
      const body = routeBody.omit({ category: true, commune: true }).safeParse(req.body);
      if (!body.success) return invalid(reply, shapeProblems(body.error.issues));
      const key = routeParam(req);
      return run(
        req,
        reply,
        { entity: "route", op: "change", key },
        changeRoute(key, body.data),
        routeAt(key),
      );
    });
    api.delete("/directory/routes/:category/:commune", async (req, reply) =>
      run(req, reply, { entity: "route", op: "remove", key: routeParam(req) }, removeRoute(routeParam(req))),
    );

    // ——— The province's duty desk and deadlines ———
    api.put("/directory/settings", async (req, reply) => {
      const body = settingsBody.safeParse(req.body);
      if (!body.success) return invalid(reply, shapeProblems(body.error.issues));
      const deadlines = Object.fromEntries(
        Object.entries(body.data.deadlines ?? {}).filter(([, value]) => value !== undefined),
      );
      return run(
        req,
        reply,
        { entity: "settings", op: "change", key: "province" },
        changeSettings({
          ...(body.data.dutyOfficer !== undefined && { dutyOfficer: body.data.dutyOfficer }),
          deadlines,
        }),
        () => (path) =>
          path === "dutyOfficer" ? path : path.startsWith("deadlines.") ? path.split(".")[1] : undefined,
      );
    });

    await api.register(invitationRoutes(deps));
  };
}
