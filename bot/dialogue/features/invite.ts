import { t } from "../../../i18n.js";
import {
  deepLinkCode,
  type InvitationTarget,
  isInvitationRefused,
  SCHOOL_ROLES,
} from "../../../workers/directory/invitations.js";
import { formatTime } from "../../../workers/render.js";
import type { Choice, Feature, Reply, Turn } from "../feature.js";
import { roleText } from "./join.js";

/** Contacts per page of the `/moi` contact list (the session keeps at most 20 offered choices). */
const PAGE = 8;
/** Pending invitations listed, each with its revoke button. */
const LISTED = 10;

/**
 * Runs `then` for a province admin (with their person id, the `by` of what they do); anyone
 * else is refused, and the service logs the refusal under a hash of the chat.
 */
async function asAdmin(turn: Turn, action: string, then: (by: string) => Reply[] | Promise<Reply[]>) {
  const desk = turn.deps.directory;
  if (!desk) return [{ text: t("invite.unavailable") }];
  try {
    return await then(await desk.requireAdmin(turn.chat, action));
  } catch (e) {
    if (!isInvitationRefused(e)) throw e;
    turn.session.flow = undefined;
    return [{ text: t("invite.refused") }];
  }
}

async function menu(turn: Turn): Promise<Reply[]> {
  return asAdmin(turn, "invite", async () => {
    const pending = (await turn.deps.directory?.list({ pendingOnly: true, limit: LISTED + 1 })) ?? [];
    return [
      {
        text: t("invite.menu"),
        choices: [
          { data: "inv:contact:0", label: t("invite.forContact") },
          { data: "inv:school", label: t("invite.forSchool") },
          { data: "inv:admin", label: t("invite.forAdmin") },
          { data: "inv:list", label: t("invite.pending", { n: pending.length }) },
        ],
      },
    ];
  });
}

function contactPage(turn: Turn, page: number): Reply[] {
  const all = turn.deps.routing.contacts;
  const pages = Math.max(1, Math.ceil(all.length / PAGE));
  const at = Math.min(Math.max(0, page), pages - 1);
  const choices: Choice[] = all
    .slice(at * PAGE, at * PAGE + PAGE)
    .map((c) => ({ data: `inv:c:${c.id}`, label: c.name }));
  if (at + 1 < pages) choices.push({ data: `inv:contact:${at + 1}`, label: t("invite.more") });
  return [{ text: t("invite.chooseContact", { page: at + 1, pages }), choices }];
}

/** Mints the code and shows it once, with its expiry and, for Telegram, the deep link. */
async function mint(turn: Turn, target: InvitationTarget, by: string): Promise<Reply[]> {
  const desk = turn.deps.directory;
  if (!desk) return [{ text: t("invite.unavailable") }];
  turn.session.flow = undefined;
  let minted: Awaited<ReturnType<typeof desk.mint>>;
  try {
    minted = await desk.mint(target, { by });
  } catch (e) {
    if ((e as Error).name === "InvitationTargetError") return [{ text: t("invite.unknownTarget") }];
    throw e;
  }
  const username = turn.deps.botUsername?.();
  const lines = [
    t("invite.minted", {
      what: roleText(minted.target, turn.session.lang),
      code: minted.code,
      expires: formatTime(minted.expiresAt.getTime()),
    }),
  ];
  if (username)
    lines.push(t("invite.link", { link: `https://t.me/${username}?start=${deepLinkCode(minted.code)}` }));
  return [{ text: lines.join("\n") }];
}

