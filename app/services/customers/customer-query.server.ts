/**
 * The customers a CustomerFilter selects, in SQL both databases speak. The list, the CSV export
 * and the tag sync all go through `filterWhere`, so they select the same customers
 * (docs/decisions/0015-customer-workspace.md).
 *
 * Pages use keyset pagination — "rows after (value, id)" — so page 2,000 costs what page 1 does.
 * Rows without a value (no last order yet) sort last in both directions, in both databases.
 */
import { sqlDialect, type PrismaClient, type Tx } from "../../db.server";
import { sqlTimestamp, type SqlDialect } from "../../db/json-rows";
import {
  NO_RANK,
  containsPattern,
  lastOrderRange,
  type Cursor,
  type CustomerFilter,
  type CustomerOrder,
  type SortKey,
} from "../../domain/customer-filter";

/** Collects parameters in the order they appear in the text (SQLite's ? are positional). */
class Sql {
  readonly params: unknown[] = [];
  constructor(readonly dialect: SqlDialect) {}
  param(value: unknown): string {
    this.params.push(value);
    return this.dialect === "sqlite" ? "?" : `$${this.params.length}`;
  }
  timestamp(value: Date): string {
    const p = this.param(sqlTimestamp(this.dialect, value));
    return this.dialect === "sqlite" ? p : `${p}::timestamp(3)`;
  }
  bigint(value: string): string {
    const p = this.param(value);
    return this.dialect === "sqlite" ? `CAST(${p} AS INTEGER)` : `${p}::bigint`;
  }
}

const like = (expr: string, pattern: string) => `LOWER(${expr}) LIKE ${pattern} ESCAPE '\\'`;

/** The WHERE condition (alias c = "Customer") for a shop's customers matching the filter. */
function filterWhere(sql: Sql, shop: string, filter: CustomerFilter, timeZone: string): string {
  const shopParam = sql.param(shop);
  // Redacted customers (customers/redact) have no personal data left: not part of the workspace.
  const parts = [`c."shop" = ${shopParam}`, `c."redactedAt" IS NULL`];
  for (const term of filter.terms) {
    const pattern = containsPattern(term);
    const p = () => sql.param(pattern);
    // Family name then given name without a space matches 山田花子 as one word.
    parts.push(
      `(${[
        like(`COALESCE(c."lastName", '') || COALESCE(c."firstName", '')`, p()),
        like(`COALESCE(c."firstName", '') || ' ' || COALESCE(c."lastName", '')`, p()),
        like(`c."email"`, p()),
        like(`c."tags"`, p()),
        `EXISTS (SELECT 1 FROM "CustomerNote" n WHERE n."shop" = c."shop" AND n."customerId" = c."id" AND ${like(`n."body"`, p())})`,
      ].join(" OR ")})`,
    );
  }
  if (filter.ranks.length > 0) {
    const keys = filter.ranks.filter((r) => r !== NO_RANK);
    const alternatives = [];
    if (keys.length > 0) alternatives.push(`c."rankKey" IN (${keys.map((k) => sql.param(k)).join(", ")})`);
    if (filter.ranks.includes(NO_RANK)) alternatives.push(`c."rankKey" IS NULL`);
    parts.push(`(${alternatives.join(" OR ")})`);
  }
  if (filter.segments.length > 0) parts.push(`c."rfmSegment" IN (${filter.segments.map((s) => sql.param(s)).join(", ")})`);
  if (filter.minOrders !== null) parts.push(`c."orderCount" >= ${sql.param(filter.minOrders)}`);
  if (filter.maxOrders !== null) parts.push(`c."orderCount" <= ${sql.param(filter.maxOrders)}`);
  const range = lastOrderRange(filter, timeZone);
  if (range.from) parts.push(`c."lastOrderAt" >= ${sql.timestamp(range.from)}`);
  if (range.to) parts.push(`c."lastOrderAt" < ${sql.timestamp(range.to)}`);
  if (filter.product) {
    const lineShop = sql.param(shop); // before the match's parameter: SQLite's ? are positional
    const match =
      filter.product.kind === "gid" ? `l."productGid" = ${sql.param(filter.product.gid)}` : like(`l."title"`, sql.param(containsPattern(filter.product.text)));
    parts.push(
      `c."id" IN (SELECT o."customerId" FROM "OrderLine" l JOIN "Order" o ON o."id" = l."orderId"
        WHERE l."shop" = ${lineShop} AND ${match} AND o."cancelledAt" IS NULL AND o."customerId" IS NOT NULL)`,
    );
  }
  if (filter.country) parts.push(`c."countryCode" = ${sql.param(filter.country)}`);
  if (filter.region) parts.push(`c."provinceCode" = ${sql.param(filter.region)}`);
  if (filter.note) {
    // The shop's notes are few next to its customers: read them once (index on shop, category).
    const noteShop = sql.param(shop);
    const category = filter.note === "any" ? "" : ` AND n."category" = ${sql.param(filter.note)}`;
    parts.push(`c."id" IN (SELECT n."customerId" FROM "CustomerNote" n WHERE n."shop" = ${noteShop}${category})`);
  }
  return parts.join("\n  AND ");
}

