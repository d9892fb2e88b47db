/**
 * `npm run directory -- <command>`: the directory (province, communes, schools, police contacts,
 * routes) in the database, imported from and exported to the routing table format.
 *
 *   import <file.yaml|json> [--dry-run]   validate (every problem with its path), show what
 *                                         changes, and write it in one transaction (not in a dry run)
 *   export [<file>]                       the directory in today's YAML format, to the file or stdout
 *   duty                                  who is on duty now, per commune (and who gets new tips)
 *
 * Uses the database of `npm start`: DATABASE_URL, or the embedded PGlite in PG_DATA_DIR — which
 * one process holds at a time, so it is refused while `npm start` runs on it.
 * Exit codes: 0 done; 1 the file or the stored directory has problems (all listed); 64 usage;
 * 69 the database is unavailable or held by another process; 78 bad configuration.
 */
import { rename, writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { configFromEnvOrExit } from "../config.js";
import { type DatabaseHandle, openDatabase } from "../db/client.js";
import { formatDiff } from "../workers/directory/diff.js";
import { dutyRoster, formatRoster } from "../workers/directory/duty.js";
import { exportDirectory } from "../workers/directory/export.js";
import { importTable } from "../workers/directory/import.js";
import { loadRoutingTable } from "../workers/routing/load.js";
import type { RoutingTable } from "../workers/routing/routing-table.js";

const USAGE = `usage: npm run directory -- import <file.yaml|json> [--dry-run]
       npm run directory -- export [<file>]
       npm run directory -- duty`;

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
};

function actor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return "cli";
  }
}

async function runImport(
  handle: DatabaseHandle,
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
  const config = configFromEnvOrExit(process.env);
  let handle: DatabaseHandle | undefined;
  try {
    handle = await openDatabase(config);
    for (const line of formatRoster(await dutyRoster(handle.db, Date.now()))) console.log(line);
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

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: { "dry-run": { type: "boolean", default: false } },
  });
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
  const valid =
    extra.length === 0 &&
    ((command === "import" && file !== undefined) || (command === "export" && !parsed.values["dry-run"]));
  if (!valid) {
    console.error(USAGE);
    return 64;
  }
  const config = configFromEnvOrExit(process.env);
  let handle: DatabaseHandle | undefined;
  try {
    // A bad file is reported before the database is even opened.
    const table = command === "import" && file ? await loadRoutingTable(file) : undefined;
    handle = await openDatabase(config);
    if (table && file) await runImport(handle, file, table, parsed.values["dry-run"] ?? false);
    else await runExport(handle, file);
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

process.exitCode = await main(process.argv.slice(2));
