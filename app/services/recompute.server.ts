import type { Database } from "../db.server";
import { recomputeReason } from "../domain/rank-change-reason";
import { loadShopContext } from "../models/shop.server";
import type { JobQueue } from "../queue/types";
import { refreshCustomers } from "./customer-rank.server";
import { queueStaleRankSyncs } from "./rank-sync-sweep.server";
import { enqueueAnalyticsRefresh } from "./analytics/refresh.server";

/**
 * Customers per transaction: large enough to amortise a commit, small enough to keep the write
 * lock short (id lists travel as one JSON parameter, so no bind limit applies).
 */
const CHUNK = 2000;

/** Refresh many customers, CHUNK per transaction; returns how many changed rank. */
export async function refreshCustomersInChunks(
  db: Database,
  queue: JobQueue,
  shop: string,
  customerIds: number[],
  reason: string,
  now: Date,
): Promise<number> {
  let rankChanges = 0;
  for (let i = 0; i < customerIds.length; i += CHUNK) {
    const ids = customerIds.slice(i, i + CHUNK);
    const results = await db.prisma.$transaction(
      async (tx) => refreshCustomers(tx, queue, await loadShopContext(tx, shop), ids, reason, now),
      { timeout: 120_000, maxWait: 30_000 },
    );
    rankChanges += results.filter((r) => r.changed).length;
  }
  return rankChanges;
}

export interface RecomputeProgress {
  done: number;
  total: number;
  rankChanges: number;
}

/**
 * Recompute every customer's stats and rank for `now`: the trailing spend window slides with
 * time, so a customer can move down without any new order. Run it daily (cron) or after
 * changing the tiers. It ends by queueing a rank sync for every customer whom Shopify shows
 * otherwise (queueStaleRankSyncs): a label or a threshold changed, or an earlier sync gave up.
 * `onProgress` is awaited once before the first chunk (done 0) and after
 * each committed chunk, so a recorded progress never runs ahead of the data.
 */
export async function recomputeShop(
  db: Database,
  queue: JobQueue,
  shop: string,
  now: Date,
  onProgress?: (progress: RecomputeProgress) => void | Promise<void>,
): Promise<{ customers: number; rankChanges: number; rankSyncsQueued: number }> {
  if (!(await db.prisma.shop.findUnique({ where: { shop }, select: { shop: true } }))) {
    throw new Error(`no shop ${shop} in this database (has it sent a webhook or been imported?)`);
  }
  const total = await db.prisma.customer.count({ where: { shop } });
  let done = 0;
  let rankChanges = 0;
  let cursor = 0;
  await onProgress?.({ done, total, rankChanges });
  for (;;) {
    const ids = (
      await db.prisma.customer.findMany({
        where: { shop, id: { gt: cursor } },
        orderBy: { id: "asc" },
        take: CHUNK,
        select: { id: true },
      })
    ).map((c) => c.id);
    if (ids.length === 0) break;
    cursor = ids[ids.length - 1]!;
    rankChanges += await refreshCustomersInChunks(db, queue, shop, ids, recomputeReason(now), now);
    done += ids.length;
    await onProgress?.({ done, total, rankChanges });
  }
  const rankSyncsQueued = await queueStaleRankSyncs(db, queue, shop);
  // Stats and ranks moved: the dashboard's RFM scores, cohorts and product figures follow.
  await enqueueAnalyticsRefresh(db.prisma, queue, shop);
  return { customers: done, rankChanges, rankSyncsQueued };
}
