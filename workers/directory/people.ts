import { and, eq } from "drizzle-orm";
import type { Database } from "../../db/client.js";
import { people, personBindings } from "../../db/schema.js";
import type { PersonChat } from "./invitations.js";

/** The person a chat was bound to by an invitation, if any. */
export interface PersonOfChat {
  readonly id: string;
  readonly name: string | null;
}

/** The person behind `chat` (none for a chat nobody joined with). */
export async function personOfChat(db: Database, chat: PersonChat): Promise<PersonOfChat | undefined> {
  const [row] = await db
    .select({ id: people.id, name: people.name })
    .from(personBindings)
    .innerJoin(people, eq(people.id, personBindings.personId))
    .where(and(eq(personBindings.channel, chat.channel), eq(personBindings.chatId, chat.chatId)));
  return row;
}
