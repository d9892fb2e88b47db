import { defineConfig } from "drizzle-kit";

/**
 * drizzle-kit's settings: `npm run db:generate` compares `db/schema.ts` with the last snapshot in
 * `db/migrations/meta/` and writes the next SQL migration. Column names are the schema's keys in
 * snake_case, as `openDatabase` reads them.
 */
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema.ts",
  out: "./db/migrations",
  casing: "snake_case",
});
