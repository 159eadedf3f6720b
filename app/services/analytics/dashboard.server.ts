/**
 * The merchant dashboard from database aggregates (docs/decisions/0013-analytics.md). Each
 * DASHBOARD_QUERIES entry is one independent statement (bench:analytics times them one by one);
 * loadDashboard runs them together and shapes the result with the same domain functions as the
 * pure reference (domain/analytics/reference.ts), so the two differ only in how they count.
 *
 * The unary + on orderCount filters keeps SQLite's planner on the covering index named by the
 * other terms instead of the orderCount index (measured with EXPLAIN QUERY PLAN on 100k
 * customers; the ADR has the figures).
 *
 * Per-customer figures come from the Customer columns the ingest maintains (order count, first,
 * second and last order, lifetime spend, rank, RFM scores) instead of re-aggregating orders;
 * period figures read Order through a covering index. Cohorts and product repeat rates are read
 * from AnalyticsSnapshot, written by the rfm-refresh job (refresh.server.ts).
 */
import { sqlQuery, type PrismaClient } from "../../db.server";
import {
  DAY_MS,
  averageDays,
  divideRounded,
  f2Conversion,
  funnelSteps,
  paretoData,
  rankData,
  rfmSegmentEntries,
  type RankTransitionCount,
} from "../../domain/analytics/figures";
import {
  F2_HORIZON_DAYS,
  PARETO_STEPS,
  PRODUCT_MIN_BUYERS,
  RFM_MAX_AGE_MS,
  RFM_SEGMENTS,
  type CohortTable,
  type DashboardData,
  type DashboardParams,
  type F2Conversion,
  type ParetoData,
  type PeriodSummary,
  type ProductRepeatData,
  type RankData,
  type FunnelStep,
  type RfmData,
  type RfmSegment,
} from "../../domain/analytics/types";
import type { JobQueue } from "../../queue/types";
import { importReason } from "../../domain/rank-change-reason";
import { enqueueAnalyticsRefresh } from "./refresh.server";
import { readSnapshots } from "./snapshot.server";
import { big, counted, num, sqlFor } from "./sql.server";

type Row = Record<string, unknown>;

/** Counted orders in the period: how many, whose, in which currency, and the revenue. */
async function periodOrders(db: PrismaClient, p: DashboardParams) {
  const s = sqlFor(db);
  const [row] = await sqlQuery<Row>(
    db,
    `SELECT COUNT(*) AS "orders",
       CAST(COALESCE(SUM(CASE WHEN o."customerId" IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS "guestOrders",
       CAST(COALESCE(SUM(CASE WHEN o."currency" <> ${s.param(1)} THEN 1 ELSE 0 END), 0) AS BIGINT) AS "foreignCurrencyOrders",
       CAST(COALESCE(SUM(CASE WHEN o."currency" = ${s.param(2)} THEN o."currentTotal" ELSE 0 END), 0) AS BIGINT) AS "revenue"
     FROM "Order" o
     WHERE o."shop" = ${s.param(3)} AND o."processedAt" >= ${s.at(p.from)} AND o."processedAt" < ${s.at(p.to)} AND ${counted("o")}`,
    p.currency,
    p.currency,
    p.shop,
  );
  return {
    orders: num(row?.orders),
    guestOrders: num(row?.guestOrders),
    foreignCurrencyOrders: num(row?.foreignCurrencyOrders),
    revenue: big(row?.revenue),
  };
}

/**
 * The period's customers and their lifetime figures, from Customer. A customer ordered in the
 * period when their first or last counted order is in it, or — only for customers who bought
 * both before and after it — when a counted order lies in between (one index seek each).
 * The unary + keeps SQLite's planner off the orderCount index (which would visit every customer)
 * and on lastOrderAt or firstOrderAt; the EXISTS has no shop term so it seeks Order(customerId,
 * processedAt) rather than scanning the period once per customer (the customer is the shop's).
 */
