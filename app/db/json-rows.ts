/**
 * Set-based statements over many rows at once: the rows travel as ONE JSON parameter and the
 * database turns it into a table (SQLite json_each, PostgreSQL jsonb_to_recordset). One
 * statement per batch instead of one per row, and no bound-parameter limit (Prisma's SQLite
 * adapter binds at most 999 values). Through Prisma's raw queries, so the statements join the
 * caller's transaction (docs/decisions/0010-set-based-ingest.md).
 */
export type SqlDialect = "sqlite" | "postgresql";
export type ColumnType = "text" | "int" | "bigint" | "timestamp";
export type Columns = Record<string, ColumnType>;

const PG_TYPES: Record<ColumnType, string> = { text: "text", int: "integer", bigint: "bigint", timestamp: "timestamp(3)" };

export interface JsonRowsSource {
  /** The FROM item, e.g. `json_each(?) AS j`. */
  from: string;
  /** A column of the JSON rows as an SQL expression of its type. */
  col(name: string): string;
}

/**
 * `param` is the placeholder's position among the statement's parameters (PostgreSQL's $n;
 * SQLite's ? are positional, so the caller writes them in order).
 */
export function jsonRowsSource(dialect: SqlDialect, columns: Columns, alias: string, param: number): JsonRowsSource {
  if (dialect === "sqlite") {
    return {
      from: `json_each(?) AS ${alias}`,
      col: (name) => {
        const value = `${alias}.value->>'${name}'`;
        return columns[name] === "bigint" ? `CAST(${value} AS INTEGER)` : value;
      },
    };
  }
  const definition = Object.entries(columns)
    .map(([name, type]) => `"${name}" ${PG_TYPES[type]}`)
    .join(", ");
  return { from: `jsonb_to_recordset($${param}::jsonb) AS ${alias}(${definition})`, col: (name) => `${alias}."${name}"` };
}

/**
 * The JSON parameter for jsonRowsSource: bigint as a decimal string (exact beyond 2^53), Date in
 * the text form Prisma itself stores (SQLite) or as UTC without a zone (PostgreSQL timestamp(3)).
 */
export function jsonRowsParam(dialect: SqlDialect, columns: Columns, rows: Record<string, unknown>[]): string {
  return JSON.stringify(
    rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (const [name, type] of Object.entries(columns)) {
        const value = row[name];
        if (value === undefined || value === null) out[name] = null;
        else if (type === "bigint") out[name] = String(value);
        else if (type === "timestamp") out[name] = sqlTimestamp(dialect, value as Date);
        else out[name] = value;
      }
      return out;
    }),
  );
}

export function sqlTimestamp(dialect: SqlDialect, date: Date): string {
  const utc = utcDateTime(date);
  return dialect === "sqlite" ? `${utc}+00:00` : utc;
}

const DAY_MS = 86_400_000;
const YEAR_10000_MS = 253_402_300_800_000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, "0"));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, "0"));
const dayPrefixes = new Map<number, string>();

/**
 * toISOString() without its "Z": "2026-11-25T09:05:03.120". An import formats ~60,000 of them,
 * and toISOString costs ~0.5 µs each (~30 ms); here each day's "YYYY-MM-DDT" is formatted once
 * and the time of day is arithmetic (~0.08 µs). Years outside 1970–9999 and invalid dates (a
 * RangeError) take toISOString itself. tests/unit/json-rows.test.ts compares the two.
 */
export function utcDateTime(date: Date): string {
  const ms = date.getTime();
  if (!(ms >= 0 && ms < YEAR_10000_MS)) return date.toISOString().slice(0, -1);
  const day = Math.floor(ms / DAY_MS);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    if (dayPrefixes.size >= 20_000) dayPrefixes.clear(); // ~55 years of days: bounded
    prefix = date.toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  let rest = ms - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${prefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[rest - seconds * 1000]}`;
}

/** A parameter placeholder: SQLite ?, PostgreSQL $n. */
export const placeholder = (dialect: SqlDialect, n: number) => (dialect === "sqlite" ? "?" : `$${n}`);

/** A timestamp written into the statement (our own ISO text, never user input). */
export function timestampLiteral(dialect: SqlDialect, date: Date): string {
  const text = `'${sqlTimestamp(dialect, date)}'`;
  return dialect === "sqlite" ? text : `${text}::timestamp(3)`;
}

/**
 * `alias."shop" = <param>` as a plain filter for UPDATE … FROM <json rows> WHERE alias.id = ….
 * SQLite's planner cannot size the JSON rows and would drive the join from the shop index —
 * every row of the shop once per JSON row; a unary + keeps the term off the index, so it looks
 * each JSON row up by primary key instead (checked with EXPLAIN QUERY PLAN in the tests).
 */
export function shopFilter(dialect: SqlDialect, alias: string, param: number): string {
  return `${dialect === "sqlite" ? "+" : ""}${alias}."shop" = ${placeholder(dialect, param)}`;
}

/**
 * A list of values as ONE JSON parameter, for `x IN ${jsonList(…)}`: no bound-parameter limit,
 * whatever the batch size (Prisma's `{ in: [...] }` binds one parameter per value and fails
 * beyond 999 on SQLite).
 */
export function jsonList(dialect: SqlDialect, type: "text" | "int", param: number): string {
  if (dialect === "sqlite") return "(SELECT value FROM json_each(?))";
  return `(SELECT value::${PG_TYPES[type]} FROM jsonb_array_elements_text($${param}::jsonb) AS value)`;
}

/** Raw query results: a timestamp arrives as a Date or as the text SQLite stores. */
export function dateFrom(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === "string") return new Date(/[zZ]|[+-]\d\d:\d\d$/.test(value) ? value : `${value}Z`);
  if (typeof value === "number") return new Date(value);
  throw new TypeError(`not a timestamp: ${String(value)}`);
}
