// Prisma CLI configuration. Prisma's engine binaries cannot be downloaded on our machines, so the
// CLI runs on the JavaScript engine with a driver adapter (docs/decisions/0002-prisma-js-engine.md).
// The provider is fixed per schema file, so we keep one schema + migrations folder per provider
// and choose the pair from DATABASE_URL.
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { DEFAULT_DATABASE_URL, databaseKind, sqlitePath } from "./app/database-url";

const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const kind = databaseKind(url);

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", kind, "schema.prisma"),
  migrations: { path: path.join("prisma", kind, "migrations") },
  adapter: async () =>
    kind === "sqlite"
      ? new PrismaBetterSQLite3({ url: sqlitePath(url) })
      : new PrismaPg({ connectionString: url }),
});