async function pendingList(turn: Turn): Promise<Reply[]> {
  const desk = turn.deps.directory;
  if (!desk) return [{ text: t("invite.unavailable") }];
  const pending = await desk.list({ pendingOnly: true, limit: LISTED });
  if (pending.length === 0) return [{ text: t("invite.noPending") }];
  const lang = turn.session.lang;
  return [
    {
      text: [
        t("invite.pendingTitle"),
        ...pending.map((p, i) =>
          t("invite.pendingLine", {
            n: i + 1,
            what: roleText(p.target, lang),
            by: p.createdByName ?? p.createdBy,
            created: formatTime(p.createdAt.getTime()),
            expires: formatTime(p.expiresAt.getTime()),
          }),
        ),
      ].join("\n"),
      choices: pending.map((p, i) => ({ data: `inv:x:${p.id}`, label: t("invite.revoke", { n: i + 1 }) })),
    },
  ];
}

async function revoke(turn: Turn, id: number, by: string): Promise<Reply[]> {
  const desk = turn.deps.directory;
  if (!desk) return [{ text: t("invite.unavailable") }];
  try {
    const done = await desk.revoke({ id }, by);
    return [{ text: t("invite.revoked", { what: roleText(done.target, turn.session.lang) }) }];
  } catch (e) {
    if ((e as Error).name === "InvitationNotPendingError") return [{ text: t("invite.notPending") }];
    throw e;
  }
}

const isSchoolRole = (r: string | undefined): r is (typeof SCHOOL_ROLES)[number] =>
  (SCHOOL_ROLES as readonly string[]).includes(r ?? "");

/**
 * `/moi` for province admins: invite someone to a contact slot (the contacts, a page at a
 * time), a school role (the school searched by name, then the role) or as another admin; list
 * pending invitations and revoke them. Choices `inv:<step>[:<arg>…]`; flow "invite-school".
 * Every step checks again that the chat is an admin's: a choice is only an offer.
 */
export const inviteFeature: Feature = {
  name: "invite",
  commands: { moi: menu },
  choices: {
    inv: (turn, [step, a, b]) => {
      switch (step) {
        case "contact":
          return asAdmin(turn, "invite", () => contactPage(turn, Number(a) || 0));
        case "c": {
          const contact = a ? turn.deps.routing.contactById(a) : undefined;
          if (!contact) return undefined;
          return asAdmin(turn, "invite", (by) =>
            mint(turn, { role: "police-contact", contactId: contact.id }, by),
          );
        }
        case "school":
          return asAdmin(turn, "invite", () => {
            turn.session.flow = { kind: "invite-school" };
            return [{ text: t("invite.schoolPrompt") }];
          });
        case "s": {
          const school = turn.deps.routing.schools.find((s) => s.id === a);
          if (!school) return undefined;
          return asAdmin(turn, "invite", () => [
            {
              text: t("invite.chooseRole", { school: school.name }),
              choices: SCHOOL_ROLES.map((r) => ({
                data: `inv:r:${school.id}:${r}`,
                label: t(`schoolRole.${r}`),
              })),
            },
          ]);
        }
        case "r": {
          const school = turn.deps.routing.schools.find((s) => s.id === a);
          if (!school || !isSchoolRole(b)) return undefined;
          return asAdmin(turn, "invite", (by) =>
            mint(turn, { role: "school-staff", schoolId: school.id, schoolRole: b }, by),
          );
        }
        case "admin":
          return asAdmin(turn, "invite", (by) => mint(turn, { role: "province-admin" }, by));
        case "list":
          return asAdmin(turn, "list-invitations", () => pendingList(turn));
        case "x": {
          const id = Number(a);
          if (!Number.isSafeInteger(id) || id <= 0) return undefined;
          return asAdmin(turn, "revoke", (by) => revoke(turn, id, by));
        }
        default:
          return undefined;
      }
    },
  },
  flows: {
    "invite-school": (turn, text) =>
      asAdmin(turn, "invite", () => {
        const schools = turn.deps.routing.searchPlaces(text, 6).filter((m) => m.kind === "school");
        if (schools.length === 0) return [{ text: t("invite.schoolNotFound") }];
        return [
          {
            text: t("invite.chooseSchool"),
            choices: schools.map((m) => ({ data: `inv:s:${m.id}`, label: m.name })),
          },
        ];
      }),
  },
};
