/**
 * Fresh, fully migrated databases for integration tests: a SQLite file in the OS temp folder,
 * or (TOKUI_TEST_DB=postgresql) a new database on the server named by TEST_DATABASE_URL.
 * Migrations are the committed SQL files, the same ones `prisma migrate deploy` applies.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";

export type TestDbKind = "sqlite" | "postgresql";

function migrationSql(kind: TestDbKind): string[] {
  const dir = path.join(process.cwd(), "prisma", kind, "migrations");
  return fs
    .readdirSync(dir)
    .filter((name) => fs.statSync(path.join(dir, name)).isDirectory())
    .sort()
    .map((name) => fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8"));
}

export interface TestDatabase {
  kind: TestDbKind;
  url: string;
  drop(): Promise<void>;
}

/** `sql`: statements to build it from instead of the committed migrations. */
export async function createTestDatabase(kind: TestDbKind, options: { sql?: string[] } = {}): Promise<TestDatabase> {
  const statements = options.sql ?? migrationSql(kind);
  const name = `tokui_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  if (kind === "sqlite") {
    const file = path.join(os.tmpdir(), `${name}.sqlite`);
    const sqlite = new Database(file);
    sqlite.pragma("journal_mode = WAL");
    for (const sql of statements) sqlite.exec(sql);
    sqlite.close();
    return {
      kind,
      url: `file:${file}`,
      drop: async () => {
        for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(file + suffix, { force: true });
      },
    };
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error("TOKUI_TEST_DB=postgresql needs TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test)");
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  for (const sql of statements) await client.query(sql);
  await client.end();
  return {
    kind,
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
