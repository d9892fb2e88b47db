import type { FastifyInstance } from "fastify";
import type { Routing } from "../../workers/routing/routing-table.js";
import { isBound } from "../../workers/routing/schema.js";
import { OFFICER_VERBS, type OfficerVerb, tipIdArg } from "../../workers/tip/officer-actions.js";
import type { TipRecord, TipStore } from "../../workers/tip/tip-store.js";
import type { Dialogue } from "../dialogue/dialogue.js";
import { type DemoOfficerInbox, PHOTO_ID, STREAM_ID, type StreamedMessage } from "./chat-streams.js";
import { chatInputSchema, incomingOf, repliesJson } from "./web-chat.js";

export interface DemoOfficerDeps {
  readonly dialogue: Dialogue;
  readonly routing: Routing;
  readonly inbox: DemoOfficerInbox;
  /** Tips (for their current status) and their sanitised photos. */
  readonly tips: Pick<TipStore, "get" | "getPhoto">;
}

/** A message of an officer's inbox as the page shows it. */
export interface DemoInboxMessage {
  readonly id: string;
  readonly text: string;
  readonly actions: readonly { data: string; label: string }[];
  readonly photos: number;
  /** Where the page loads the tip's photos (this server, `/demo/photos/…`). */
  readonly photoUrls: readonly string[];
  /** The tip's status now, when the message is about one. */
  readonly tipStatus?: TipRecord["status"];
}

/**
 * The buttons a tip message still needs: none once it is closed, no "acknowledge" once it is
 * acknowledged. Messages keep the buttons they were sent with; the page renders these instead,
 * so that a reload does not offer to close a closed case.
 */
export function actionsFor(
  actions: readonly { data: string; label: string }[],
  tip: Pick<TipRecord, "status"> | undefined,
): { data: string; label: string }[] {
  if (!tip || tip.status === "closed") return [];
  return actions.filter((a) => !(tip.status === "acknowledged" && officerAction(a.data)?.verb === "ack"));
}

/** An officer action's verb and tip (`<verb>:<tipId>`, see `officerActions`). */
function officerAction(data: string): { verb: OfficerVerb; tipId: string } | undefined {
  const [verb, arg, ...rest] = data.split(":");
  const tipId = tipIdArg(arg);
  const known = OFFICER_VERBS.find((v) => v === verb);
  return known && tipId && rest.length === 0 ? { verb: known, tipId } : undefined;
}

/** The tip a message's buttons act on. */
const tipIdOf = (m: StreamedMessage): string | undefined =>
  m.actions.map((a) => officerAction(a.data)?.tipId).find(Boolean);

/**
 * Demo only (WEB_DEMO_OFFICERS=true, refused in production): the officers of the routing
 * example, their inboxes, and acting as one of them — so a newcomer sees a tip arrive, asks the
 * tipster a question and closes the case without any messenger account. Anyone who can open
 * the page sees every tip and its photos, which is why it is off by default.
 */
export function demoOfficerRoutes(deps: DemoOfficerDeps): (scope: FastifyInstance) => Promise<void> {
  // Only contacts with a chat have an inbox: a vacant slot receives nothing.
  const contactOf = (id: string) => {
    const c = deps.routing.contactById(id);
    return c && isBound(c) ? c : undefined;
  };

  const view = async (messages: readonly StreamedMessage[]): Promise<DemoInboxMessage[]> => {
    const ids = [...new Set(messages.map(tipIdOf).filter((id): id is string => id !== undefined))];
    const tips = new Map(await Promise.all(ids.map(async (id) => [id, await deps.tips.get(id)] as const)));
    return messages.map((m) => {
      const tipId = tipIdOf(m);
      const tip = tipId ? tips.get(tipId) : undefined;
      return {
        id: m.id,
        text: m.text,
        actions: tipId ? actionsFor(m.actions, tip) : m.actions,
        photos: m.photos,
        photoUrls: m.photoIds.map((id) => `/demo/photos/${id}.jpg`),
        ...(tip && { tipStatus: tip.status }),
      };
    });
  };

  return async (scope) => {
    scope.get("/demo/officers", async () => ({
      officers: await Promise.all(
        deps.routing.contacts.filter(isBound).map(async (c) => ({
          id: c.id,
          name: c.name,
          messages: await deps.inbox.count(c),
        })),
      ),
    }));

    scope.get<{ Params: { id: string }; Querystring: { after?: string } }>(
      "/demo/officers/:id/inbox",
      async (req, reply) => {
        const contact = contactOf(req.params.id);
        if (!contact) return reply.code(404).send({ error: "no such officer" });
        const after = req.query.after;
        if (after !== undefined && !STREAM_ID.test(after))
          return reply.code(400).send({ error: "bad cursor" });
        return { messages: await view(await deps.inbox.read(contact, after)) };
      },
    );

    // The photo as the officer receives it: re-encoded, without EXIF/GPS (sanitizePhoto).
    scope.get<{ Params: { id: string } }>("/demo/photos/:id.jpg", async (req, reply) => {
      if (!PHOTO_ID.test(req.params.id)) return reply.code(404).send({ error: "no such photo" });
      const bytes = await deps.tips.getPhoto(req.params.id);
      if (!bytes) return reply.code(404).send({ error: "no such photo" });
      return reply.type("image/jpeg").header("cache-control", "private, max-age=3600").send(bytes);
    });

    scope.post<{ Params: { id: string } }>("/demo/officers/:id/message", async (req, reply) => {
      const contact = contactOf(req.params.id);
      if (!contact) return reply.code(404).send({ error: "no such officer" });
      const body = chatInputSchema.safeParse(req.body);
      if (!body.success) return reply.code(400).send({ error: "expected {text} or {choice}" });
      const replies = await deps.dialogue.handle(
        { channel: contact.channel, chatId: contact.chatId },
        incomingOf(body.data),
      );
      return { replies: await repliesJson(replies) };
    });
  };
}
