import { sqlExecute, sqlInsertRows, sqlDialect, sqlRunEach, type Tx } from "../db.server";
import { jsonRowsParam, jsonRowsSource, shopFilter, sqlTimestamp, timestampLiteral } from "../db/json-rows";
import { customerStats } from "../domain/customer-stats";
import { rankFor } from "../domain/rank";
import { lockCustomersWithOrders } from "../models/customer.server";
import type { ShopContext } from "../models/shop.server";
import { grantMilestones, type GrantCandidate } from "./milestone-grants.server";
import type { JobQueue, JobRequest } from "../queue/types";
import { rankChangedFlowJob } from "../shopify/flow.server";

export interface RefreshResult {
  customerId: number;
  fromRank: string | null;
  toRank: string | null;
  changed: boolean;
  orderCount: number;
}

export interface RefreshOptions {
  /**
   * The order that moved this customer, when it arrived live (webhook, thank-you page): only
   * then can a milestone be reached. Imports and recomputes set the baseline without granting.
   */
  earningOrder?: (customerId: number) => string | null;
}

/**
 * Recompute customers' stats and ranks from their stored orders (never incrementally, so a
 * replay, a duplicate or an out-of-order delivery always converges), record each rank change
 * with its reason, and queue a sync to Shopify when anything Shopify shows has changed.
 */
export async function refreshCustomers(
  tx: Tx,
  queue: JobQueue,
  ctx: ShopContext,
  customerIds: number[],
  reason: string | ((customerId: number) => string),
  now: Date,
  options: RefreshOptions = {},
): Promise<RefreshResult[]> {
  if (customerIds.length === 0) return [];
  const customers = await lockCustomersWithOrders(tx, ctx.shop, customerIds);
  const results: RefreshResult[] = [];
  const rankChanges: RankChangeRow[] = [];
  const syncs: JobRequest[] = [];
  const flowJobs: JobRequest[] = [];
  const updates: Record<keyof typeof STATS_COLUMNS, unknown>[] = [];
  const candidates: GrantCandidate[] = [];
  for (const before of customers) {
    const stats = customerStats(before.orders, { now, windowMonths: ctx.windowMonths, shopCurrency: ctx.currency });
    const toRank = rankFor(stats, ctx.tiers)?.key ?? null;
    const rankChanged = toRank !== before.rankKey;
    updates.push({
      id: before.id,
      orderCount: stats.orderCount,
      lifetimeSpent: stats.lifetimeSpent,
      windowSpent: stats.windowSpent,
      firstOrderAt: stats.firstOrderAt,
      secondOrderAt: stats.secondOrderAt,
      lastOrderAt: stats.lastOrderAt,
      rankKey: toRank,
      rankSince: rankChanged ? now : null,
    });
    if (rankChanged) {
      const change = {
        shop: ctx.shop,
        customerId: before.id,
        fromRank: before.rankKey,
        toRank,
        reason: typeof reason === "string" ? reason : reason(before.id),
        orderCount: stats.orderCount,
        windowSpent: stats.windowSpent,
      };
      rankChanges.push(change);
      // Shopify Flow's "Customer rank changed", if the shop has a workflow on it (not for imports).
      const flowJob = rankChangedFlowJob(ctx, change.reason, change);
      if (flowJob) flowJobs.push(flowJob);
    }
    // Shopify shows rank, order count and the distance to the next rank: sync when any moved.
    if (rankChanged || stats.orderCount !== before.orderCount || stats.windowSpent !== before.windowSpent) {
      syncs.push(rankSyncJob(ctx.shop, before.id));
    }
    const earningOrder = options.earningOrder?.(before.id) ?? null;
    if (earningOrder !== null) {
      candidates.push({
        customerId: before.id,
        before: { orderCount: before.orderCount, rankKey: before.rankKey },
        after: { orderCount: stats.orderCount, rankKey: toRank },
        orderGid: earningOrder,
      });
    }
    results.push({ customerId: before.id, fromRank: before.rankKey, toRank, changed: rankChanged, orderCount: stats.orderCount });
  }
  await writeCustomerStats(tx, ctx.shop, updates, now);
  await insertRankChanges(tx, ctx.shop, rankChanges, now);
  if (syncs.length + flowJobs.length > 0) await queue.enqueue(tx, ...syncs, ...flowJobs);
  await grantMilestones(tx, queue, ctx, candidates, now);
  return results;
}

