/**
 * `npm run directory -- <command>`: the directory (province, communes, schools, police contacts,
 * routes) in the database, imported from and exported to the routing table format.
 *
 *   import <file.yaml|json> [--dry-run]   validate (every problem with its path), show what
 *                                         changes, and write it in one transaction (not in a dry run)
 *   export [<file>]                       the directory in today's YAML format, to the file or stdout
 *   duty                                  who is on duty now, per commune (and who gets new tips)
 *   invite --contact <id> | --school <id> --role <head|safety-staff|teacher> | --admin [--ttl 72h]
 *                                         a one-time invitation code; the last line printed is the
 *                                         code alone (to join: /thamgia <code>, or the Telegram link)
 *   revoke <code>                         revokes a pending invitation
 *   console-link                          a one-time link signing the operator into the console
 *                                         as the province's admin (5 minutes, once); the last
 *                                         line printed is the link. Needs neither the database
 *                                         nor Redis: it is signed with the sender salt.
 *
 * Uses the database of `npm start`: DATABASE_URL, or the embedded PGlite in PG_DATA_DIR — which
 * one process holds at a time, so it is refused while `npm start` runs on it.
 * Exit codes: 0 done; 1 the file or the stored directory has problems (all listed), an unknown
 * contact or school, a bad --ttl, a code that is not pending; 64 usage;
 * 69 the database is unavailable or held by another process; 78 bad configuration.
 */
import { rename, writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { type Config, configFromEnvOrExit } from "../config.js";
import { type DatabaseHandle, openDatabase } from "../db/client.js";
import { createLogger } from "../logger.js";
import { formatDiff } from "../workers/directory/diff.js";
import { dutyRoster, formatRoster } from "../workers/directory/duty.js";
import { exportDirectory } from "../workers/directory/export.js";
import { importTable } from "../workers/directory/import.js";
import { InvitationDesk, type InvitationTarget, SCHOOL_ROLES } from "../workers/directory/invitations.js";
import { SignInLinks, signInUrl } from "../workers/directory/sign-in-links.js";
import { loadRoutingTable } from "../workers/routing/load.js";
import type { RoutingTable } from "../workers/routing/routing-table.js";
import { parseDuration } from "../workers/routing/schema.js";
import { senderSaltFor } from "./channels.js";
import { announceDirectoryChange } from "./directory-runtime.js";

const USAGE = `usage: npm run directory -- import <file.yaml|json> [--dry-run]
       npm run directory -- export [<file>]
       npm run directory -- duty
       npm run directory -- invite --contact <contactId> [--ttl 72h]
       npm run directory -- invite --school <schoolId> --role <${SCHOOL_ROLES.join("|")}> [--ttl 72h]
       npm run directory -- invite --admin [--ttl 72h]
       npm run directory -- revoke <code>
       npm run directory -- console-link`;

/** The export could not be written where asked. */
class ExportWriteError extends Error {
  override readonly name = "ExportWriteError";
  constructor(
    readonly file: string,
    options: { cause: unknown },
  ) {
    super(`cannot write ${file}: ${(options.cause as Error).message}`, options);
  }
}

/** Errors whose message is the whole story, by name: printed alone, with their exit code. */
const KNOWN: Record<string, number> = {
  RoutingTableError: 1,
  DirectoryEmptyError: 1,
  DirectoryStateError: 1,
  ExportWriteError: 1,
  DataFolderLockedError: 69,
  DatabaseOpenError: 69,
  InvitationTargetError: 1,
  InvitationTtlError: 1,
  InvitationNotPendingError: 1,
  TtlArgumentError: 1,
};

/** `--ttl` is not a duration such as 72h or 3d. */
class TtlArgumentError extends Error {
  override readonly name = "TtlArgumentError";
}

/**
 * Runs a command: `prepare` first (it may refuse the input before any database is opened), then
 * `work` on the database, which is closed afterwards. A known error prints its message alone and
 * gives its exit code; 0 when done.
 */
async function onDatabase<T>(
  config: Config,
  prepare: () => Promise<T>,
  work: (handle: DatabaseHandle, prepared: T) => Promise<void>,
): Promise<number> {
  let handle: DatabaseHandle | undefined;
  try {
    const prepared = await prepare();
    handle = await openDatabase(config);
    await work(handle, prepared);
    return 0;
  } catch (e) {
    const code = KNOWN[(e as Error).name];
    if (code === undefined) throw e;
    console.error((e as Error).message);
    return code;
  } finally {
    await handle?.close();
  }
}

function actor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return "cli";
  }
}