interface SortSpec {
  /** The SQL expression sorted on. */
  expr: string;
  nullable: boolean;
  bind: (sql: Sql, value: string | number) => string;
}

function sortSpec(dialect: SqlDialect, sort: SortKey): SortSpec {
  switch (sort) {
    case "lastOrder":
      return { expr: `c."lastOrderAt"`, nullable: true, bind: (sql, v) => sql.timestamp(new Date(String(v))) };
    case "firstOrder":
      return { expr: `c."firstOrderAt"`, nullable: true, bind: (sql, v) => sql.timestamp(new Date(String(v))) };
    case "orderCount":
      return { expr: `c."orderCount"`, nullable: false, bind: (sql, v) => sql.param(Number(v)) };
    case "lifetimeSpent":
      return { expr: `c."lifetimeSpent"`, nullable: false, bind: (sql, v) => sql.bigint(String(v)) };
    case "name":
      // Byte order in both databases (PostgreSQL would otherwise use the database's collation).
      return {
        expr: `LOWER(COALESCE(c."lastName", '') || ' ' || COALESCE(c."firstName", ''))${dialect === "postgresql" ? ` COLLATE "C"` : ""}`,
        nullable: false,
        bind: (sql, v) => sql.param(String(v)),
      };
  }
}

/** Rows strictly after the cursor in the order (direction) given; NULL values come last. */
function keysetAfter(sql: Sql, spec: SortSpec, direction: "asc" | "desc", cursor: Cursor): string {
  const cmp = direction === "asc" ? ">" : "<";
  if (cursor.value === null) return `(${spec.expr} IS NULL AND c."id" ${cmp} ${sql.param(cursor.id)})`;
  const v1 = spec.bind(sql, cursor.value);
  const v2 = spec.bind(sql, cursor.value);
  const id = sql.param(cursor.id);
  const afterValue = `${spec.expr} ${cmp} ${v1} OR (${spec.expr} = ${v2} AND c."id" ${cmp} ${id})`;
  return spec.nullable ? `(${afterValue} OR ${spec.expr} IS NULL)` : `(${afterValue})`;
}

function orderBy(spec: SortSpec, direction: "asc" | "desc"): string {
  const dir = direction.toUpperCase();
  return `${spec.expr} ${dir}${spec.nullable ? " NULLS LAST" : ""}, c."id" ${dir}`;
}

export interface CustomerPageRequest {
  filter: CustomerFilter;
  order: CustomerOrder;
  after: Cursor | null;
  before: Cursor | null;
  limit: number;
  timeZone: string;
}

export interface CustomerPageIds {
  /** Row ids in display order, with the name sort key where the order needs it. */
  rows: { id: number; nameKey: string | null }[];
  hasNext: boolean;
  hasPrevious: boolean;
}

/**
 * One page of ids. `before` pages backwards: the rows before the cursor are read in the reverse
 * order and turned round, so "previous" is as cheap as "next".
 */
export async function customerPageIds(client: Tx, shop: string, request: CustomerPageRequest): Promise<CustomerPageIds> {
  const dialect = sqlDialect(client);
  const sql = new Sql(dialect);
  const spec = sortSpec(dialect, request.order.sort);
  const backwards = request.before !== null;
  const direction = request.order.direction;
  const where = filterWhere(sql, shop, request.filter, request.timeZone);
  const cursor = request.after ?? request.before;
  const keyset = cursor ? `\n  AND ${backwards ? keysetBefore(sql, spec, request.order.direction, cursor) : keysetAfter(sql, spec, direction, cursor)}` : "";
  const order = backwards ? orderByReversed(spec, request.order.direction) : orderBy(spec, direction);
  const limit = sql.param(request.limit + 1);
  const nameKey = request.order.sort === "name" ? `, ${spec.expr} AS "nameKey"` : `, NULL AS "nameKey"`;
  const rows = await client.$queryRawUnsafe<{ id: number | bigint; nameKey: string | null }[]>(
    `SELECT c."id" AS "id"${nameKey} FROM "Customer" c\nWHERE ${where}${keyset}\nORDER BY ${order}\nLIMIT ${limit}`,
    ...sql.params,
  );
  const more = rows.length > request.limit;
  const page = rows.slice(0, request.limit).map((r) => ({ id: Number(r.id), nameKey: r.nameKey }));
  if (backwards) page.reverse();
  return {
    rows: page,
    hasNext: backwards ? true : more,
    hasPrevious: backwards ? more : cursor !== null,
  };
}

