/**
 * The whole-shop analytics refresh (the "rfm-refresh" job and `tokui rfm`): RFM scores written
 * to every customer in a few set-based statements, plus the dashboard parts too costly to
 * aggregate per page view — cohort retention and product repeat rates — stored in
 * AnalyticsSnapshot. Runs after an import or a recompute and when the dashboard finds the last
 * refresh missing or older than 24 h (docs/decisions/0013-analytics.md).
 */
import { sqlExecute, sqlQuery, type PrismaClient, type Tx } from "../../db.server";
import { shopFilter } from "../../db/json-rows";
import { cohortRows, topProducts } from "../../domain/analytics/figures";
import { RFM_RULES } from "../../domain/analytics/rfm";
import { COHORT_MONTHS, PRODUCT_MIN_BUYERS, type ProductRepeat } from "../../domain/analytics/types";
import { monthIndexOf, monthStart } from "../../domain/analytics/zoned-time";
import type { JobQueue } from "../../queue/types";
import { writeSnapshot, type CohortsPayload, type ProductsPayload } from "./snapshot.server";
import { counted, num, sqlFor, type Sql } from "./sql.server";

export interface RefreshRfmOptions {
  /** Products with fewer buyers are left out of the repeat-rate list (default PRODUCT_MIN_BUYERS). */
  minBuyers?: number;
  /** The shop's time zone for cohort months (default: Shop.ianaTimezone, else Asia/Tokyo). */
  timeZone?: string;
}

export interface RefreshRfmResult {
  /** Customers with counted orders, scored. */
  scored: number;
  /** Customers without counted orders whose old scores were cleared. */
  cleared: number;
  /** First-purchase months in the cohort table. */
  cohortMonths: number;
  /** Products in the repeat-rate list. */
  products: number;
}

type Row = Record<string, unknown>;

export async function refreshRfm(db: PrismaClient, shop: string, now: Date, options: RefreshRfmOptions = {}): Promise<RefreshRfmResult> {
  const settings = await db.shop.findUnique({ where: { shop }, select: { ianaTimezone: true } });
  const timeZone = options.timeZone ?? settings?.ianaTimezone ?? "Asia/Tokyo";
  const minBuyers = options.minBuyers ?? PRODUCT_MIN_BUYERS;

  const { scored, cleared } = await writeRfmScores(db, shop, now);
  await writeSnapshot(db, shop, "rfm", now, { scored });

  const rows = await cohortTable(db, shop, now, timeZone);
  await writeSnapshot(db, shop, "cohorts", now, { timeZone, rows } satisfies CohortsPayload);

  const items = await productRepeatRates(db, shop, minBuyers);
  await writeSnapshot(db, shop, "products", now, { minBuyers, items } satisfies ProductsPayload);

  return { scored, cleared, cohortMonths: rows.length, products: items.length };
}

/** The segment of score columns r and f, as SQL (the same map as domain/analytics/rfm RFM_RULES). */
function segmentCase(r: string, f: string): string {
  const whens = RFM_RULES.map(
    (rule) =>
      `WHEN ${r} BETWEEN ${rule.recency[0]} AND ${rule.recency[1]} AND ${f} BETWEEN ${rule.frequency[0]} AND ${rule.frequency[1]} THEN '${rule.segment}'`,
  );
  return `CASE ${whens.join(" ")} END`;
}

/** Quintile score of a column, ties kept together (domain/analytics/rfm quintileScores). */
function quintile(column: string): string {
  return `1 + (5 * (RANK() OVER (ORDER BY ${column}) - 1)) / COUNT(*) OVER ()`;
}

/**
 * Two statements: scores for every customer with counted orders (ranked among themselves),
 * and nulls for customers left without one (all their orders cancelled or refunded).
 */
async function writeRfmScores(db: Tx, shop: string, now: Date): Promise<{ scored: number; cleared: number }> {
  const s = sqlFor(db);
  const at = s.at(now);
  const scored = await sqlExecute(
    db,
    `UPDATE "Customer" AS c SET
       "rfmRecency" = q."r", "rfmFrequency" = q."f", "rfmMonetary" = q."m",
       "rfmSegment" = ${segmentCase(`q."r"`, `q."f"`)}, "rfmAsOf" = ${at}
     FROM (
       SELECT x."id", ${quintile(`x."lastOrderAt"`)} AS "r", ${quintile(`x."orderCount"`)} AS "f", ${quintile(`x."lifetimeSpent"`)} AS "m"
       FROM "Customer" x WHERE x."shop" = ${s.param(1)} AND x."orderCount" > 0
     ) AS q
     WHERE ${shopFilter(s.dialect, "c", 2)} AND c."id" = q."id"`,
    shop,
    shop,
  );
  const cleared = await sqlExecute(
    db,
    `UPDATE "Customer" SET "rfmRecency" = NULL, "rfmFrequency" = NULL, "rfmMonetary" = NULL, "rfmSegment" = NULL, "rfmAsOf" = NULL
     WHERE "shop" = ${s.param(1)} AND "orderCount" = 0 AND ("rfmAsOf" IS NOT NULL OR "rfmSegment" IS NOT NULL)`,
    shop,
  );
  return { scored, cleared };
}

