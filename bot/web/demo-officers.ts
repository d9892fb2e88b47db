import type { FastifyInstance } from "fastify";
import type { RoutingTable } from "../../workers/routing/routing-table.js";
import type { Dialogue } from "../dialogue/dialogue.js";
import { type DemoOfficerInbox, STREAM_ID } from "./chat-streams.js";
import { chatInputSchema, incomingOf, repliesJson } from "./web-chat.js";

export interface DemoOfficerDeps {
  readonly dialogue: Dialogue;
  readonly routing: RoutingTable;
  readonly inbox: DemoOfficerInbox;
}

/**
 * Demo only (WEB_DEMO_OFFICERS=true, refused in production): the officers of the routing
 * example, their inboxes, and acting as one of them — so a newcomer sees a tip arrive, asks the
 * tipster a question and closes the case without any messenger account. Anyone who can open
 * the page sees every tip, which is why it is off by default.
 */
export function demoOfficerRoutes(deps: DemoOfficerDeps): (scope: FastifyInstance) => Promise<void> {
  const contactOf = (id: string) => deps.routing.contactById(id);
  return async (scope) => {
    scope.get("/demo/officers", async () => ({
      officers: await Promise.all(
        deps.routing.contacts.map(async (c) => ({
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
        return { messages: await deps.inbox.read(contact, after) };
      },
    );

    scope.post<{ Params: { id: string } }>("/demo/officers/:id/message", async (req, reply) => {
      const contact = contactOf(req.params.id);
      if (!contact) return reply.code(404).send({ error: "no such officer" });
      const body = chatInputSchema.safeParse(req.body);
      if (!body.success) return reply.code(400).send({ error: "expected {text} or {choice}" });
      const replies = await deps.dialogue.handle(
        { channel: contact.channel, chatId: contact.chatId },
        incomingOf(body.data),
      );
      return { replies: repliesJson(replies) };
    });
  };
}
