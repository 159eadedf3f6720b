/**
 * Which database Tokui talks to, from DATABASE_URL alone. Shared by prisma.config.ts (CLI),
 * app/db.server.ts (runtime) and the tests, so all three always agree.
 */
export type DatabaseKind = "sqlite" | "postgresql";

export const DEFAULT_DATABASE_URL = "file:./prisma/dev.sqlite";

export function databaseKind(url: string): DatabaseKind {
  if (url.startsWith("file:")) return "sqlite";
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return "postgresql";
  throw new Error(
    `DATABASE_URL must start with "file:" (SQLite) or "postgresql://" (PostgreSQL); got "${redactUrl(url)}"`,
  );
}

/** better-sqlite3 wants a path, not a URL; relative paths are relative to the working directory. */
export function sqlitePath(url: string): string {
  return url.replace(/^file:(\/\/)?/, "");
}

/** For messages: never print a password. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}