async function runImport(
  handle: DatabaseHandle,
  config: Config,
  file: string,
  table: RoutingTable,
  dryRun: boolean,
): Promise<void> {
  const result = await importTable(handle.db, table, { actor: actor(), dryRun, source: file });
  for (const line of formatDiff(result.diff)) console.log(line);
  const where = `the directory of ${result.province.name} (${handle.location})`;
  if (result.changes === 0) console.log(`no changes: ${where} already matches ${file}`);
  else if (dryRun) console.log(`dry run: ${result.changes} changes to ${where}; nothing written`);
  else console.log(`imported ${file}: ${result.changes} changes written to ${where}`);
  if (!result.written) return;
  // Running processes reload now; those with the database would also see it at their next poll.
  const told = await announceDirectoryChange(config, handle);
  if (!told.ok)
    console.error(
      `could not tell the running processes through Redis (${told.reason}): they pick the change up within about 10 s`,
    );
}

async function runExport(handle: DatabaseHandle, file: string | undefined): Promise<void> {
  const yaml = await exportDirectory(handle.db);
  if (!file) {
    process.stdout.write(yaml);
    return;
  }
  // A reader never sees half a file.
  const partial = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(partial, yaml, "utf8");
    await rename(partial, file);
  } catch (cause) {
    throw new ExportWriteError(file, { cause });
  }
  console.log(`exported ${handle.location} to ${file}`);
}

/** `duty`: who is on duty now, per commune (read only). */
async function duty(parsed: { positionals: string[]; values: Record<string, unknown> }): Promise<number> {
  const options = Object.values(parsed.values).filter((v) => v !== undefined && v !== false);
  if (parsed.positionals.length !== 1 || options.length > 0) {
    console.error(USAGE);
    return 64;
  }
  return onDatabase(
    configFromEnvOrExit(process.env),
    async () => undefined,
    async (handle) => {
      for (const line of formatRoster(await dutyRoster(handle.db, Date.now()))) console.log(line);
    },
  );
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      "dry-run": { type: "boolean", default: false },
      contact: { type: "string" },
      school: { type: "string" },
      role: { type: "string" },
      admin: { type: "boolean", default: false },
      ttl: { type: "string" },
    },
  });
}

type Parsed = ReturnType<typeof parse>;

/** The invitation's target from the options, or undefined when they do not name exactly one. */
function inviteTarget(values: Parsed["values"]): InvitationTarget | undefined {
  const { contact, school, role, admin } = values;
  if ([contact !== undefined, school !== undefined, admin === true].filter(Boolean).length !== 1)
    return undefined;
  if (contact !== undefined)
    return role === undefined ? { role: "police-contact", contactId: contact } : undefined;
  if (school !== undefined) {
    const schoolRole = SCHOOL_ROLES.find((r) => r === role);
    return schoolRole ? { role: "school-staff", schoolId: school, schoolRole } : undefined;
  }
  return role === undefined ? { role: "province-admin" } : undefined;
}

function ttlOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDuration(text);
  } catch (e) {
    throw new TtlArgumentError(`--ttl ${(e as Error).message}`);
  }
}

/** The invitation desk of the CLI: the same key as `npm start` (the sender salt). */
async function desk(handle: DatabaseHandle, config: Config): Promise<InvitationDesk> {
  // Loaded here: channels.ts brings the bots' clients, seconds that import and export need not pay.
  const { senderSaltFor } = await import("./channels.js");
  return new InvitationDesk({
    db: handle.db,
    secret: await senderSaltFor(config),
    logger: createLogger("warn", process.stderr),
  });
}

