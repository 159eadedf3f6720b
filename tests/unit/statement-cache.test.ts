/** Hand-written statements are compiled once per connection (app/db.server.ts cachedStatement). */
import BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { cachedStatement } from "~/db.server";

const open: BetterSqlite3.Database[] = [];
afterEach(() => open.splice(0).forEach((c) => c.close()));
function connection() {
  const c = new BetterSqlite3(":memory:");
  c.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
  open.push(c);
  return c;
}

describe("cachedStatement", () => {
  it("gives the same compiled statement for the same SQL on one connection, another on another", () => {
    const a = connection();
    const b = connection();
    const sql = "SELECT v FROM t WHERE id = ?";
    expect(cachedStatement(a, sql)).toBe(cachedStatement(a, sql));
    expect(cachedStatement(b, sql)).not.toBe(cachedStatement(a, sql));
  });

  it("keeps the 200 most recently used", () => {
    const c = connection();
    const hot = cachedStatement(c, "SELECT 0");
    for (let i = 1; i <= 199; i++) cachedStatement(c, `SELECT ${i}`);
    expect(cachedStatement(c, "SELECT 0")).toBe(hot); // used again: now the most recent
    const first = cachedStatement(c, "SELECT 1");
    for (let i = 200; i <= 400; i++) cachedStatement(c, `SELECT ${i}`);
    expect(cachedStatement(c, "SELECT 1")).not.toBe(first); // pushed out, compiled again
  });

  it("runs correctly again and again, also after the schema changed under it", () => {
    const c = connection();
    const insert = "INSERT INTO t (v) VALUES (?) RETURNING id";
    expect(cachedStatement(c, insert).get("a")).toEqual({ id: 1 });
    expect(cachedStatement(c, insert).get("b")).toEqual({ id: 2 });
    c.exec("CREATE INDEX t_v ON t (v)");
    c.exec("ALTER TABLE t ADD COLUMN w TEXT");
    expect(cachedStatement(c, insert).get("c")).toEqual({ id: 3 });
    expect(cachedStatement(c, "SELECT v FROM t ORDER BY id").all()).toEqual([{ v: "a" }, { v: "b" }, { v: "c" }]);
  });
});
