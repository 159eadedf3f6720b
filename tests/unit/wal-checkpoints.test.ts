/**
 * SQLite's log checkpointed on a background thread (ADR 0032): the writers' commits only append
 * to the log, and the rows still reach the database file.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { startWalCheckpoints, type WalCheckpoints } from "~/db/wal-checkpoints.server";

const dirs: string[] = [];
const running: WalCheckpoints[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A database whose one writer never checkpoints by itself, with `rows` rows of 1 KB in its log. */
function writerWithLog(rows: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tokui-wal-"));
  dirs.push(dir);
  const file = path.join(dir, "app.db");
  const writer = new BetterSqlite3(file);
  writer.pragma("journal_mode = WAL");
  writer.pragma("wal_autocheckpoint = 0");
  writer.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)");
  const insert = writer.prepare("INSERT INTO t (body) VALUES (?)");
  writer.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run("x".repeat(1024));
  })();
  return { file, writer };
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

describe("background WAL checkpoints", () => {
  it("copies the committed log into the database file while the writer only appends", async () => {
    const { file, writer } = writerWithLog(2_000);
    const before = fs.statSync(file).size;
    expect(before).toBeLessThan(100_000); // the 2 MB are in the log only

    running.push(startWalCheckpoints(file, 20));
    expect(await until(() => fs.statSync(file).size > 2_000_000)).toBe(true);

    // The writer goes on meanwhile, and the next checkpoints take its new rows too.
    const insert = writer.prepare("INSERT INTO t (body) VALUES (?)");
    writer.transaction(() => {
      for (let i = 0; i < 2_000; i++) insert.run("y".repeat(1024));
    })();
    expect(await until(() => fs.statSync(file).size > 4_000_000)).toBe(true);
    writer.close();

    const reader = new BetterSqlite3(file, { readonly: true });
    expect(reader.prepare("SELECT count(*) AS n FROM t").get()).toEqual({ n: 4_000 });
    reader.close();
  });

  it("ends its thread on stop", async () => {
    const { file, writer } = writerWithLog(10);
    const checkpoints = startWalCheckpoints(file, 20);
    await expect(checkpoints.stop()).resolves.toBeUndefined();
    writer.close();
  });

  it("stops by itself, logging why, when the database cannot be opened", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tokui-wal-"));
    dirs.push(dir);
    const warnings: string[] = [];
    const checkpoints = startWalCheckpoints(path.join(dir, "missing.db"), 20, (message) => warnings.push(message));
    expect(await until(() => warnings.length > 0)).toBe(true);
    expect(warnings[0]).toMatch(/missing\.db|unable to open|does not exist/i);
    await checkpoints.stop();
  });
});
