import BetterSqlite3 from "better-sqlite3";
import { sqlTimestamp } from "./json-rows";
import { sqlitePath } from "../database-url";

/** Prisma's SQLite adapter stores DateTime as this text; rows we write must match it. */
export function sqliteDateTime(date: Date): string {
  return sqlTimestamp("sqlite", date);
}

export type SqliteConnection = BetterSqlite3.Database;

// Short pauses: the lock holder is usually the worker's transaction, a few milliseconds long,
// and every millisecond slept past its commit is added to a webhook's acknowledgement.
const BUSY_RETRY_MS = [1, 1, 2, 2, 3, 5];
const BUSY_GIVE_UP_MS = 5_000;

/**
 * A second, direct connection to the SQLite file for the one path where Prisma's per-query
 * cost dominates: storing webhook deliveries (docs/decisions/0009-webhook-group-commit.md).
 *
 * better-sqlite3 is synchronous, so a transaction here never spans two turns of the event loop.
 * It must also never *wait* for a lock (that would block the event loop while another
 * transaction — Prisma's, in this or another process — needs the loop to finish): busy_timeout
 * is 0, BEGIN IMMEDIATE takes the write lock up front or fails at once with SQLITE_BUSY, and
 * we retry after a short asynchronous pause.
 */
export class SqliteWriter {
  private readonly connection: SqliteConnection;

  /** walAutocheckpointPages: raised when a background thread checkpoints (ADR 0032). */
  constructor(url: string, options: { walAutocheckpointPages?: number } = {}) {
    this.connection = new BetterSqlite3(sqlitePath(url));
    this.connection.pragma("journal_mode = WAL");
    // Per connection: an acknowledged webhook must survive a power cut (as in prepareDatabase).
    this.connection.pragma("synchronous = FULL");
    this.connection.pragma("busy_timeout = 0");
    if (options.walAutocheckpointPages !== undefined) this.connection.pragma(`wal_autocheckpoint = ${Math.trunc(options.walAutocheckpointPages)}`);
  }

  async write<T>(work: (connection: SqliteConnection) => T): Promise<T> {
    const transaction = this.connection.transaction(work);
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return transaction.immediate(this.connection);
      } catch (error) {
        const busy = (error as { code?: unknown }).code === "SQLITE_BUSY";
        if (!busy || Date.now() - started > BUSY_GIVE_UP_MS) throw error;
        const pause = BUSY_RETRY_MS[Math.min(attempt, BUSY_RETRY_MS.length - 1)]!;
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }

  close(): void {
    this.connection.close();
  }
}
