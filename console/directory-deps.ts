import type { Database } from "../db/client.js";
import type { DutyDesk } from "../workers/directory/duty.js";
import type { InvitationDesk } from "../workers/directory/invitations.js";

/** What the directory pages need besides the console's own deps (`ConsoleDeps.directory`). */
export interface ConsoleDirectoryDeps {
  readonly db: Database;
  /** The bot's `/moi` desk: mint, list and revoke invitations. */
  readonly invitations: Pick<InvitationDesk, "mint" | "list" | "revoke">;
  /** Who is on duty (`createDutyDesk`); absent: read from `db` at the console's clock. */
  readonly duty?: Pick<DutyDesk, "roster">;
  /** Tells every process the directory changed (`LiveDirectory.changed`); a failure is logged. */
  readonly announce: () => Promise<void> | void;
  /** The Telegram bot's username, for an invitation's deep link; absent or undefined: none. */
  readonly botUsername?: () => string | undefined;
}
