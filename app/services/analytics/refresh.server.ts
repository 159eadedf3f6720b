/**
 * The whole-shop analytics refresh (the "rfm-refresh" job and `tokui rfm`): RFM scores written
 * to every customer in a few set-based statements, plus the dashboard parts too costly to
 * aggregate per page view — cohort retention and product repeat rates — stored in
 * AnalyticsSnapshot. Runs after an import or a recompute and when the dashboard finds the last
 * refresh missing or older than 24 h (docs/decisions/0013-analytics.md).
 */
import { sqlExecute, sqlQuery, type PrismaClient, type Tx } from "../../db.server";
import { jsonList, jsonRowsParam, jsonRowsSource, shopFilter } from "../../db/json-rows";
import { cohortRows, topProducts } from "../../domain/analytics/figures";
import { rfmSegment } from "../../domain/analytics/rfm";
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
  /** How long each part took (wall clock). */
  ms: { scores: number; cohorts: number; products: number };
}

type Row = Record<string, unknown>;

export async function refreshRfm(db: PrismaClient, shop: string, now: Date, options: RefreshRfmOptions = {}): Promise<RefreshRfmResult> {
  const settings = await db.shop.findUnique({ where: { shop }, select: { ianaTimezone: true } });
  const timeZone = options.timeZone ?? settings?.ianaTimezone ?? "Asia/Tokyo";
  const minBuyers = options.minBuyers ?? PRODUCT_MIN_BUYERS;

  let started = performance.now();
  const lap = () => {
    const ms = Math.round(performance.now() - started);
    started = performance.now();
    return ms;
  };
  const { scored, cleared } = await writeRfmScores(db, shop, now);
  await writeSnapshot(db, shop, "rfm", now, { scored });
  const scoresMs = lap();

  const rows = await cohortTable(db, shop, now, timeZone);
  await writeSnapshot(db, shop, "cohorts", now, { timeZone, rows } satisfies CohortsPayload);
  const cohortsMs = lap();

  const items = await productRepeatRates(db, shop, minBuyers);
  await writeSnapshot(db, shop, "products", now, { minBuyers, items } satisfies ProductsPayload);

  return { scored, cleared, cohortMonths: rows.length, products: items.length, ms: { scores: scoresMs, cohorts: cohortsMs, products: lap() } };
}

/** Quintile score of a column, ties kept together (domain/analytics/rfm quintileScores). */
function quintile(column: string): string {
  return `1 + (5 * (RANK() OVER (ORDER BY ${column}) - 1)) / COUNT(*) OVER ()`;
}

const SCORE_COLUMNS = { id: "int", r: "int", f: "int", m: "int", segment: "text" } as const;
/** Customers per UPDATE: each statement stays short, so the event loop (webhook acks) keeps going. */
const SCORE_CHUNK = 5_000;

/**
 * Scores for every customer with counted orders (ranked among themselves) from one windowed
 * SELECT, written back in chunks as JSON rows; then nulls for customers left without a counted
 * order (all their orders cancelled or refunded). One UPDATE … FROM over 100k customers held
 * SQLite — and with it this process — for seconds; chunks of 5,000 take tens of milliseconds.
 */
async function writeRfmScores(db: Tx, shop: string, now: Date): Promise<{ scored: number; cleared: number }> {
  const s = sqlFor(db);
  const at = s.at(now);
  const scores = await sqlQuery<Row>(
    db,
    `SELECT x."id", ${quintile(`x."lastOrderAt"`)} AS "r", ${quintile(`x."orderCount"`)} AS "f", ${quintile(`x."lifetimeSpent"`)} AS "m"
     FROM "Customer" x WHERE x."shop" = ${s.param(1)} AND x."orderCount" > 0`,
    shop,
  );
  const rows = scores.map((row) => {
    const r = num(row.r);
    const f = num(row.f);
    return { id: num(row.id), r, f, m: num(row.m), segment: rfmSegment(r, f) };
  });
  const j = jsonRowsSource(s.dialect, SCORE_COLUMNS, "j", 1);
  for (let i = 0; i < rows.length; i += SCORE_CHUNK) {
    await breathe();
    await sqlExecute(
      db,
      `UPDATE "Customer" AS c SET "rfmRecency" = ${j.col("r")}, "rfmFrequency" = ${j.col("f")}, "rfmMonetary" = ${j.col("m")},
         "rfmSegment" = ${j.col("segment")}, "rfmAsOf" = ${at}
       FROM ${j.from}
       WHERE ${shopFilter(s.dialect, "c", 2)} AND c."id" = ${j.col("id")}`,
      jsonRowsParam(s.dialect, SCORE_COLUMNS, rows.slice(i, i + SCORE_CHUNK)),
      shop,
    );
  }
  const cleared = await sqlExecute(
    db,
    `UPDATE "Customer" SET "rfmRecency" = NULL, "rfmFrequency" = NULL, "rfmMonetary" = NULL, "rfmSegment" = NULL, "rfmAsOf" = NULL
     WHERE "shop" = ${s.param(1)} AND "orderCount" = 0 AND ("rfmAsOf" IS NOT NULL OR "rfmSegment" IS NOT NULL)`,
    shop,
  );
  return { scored: rows.length, cleared };
}

/** Let other work (webhook acks) run between statements: better-sqlite3 blocks the event loop while one runs. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Month offset (0 … COHORT_MONTHS − 1) of a timestamp expression, NULL outside the table. */
function monthCase(s: Sql, column: string, starts: Date[]): string {
  const whens = [];
  for (let i = starts.length - 2; i >= 0; i--) whens.push(`WHEN ${column} >= ${s.at(starts[i]!)} THEN ${i}`);
  return `CASE WHEN ${column} >= ${s.at(starts[starts.length - 1]!)} THEN NULL ${whens.join(" ")} END`;
}

