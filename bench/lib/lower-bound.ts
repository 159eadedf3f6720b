/**
 * The lower bound of storing an order history: the same customers, orders and order lines the
 * app keeps, inserted with plain SQL in one transaction, ids assigned up front, into a fresh
 * migrated database (so every index and foreign key the app has is maintained here too).
 * Nothing is parsed, looked up or recomputed: this is what the rows alone cost.
 */
import Sqlite from "better-sqlite3";
import pg from "pg";
import type { BenchDatabase } from "./database";
import { SHOP_CURRENCY, type BenchOrder, type OrderSet } from "./orders";

export interface LowerBoundResult {
  customers: number;
  orders: number;
  lines: number;
  rows: number;
  seconds: number;
}

interface Rows {
  customers: unknown[][];
  orders: unknown[][];
  lines: unknown[][];
}

const CUSTOMER_COLUMNS = [
  "id", "shop", "gid", "firstName", "lastName", "email", "countryCode",
  "orderCount", "lifetimeSpent", "windowSpent", "statsAsOf", "firstOrderAt", "lastOrderAt", "rankKey", "rankSince", "updatedAt",
];
const ORDER_COLUMNS = [
  "id", "shop", "gid", "name", "customerId", "processedAt", "currency", "totalPrice", "sourceCurrentTotal", "currentTotal",
  "cancelledAt", "sourceUpdatedAt", "updatedAt",
];
const LINE_COLUMNS = ["id", "orderId", "shop", "gid", "title", "sku", "productGid", "variantGid", "quantity", "unitPrice"];

/**
 * Build the rows in memory (customer stats and rank included, cheaply, so the rows carry what
 * the app's rows carry). `time` turns a Date into the column value of the database kind.
 */
function buildRows(shop: string, set: OrderSet, now: Date, time: (d: Date) => unknown): Rows {
  const customerIds = new Map(set.customers.map((c, i) => [c.id, i + 1]));
  const stats = new Map<number, { count: number; spent: number; window: number; first: Date; last: Date }>();
  const windowStart = new Date(now);
  windowStart.setUTCMonth(windowStart.getUTCMonth() - 12);
  for (const o of set.orders) {
    if (!o.customer) continue;
    const s = stats.get(o.customer.id) ?? { count: 0, spent: 0, window: 0, first: o.processedAt, last: o.processedAt };
    s.count += 1;
    s.spent += o.total;
    if (o.processedAt >= windowStart) s.window += o.total;
    if (o.processedAt < s.first) s.first = o.processedAt;
    if (o.processedAt > s.last) s.last = o.processedAt;
    stats.set(o.customer.id, s);
  }
  const rank = (count: number, window: number) =>
    count >= 10 || window >= 100_000 ? "vip" : count >= 3 ? "regular" : count >= 2 ? "second" : count >= 1 ? "first" : null;
  const t = time(now);
  const customers = set.customers.map((c, i) => {
    const s = stats.get(c.id)!;
    return [
      i + 1, shop, c.gid, c.firstName, c.lastName, c.email, c.countryCode,
      s.count, s.spent, s.window, t, time(s.first), time(s.last), rank(s.count, s.window), t, t,
    ];
  });
  let lineId = 0;
  const orders: unknown[][] = [];
  const lines: unknown[][] = [];
  set.orders.forEach((o: BenchOrder, i) => {
    const at = time(o.processedAt);
    orders.push([
      i + 1, shop, o.gid, o.name, o.customer ? customerIds.get(o.customer.id)! : null, at, SHOP_CURRENCY,
      o.total, o.total, o.total, null, at, t,
    ]);
    for (const l of o.lines) {
      lineId += 1;
      lines.push([
        lineId, i + 1, shop, l.gid, l.title, l.sku,
        `gid://shopify/Product/${l.productId}`, `gid://shopify/ProductVariant/${l.variantId}`, l.quantity, l.unitPrice,
      ]);
    }
  });
  return { customers, orders, lines };
}

const quoted = (columns: string[]) => columns.map((c) => `"${c}"`).join(", ");

export async function insertLowerBound(db: BenchDatabase, shop: string, set: OrderSet, now: Date): Promise<LowerBoundResult> {
  return db.kind === "sqlite" ? insertSqlite(db, shop, set, now) : insertPostgres(db, shop, set, now);
}

/** better-sqlite3: one prepared statement per table, one transaction. */
async function insertSqlite(db: BenchDatabase, shop: string, set: OrderSet, now: Date): Promise<LowerBoundResult> {
  const sqlite = new Sqlite(db.label);
  try {
    // As Prisma's SQLite adapter writes DateTime: ISO 8601 with +00:00.
    const rows = buildRows(shop, set, now, (d) => d.toISOString().replace("Z", "+00:00"));
    const insert = (table: string, columns: string[]) =>
      sqlite.prepare(`INSERT INTO "${table}" (${quoted(columns)}) VALUES (${columns.map(() => "?").join(", ")})`);
    const started = performance.now();
    const customer = insert("Customer", CUSTOMER_COLUMNS);
    const order = insert("Order", ORDER_COLUMNS);
    const line = insert("OrderLine", LINE_COLUMNS);
    sqlite.transaction(() => {
      for (const r of rows.customers) customer.run(r);
      for (const r of rows.orders) order.run(r);
      for (const r of rows.lines) line.run(r);
    })();
    const seconds = (performance.now() - started) / 1000;
    return result(rows, seconds);
  } finally {
    sqlite.close();
  }
}

/** node-postgres: multi-row INSERTs of up to 1,000 rows, one transaction. */
async function insertPostgres(db: BenchDatabase, shop: string, set: OrderSet, now: Date): Promise<LowerBoundResult> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const rows = buildRows(shop, set, now, (d) => d);
    const insertAll = async (table: string, columns: string[], all: unknown[][]) => {
      for (let start = 0; start < all.length; start += 1000) {
        const batch = all.slice(start, start + 1000);
        const values = batch
          .map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(", ")})`)
          .join(", ");
        await client.query(`INSERT INTO "${table}" (${quoted(columns)}) VALUES ${values}`, batch.flat());
      }
    };
    const started = performance.now();
    await client.query("BEGIN");
    try {
      await insertAll("Customer", CUSTOMER_COLUMNS, rows.customers);
      await insertAll("Order", ORDER_COLUMNS, rows.orders);
      await insertAll("OrderLine", LINE_COLUMNS, rows.lines);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
    const seconds = (performance.now() - started) / 1000;
    return result(rows, seconds);
  } finally {
    await client.end();
  }
}

function result(rows: Rows, seconds: number): LowerBoundResult {
  return {
    customers: rows.customers.length,
    orders: rows.orders.length,
    lines: rows.lines.length,
    rows: rows.customers.length + rows.orders.length + rows.lines.length,
    seconds,
  };
}
