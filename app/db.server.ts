/**
 * One PrismaClient per process, on the JavaScript engine with a driver adapter
 * (docs/decisions/0002-prisma-js-engine.md). SQLite unless DATABASE_URL is a PostgreSQL URL.
 * Both generated clients expose the same API; the SQLite one provides the types.
 */
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import sqliteClient from "./generated/prisma-sqlite/index.js";
import postgresClient from "./generated/prisma-postgresql/index.js";
import { DEFAULT_DATABASE_URL, databaseKind, sqlitePath, type DatabaseKind } from "./database-url";

export type PrismaClient = sqliteClient.PrismaClient;
export type { Prisma } from "./generated/prisma-sqlite/index.js";
/** The client inside `prisma.$transaction(async (tx) => …)`. */
export type Tx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

export interface Database {
  prisma: PrismaClient;
  kind: DatabaseKind;
  url: string;
}

export function createDatabase(url: string = process.env.DATABASE_URL || DEFAULT_DATABASE_URL): Database {
  const kind = databaseKind(url);
  if (kind === "sqlite") {
    const adapter = new PrismaBetterSQLite3({ url: sqlitePath(url) });
    return { kind, url, prisma: new sqliteClient.PrismaClient({ adapter, errorFormat: "minimal" }) };
  }
  const adapter = new PrismaPg({ connectionString: url, max: 10 });
  const prisma = new postgresClient.PrismaClient({ adapter, errorFormat: "minimal" }) as unknown as PrismaClient;
  return { kind, url, prisma };
}

declare global {
  // Survives Vite's module reloads in development.
  var tokuiDatabase: Database | undefined;
}

/** The process-wide database, created on first use. */
export function database(): Database {
  globalThis.tokuiDatabase ??= createDatabase();
  return globalThis.tokuiDatabase;
}