async function periodCustomers(db: PrismaClient, p: DashboardParams) {
  const s = sqlFor(db);
  const from = s.at(p.from);
  const to = s.at(p.to);
  const [row] = await sqlQuery<Row>(
    db,
    `SELECT COUNT(*) AS "customers",
       CAST(COALESCE(SUM(CASE WHEN c."firstOrderAt" >= ${from} THEN 1 ELSE 0 END), 0) AS BIGINT) AS "newCustomers",
       CAST(COALESCE(SUM(CASE WHEN c."secondOrderAt" < ${to} THEN 1 ELSE 0 END), 0) AS BIGINT) AS "repeaters",
       CAST(COALESCE(SUM(c."lifetimeSpent"), 0) AS BIGINT) AS "lifetimeSpent",
       CAST(COALESCE(SUM(CASE WHEN c."orderCount" >= 2 THEN c."orderCount" - 1 ELSE 0 END), 0) AS BIGINT) AS "gaps",
       CAST(COALESCE(SUM(CASE WHEN c."orderCount" >= 2 THEN ${s.msBetween(`c."lastOrderAt"`, `c."firstOrderAt"`)} ELSE 0 END), 0) AS BIGINT) AS "gapMs"
     FROM "Customer" c
     WHERE c."shop" = ${s.param(1)} AND +c."orderCount" > 0 AND c."lastOrderAt" >= ${from} AND c."firstOrderAt" < ${to}
       AND (c."firstOrderAt" >= ${from} OR c."lastOrderAt" < ${to}
            OR EXISTS (SELECT 1 FROM "Order" o WHERE o."customerId" = c."id" AND o."processedAt" >= ${from} AND o."processedAt" < ${to} AND ${counted("o")}))`,
    p.shop,
  );
  const customers = num(row?.customers);
  const gaps = num(row?.gaps);
  return {
    customers,
    newCustomers: num(row?.newCustomers),
    repeaters: num(row?.repeaters),
    gaps,
    averageDaysBetweenOrders: averageDays(big(row?.gapMs), gaps),
    averageLtv: customers === 0 ? null : divideRounded(big(row?.lifetimeSpent), BigInt(customers)).toString(),
  };
}

/** F2: first buyers of the period, eligible per horizon by the time elapsed since their first order. */
async function f2(db: PrismaClient, p: DashboardParams): Promise<F2Conversion> {
  const s = sqlFor(db);
  const gap = s.msBetween(`c."secondOrderAt"`, `c."firstOrderAt"`);
  const perHorizon = F2_HORIZON_DAYS.map((days, i) => {
    const eligible = `c."firstOrderAt" <= ${s.at(new Date(p.now.getTime() - days * DAY_MS))}`;
    return `CAST(COALESCE(SUM(CASE WHEN ${eligible} THEN 1 ELSE 0 END), 0) AS BIGINT) AS "eligible${i}",
       CAST(COALESCE(SUM(CASE WHEN ${eligible} AND c."secondOrderAt" IS NOT NULL AND ${gap} <= ${days * DAY_MS} THEN 1 ELSE 0 END), 0) AS BIGINT) AS "converted${i}"`;
  });
  const [row] = await sqlQuery<Row>(
    db,
    `SELECT COUNT(*) AS "cohort",
       CAST(COALESCE(SUM(CASE WHEN c."secondOrderAt" IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS "everConverted",
       ${perHorizon.join(",\n       ")}
     FROM "Customer" c
     WHERE c."shop" = ${s.param(1)} AND c."firstOrderAt" >= ${s.at(p.from)} AND c."firstOrderAt" < ${s.at(p.to)}`,
    p.shop,
  );
  return f2Conversion({
    cohort: num(row?.cohort),
    everConverted: num(row?.everConverted),
    eligible: F2_HORIZON_DAYS.map((_, i) => num(row?.[`eligible${i}`])),
    converted: F2_HORIZON_DAYS.map((_, i) => num(row?.[`converted${i}`])),
  });
}

/**
 * Pareto over lifetime spend. Customers are grouped by spend (read in index order, no sort of
 * the customers), and a running count and total over the groups, largest spend first, give the
 * spend of the top k customers for any k: the groups before k's plus k's share of its own (tied
 * customers spent the same). Only groups holding a rank the curve needs (ceil(step × n /
 * PARETO_STEPS)) come back, at most 100 rows.
 */
async function pareto(db: PrismaClient, p: DashboardParams): Promise<ParetoData> {
  const s = sqlFor(db);
  const rows = await sqlQuery<Row>(
    db,
    `SELECT g."spent", g."upto", g."customers", g."total", g."n" FROM (
       SELECT v."spent", v."customers",
              CAST(SUM(v."customers") OVER w AS BIGINT) AS "upto",
              CAST(SUM(v."spent" * v."customers") OVER w AS BIGINT) AS "total",
              CAST(SUM(v."customers") OVER () AS BIGINT) AS "n"
       FROM (SELECT c."lifetimeSpent" AS "spent", COUNT(*) AS "customers" FROM "Customer" c
             WHERE c."shop" = ${s.param(1)} AND +c."orderCount" > 0 GROUP BY c."lifetimeSpent") v
       WINDOW w AS (ORDER BY v."spent" DESC ROWS UNBOUNDED PRECEDING)) g
     WHERE (g."upto" * ${PARETO_STEPS}) / g."n" > ((g."upto" - g."customers") * ${PARETO_STEPS}) / g."n"`,
    p.shop,
  );
  const customers = rows.length === 0 ? 0 : num(rows[0]!.n);
  const groups = rows
    .map((r) => ({ spent: big(r.spent), upto: num(r.upto), customers: num(r.customers), total: big(r.total) }))
    .sort((a, b) => a.upto - b.upto);
  const cumulative = (rank: number): bigint => {
    const group = groups.find((g) => g.upto >= rank && g.upto - g.customers < rank);
    if (!group) throw new Error(`pareto: no spend group holds rank ${rank} of ${customers}`);
    return group.total - BigInt(group.upto - rank) * group.spent;
  };
  return paretoData(customers, cumulative);
}

