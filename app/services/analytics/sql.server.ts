/**
 * SQL fragments the analytics queries share, for SQLite and PostgreSQL. Timestamps are written
 * into the statements as literals of our own ISO text (timestampLiteral, never user input):
 * SQLite compares the stored text, so a bound Date in another text form would compare wrongly.
 */
import { sqlDialect, type Tx } from "../../db.server";
import { placeholder, timestampLiteral, type SqlDialect } from "../../db/json-rows";

export interface Sql {
  dialect: SqlDialect;
  /** Parameter n (1-based): SQLite ?, PostgreSQL $n. SQLite's are positional: number them in the order they appear in the text. */
  param(n: number): string;
  /** A timestamp literal. */
  at(date: Date): string;
  /** Milliseconds from `earlier` to `later` (two timestamp expressions) as an exact integer. */
  msBetween(later: string, earlier: string): string;
}

export function sqlFor(client: Tx): Sql {
  const dialect = sqlDialect(client);
  return {
    dialect,
    param: (n) => placeholder(dialect, n),
    at: (date) => timestampLiteral(dialect, date),
    msBetween: (later, earlier) =>
      dialect === "sqlite"
        ? // julianday keeps millisecond precision (a double, ~50 µs near today); rounding makes it exact.
          `CAST(ROUND((julianday(${later}) - julianday(${earlier})) * 86400000) AS BIGINT)`
        : `CAST(ROUND(EXTRACT(EPOCH FROM (${later} - ${earlier})) * 1000) AS BIGINT)`,
  };
}

/** The SQL twin of domain/customer-stats isCountedOrder, for an "Order" alias. */
export function counted(alias: string): string {
  return `${alias}."cancelledAt" IS NULL AND NOT (${alias}."totalPrice" > 0 AND ${alias}."currentTotal" <= 0)`;
}

/** An aggregate result as a number (SQLite gives bigint, PostgreSQL bigint or number; NULL → 0). */
export function num(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}

/** An aggregate result as bigint (money); NULL → 0. */
export function big(value: unknown): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === "bigint") return value;
  if (typeof value === "number") return BigInt(value);
  return BigInt(String(value));
}