/** The job that writes a customer's rank to Shopify; one waiting at a time per customer. */
export function rankSyncJob(shop: string, customerId: number): JobRequest {
  return { queue: "rank-sync", shop, data: { customerId }, singletonKey: `${shop}:${customerId}` };
}

const STATS_COLUMNS = {
  id: "int",
  orderCount: "int",
  lifetimeSpent: "bigint",
  windowSpent: "bigint",
  firstOrderAt: "timestamp",
  secondOrderAt: "timestamp",
  lastOrderAt: "timestamp",
  rankKey: "text",
  rankSince: "timestamp",
} as const;

/** One UPDATE for all refreshed customers; rankSince null = the rank did not change, keep it. */
async function writeCustomerStats(tx: Tx, shop: string, rows: Record<keyof typeof STATS_COLUMNS, unknown>[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  const dialect = sqlDialect(tx);
  if (dialect === "sqlite") {
    // A prepared UPDATE per customer: no JSON to build and for SQLite to read back out.
    const at = sqlTimestamp(dialect, now);
    const time = (value: unknown) => (value instanceof Date ? sqlTimestamp(dialect, value) : null);
    await sqlRunEach(
      tx,
      `UPDATE "Customer" SET "orderCount" = ?, "lifetimeSpent" = ?, "windowSpent" = ?, "firstOrderAt" = ?, "secondOrderAt" = ?,
         "lastOrderAt" = ?, "rankKey" = ?, "rankSince" = COALESCE(?, "rankSince"), "statsAsOf" = ?, "updatedAt" = ?
       WHERE "id" = ? AND "shop" = ?`,
      rows.map((r) => [
        r.orderCount, r.lifetimeSpent, r.windowSpent, time(r.firstOrderAt), time(r.secondOrderAt),
        time(r.lastOrderAt), r.rankKey, time(r.rankSince), at, at, r.id, shop,
      ]),
    );
    return;
  }
  const j = jsonRowsSource(dialect, STATS_COLUMNS, "j", 1);
  const at = timestampLiteral(dialect, now);
  await sqlExecute(
    tx,
    `UPDATE "Customer" AS c SET
       "orderCount" = ${j.col("orderCount")}, "lifetimeSpent" = ${j.col("lifetimeSpent")}, "windowSpent" = ${j.col("windowSpent")},
       "firstOrderAt" = ${j.col("firstOrderAt")}, "secondOrderAt" = ${j.col("secondOrderAt")}, "lastOrderAt" = ${j.col("lastOrderAt")}, "rankKey" = ${j.col("rankKey")},
       "rankSince" = COALESCE(${j.col("rankSince")}, c."rankSince"), "statsAsOf" = ${at}, "updatedAt" = ${at}
     FROM ${j.from}
     WHERE ${shopFilter(dialect, "c", 2)} AND c."id" = ${j.col("id")}`,
    jsonRowsParam(dialect, STATS_COLUMNS, rows),
    shop,
  );
}

const RANK_CHANGE_COLUMNS = {
  shop: "text",
  customerId: "int",
  fromRank: "text",
  toRank: "text",
  reason: "text",
  orderCount: "int",
  windowSpent: "bigint",
} as const;
type RankChangeRow = { shop: string; customerId: number; fromRank: string | null; toRank: string | null; reason: string; orderCount: number; windowSpent: bigint };

async function insertRankChanges(tx: Tx, shop: string, rows: RankChangeRow[], now: Date): Promise<void> {
  const { shop: _shop, ...columns } = RANK_CHANGE_COLUMNS;
  await sqlInsertRows(tx, { table: "RankChange", columns, rows, constants: { shop, createdAt: now } });
}
