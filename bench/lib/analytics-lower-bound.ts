/**
 * The lower bound for each dashboard figure: the same aggregate as ONE hand-written SQL statement
 * on a direct connection (better-sqlite3 or pg), no ORM, no shaping beyond reading the rows.
 * Definitions follow app/domain/analytics/types.ts (counted order = not cancelled, not fully
 * refunded; customers = customers with a counted order; lifetime figures from the Customer
 * columns the ingestion keeps). Each statement may read those stored columns as the app may,
 * and uses the best formulation known, the app's included (a "lower bound" slower than the
 * app would measure nothing); `+column` keeps SQLite's planner off an index that would not help.
 */
import Sqlite from "better-sqlite3";
import pg from "pg";
import type { DbKind } from "./database";

export interface LowerBoundParams {
  shop: string;
  from: Date;
  to: Date;
  now: Date;
  currency: string;
  /** Cohort months are calendar months at this fixed offset from UTC (Asia/Tokyo: +9 h, no DST). */
  utcOffsetHours: number;
  /** The first cohort month's start (COHORT_MONTHS months ending with the month of `now`). */
  cohortStart: Date;
}

export interface LowerBoundQuery {
  /** The DASHBOARD_QUERIES entry it stands for; "… (live)" computes what the app precomputes. */
  name: string;
  sql: string;
  params: Record<string, string | number>;
}

const DAY = 86_400_000;
const F2_DAYS = [30, 60, 90, 180];
const PRODUCT_MIN_BUYERS = 10;
const PRODUCT_TOP = 10;