/**
 * Retention by first-purchase month in the shop's time zone: month boundaries are computed here
 * (DST-aware) and compared in SQL, so the database needs no time-zone data. One statement per
 * cohort month (tens of milliseconds each on 100k customers, instead of one of several hundred).
 */
async function cohortTable(db: Tx, shop: string, now: Date, timeZone: string) {
  const s = sqlFor(db);
  const current = monthIndexOf(now, timeZone);
  const first = current - COHORT_MONTHS + 1;
  const starts = Array.from({ length: COHORT_MONTHS + 1 }, (_, i) => monthStart(first + i, timeZone));
  const end = s.at(starts[COHORT_MONTHS]!);
  const sizes = new Map<number, number>();
  const retained = new Map<string, number>();
  for (let i = 0; i < COHORT_MONTHS; i++) {
    await breathe();
    const rows = await sqlQuery<Row>(
      db,
      `SELECT t."om", COUNT(*) AS "customers" FROM (
         SELECT DISTINCT c."id", ${monthCase(s, `o."processedAt"`, starts)} AS "om"
         FROM "Customer" c JOIN "Order" o ON o."customerId" = c."id"
         WHERE c."shop" = ${s.param(1)} AND c."orderCount" > 0 AND c."firstOrderAt" >= ${s.at(starts[i]!)} AND c."firstOrderAt" < ${s.at(starts[i + 1]!)}
           AND o."processedAt" < ${end} AND ${counted("o")}) t
       GROUP BY t."om"`,
      shop,
    );
    for (const row of rows) {
      const om = num(row.om);
      // The cohort month itself holds every customer of the cohort (their first order).
      if (om === i) sizes.set(first + i, num(row.customers));
      else if (om > i) retained.set(`${first + i}:${first + om}`, num(row.customers));
    }
  }
  return cohortRows(current, sizes, retained);
}

/** Customers per statement of the product pass. */
const PRODUCT_CHUNK = 2_000;

/**
 * Per product: customers who bought it in a counted order, and those who did in two different
 * orders; the best PRODUCT_TOP by repeat rate, each with the title of its line stored last.
 * Over every order line (millions in a large shop), so it walks the customers in id ranges —
 * one short statement per range — and adds up in memory; guest orders only supply titles.
 */
async function productRepeatRates(db: Tx, shop: string, minBuyers: number): Promise<ProductRepeat[]> {
  const s = sqlFor(db);
  const products = new Map<string, { buyers: number; repeatBuyers: number; lastLine: number }>();
  const take = (rows: Row[]) => {
    for (const row of rows) {
      const gid = String(row.productGid);
      const p = products.get(gid) ?? { buyers: 0, repeatBuyers: 0, lastLine: 0 };
      if (row.orders !== null) {
        p.buyers += 1;
        if (num(row.orders) >= 2) p.repeatBuyers += 1;
      }
      p.lastLine = Math.max(p.lastLine, num(row.lastLine));
      products.set(gid, p);
    }
  };
  for (let after = 0; ; ) {
    await breathe();
    const ids = await sqlQuery<Row>(
      db,
      `SELECT c."id" FROM "Customer" c WHERE c."shop" = ${s.param(1)} AND c."id" > ${s.param(2)} AND c."orderCount" > 0
       ORDER BY c."id" LIMIT ${PRODUCT_CHUNK}`,
      shop,
      after,
    );
    if (ids.length === 0) break;
    const low = num(ids[0]!.id);
    const high = num(ids[ids.length - 1]!.id);
    after = high;
    take(
      await sqlQuery<Row>(
        db,
        `SELECT l."productGid", o."customerId", COUNT(DISTINCT o."id") AS "orders", MAX(l."id") AS "lastLine"
         FROM "Order" o JOIN "OrderLine" l ON l."orderId" = o."id"
         WHERE o."customerId" >= ${s.param(1)} AND o."customerId" <= ${s.param(2)} AND ${shopFilter(s.dialect, "o", 3)}
           AND ${counted("o")} AND l."productGid" IS NOT NULL
         GROUP BY l."productGid", o."customerId"`,
        low,
        high,
        shop,
      ),
    );
  }
  await breathe();
  take(
    await sqlQuery<Row>(
      db,
      `SELECT l."productGid", NULL AS "orders", MAX(l."id") AS "lastLine"
       FROM "Order" o JOIN "OrderLine" l ON l."orderId" = o."id"
       WHERE o."shop" = ${s.param(1)} AND o."customerId" IS NULL AND ${counted("o")} AND l."productGid" IS NOT NULL
       GROUP BY l."productGid"`,
      shop,
    ),
  );
  const top = topProducts(
    [...products.entries()].map(([productGid, p]) => ({ productGid, title: "", buyers: p.buyers, repeatBuyers: p.repeatBuyers })),
    minBuyers,
  );
  if (top.length === 0) return top;
  const titles = await sqlQuery<Row>(
    db,
    `SELECT l."id", l."title" FROM "OrderLine" l WHERE l."id" IN ${jsonList(s.dialect, "int", 1)} AND l."shop" = ${s.param(2)}`,
    JSON.stringify(top.map((p) => products.get(p.productGid)!.lastLine)),
    shop,
  );
  const titleOf = new Map(titles.map((t) => [num(t.id), String(t.title)]));
  for (const p of top) p.title = titleOf.get(products.get(p.productGid)!.lastLine) ?? p.productGid;
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
