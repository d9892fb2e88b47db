import type { Database } from "../db/client.js";
import { t } from "../i18n.js";
import type { HeldRole, InvitationDesk } from "../workers/directory/invitations.js";
import { personOfChat } from "../workers/directory/people.js";
import type { ConsolePrincipal } from "../workers/directory/sign-in-links.js";
import type { ChatAddress } from "../workers/messenger.js";
import type { Routing } from "../workers/routing/routing-table.js";
import type { Contact } from "../workers/routing/schema.js";

/**
 * Who is using the console, worked out from the directory at every request (a role taken away
 * takes effect at the next click):
 * - a province admin sees every tip and every figure of the province;
 * - a police contact sees the tips they may act on (the triage rules: routed or forwarded to
 *   them, their commune and category, or the duty officer) and the figures of their area;
 * - school staff see their school's figures (tips go to the police, not to schools).
 */
export interface Viewer {
  readonly principal: ConsolePrincipal;
  /** Who the audit names: a person id, `contact:<id>` or `operator`; never a chat id. */
  readonly actor: string;
  readonly name: string;
  /** The chat triage actions are taken as (the chat buttons' rules), when the viewer has one. */
  readonly chat?: ChatAddress;
  /** Contacts of the routing table behind the viewer's chat. */
  readonly contacts: readonly Contact[];
  readonly roles: readonly HeldRole["role"][];
  readonly isAdmin: boolean;
  /** Schools whose figures the viewer sees as their staff. */
  readonly schools: readonly string[];
  /** Communes whose figures the viewer sees; every commune for an admin. */
  readonly communes: readonly string[];
}

export interface ViewerDeps {
  readonly routing: Routing;
  /** People and their roles; without it only contacts bound in the routing table sign in. */
  readonly db?: Database;
  readonly invitations?: Pick<InvitationDesk, "rolesOf">;
}

/**
 * The viewer behind a principal, or undefined when it holds no role any more (a contact
 * removed from the directory, a role revoked): such a session is refused.
 */
export async function resolveViewer(
  deps: ViewerDeps,
  principal: ConsolePrincipal,
): Promise<Viewer | undefined> {
  const { routing } = deps;
  const allCommunes = routing.communes.map((c) => c.id);
  if (principal.kind === "operator")
    return {
      principal,
      actor: "operator",
      name: t("console.who.operator"),
      contacts: [],
      roles: ["province-admin"],
      isAdmin: true,
      schools: [],
      communes: allCommunes,
    };
  const chat = { channel: principal.channel, chatId: principal.chatId };
  const contacts = routing.contactsByChat(chat.channel, chat.chatId);
  const held = deps.invitations ? await deps.invitations.rolesOf(chat) : [];
  const person = deps.db ? await personOfChat(deps.db, chat) : undefined;
  if (contacts.length === 0 && held.length === 0) return undefined;
  const isAdmin = held.some((r) => r.role === "province-admin");
  const schools = [...new Set(held.flatMap((r) => (r.role === "school-staff" ? [r.schoolId] : [])))];
  const area = new Set(contacts.flatMap((c) => routing.areaOf(c)));
  const roles = [
    ...new Set([...held.map((r) => r.role), ...(contacts.length > 0 ? ["police-contact" as const] : [])]),
  ];
  return {
    principal,
    actor: person ? person.id : `contact:${contacts[0]?.id ?? "none"}`,
    name: person?.name ?? contacts[0]?.name ?? routing.schools.find((s) => s.id === schools[0])?.name ?? "",
    chat,
    contacts,
    roles,
    isAdmin,
    schools,
    communes: isAdmin ? allCommunes : allCommunes.filter((id) => area.has(id)),
  };
}

/** Whether a chat may ask for a console link at all (`/dangnhap`): bound as a contact or a person with a role. */
export async function mayUseConsole(deps: ViewerDeps, chat: ChatAddress): Promise<boolean> {
  if (chat.channel !== "telegram" && chat.channel !== "zalo") return false;
  return (
    (await resolveViewer(deps, { kind: "chat", channel: chat.channel, chatId: chat.chatId })) !== undefined
  );
}
