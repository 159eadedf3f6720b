/**
 * Fresh, fully migrated databases for the benchmark, one per phase, removed afterwards: SQLite
 * files in a temporary folder, or new databases on a PostgreSQL server (created through an admin
 * URL, dropped at the end). Migrations are the committed SQL files, applied the way
 * `prisma migrate deploy` would on an empty database (as tests/helpers/test-database.ts does).
 */
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import Sqlite from "better-sqlite3";
import pg from "pg";

export type DbKind = "sqlite" | "postgresql";

export interface BenchDatabase {
  kind: DbKind;
  /** DATABASE_URL for the app. */
  url: string;
  /** For messages: a path or a database name, never a password. */
  label: string;
  drop(): Promise<void>;
}

export interface DatabaseFactory {
  kind: DbKind;
  describe: string;
  create(purpose: string): Promise<BenchDatabase>;
  /** Drop every database this factory created and has not dropped yet. */
  dropAll(): Promise<void>;
}

function migrationSql(kind: DbKind): string[] {
  return migrations(kind).map((m) => m.sql);
}

/** The committed migrations in the order `prisma migrate deploy` applies them. */
export function migrations(kind: DbKind): { name: string; sql: string }[] {
  const dir = path.join(process.cwd(), "prisma", kind, "migrations");
  return fs
    .readdirSync(dir)
    .filter((name) => fs.statSync(path.join(dir, name)).isDirectory())
    .sort()
    .map((name) => ({ name, sql: fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8") }));
}

/**
 * `option` is --database-url: absent → SQLite files in `tmpDir`; `file:<path>` → SQLite files
 * next to <path> (the file itself is never touched); `postgresql://…` → an admin URL on which
 * fresh databases are created.
 */
export function databaseFactory(option: string | undefined, tmpDir: string, sqliteJournalMode: string): DatabaseFactory {
  const live = new Set<BenchDatabase>();
  const track = (db: BenchDatabase): BenchDatabase => {
    live.add(db);
    const drop = db.drop;
    return Object.assign(db, {
      drop: async () => {
        live.delete(db);
        await drop();
      },
    });
  };
  const dropAll = async () => {
    const errors: unknown[] = [];
    for (const db of [...live]) await db.drop().catch((error: unknown) => errors.push(error));
    if (errors.length > 0) throw errors[0];
  };
  const suffix = `${process.pid}_${randomBytes(3).toString("hex")}`;

  if (!option || option.startsWith("file:")) {
    const dir = option ? path.dirname(path.resolve(option.replace(/^file:(\/\/)?/, ""))) : tmpDir;
    return {
      kind: "sqlite",
      describe: `SQLite (journal_mode=${sqliteJournalMode}), fresh files in ${dir}`,
      dropAll,
      async create(purpose) {
        const file = path.join(dir, `tokui_bench_${suffix}_${purpose}.sqlite`);
        const sqlite = new Sqlite(file);
        try {
          sqlite.pragma(`journal_mode = ${sqliteJournalMode}`);
          for (const sql of migrationSql("sqlite")) sqlite.exec(sql);
        } finally {
          sqlite.close();
        }
        return track({
          kind: "sqlite",
          url: `file:${file}`,
          label: file,
          drop: async () => {
            for (const end of ["", "-wal", "-shm", "-journal"]) fs.rmSync(file + end, { force: true });
          },
        });
      },
    };
  }

  if (!/^postgres(ql)?:\/\//.test(option)) {
    throw new Error(`--database-url must be a file: path (SQLite) or a postgresql:// admin URL; got "${redact(option)}"`);
  }
  const adminUrl = option;
  return {
    kind: "postgresql",
    describe: `PostgreSQL, fresh databases on ${redact(adminUrl)}`,
    dropAll,
    async create(purpose) {
      const name = `tokui_bench_${suffix}_${purpose}`.toLowerCase();
      await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const db = track({
        kind: "postgresql",
        url: url.toString(),
        label: name,
        drop: () => withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
      });
      for (const sql of migrationSql("postgresql")) await withClient(db.url, (c) => c.query(sql));
      return db;
    },
  };
}

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}

/** A plain connection for reading progress and row counts while the app writes. */
export interface Reader {
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function openReader(db: BenchDatabase): Promise<Reader> {
  if (db.kind === "sqlite") {
    const sqlite = new Sqlite(db.label);
    sqlite.pragma("busy_timeout = 5000");
    return {
      // `$1` placeholders on both kinds; better-sqlite3 takes `?`.
      query: async <T>(sql: string, params: unknown[] = []) => sqlite.prepare(sql.replace(/\$\d+/g, "?")).all(...params) as T[],
      close: async () => void sqlite.close(),
    };
  }
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  return {
    query: async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) => (await client.query<T>(sql, params)).rows,
    close: () => client.end(),
  };
}

// pg-boss keeps PostgreSQL's jobs in its own schema; the Job table is SQLite's queue.
const COUNTED_TABLES = ["Shop", "RankTier", "Customer", "Order", "OrderLine", "RankChange", "WebhookEvent", "Job", "pgboss.job"];

/** Rows per table; a table this kind of database does not have is left out. */
export async function tableCounts(reader: Reader): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of COUNTED_TABLES) {
    const name = table.split(".").map((part) => `"${part}"`).join(".");
    try {
      const [row] = await reader.query<{ n: number | bigint | string }>(`SELECT count(*) AS n FROM ${name}`);
      counts[table] = Number(row?.n ?? 0);
    } catch {
      // not in this schema
    }
  }
  return counts;
}

export async function countWhereShop(reader: Reader, table: string, shop: string): Promise<number> {
  const [row] = await reader.query<{ n: number | bigint | string }>(`SELECT count(*) AS n FROM "${table}" WHERE shop = $1`, [shop]);
  return Number(row?.n ?? 0);
}
