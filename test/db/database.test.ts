import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../config.js";
import {
  type Database,
  type DatabaseHandle,
  MIGRATIONS_FOLDER,
  openDatabase,
  queryRows,
} from "../../db/client.js";
import {
  contactChannel,
  incidentKind,
  incidentOutcome,
  incidentPlace,
  incidentStatus,
  provinces,
  tipCategory,
  tipOutcome,
  tipUrgency,
} from "../../db/schema.js";
import {
  INCIDENT_KINDS,
  OUTCOMES as INCIDENT_OUTCOMES,
  INCIDENT_PLACES,
  INCIDENT_STATUSES,
  INCIDENT_URGENCIES,
} from "../../workers/incident/incident.js";
import { CATEGORIES, OUTCOMES, URGENCIES } from "../../workers/tip/tip.js";
import { ENGINES, freshDatabase, type TestDatabase } from "./engines.js";

const TABLES = [
  "campaigns",
  "communes",
  "console_audit",
  "contact_bindings",
  "contacts",
  "deadlines",
  "directory_audit",
  "duty_officer",
  "duty_status",
  "incident_events",
  "incident_photos",
  "incidents",
  "invitations",
  "people",
  "person_bindings",
  "person_roles",
  "provinces",
  "route_steps",
  "routes",
  "schools",
  "subscribers",
  "tip_outcomes",
];

const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as {
  entries: Array<{ tag: string }>;
};

async function tables(db: Database): Promise<string[]> {
  const rows = await queryRows<{ table_name: string }>(
    db,
    sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
  );
  return rows.map((t) => t.table_name);
}

async function appliedMigrations(db: Database): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
  );
  return row?.n ?? -1;
}

describe("the configuration", () => {
  it("uses the embedded PGlite in data/pg unless DATABASE_URL names a PostgreSQL server", () => {
    expect(parseConfig({}).database).toEqual({ dataDir: "data/pg" });
    expect(
      parseConfig({ DATABASE_URL: "postgres://u:p@db:5432/ssg", PG_DATA_DIR: "/var/pg" }).database,
    ).toEqual({
      url: "postgres://u:p@db:5432/ssg",
      dataDir: "/var/pg",
    });
    for (const url of ["mysql://db/ssg", "not a url"])
      expect(() => parseConfig({ DATABASE_URL: url })).toThrow(/DATABASE_URL/);
  });
});

describe("the schema", () => {
  it("has the tip model's categories, urgencies and officer channels (a new one needs a migration)", () => {
    expect(tipCategory.enumValues).toEqual([...CATEGORIES]);
    expect(tipUrgency.enumValues).toEqual([...URGENCIES]);
    expect(tipOutcome.enumValues).toEqual([...OUTCOMES]);
    expect(contactChannel.enumValues).toEqual(["telegram", "zalo"]);
  });

  it("has the incident model's kinds, places, statuses and outcomes", () => {
    expect(incidentKind.enumValues).toEqual([...INCIDENT_KINDS]);
    expect(incidentPlace.enumValues).toEqual([...INCIDENT_PLACES]);
    expect(incidentStatus.enumValues).toEqual([...INCIDENT_STATUSES]);
    expect(incidentOutcome.enumValues).toEqual([...INCIDENT_OUTCOMES]);
    expect(tipUrgency.enumValues).toEqual([...INCIDENT_URGENCIES]);
  });
});

describe.each(ENGINES)("the database on %s", (engine) => {
  let place: TestDatabase;
  const handles: DatabaseHandle[] = [];
  const open = async (p: TestDatabase = place) => {
    const h = await openDatabase(p.config);
    handles.push(h);
    return h;
  };

  beforeAll(async () => {
    place = await freshDatabase(engine);
  });

  afterAll(async () => {
    for (const h of handles) await h.close();
    await place?.drop();
  });

  it("applies every migration to an empty database, and none again when reopened", async () => {
    const first = await open();
    expect(first.engine).toBe(engine);
    expect(await tables(first.db)).toEqual(TABLES);
    expect(await appliedMigrations(first.db)).toBe(journal.entries.length);
    await first.db.insert(provinces).values({ id: "song-xanh", name: "Tỉnh Sông Xanh" });
    await first.close();

    const again = await open();
    expect(await appliedMigrations(again.db)).toBe(journal.entries.length);
    expect(await again.db.select().from(provinces)).toEqual([{ id: "song-xanh", name: "Tỉnh Sông Xanh" }]);
    await again.close();
  });

  it("keeps the constraints the file's validation also checks (ids, one chat per contact and channel)", async () => {
    const h = await open();
    await expect(h.db.insert(provinces).values({ id: "Not An Id", name: "x" })).rejects.toThrow();
    await h.db.execute(
      sql`insert into contacts (id, province_id, name, position) values ('ca-a', 'song-xanh', 'Trực ban', 0)`,
    );
    await h.db.execute(
      sql`insert into contact_bindings (contact_id, channel, chat_id) values ('ca-a', 'telegram', '1')`,
    );
    await expect(
      h.db.execute(
        sql`insert into contact_bindings (contact_id, channel, chat_id) values ('ca-a', 'telegram', '2')`,
      ),
    ).rejects.toThrow();
    await h.close();
  });

  if (engine === "postgres")
    it("lets several processes open a new database at once: one migrates, the others wait for it", async () => {
      const other = await freshDatabase(engine);
      try {
        const opened = await Promise.all([1, 2, 3].map(() => openDatabase(other.config)));
        try {
          for (const h of opened) expect(await appliedMigrations(h.db)).toBe(journal.entries.length);
        } finally {
          for (const h of opened) await h.close();
        }
      } finally {
        await other.drop();
      }
    });
});