/** Current rank distribution (customers with counted orders) with the shop's tiers. */
async function rankDistribution(db: PrismaClient, p: DashboardParams) {
  const s = sqlFor(db);
  const [tiers, rows] = await Promise.all([
    sqlQuery<Row>(db, `SELECT "key", "position", "labelJa", "labelEn" FROM "RankTier" WHERE "shop" = ${s.param(1)}`, p.shop),
    sqlQuery<Row>(
      db,
      `SELECT c."rankKey" AS "rankKey", COUNT(*) AS "customers" FROM "Customer" c
       WHERE c."shop" = ${s.param(1)} AND +c."orderCount" > 0 GROUP BY c."rankKey"`,
      p.shop,
    ),
  ]);
  return {
    tiers: tiers.map((t) => ({ key: String(t.key), position: num(t.position), labelJa: String(t.labelJa), labelEn: String(t.labelEn) })),
    customersByRank: new Map(rows.map((r) => [r.rankKey === null ? null : String(r.rankKey), num(r.customers)])),
  };
}

/**
 * Rank changes created in the period, per from → to. The history import's baseline ranks are
 * not moves: an import would otherwise show every customer moving in the week it ran.
 */
async function rankMoves(db: PrismaClient, p: DashboardParams): Promise<RankTransitionCount[]> {
  const s = sqlFor(db);
  const rows = await sqlQuery<Row>(
    db,
    `SELECT r."fromRank" AS "fromRank", r."toRank" AS "toRank", COUNT(*) AS "count" FROM "RankChange" r
     WHERE r."shop" = ${s.param(1)} AND r."createdAt" >= ${s.at(p.from)} AND r."createdAt" < ${s.at(p.to)} AND r."reason" <> ${s.param(2)}
     GROUP BY r."fromRank", r."toRank"`,
    p.shop,
    importReason(),
  );
  return rows.map((r) => ({
    from: r.fromRank === null ? null : String(r.fromRank),
    to: r.toRank === null ? null : String(r.toRank),
    count: num(r.count),
  }));
}

/** Customers by lifetime order count, 5 and more together. */
async function funnel(db: PrismaClient, p: DashboardParams): Promise<FunnelStep[]> {
  const s = sqlFor(db);
  const rows = await sqlQuery<Row>(
    db,
    `SELECT t."bucket", COUNT(*) AS "customers" FROM (
       SELECT CASE WHEN c."orderCount" >= 5 THEN 5 ELSE c."orderCount" END AS "bucket"
       FROM "Customer" c WHERE c."shop" = ${s.param(1)} AND c."orderCount" > 0) t
     GROUP BY t."bucket"`,
    p.shop,
  );
  return funnelSteps(new Map(rows.map((r) => [num(r.bucket), num(r.customers)])));
}

/** RFM segments and the recency × frequency grid from the stored scores. */
async function rfm(db: PrismaClient, p: DashboardParams) {
  const s = sqlFor(db);
  const rows = await sqlQuery<Row>(
    db,
    `SELECT c."rfmRecency" AS "recency", c."rfmFrequency" AS "frequency", c."rfmSegment" AS "segment",
       COUNT(*) AS "customers", CAST(COALESCE(SUM(c."lifetimeSpent"), 0) AS BIGINT) AS "revenue"
     FROM "Customer" c WHERE c."shop" = ${s.param(1)} AND +c."orderCount" > 0
     GROUP BY c."rfmSegment", c."rfmRecency", c."rfmFrequency"`,
    p.shop,
  );
  const known = new Set<string>(RFM_SEGMENTS);
  const bySegment = new Map<RfmSegment, { customers: number; revenue: bigint }>();
  const grid = new Map<string, { recency: number; frequency: number; customers: number }>();
  let scored = 0;
  let unscored = 0;
  for (const r of rows) {
    const segment = r.segment === null ? null : String(r.segment);
    const customers = num(r.customers);
    if (segment === null || !known.has(segment) || r.recency === null || r.frequency === null) {
      unscored += customers;
      continue;
    }
    scored += customers;
    const entry = bySegment.get(segment as RfmSegment) ?? { customers: 0, revenue: 0n };
    entry.customers += customers;
    entry.revenue += big(r.revenue);
    bySegment.set(segment as RfmSegment, entry);
    const key = `${num(r.recency)}:${num(r.frequency)}`;
    const cell = grid.get(key) ?? { recency: num(r.recency), frequency: num(r.frequency), customers: 0 };
    cell.customers += customers;
    grid.set(key, cell);
  }
  return {
    scored,
    unscored,
    segments: rfmSegmentEntries(bySegment),
    grid: [...grid.values()].sort((a, b) => a.recency - b.recency || a.frequency - b.frequency),
  };
}

