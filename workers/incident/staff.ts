import { and, eq } from "drizzle-orm";
import type { Database } from "../../db/client.js";
import { people, personBindings, personRoles } from "../../db/schema.js";
import type { SchoolRole } from "../directory/invitations.js";
import type { ChatAddress } from "../messenger.js";

/** A school-staff role held by the person behind a chat. */
export interface StaffRole {
  readonly personId: string;
  /** The person's name in the directory; empty when they never gave one. */
  readonly name: string;
  readonly schoolId: string;
  readonly schoolRole: SchoolRole;
}

/** The school-staff roles of the person behind `chat`, oldest granted first (none on the web). */
export async function staffRolesOf(db: Database, chat: ChatAddress): Promise<StaffRole[]> {
  if (chat.channel === "web") return [];
  const rows = await db
    .select({
      personId: people.id,
      name: people.name,
      schoolId: personRoles.schoolId,
      schoolRole: personRoles.schoolRole,
    })
    .from(personBindings)
    .innerJoin(people, eq(people.id, personBindings.personId))
    .innerJoin(personRoles, eq(personRoles.personId, people.id))
    .where(
      and(
        eq(personBindings.channel, chat.channel),
        eq(personBindings.chatId, chat.chatId),
        eq(personRoles.role, "school-staff"),
      ),
    )
    .orderBy(personRoles.id);
  return rows.flatMap((r) =>
    r.schoolId && r.schoolRole
      ? [{ personId: r.personId, name: r.name ?? "", schoolId: r.schoolId, schoolRole: r.schoolRole }]
      : [],
  );
}

/** Whether the person behind `chat` is a province admin. */
export async function isAdminChat(db: Database, chat: ChatAddress): Promise<boolean> {
  if (chat.channel === "web") return false;
  const [row] = await db
    .select({ id: personRoles.id })
    .from(personBindings)
    .innerJoin(personRoles, eq(personRoles.personId, personBindings.personId))
    .where(
      and(
        eq(personBindings.channel, chat.channel),
        eq(personBindings.chatId, chat.chatId),
        eq(personRoles.role, "province-admin"),
      ),
    );
  return row !== undefined;
}
