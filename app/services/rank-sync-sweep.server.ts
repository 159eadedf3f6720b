/**
 * Which customers Shopify shows otherwise than Tokui would now (ADR 0038). Apart from
 * rank-sync.server.ts, which talks to Shopify: the recompute — and with it `tokui import` and
 * `tokui recompute` — loads this without the Admin API client.
 */
import type { Database, PrismaClient, Tx } from "../db.server";
import { logger } from "../logger.server";
import { rankSyncStates } from "../models/customer.server";
import { loadShopContext, type ShopContext } from "../models/shop.server";
import type { JobQueue } from "../queue/types";
import { RANK_SYNC_GONE, rankSyncFields, rankSyncFingerprint } from "../shopify/rank-sync-plan";
import { rankSyncJob } from "./customer-rank.server";

export interface RankSyncSettings {
  ctx: ShopContext;
  options: { currency: string; locale: "ja" | "en" };
}

/** What a rank sync writes besides the customer's stats: the shop's tiers, currency and language. */
export async function rankSyncSettings(prisma: PrismaClient, shop: string): Promise<RankSyncSettings> {
  const ctx = await loadShopContext(prisma as unknown as Tx, shop);
  const settings = await prisma.shop.findUnique({ where: { shop }, select: { locale: true } });
  return { ctx, options: { currency: ctx.currency, locale: settings?.locale === "en" ? "en" : "ja" } };
}

const SWEEP_PAGE = 2000;

/**
 * Queue a rank sync for every customer of the shop whom Shopify does not show as Tokui would
 * now: whose last successful sync (Customer.rankSyncedFingerprint) wrote other values, or who
 * was never synced. That covers what the refresh's own trigger (rank, order count or spend
 * moved) cannot see — a sync that gave up after all its retries (Shopify down for hours, the
 * app's token briefly revoked), tiers renamed or re-thresholded so that a label or the distance
 * to the next rank changed while the rank did not. A customer Shopify no longer has
 * (RANK_SYNC_GONE) is left alone, and so is a shop without an offline session. The recompute
 * ends with it, so it runs daily and after every change of tiers. Returns how many syncs it
 * asked for (a customer whose sync already waits keeps that one job: the queue's singletonKey).
 */
export async function queueStaleRankSyncs(db: Database, queue: JobQueue, shop: string): Promise<number> {
  // Without an offline session every sync would fail at once: queue none, day after day, until
  // the shop is installed again (its recompute then catches up).
  if (!(await db.prisma.session.findFirst({ where: { shop, isOnline: false }, select: { id: true } }))) return 0;
  const { ctx, options } = await rankSyncSettings(db.prisma, shop);
  let queued = 0;
  for (let afterId = 0; ; ) {
    const page = await rankSyncStates(db.prisma, shop, afterId, SWEEP_PAGE);
    if (page.length === 0) break;
    afterId = page[page.length - 1]!.id;
    const stale = page.filter(
      (c) => c.rankSyncedFingerprint !== RANK_SYNC_GONE && c.rankSyncedFingerprint !== rankSyncFingerprint(rankSyncFields(c, ctx.tiers, options)),
    );
    if (stale.length > 0) await db.prisma.$transaction((tx) => queue.enqueue(tx, ...stale.map((c) => rankSyncJob(shop, c.id))));
    queued += stale.length;
  }
  if (queued > 0) {
    queue.kick();
    logger.info("rank syncs queued for customers Shopify shows otherwise", { shop, customers: queued });
  }
  return queued;
}