/** Month offset (0 … COHORT_MONTHS − 1) of a timestamp expression, NULL outside the table. */
function monthCase(s: Sql, column: string, starts: Date[]): string {
  const whens = [];
  for (let i = starts.length - 2; i >= 0; i--) whens.push(`WHEN ${column} >= ${s.at(starts[i]!)} THEN ${i}`);
  return `CASE WHEN ${column} >= ${s.at(starts[starts.length - 1]!)} THEN NULL ${whens.join(" ")} END`;
}

/**
 * Retention by first-purchase month in the shop's time zone: month boundaries are computed here
 * (DST-aware) and compared in SQL, so the database needs no time-zone data.
 */
async function cohortTable(db: Tx, shop: string, now: Date, timeZone: string) {
  const s = sqlFor(db);
  const current = monthIndexOf(now, timeZone);
  const first = current - COHORT_MONTHS + 1;
  const starts = Array.from({ length: COHORT_MONTHS + 1 }, (_, i) => monthStart(first + i, timeZone));
  const begin = s.at(starts[0]!);
  const end = s.at(starts[COHORT_MONTHS]!);
  const [sizes, retained] = await Promise.all([
    sqlQuery<Row>(
      db,
      `SELECT t."cm", COUNT(*) AS "customers" FROM (
         SELECT ${monthCase(s, `c."firstOrderAt"`, starts)} AS "cm" FROM "Customer" c
         WHERE c."shop" = ${s.param(1)} AND c."orderCount" > 0 AND c."firstOrderAt" >= ${begin} AND c."firstOrderAt" < ${end}) t
       GROUP BY t."cm"`,
      shop,
    ),
    sqlQuery<Row>(
      db,
      `SELECT t."cm", t."om", COUNT(*) AS "customers" FROM (
         SELECT DISTINCT c."id", ${monthCase(s, `c."firstOrderAt"`, starts)} AS "cm", ${monthCase(s, `o."processedAt"`, starts)} AS "om"
         FROM "Customer" c JOIN "Order" o ON o."customerId" = c."id"
         WHERE c."shop" = ${s.param(1)} AND c."orderCount" > 0 AND c."firstOrderAt" >= ${begin} AND c."firstOrderAt" < ${end}
           AND o."processedAt" < ${end} AND ${counted("o")}) t
       WHERE t."om" > t."cm"
       GROUP BY t."cm", t."om"`,
      shop,
    ),
  ]);
  return cohortRows(
    current,
    new Map(sizes.map((r) => [first + num(r.cm), num(r.customers)])),
    new Map(retained.map((r) => [`${first + num(r.cm)}:${first + num(r.om)}`, num(r.customers)])),
  );
}

/**
 * Per product: customers who bought it in a counted order, and those who did in two different
 * orders; the best PRODUCT_TOP by repeat rate get the title of their latest counted order line.
 */
async function productRepeatRates(db: Tx, shop: string, minBuyers: number): Promise<ProductRepeat[]> {
  const s = sqlFor(db);
  const rows = await sqlQuery<Row>(
    db,
    `SELECT t."productGid", COUNT(*) AS "buyers", CAST(SUM(CASE WHEN t."orders" >= 2 THEN 1 ELSE 0 END) AS BIGINT) AS "repeatBuyers"
     FROM (
       SELECT l."productGid", o."customerId", COUNT(DISTINCT o."id") AS "orders"
       FROM "OrderLine" l JOIN "Order" o ON o."id" = l."orderId"
       WHERE l."shop" = ${s.param(1)} AND l."productGid" IS NOT NULL AND o."customerId" IS NOT NULL AND ${counted("o")}
       GROUP BY l."productGid", o."customerId") t
     GROUP BY t."productGid"
     HAVING COUNT(*) >= ${s.param(2)}`,
    shop,
    minBuyers,
  );
  const top = topProducts(
    rows.map((r) => ({ productGid: String(r.productGid), title: "", buyers: num(r.buyers), repeatBuyers: num(r.repeatBuyers) })),
    minBuyers,
  );
  for (const product of top) {
    const [latest] = await sqlQuery<Row>(
      db,
      `SELECT l."title" FROM "OrderLine" l JOIN "Order" o ON o."id" = l."orderId"
       WHERE l."shop" = ${s.param(1)} AND l."productGid" = ${s.param(2)} AND ${counted("o")}
       ORDER BY o."processedAt" DESC, o."gid" DESC, l."title" DESC LIMIT 1`,
      shop,
      product.productGid,
    );
    product.title = latest ? String(latest.title) : product.productGid;
  }
  return top;
}

/** Queue a refresh for the shop (at most one waiting per shop). */
export async function enqueueAnalyticsRefresh(db: Tx, queue: JobQueue, shop: string): Promise<void> {
  await queue.enqueue(db, { queue: "rfm-refresh", shop, data: {}, singletonKey: shop });
}

/** The "rfm-refresh" job. */
export async function runRfmRefreshJob(db: PrismaClient, shop: string, now: () => Date = () => new Date()): Promise<void> {
  await refreshRfm(db, shop, now());
}
