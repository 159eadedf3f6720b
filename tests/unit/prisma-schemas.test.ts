/**
 * The SQLite and PostgreSQL schemas must describe the same models: only the header (generator
 * output and datasource) may differ. Each has its own migrations; that they build exactly the
 * schema is checked on a real database by tests/integration/schema-drift.test.ts.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const MARKER = "// ---- models";
const read = (kind: string) => fs.readFileSync(path.join(process.cwd(), "prisma", kind, "schema.prisma"), "utf8");
const body = (schema: string) => {
  const at = schema.indexOf(MARKER);
  if (at < 0) throw new Error(`schema has no "${MARKER}" line`);
  return schema.slice(at);
};
const models = (schema: string) => [...schema.matchAll(/^model (\w+) \{/gm)].map((m) => m[1]);

describe("prisma schemas", () => {
  it("have identical models below the datasource block", () => {
    expect(body(read("postgresql"))).toBe(body(read("sqlite")));
  });

  it("name the providers they claim", () => {
    expect(read("sqlite")).toMatch(/provider = "sqlite"/);
    expect(read("postgresql")).toMatch(/provider = "postgresql"/);
  });

  it.each(["sqlite", "postgresql"])("%s migrations create every model's table", (kind) => {
    const dir = path.join(process.cwd(), "prisma", kind, "migrations");
    const sql = fs
      .readdirSync(dir)
      .filter((d) => fs.statSync(path.join(dir, d)).isDirectory())
      .map((d) => fs.readFileSync(path.join(dir, d, "migration.sql"), "utf8"))
      .join("\n");
    for (const model of models(read(kind))) expect(sql).toContain(`CREATE TABLE "${model}"`);
  });
});
