import type { Prisma, Tx } from "../db.server";
import { customerStats } from "../domain/customer-stats";
import { rankFor } from "../domain/rank";
import { lockCustomersWithOrders } from "../models/customer.server";
import type { ShopContext } from "../models/shop.server";
import type { JobQueue, JobRequest } from "../queue/types";

export interface RefreshResult {
  customerId: number;
  fromRank: string | null;
  toRank: string | null;
  changed: boolean;
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
): Promise<RefreshResult[]> {
  if (customerIds.length === 0) return [];
  const customers = await lockCustomersWithOrders(tx, ctx.shop, customerIds);
  const results: RefreshResult[] = [];
  const rankChanges: Prisma.RankChangeCreateManyInput[] = [];
  const syncs: JobRequest[] = [];
  for (const before of customers) {
    const stats = customerStats(before.orders, { now, windowMonths: ctx.windowMonths, shopCurrency: ctx.currency });
    const toRank = rankFor(stats, ctx.tiers)?.key ?? null;
    const rankChanged = toRank !== before.rankKey;
    await tx.customer.update({
      where: { id: before.id },
      data: {
        orderCount: stats.orderCount,
        lifetimeSpent: stats.lifetimeSpent,
        windowSpent: stats.windowSpent,
        statsAsOf: now,
        firstOrderAt: stats.firstOrderAt,
        lastOrderAt: stats.lastOrderAt,
        rankKey: toRank,
        ...(rankChanged ? { rankSince: now } : {}),
      },
    });
    if (rankChanged) {
      rankChanges.push({
        shop: ctx.shop,
        customerId: before.id,
        fromRank: before.rankKey,
        toRank,
        reason: typeof reason === "string" ? reason : reason(before.id),
        orderCount: stats.orderCount,
        windowSpent: stats.windowSpent,
      });
    }
    // Shopify shows rank, order count and the distance to the next rank: sync when any moved.
    if (rankChanged || stats.orderCount !== before.orderCount || stats.windowSpent !== before.windowSpent) {
      syncs.push({ queue: "rank-sync", shop: ctx.shop, data: { customerId: before.id }, singletonKey: `${ctx.shop}:${before.id}` });
    }
    results.push({ customerId: before.id, fromRank: before.rankKey, toRank, changed: rankChanged });
  }
  if (rankChanges.length > 0) await tx.rankChange.createMany({ data: rankChanges });
  if (syncs.length > 0) await queue.enqueue(tx, ...syncs);
  return results;
}