/** Every dashboard figure's lower-bound statement for `kind`, written with {name} placeholders. */
export function lowerBoundQueries(kind: DbKind, p: LowerBoundParams): LowerBoundQuery[] {
  // Timestamps as each database stores them: SQLite text "…+00:00" (app/db/json-rows.ts), PostgreSQL timestamp(3) in UTC.
  const ts = (d: Date) => (kind === "sqlite" ? d.toISOString().replace("Z", "+00:00") : d.toISOString().slice(0, -1));
  const tsParam = (name: string) => (kind === "sqlite" ? `{${name}}` : `{${name}}::timestamp(3)`);
  const days = (later: string, earlier: string) =>
    kind === "sqlite" ? `(julianday(${later}) - julianday(${earlier}))` : `(extract(epoch from (${later} - ${earlier})) / 86400.0)`;
  const month = (column: string) =>
    kind === "sqlite"
      ? `strftime('%Y-%m', ${column}, '${p.utcOffsetHours >= 0 ? "+" : ""}${p.utcOffsetHours} hours')`
      : `to_char(${column} + interval '${p.utcOffsetHours} hours', 'YYYY-MM')`;
  const counted = (o: string) => `${o}."cancelledAt" IS NULL AND NOT (${o}."totalPrice" > 0 AND ${o}."currentTotal" <= 0)`;
  const when = (condition: string) => `sum(CASE WHEN ${condition} THEN 1 ELSE 0 END)`;
  const base = { shop: p.shop, from: ts(p.from), to: ts(p.to), now: ts(p.now), currency: p.currency };

  const f2Columns = F2_DAYS.flatMap((d) => [
    `${when(`c."firstOrderAt" <= ${tsParam(`eligible${d}`)}`)} AS eligible_${d}`,
    `${when(`c."firstOrderAt" <= ${tsParam(`eligible${d}`)} AND c."secondOrderAt" IS NOT NULL AND ${days(`c."secondOrderAt"`, `c."firstOrderAt"`)} <= ${d}`)} AS converted_${d}`,
  ]);

  return [
    {
      name: "periodOrders",
      sql: `
SELECT count(*) AS orders, ${when(`o."customerId" IS NULL`)} AS guest_orders, ${when(`o."currency" <> {currency}`)} AS foreign_orders,
       sum(CASE WHEN o."currency" = {currency} THEN o."currentTotal" ELSE 0 END) AS revenue
FROM "Order" o
WHERE o."shop" = {shop} AND o."processedAt" >= ${tsParam("from")} AND o."processedAt" < ${tsParam("to")} AND ${counted("o")}`,
      params: base,
    },
    {
      // The period's customers: a counted order in the period means the first or the last one
      // is in it, or (bought before and after it) one in between: one index seek per such customer.
      name: "periodCustomers",
      sql: `
SELECT count(*) AS customers,
       ${when(`c."firstOrderAt" >= ${tsParam("from")}`)} AS new_customers,
       ${when(`c."secondOrderAt" IS NOT NULL AND c."secondOrderAt" < ${tsParam("to")}`)} AS repeaters,
       sum(CASE WHEN c."orderCount" >= 2 THEN ${days(`c."lastOrderAt"`, `c."firstOrderAt"`)} ELSE 0 END) AS gap_days,
       sum(CASE WHEN c."orderCount" >= 2 THEN c."orderCount" - 1 ELSE 0 END) AS gaps,
       sum(c."lifetimeSpent") AS lifetime_spent
FROM "Customer" c
WHERE c."shop" = {shop} AND +c."orderCount" > 0 AND c."lastOrderAt" >= ${tsParam("from")} AND c."firstOrderAt" < ${tsParam("to")}
  AND (c."firstOrderAt" >= ${tsParam("from")} OR c."lastOrderAt" < ${tsParam("to")}
       OR EXISTS (SELECT 1 FROM "Order" o WHERE o."customerId" = c."id" AND o."processedAt" >= ${tsParam("from")}
                  AND o."processedAt" < ${tsParam("to")} AND ${counted("o")}))`,
      params: base,
    },
    {
      name: "f2",
      sql: `
SELECT count(*) AS cohort, ${when(`c."secondOrderAt" IS NOT NULL`)} AS ever_converted,
       ${f2Columns.join(",\n       ")}
FROM "Customer" c
WHERE c."shop" = {shop} AND c."firstOrderAt" >= ${tsParam("from")} AND c."firstOrderAt" < ${tsParam("to")}`,
      params: { ...base, ...Object.fromEntries(F2_DAYS.map((d) => [`eligible${d}`, ts(new Date(p.now.getTime() - d * DAY))])) },
    },
    {
      // Customers grouped by lifetime spend first (fewer rows to sort), running totals by spend,
      // only the groups holding a rank ceil(k·n/100), k = 0…100 (the client interpolates within).
      name: "pareto",
      sql: `
SELECT g.spent, g.upto, g.customers, g.total, g.n
FROM (
  SELECT v.spent, v.customers, sum(v.customers) OVER w AS upto, sum(v.spent * v.customers) OVER w AS total, sum(v.customers) OVER () AS n
  FROM (SELECT "lifetimeSpent" AS spent, count(*) AS customers FROM "Customer"
        WHERE "shop" = {shop} AND +"orderCount" > 0 GROUP BY "lifetimeSpent") v
  WINDOW w AS (ORDER BY v.spent DESC ROWS UNBOUNDED PRECEDING)
) g
WHERE (100 * g.upto) / g.n > (100 * (g.upto - g.customers)) / g.n`,
      params: { shop: p.shop },
    },
    {
      name: "rankDistribution",
      sql: `
SELECT "rankKey" AS rank_key, count(*) AS n
FROM "Customer" WHERE "shop" = {shop} AND "orderCount" > 0 GROUP BY "rankKey"`,
      params: { shop: p.shop },
    },
    {
      name: "rankMoves",
      sql: `
SELECT "fromRank" AS from_rank, "toRank" AS to_rank, count(*) AS n
FROM "RankChange" WHERE "shop" = {shop} AND "createdAt" >= ${tsParam("from")} AND "createdAt" < ${tsParam("to")}
GROUP BY "fromRank", "toRank"`,
      params: { shop: p.shop, from: base.from, to: base.to },
    },
    {
      name: "funnel",
      sql: `
SELECT ${[1, 2, 3, 4, 5].map((k) => `${when(`"orderCount" >= ${k}`)} AS reached_${k}`).join(", ")}
FROM "Customer" WHERE "shop" = {shop} AND "orderCount" > 0`,
      params: { shop: p.shop },
    },
    {
      // What the app reads (cohorts and product repeat rates precomputed by the RFM refresh).
      name: "snapshots",
      sql: `SELECT "kind", "asOf", "payload" FROM "AnalyticsSnapshot" WHERE "shop" = {shop}`,
      params: { shop: p.shop },
    },
    {
      // Live, for comparison with the precomputed snapshot (not part of loadDashboard's Σ).
      // Cohort size = the row where the order month is the first-purchase month. Orders are
      // reached through their customer (of this shop): an extra o."shop" = … made SQLite without
      // ANALYZE statistics scan every order of the shop per customer.
      name: "cohorts (live)",
      sql: `
SELECT ${month(`c."firstOrderAt"`)} AS cohort, ${month(`o."processedAt"`)} AS month, count(DISTINCT c."id") AS customers
FROM "Customer" c JOIN "Order" o ON o."customerId" = c."id"
WHERE c."shop" = {shop} AND c."firstOrderAt" >= ${tsParam("cohortStart")} AND ${counted("o")}
GROUP BY 1, 2`,
      params: { shop: p.shop, cohortStart: ts(p.cohortStart) },
    },
    {
      name: "rfm",
      sql: `
SELECT "rfmSegment" AS segment, "rfmRecency" AS recency, "rfmFrequency" AS frequency,
       count(*) AS customers, sum("lifetimeSpent") AS revenue
FROM "Customer" WHERE "shop" = {shop} AND "orderCount" > 0
GROUP BY 1, 2, 3`,
      params: { shop: p.shop },
    },
    {
      // Live, for comparison with the precomputed snapshot (not part of loadDashboard's Σ).
      name: "products (live)",
      sql: `
WITH bought AS (
  SELECT l."productGid" AS product, o."customerId" AS customer, count(DISTINCT o."id") AS orders
  FROM "OrderLine" l JOIN "Order" o ON o."id" = l."orderId"
  WHERE l."shop" = {shop} AND l."productGid" IS NOT NULL AND o."customerId" IS NOT NULL AND ${counted("o")}
  GROUP BY 1, 2
), top AS (
  SELECT product, count(*) AS buyers, ${when("orders >= 2")} AS repeat_buyers
  FROM bought GROUP BY product HAVING count(*) >= ${PRODUCT_MIN_BUYERS}
  ORDER BY ${when("orders >= 2")} * 1.0 / count(*) DESC, count(*) DESC, product
  LIMIT ${PRODUCT_TOP}
)
SELECT t.product, t.buyers, t.repeat_buyers,
       (SELECT l."title" FROM "OrderLine" l JOIN "Order" o ON o."id" = l."orderId"
        WHERE l."shop" = {shop} AND l."productGid" = t.product ORDER BY o."processedAt" DESC LIMIT 1) AS title
FROM top t`,
      params: { shop: p.shop },
    },
  ];
}

