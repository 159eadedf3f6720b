/**
 * The committed migrations must build exactly the database the Prisma schema describes, on each
 * provider: a column, index, default or foreign key that a migration forgot (or added) fails
 * here. tests/unit/prisma-schemas.test.ts checks that the two schema files describe the same
 * models; this checks each provider's migrations against its schema, by building one database
 * from the migrations and one from `prisma migrate diff --from-empty` and comparing what the
 * database itself reports about both.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import Sqlite from "better-sqlite3";
import pg from "pg";
import { expect, it } from "vitest";
import { createTestDatabase, type TestDatabase, type TestDbKind } from "../helpers/test-database";

const kind = (process.env.TOKUI_TEST_DB ?? "sqlite") as TestDbKind;

function schemaScript(): string {
  const cli = path.join(process.cwd(), "node_modules/prisma/build/index.js");
  const schema = path.join("prisma", kind, "schema.prisma");
  // prisma.config.ts picks the provider from DATABASE_URL (the setup file's fresh database);
  // the CLI connects through the driver adapter but only reads.
  const run = spawnSync(process.execPath, [cli, "migrate", "diff", "--from-empty", "--to-schema-datamodel", schema, "--script"], {
    encoding: "utf8",
    env: process.env,
  });
  if (run.status !== 0) throw new Error(`prisma migrate diff failed: ${run.stderr}`);
  return run.stdout;
}

type Shape = Record<string, unknown>;

function sqliteShape(db: TestDatabase): Shape {
  const sqlite = new Sqlite(db.url.replace(/^file:/, ""), { readonly: true });
  try {
    const tables = sqlite
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
      .all() as { name: string }[];
    return Object.fromEntries(
      tables.map(({ name }) => {
        // Without cid: a column a migration added comes last, one the schema creates in place.
        const columns = (sqlite.pragma(`table_info("${name}")`) as { cid?: number; name: string }[])
          .map(({ cid: _cid, ...column }) => column)
          .sort((a, b) => a.name.localeCompare(b.name));
        const indexes = (sqlite.pragma(`index_list("${name}")`) as { seq?: number; name: string; unique: number; origin: string; partial: number }[])
          .map(({ seq: _seq, ...index }) => ({ ...index, columns: (sqlite.pragma(`index_info("${index.name}")`) as { name: string }[]).map((c) => c.name) }))
          .sort((a, b) => a.name.localeCompare(b.name));
        const foreignKeys = (sqlite.pragma(`foreign_key_list("${name}")`) as { id?: number; seq?: number }[])
          .map(({ id: _id, seq: _seq, ...key }) => key)
          .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
        return [name, { columns, indexes, foreignKeys }];
      }),
    );
  } finally {
    sqlite.close();
  }
}

async function postgresShape(db: TestDatabase): Promise<Shape> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const rows = async (sql: string) => (await client.query(sql)).rows as Record<string, unknown>[];
    return {
      columns: await rows(`SELECT table_name, column_name, data_type, is_nullable, column_default, character_maximum_length, numeric_precision
        FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name`),
      indexes: await rows(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY tablename, indexname`),
      constraints: await rows(`SELECT conrelid::regclass::text AS table_name, conname, contype, pg_get_constraintdef(oid) AS definition
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY table_name, conname`),
      enums: await rows(`SELECT t.typname, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid ORDER BY t.typname, e.enumsortorder`),
    };
  } finally {
    await client.end();
  }
}

it(`${kind}: the migrations build the database the schema describes`, async () => {
  const fromMigrations = await createTestDatabase(kind);
  const fromSchema = await createTestDatabase(kind, { sql: [schemaScript()] });
  try {
    const shape = (db: TestDatabase) => (kind === "sqlite" ? sqliteShape(db) : postgresShape(db));
    const [migrated, described] = [await shape(fromMigrations), await shape(fromSchema)];
    expect(Object.keys(migrated).length).toBeGreaterThan(3);
    expect(migrated).toEqual(described);
  } finally {
    await fromMigrations.drop();
    await fromSchema.drop();
  }
}, 60_000);