/** The precomputed parts (cohorts, products) and when the RFM scores were refreshed. */
async function snapshots(db: PrismaClient, p: DashboardParams) {
  return readSnapshots(db, p.shop);
}

/** One entry per independent query, for loadDashboard and for bench:analytics to time each. */
export const DASHBOARD_QUERIES = {
  periodOrders,
  periodCustomers,
  f2,
  pareto,
  rankDistribution,
  rankMoves,
  funnel,
  rfm,
  snapshots,
} satisfies Record<string, (db: PrismaClient, p: DashboardParams) => Promise<unknown>>;

export interface LoadDashboardOptions {
  /** When given, a missing or stale RFM refresh is queued (one waiting job per shop). */
  queue?: JobQueue;
}

/** Every dashboard figure for the shop and period. */
export async function loadDashboard(db: PrismaClient, p: DashboardParams, options: LoadDashboardOptions = {}): Promise<DashboardData> {
  if (!(p.from < p.to)) throw new RangeError(`dashboard period must have from < to, got ${p.from.toISOString()} … ${p.to.toISOString()}`);
  const q = DASHBOARD_QUERIES;
  const [orders, customers, f2Data, paretoData_, ranks, moves, funnelData, rfmData, snap] = await Promise.all([
    q.periodOrders(db, p),
    q.periodCustomers(db, p),
    q.f2(db, p),
    q.pareto(db, p),
    q.rankDistribution(db, p),
    q.rankMoves(db, p),
    q.funnel(db, p),
    q.rfm(db, p),
    q.snapshots(db, p),
  ]);

  const rfmAsOf = snap.rfmAsOf;
  const stale = rfmAsOf === null || p.now.getTime() - rfmAsOf.getTime() > RFM_MAX_AGE_MS;
  if (stale && options.queue) await enqueueAnalyticsRefresh(db, options.queue, p.shop);

  const summary: PeriodSummary = {
    customers: customers.customers,
    newCustomers: customers.newCustomers,
    orders: orders.orders,
    guestOrders: orders.guestOrders,
    foreignCurrencyOrders: orders.foreignCurrencyOrders,
    revenue: orders.revenue.toString(),
    repeatRate: { num: customers.repeaters, den: customers.customers },
    averageDaysBetweenOrders: customers.averageDaysBetweenOrders,
    orderGaps: customers.gaps,
    averageLtv: customers.averageLtv,
  };
  const rankFigures: RankData = rankData(ranks.tiers, ranks.customersByRank, moves);
  const rfmFigures: RfmData = { asOf: rfmAsOf?.toISOString() ?? null, stale, ...rfmData };
  const cohorts: CohortTable = snap.cohorts ?? { asOf: null, rows: [] };
  const products: ProductRepeatData = snap.products ?? { asOf: null, minBuyers: PRODUCT_MIN_BUYERS, items: [] };

  return {
    shop: p.shop,
    currency: p.currency,
    timeZone: p.timeZone,
    from: p.from.toISOString(),
    to: p.to.toISOString(),
    now: p.now.toISOString(),
    summary,
    f2: f2Data,
    pareto: paretoData_,
    ranks: rankFigures,
    funnel: funnelData,
    cohorts,
    rfm: rfmFigures,
    products,
  };
}

/** The shop's currency and time zone for DashboardParams (Asia/Tokyo when Shopify has not told us). */
export async function dashboardSettings(db: PrismaClient, shop: string): Promise<{ currency: string; timeZone: string }> {
  const row = await db.shop.findUnique({ where: { shop }, select: { currency: true, ianaTimezone: true } });
  return { currency: row?.currency ?? "JPY", timeZone: row?.ianaTimezone ?? DEFAULT_TIME_ZONE };
}

export const DEFAULT_TIME_ZONE = "Asia/Tokyo";
