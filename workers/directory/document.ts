import { Document, isMap, isSeq } from "yaml";
import type { Urgency } from "../tip/tip.js";
import { URGENCIES } from "../tip/tip.js";
import { DirectoryStateError } from "./errors.js";
import type { DirectoryRows } from "./rows.js";

/**
 * The directory in today's routing table format (`workers/routing/example-province.yaml`): the
 * document `RoutingTable.parse` validates, and the YAML `npm run directory -- export` writes.
 */

/** One route as the file writes it. */
export interface RouteEntry {
  category: string;
  commune: string;
  primary: string;
  backup?: string;
  duty: string;
}

/** The file's sections, in the file's order. */
export interface TableDocument {
  province: { id: string; name: string };
  communes: Array<{ id: string; name: string }>;
  schools: Array<{ id: string; name: string; commune: string }>;
  /** `channel` and `chatId` are left out for a vacant slot. */
  contacts: Array<{ id: string; name: string; channel?: string; chatId?: string }>;
  routes: RouteEntry[];
  deadlines: Record<Urgency, string>;
  dutyOfficer: string;
}

const UNITS: ReadonlyArray<[string, number]> = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
];

/** 600000 → "10m", 5400000 → "1h30m": the inverse of `parseDuration` for whole seconds. */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms <= 0 || ms % 1000 !== 0)
    throw new RangeError(`cannot write ${ms} ms as a duration of whole seconds`);
  let rest = ms;
  let out = "";
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

/**
 * The rows as the file's document.
 * @throws DirectoryStateError for a route the format cannot hold (no primary or duty, two backups)
 */
export function toDocument(rows: DirectoryRows): TableDocument {
  const problems: string[] = [];
  const routes = rows.routes.map((r): RouteEntry => {
    const category = r.category ?? "*";
    const commune = r.communeId ?? "*";
    const of = (role: string) => r.chain.filter((s) => s.role === role).map((s) => s.contactId);
    const [primary, ...primaries] = of("primary");
    const [backup, ...backups] = of("backup");
    const [duty, ...duties] = of("duty");
    if (!primary || !duty || primaries.length + backups.length + duties.length > 0)
      problems.push(
        `route ${category} × ${commune}: the file format needs one primary, at most one backup and one duty`,
      );
    return { category, commune, primary: primary ?? "", ...(backup && { backup }), duty: duty ?? "" };
  });
  if (problems.length > 0) throw new DirectoryStateError(problems);
  return {
    province: { id: rows.province.id, name: rows.province.name },
    communes: rows.communes.map((c) => ({ id: c.id, name: c.name })),
    schools: rows.schools.map((s) => ({ id: s.id, name: s.name, commune: s.communeId })),
    contacts: rows.contacts.map((c) => ({
      id: c.id,
      name: c.name,
      ...(c.channel !== null && c.chatId !== null && { channel: c.channel, chatId: c.chatId }),
    })),
    routes,
    deadlines: Object.fromEntries(URGENCIES.map((u) => [u, formatDuration(rows.deadlines[u])])) as Record<
      Urgency,
      string
    >,
    dutyOfficer: rows.dutyOfficer,
  };
}

/**
 * The document as YAML in the example file's layout: communes, schools and routes one per line,
 * contacts as blocks, chat ids quoted, a header saying where it came from.
 */
export function toYaml(document: TableDocument): string {
  const doc = new Document(document);
  doc.commentBefore =
    ` Routing table of ${document.province.name}, exported from the directory.\n` +
    " Import it back with: npm run directory -- import <this file> [--dry-run]";
  for (const section of ["communes", "schools", "routes"]) {
    const seq = doc.get(section, true);
    if (isSeq(seq)) for (const item of seq.items) if (isMap(item)) item.flow = true;
  }
  return doc.toString({ lineWidth: 0, defaultStringType: "PLAIN", defaultKeyType: "PLAIN" });
}