/** A direct connection that runs the statements above and EXPLAINs any statement. */
export interface DirectConnection {
  kind: DbKind;
  run(query: { sql: string; params: Record<string, string | number> }): Promise<unknown[]>;
  /** Plain SQL with positional parameters (as Prisma sent it). */
  explain(sql: string, params: unknown[]): Promise<string>;
  close(): Promise<void>;
}

function positional(sql: string, params: Record<string, string | number>): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const index = new Map<string, number>();
  const text = sql.replace(/\{([a-zA-Z0-9_]+)\}/g, (_m, name: string) => {
    if (!(name in params)) throw new Error(`lower bound: no value for {${name}}`);
    if (!index.has(name)) {
      values.push(params[name]);
      index.set(name, values.length);
    }
    return `$${index.get(name)}`;
  });
  return { text, values };
}

export async function openDirect(kind: DbKind, target: string): Promise<DirectConnection> {
  if (kind === "sqlite") {
    const db = new Sqlite(target, { readonly: true });
    db.pragma("busy_timeout = 5000");
    return {
      kind,
      run: async ({ sql, params }) => {
        const used = new Set([...sql.matchAll(/\{([a-zA-Z0-9_]+)\}/g)].map((m) => m[1]!));
        return db.prepare(sql.replace(/\{([a-zA-Z0-9_]+)\}/g, "@$1")).all(Object.fromEntries(Object.entries(params).filter(([k]) => used.has(k))));
      },
      explain: async (sql, params) => {
        const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { id: number; parent: number; detail: string }[];
        const depths = new Map<number, number>();
        return rows
          .map((row) => {
            // The rows form a tree by parent id; indented as the sqlite3 shell does.
            const depth = row.parent === 0 ? 0 : (depths.get(row.parent) ?? 0) + 1;
            depths.set(row.id, depth);
            return `${"  ".repeat(depth)}${row.detail}`;
          })
          .join("\n");
      },
      close: async () => void db.close(),
    };
  }
  const client = new pg.Client({ connectionString: target });
  await client.connect();
  return {
    kind,
    run: async ({ sql, params }) => {
      const { text, values } = positional(sql, params);
      return (await client.query(text, values)).rows;
    },
    explain: async (sql, params) =>
      (await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`, params)).rows.map((r) => r["QUERY PLAN"]).join("\n"),
    close: () => client.end(),
  };
}