/** Rows strictly before the cursor in the forward order, i.e. after it in the reversed one. */
function keysetBefore(sql: Sql, spec: SortSpec, forward: "asc" | "desc", cursor: Cursor): string {
  const cmp = forward === "asc" ? "<" : ">";
  if (cursor.value === null) {
    // Before a NULL row: the NULL rows with a smaller id, and every row with a value.
    return spec.nullable ? `((${spec.expr} IS NULL AND c."id" ${cmp} ${sql.param(cursor.id)}) OR ${spec.expr} IS NOT NULL)` : "1 = 0";
  }
  const v1 = spec.bind(sql, cursor.value);
  const v2 = spec.bind(sql, cursor.value);
  const id = sql.param(cursor.id);
  return `(${spec.expr} ${cmp} ${v1} OR (${spec.expr} = ${v2} AND c."id" ${cmp} ${id}))`;
}

/** The forward order turned round: NULLs first, then values in the opposite direction. */
function orderByReversed(spec: SortSpec, forward: "asc" | "desc"): string {
  const dir = forward === "asc" ? "DESC" : "ASC";
  return `${spec.expr} ${dir}${spec.nullable ? " NULLS FIRST" : ""}, c."id" ${dir}`;
}

export async function countCustomers(client: Tx, shop: string, filter: CustomerFilter, timeZone: string): Promise<number> {
  const sql = new Sql(sqlDialect(client));
  const where = filterWhere(sql, shop, filter, timeZone);
  const [row] = await client.$queryRawUnsafe<{ n: number | bigint }[]>(`SELECT COUNT(*) AS "n" FROM "Customer" c WHERE ${where}`, ...sql.params);
  return Number(row?.n ?? 0);
}

/** The next `limit` matching customers by id after `afterId` (the tag sync's walk: stable while tags change). */
export async function customerIdsAfter(
  client: Tx,
  shop: string,
  filter: CustomerFilter,
  timeZone: string,
  afterId: number,
  limit: number,
): Promise<number[]> {
  const sql = new Sql(sqlDialect(client));
  const where = filterWhere(sql, shop, filter, timeZone);
  const rows = await client.$queryRawUnsafe<{ id: number | bigint }[]>(
    `SELECT c."id" AS "id" FROM "Customer" c WHERE ${where} AND c."id" > ${sql.param(afterId)} ORDER BY c."id" LIMIT ${sql.param(limit)}`,
    ...sql.params,
  );
  return rows.map((r) => Number(r.id));
}

/** The cursor value of a row for an order (what the next page continues after). */
export function cursorFor(
  order: CustomerOrder,
  row: { id: number; lastOrderAt: Date | null; firstOrderAt: Date | null; orderCount: number; lifetimeSpent: bigint },
  nameKey: string | null,
): Cursor {
  const value = (() => {
    switch (order.sort) {
      case "lastOrder":
        return row.lastOrderAt?.toISOString() ?? null;
      case "firstOrder":
        return row.firstOrderAt?.toISOString() ?? null;
      case "orderCount":
        return row.orderCount;
      case "lifetimeSpent":
        return row.lifetimeSpent.toString();
      case "name":
        return nameKey ?? "";
    }
  })();
  return { sort: order.sort, direction: order.direction, value, id: row.id };
}

/** The shop's time zone for day boundaries (Asia/Tokyo until Shopify told us). */
export async function shopTimeZone(prisma: PrismaClient | Tx, shop: string): Promise<{ timeZone: string; currency: string }> {
  const row = await prisma.shop.findUnique({ where: { shop }, select: { ianaTimezone: true, currency: true } });
  return { timeZone: row?.ianaTimezone || "Asia/Tokyo", currency: row?.currency ?? "JPY" };
}
