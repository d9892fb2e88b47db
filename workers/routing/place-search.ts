import { removeDiacritics } from "../../text/normalize.js";
import type { Commune, School } from "./schema.js";

/**
 * Free-text search over a province's schools and communes, for people who type a place instead
 * of picking it from a menu: Vietnamese with or without diacritics, abbreviations of school
 * levels, the last word possibly half typed.
 */

/** A place found by free-text search. */
export type PlaceMatch =
  | {
      readonly kind: "school";
      readonly id: string;
      readonly name: string;
      readonly school: School;
      readonly commune: Commune;
    }
  | { readonly kind: "commune"; readonly id: string; readonly name: string; readonly commune: Commune };

/** School-level names and their usual abbreviations, both ways ("thcs" ↔ "trung học cơ sở"). */
const LEVEL_ALIASES: ReadonlyArray<readonly [phrase: string, abbreviation: string]> = [
  ["mam non", "mn"],
  ["mau giao", "mg"],
  ["tieu hoc", "th"],
  ["trung hoc co so", "thcs"],
  ["trung hoc pho thong", "thpt"],
  ["pho thong dan toc noi tru", "ptdtnt"],
  ["giao duc thuong xuyen", "gdtx"],
];

/** Words a user may type or leave out ("trường", "xã", "phường", "đặc khu"). */
const GENERIC_WORDS = new Set(["truong", "xa", "phuong", "dac", "khu"]);

function foldedWords(text: string): string[] {
  return (
    removeDiacritics(text)
      .toLowerCase()
      .match(/[a-z0-9]+/g) ?? []
  );
}

function withAliases(words: string[]): Set<string> {
  const out = new Set(words);
  const joined = ` ${words.join(" ")} `;
  for (const [phrase, abbreviation] of LEVEL_ALIASES) {
    if (joined.includes(` ${phrase} `)) out.add(abbreviation);
    if (out.has(abbreviation)) for (const w of phrase.split(" ")) out.add(w);
  }
  return out;
}

interface SearchEntry {
  readonly match: PlaceMatch;
  readonly words: readonly string[];
  readonly tokens: ReadonlySet<string>;
  /** For a school, the words of its commune: "tiểu học an hòa" finds a school in An Hòa. */
  readonly context: ReadonlySet<string>;
  readonly order: number;
}

function scoreEntry(entry: SearchEntry, query: string[]): number | undefined {
  let score = 0;
  let matchedName = 0;
  query.forEach((q, i) => {
    const last = i === query.length - 1;
    if (entry.tokens.has(q)) {
      score += 2;
      matchedName++;
    } else if (last && [...entry.tokens].some((t) => t.startsWith(q))) {
      score += 1.5;
      matchedName++;
    } else if (entry.context.has(q)) score += 1;
    else if (last && [...entry.context].some((t) => t.startsWith(q))) score += 0.75;
    else if (!GENERIC_WORDS.has(q)) score = Number.NEGATIVE_INFINITY;
  });
  if (!(score > 0)) return undefined;
  const name = entry.words.join(" ");
  const phrase = query.join(" ");
  if (name === phrase) score += 5;
  else if (` ${name} `.includes(` ${phrase} `)) score += 3;
  // Prefer tight matches: "an hòa" ranks Phường An Hòa above Trường Tiểu học An Hòa.
  return score - 0.1 * Math.max(0, entry.words.length - matchedName);
}

// ---------------------------------------------------------------------------------------------
// The index

/** The search entries of one routing table, built once: communes first, then schools, in file order. */
export class PlaceIndex {
  readonly #entries: readonly SearchEntry[];

  /** Every school's commune must be in `communes` (the routing table's validation guarantees it). */
  constructor(communes: readonly Commune[], schools: readonly School[]) {
    const byId = new Map(communes.map((c) => [c.id, c]));
    let order = 0;
    const search: SearchEntry[] = [];
    for (const commune of communes) {
      const words = foldedWords(commune.name);
      const match: PlaceMatch = { kind: "commune", id: commune.id, name: commune.name, commune };
      search.push({ match, words, tokens: new Set(words), context: new Set(), order: order++ });
    }
    for (const school of schools) {
      const commune = byId.get(school.commune) as Commune;
      const words = foldedWords(school.name);
      const match: PlaceMatch = { kind: "school", id: school.id, name: school.name, school, commune };
      const context = new Set(foldedWords(commune.name));
      search.push({ match, words, tokens: withAliases(words), context, order: order++ });
    }
    this.#entries = search;
  }

  /** At most `limit` places matching `text`, best first; see `RoutingTable.searchPlaces` for the rules. */
  search(text: string, limit: number): PlaceMatch[] {
    const query = foldedWords(text);
    if (query.length === 0) return [];
    const scored: Array<{ entry: SearchEntry; score: number }> = [];
    for (const entry of this.#entries) {
      const score = scoreEntry(entry, query);
      if (score !== undefined) scored.push({ entry, score });
    }
    scored.sort(
      (a, b) =>
        b.score - a.score || a.entry.words.length - b.entry.words.length || a.entry.order - b.entry.order,
    );
    return scored.slice(0, limit).map((s) => s.entry.match);
  }
}
