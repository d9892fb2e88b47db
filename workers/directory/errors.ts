/** The directory has no province yet: import one first (`npm run directory -- import <file>`). */
export class DirectoryEmptyError extends Error {
  override readonly name = "DirectoryEmptyError";
  constructor() {
    super("the directory is empty: import a province first (npm run directory -- import <file.yaml>)");
  }
}

/**
 * The database holds what the file format and the routing table cannot express (two provinces,
 * a contact without a chat, a route with two backups); `problems` says what, one per line.
 */
export class DirectoryStateError extends Error {
  override readonly name = "DirectoryStateError";
  constructor(readonly problems: readonly string[]) {
    super(`the directory cannot be read as a routing table:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  }
}