async function runInvite(handle: DatabaseHandle, config: Config, target: InvitationTarget, ttlMs?: number) {
  const minted = await (await desk(handle, config)).mint(target, {
    by: actor(),
    ...(ttlMs !== undefined && { ttlMs }),
  });
  const what =
    minted.target.role === "police-contact"
      ? `contact ${minted.target.contactId} (${minted.target.contactName})`
      : minted.target.role === "school-staff"
        ? `${minted.target.schoolRole} of ${minted.target.schoolId} (${minted.target.schoolName})`
        : `province admin of ${minted.target.provinceName}`;
  console.log(`invitation for ${what}, single use, expires ${minted.expiresAt.toISOString()}`);
  console.log("to join: /thamgia <code> on Telegram or Zalo, or https://t.me/<bot>?start=<code>");
  console.log(minted.code);
}

async function runRevoke(handle: DatabaseHandle, config: Config, code: string) {
  const done = await (await desk(handle, config)).revoke(code, actor());
  console.log(`revoked invitation ${done.id} (${done.target.role})`);
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 64;
  }
  const [command, file, ...extra] = parsed.positionals;
  if (command === "duty") return duty(parsed);
  if (command === "invite" || command === "revoke") return invitations(parsed, command);
  if (command === "console-link") return consoleLink(parsed);
  const { contact, school, role, admin, ttl } = parsed.values;
  const valid =
    extra.length === 0 &&
    [contact, school, role, ttl].every((v) => v === undefined) &&
    !admin &&
    ((command === "import" && file !== undefined) || (command === "export" && !parsed.values["dry-run"]));
  if (!valid) {
    console.error(USAGE);
    return 64;
  }
  const config = configFromEnvOrExit(process.env);
  return onDatabase(
    config,
    // A bad file is reported before the database is even opened.
    async () => (command === "import" && file ? await loadRoutingTable(file) : undefined),
    async (handle, table) => {
      if (table && file) await runImport(handle, config, file, table, parsed.values["dry-run"] ?? false);
      else await runExport(handle, file);
    },
  );
}

/** `console-link`: the province admin's first way into the console, from the server's shell. */
async function consoleLink(parsed: Parsed): Promise<number> {
  const { values } = parsed;
  const options = [values.contact, values.school, values.role, values.ttl].some((v) => v !== undefined);
  if (parsed.positionals.length !== 1 || options || values.admin || values["dry-run"]) {
    console.error(USAGE);
    return 64;
  }
  const config = configFromEnvOrExit(process.env);
  if (!config.console) {
    console.error("the console is off (CONSOLE=false): no link to give");
    return 78;
  }
  const links = new SignInLinks(undefined, config.tips.prefix, await senderSaltFor(config));
  const { token, expiresAt } = links.mint({ kind: "operator" });
  const until = new Date(expiresAt).toLocaleTimeString("vi-VN", { timeZone: "Asia/Ho_Chi_Minh" });
  console.log(
    `A sign-in link to the console as the province's admin, valid once until ${until} (Vietnam time).\n` +
      "Open it in your browser; do not send it to anyone. For officers and school staff: /dangnhap in the bot.",
  );
  console.log(signInUrl(config.console.baseUrl, token));
  return 0;
}

/** `invite …` and `revoke <code>`. */
async function invitations(parsed: Parsed, command: "invite" | "revoke"): Promise<number> {
  const [, code, ...extra] = parsed.positionals;
  const target = command === "invite" ? inviteTarget(parsed.values) : undefined;
  const valid =
    extra.length === 0 &&
    !parsed.values["dry-run"] &&
    (command === "invite"
      ? code === undefined && target !== undefined
      : code !== undefined &&
        !parsed.values.admin &&
        [parsed.values.contact, parsed.values.school, parsed.values.role, parsed.values.ttl].every(
          (v) => v === undefined,
        ));
  if (!valid) {
    console.error(USAGE);
    return 64;
  }
  const config = configFromEnvOrExit(process.env);
  return onDatabase(
    config,
    // A bad --ttl is reported before the database is opened.
    async () => ttlOf(parsed.values.ttl),
    async (handle, ttlMs) => {
      if (target) await runInvite(handle, config, target, ttlMs);
      else if (code) await runRevoke(handle, config, code);
    },
  );
}

process.exitCode = await main(process.argv.slice(2));
