import type { Database } from "../db.server";
import { recomputeReason } from "../domain/rank-change-reason";
import { loadShopContext } from "../models/shop.server";
import type { JobQueue } from "../queue/types";
import { refreshCustomers } from "./customer-rank.server";

/**
 * Recompute every customer's stats and rank for `now`: the trailing spend window slides with
 * time, so a customer can move down without any new order. Run it daily (cron) or after
 * changing the tiers.
 */
export async function recomputeShop(
  db: Database,
  queue: JobQueue,
  shop: string,
  now: Date,
  onProgress?: (done: number, total: number) => void,
): Promise<{ customers: number; rankChanges: number }> {
  if (!(await db.prisma.shop.findUnique({ where: { shop }, select: { shop: true } }))) {
    throw new Error(`no shop ${shop} in this database (has it sent a webhook or been imported?)`);
  }
  const total = await db.prisma.customer.count({ where: { shop } });
  let done = 0;
  let rankChanges = 0;
  let cursor = 0;
  for (;;) {
    const ids = (
      await db.prisma.customer.findMany({
        where: { shop, id: { gt: cursor } },
        orderBy: { id: "asc" },
        take: 1000,
        select: { id: true },
      })
    ).map((c) => c.id);
    if (ids.length === 0) break;
    cursor = ids[ids.length - 1]!;
    const results = await db.prisma.$transaction(
      async (tx) => {
        const ctx = await loadShopContext(tx, shop);
        return refreshCustomers(tx, queue, ctx, ids, recomputeReason(now), now);
      },
      { timeout: 120_000, maxWait: 30_000 },
    );
    done += ids.length;
    rankChanges += results.filter((r) => r.changed).length;
    onProgress?.(done, total);
  }
  return { customers: done, rankChanges };
}
