import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { t } from "../i18n.js";
import { dutyRoster, type RosterEntry } from "../workers/directory/duty.js";
import {
  type DescribedTarget,
  deepLinkCode,
  type InvitationTarget,
  SCHOOL_ROLES,
} from "../workers/directory/invitations.js";
import { type ConsoleDeps, viewerOf } from "./context.js";
import type { ConsoleDirectoryDeps } from "./directory-deps.js";
import { invalid, shapeProblems } from "./directory-view.js";
import type { Viewer } from "./viewer.js";

/** A code's lifetime the page may ask for, in hours (the desk's own bounds: 1 minute … 30 days). */
const ttlHours = z.number().int().min(1).max(720).optional();
const mintSchema = z.discriminatedUnion("role", [
  z.object({ role: z.literal("police-contact"), contactId: z.string().max(80), ttlHours }).strict(),
  z
    .object({
      role: z.literal("school-staff"),
      schoolId: z.string().max(80),
      schoolRole: z.enum(SCHOOL_ROLES),
      ttlHours,
    })
    .strict(),
  z.object({ role: z.literal("province-admin"), ttlHours }).strict(),
]);
const ID = /^\d{1,12}$/;

/** Who mints and revokes, as the desk records it: the admin's person id, or the console's operator. */
function byOf(v: Viewer): string {
  return v.principal.kind === "operator" ? "console:operator" : v.actor;
}

/** "Đầu mối: Trực ban Công an phường An Hòa", "Cán bộ an ninh — Trường THCS An Hòa", … */
function targetLabel(target: DescribedTarget): string {
  if (target.role === "police-contact")
    return t("console.directory.invitation.contact", { name: target.contactName });
  if (target.role === "school-staff")
    return t("console.directory.invitation.school", {
      role: t(`console.directory.school-role.${target.schoolRole}`),
      name: target.schoolName,
    });
  return t("console.directory.invitation.admin", { name: target.provinceName });
}

/**
 * Invitations and who is on duty, for province admins (the directory routes' guard applies):
 * the `/moi` desk's list with each one's status, a new code shown once (with Telegram's deep
 * link when the bot's name is known), revoking a pending one; and the duty roster, read-only.
 */
export function invitationRoutes(deps: ConsoleDeps) {
  const dir = (): ConsoleDirectoryDeps => deps.directory as ConsoleDirectoryDeps;
  const now = deps.now ?? Date.now;
  return async (api: FastifyInstance) => {
    api.get("/directory/invitations", async (req, reply) => {
      await deps.audit.record({ actor: viewerOf(req).actor, action: "view-invitations", allowed: true });
      const list = await dir().invitations.list({ limit: 100, now: now() });
      return reply.header("cache-control", "private, no-store").send({
        invitations: list.map((i) => ({
          id: i.id,
          role: i.target.role,
          target: i.target,
          targetLabel: targetLabel(i.target),
          status: i.status,
          statusLabel: t(`console.directory.invitation-status.${i.status}`),
          createdBy: i.createdByName ?? i.createdBy,
          createdAt: i.createdAt.getTime(),
          expiresAt: i.expiresAt.getTime(),
        })),
      });
    });

    api.post("/directory/invitations", async (req, reply) => {
      const v = viewerOf(req);
      const body = mintSchema.safeParse(req.body);
      if (!body.success) return invalid(reply, shapeProblems(body.error.issues));
      const { ttlHours: hours, ...target } = body.data;
      let minted: Awaited<ReturnType<ConsoleDirectoryDeps["invitations"]["mint"]>>;
      try {
        minted = await dir().invitations.mint(target as InvitationTarget, {
          by: byOf(v),
          now: now(),
          ...(hours !== undefined && { ttlMs: hours * 3_600_000 }),
        });
      } catch (e) {
        if ((e as Error).name !== "InvitationTargetError") throw e;
        const field = (e as { kind: string }).kind === "school" ? "schoolId" : "contactId";
        await deps.audit.record({
          actor: v.actor,
          action: "invite",
          allowed: false,
          detail: { role: target.role, reason: "unknown-target" },
        });
        return invalid(reply, [
          { path: field, field, message: t(`console.directory.problem.unknown-${field}`) },
        ]);
      }
      await deps.audit.record({
        actor: v.actor,
        action: "invite",
        allowed: true,
        detail: { invitation: minted.id, role: target.role },
      });
      const username = dir().botUsername?.();
      // The code is shown this once: it is not stored, only its keyed hash.
      return reply
        .code(201)
        .header("cache-control", "no-store")
        .send({
          invitation: {
            id: minted.id,
            role: minted.target.role,
            target: minted.target,
            targetLabel: targetLabel(minted.target),
            status: "pending",
            statusLabel: t("console.directory.invitation-status.pending"),
            expiresAt: minted.expiresAt.getTime(),
          },
          code: minted.code,
          deepLink: username ? `https://t.me/${username}?start=${deepLinkCode(minted.code)}` : null,
        });
    });

    api.delete("/directory/invitations/:id", async (req, reply) => {
      const v = viewerOf(req);
      const id = String((req.params as { id: string }).id);
      if (!ID.test(id)) return invalid(reply, [{ path: "id", message: t("console.directory.problem.type") }]);
      try {
        const done = await dir().invitations.revoke({ id: Number(id) }, byOf(v), { now: now() });
        await deps.audit.record({
          actor: v.actor,
          action: "revoke-invitation",
          allowed: true,
          detail: { id },
        });
        return { invitation: { id: done.id, status: "revoked", targetLabel: targetLabel(done.target) } };
      } catch (e) {
        if ((e as Error).name !== "InvitationNotPendingError") throw e;
        const status = (e as { status: string }).status;
        await deps.audit.record({
          actor: v.actor,
          action: "revoke-invitation",
          allowed: false,
          detail: { id, reason: status },
        });
        if (status === "unknown")
          return reply.code(404).send({ error: "not-found", message: t("console.error.not-found") });
        return reply.code(409).send({
          error: "not-pending",
          status,
          message: t("console.directory.not-pending", {
            status: t(`console.directory.invitation-status.${status}`),
          }),
        });
      }
    });

    api.get("/directory/duty", async (req, reply) => {
      await deps.audit.record({ actor: viewerOf(req).actor, action: "view-duty", allowed: true });
      const d = dir();
      const roster = d.duty ? await d.duty.roster() : await dutyRoster(d.db, now());
      const entry = (e: RosterEntry) => ({
        ...e,
        statusLabel: e.vacant
          ? t("console.directory.duty.vacant")
          : e.onDuty
            ? t("console.directory.duty.on")
            : e.until === null
              ? t("console.directory.duty.off")
              : t("console.directory.duty.off-until"),
      });
      const names = new Map(roster.communes.flatMap((c) => c.contacts.map((e) => [e.id, e.name])));
      return reply.header("cache-control", "private, no-store").send({
        province: roster.province,
        at: roster.at,
        dutyOfficer: entry(roster.dutyOfficer),
        communes: roster.communes.map((c) => ({
          id: c.id,
          name: c.name,
          unreachable: c.unreachable,
          firstNow: c.firstNow.map((id) => ({ id, name: names.get(id) ?? id })),
          contacts: c.contacts.map(entry),
        })),
      });
    });
  };
}
