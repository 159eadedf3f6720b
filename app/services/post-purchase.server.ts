import { z } from "zod";
import type { Database } from "../db.server";
import { postPurchaseView, type GrantedReward, type PostPurchaseView } from "../domain/post-purchase";
import { milestoneFromJson } from "../domain/settings-json";
import type { OrderSnapshot } from "../domain/types";
import { RateLimiter } from "../lib/rate-limit";
import { env } from "../env.server";
import { logger } from "../logger.server";
import { loadShopContext, type ShopContext } from "../models/shop.server";
import type { Tx } from "../db.server";
import type { JobQueue } from "../queue/types";
import { ingestOrderSnapshots, prepareOrderIngest } from "./ingest-order.server";

/** What the thank-you and order status extensions send (extensions/shared/load.ts). */
export const postPurchaseRequest = z.object({
  // Thank-you page: an OrderIdentity whose number is the order's; order status page: the Order.
  orderId: z.string().regex(/^gid:\/\/shopify\/(OrderIdentity|Order)\/\d+$/, "expected an Order or OrderIdentity GID"),
  locale: z.enum(["ja", "en"]),
});
export type PostPurchaseRequest = z.infer<typeof postPurchaseRequest>;

export type PostPurchaseOutcome =
  | { status: 200; view: PostPurchaseView }
  /** The order is not this shop's, not this customer's, or does not exist. */
  | { status: 404; reason: string }
  /** Too many late orders being fetched right now: the extension asks again (its webhook is on the way). */
  | { status: 202 };

/**
 * Late orders fetched and ingested at once by one instance. Each costs an Admin API call and
 * ~12 ms of CPU; past this, more of them only queue and every answer gets slower (measured with
 * bench:post-purchase), so the rest are told to ask again.
 */
export const MAX_LATE_ORDER_FETCHES = 8;
let lateOrderFetches = 0;

export interface PostPurchaseInput {
  shop: string;
  orderGid: string;
  /** The session token's customer (sub); null for a guest checkout. */
  customerGid: string | null;
  locale: "ja" | "en";
}

/** The order from Shopify's Admin API (ORDER_FOR_POST_PURCHASE_QUERY), or null if this shop has no such order. */
export type FetchOrder = (shop: string, orderGid: string) => Promise<OrderSnapshot | null>;

/**
 * A token without a customer (a guest checkout) may read an order with a customer only this
 * long after it was placed: the thank-you page is shown right after checkout, and the token
 * names no order, so an older order is nobody's business.
 */
export const GUEST_TOKEN_ORDER_WINDOW_MS = 60 * 60 * 1000;

export function orderGidOf(requestOrderId: string): string {
  return `gid://shopify/Order/${requestOrderId.slice(requestOrderId.lastIndexOf("/") + 1)}`;
}

/**
 * The thank-you / order status view for one order, counting that order even when its webhook
 * has not arrived: it is then fetched from Shopify and ingested through the same idempotent path
 * as the webhooks (source "thank-you page"), so whichever comes first, it counts once and a
 * milestone it reaches is granted once.
 */
export async function postPurchase(
  ctx: { db: Database; queue: JobQueue },
  input: PostPurchaseInput,
  fetchOrder: FetchOrder,
  now: Date = new Date(),
  options: { maxLateOrderFetches?: number } = {},
): Promise<PostPurchaseOutcome> {
  const { prisma } = ctx.db;
  let order = await findOrder(ctx.db, input.shop, input.orderGid);
  if (!order) {
    if (lateOrderFetches >= (options.maxLateOrderFetches ?? MAX_LATE_ORDER_FETCHES)) return { status: 202 };
    lateOrderFetches++;
    try {
      const snapshot = await fetchOrder(input.shop, input.orderGid);
      if (!snapshot) return { status: 404, reason: "no such order in this shop" };
      await prepareOrderIngest(prisma, input.shop, [snapshot]);
      await prisma.$transaction((tx) => ingestOrderSnapshots(tx, ctx.queue, input.shop, [snapshot], { source: "thank-you page", now }), {
        timeout: 20_000,
        maxWait: 10_000,
      });
    } finally {
      lateOrderFetches--;
    }
    order = await findOrder(ctx.db, input.shop, input.orderGid);
    if (!order) throw new Error(`order ${input.orderGid} was ingested but cannot be read back`);
    logger.info("order ingested from the thank-you page", { shop: input.shop, order: input.orderGid });
  }

  const owner = order.customer?.gid ?? null;
  if (input.customerGid !== null && owner !== input.customerGid) return { status: 404, reason: "the order belongs to another customer" };
  if (input.customerGid === null && owner !== null && now.getTime() - order.processedAt.getTime() > GUEST_TOKEN_ORDER_WINDOW_MS) {
    return { status: 404, reason: "a token without a customer can read only a just-placed order" };
  }

  const shop = await cachedShopContext(prisma as unknown as Tx, input.shop, now);
  const grants = await prisma.rewardGrant.findMany({
    where: { shop: input.shop, orderGid: input.orderGid, status: { in: ["pending", "issued", "redeemed"] } },
    orderBy: { id: "asc" },
  });
  const rewards: GrantedReward[] = grants.map((g) => {
    const milestone = milestoneFromJson(g.milestone);
    return milestone.reward.kind === "discount"
      ? { kind: "discount", trigger: milestone.trigger, code: g.code!, expiresAt: g.expiresAt!, value: milestone.reward.value, minimumSubtotal: milestone.reward.minimumSubtotal }
      : { kind: "freeSample", trigger: milestone.trigger };
  });
  const view = postPurchaseView({
    locale: input.locale,
    customer: order.customer
      ? {
          // A token without a customer proves only "someone just checked out in this shop":
          // greet by rank, but not by name (the order id alone must not reveal who bought).
          firstName: input.customerGid === null ? null : order.customer.firstName,
          orderCount: order.customer.orderCount,
          windowSpent: order.customer.windowSpent,
        }
      : null,
    tiers: shop.tiers,
    templates: shop.templates,
    currency: shop.currency,
    rewards,
  });
  return { status: 200, view };
}

/**
 * Tiers, templates and milestones change when the merchant saves them — rarely — while every
 * thank-you page reads them: keep each shop's for a few seconds (a saved change shows within
 * SHOP_CONTEXT_TTL_MS). Ingestion never uses this cache.
 */
const SHOP_CONTEXT_TTL_MS = 5_000;
const shopContexts = new Map<string, { at: number; context: Promise<ShopContext> }>();

function cachedShopContext(client: Tx, shop: string, now: Date): Promise<ShopContext> {
  const hit = shopContexts.get(shop);
  if (hit && now.getTime() - hit.at < SHOP_CONTEXT_TTL_MS) return hit.context;
  const context = loadShopContext(client, shop);
  shopContexts.set(shop, { at: now.getTime(), context });
  context.catch(() => shopContexts.delete(shop));
  return context;
}

async function findOrder(db: Database, shop: string, gid: string) {
  return db.prisma.order.findUnique({
    where: { shop_gid: { shop, gid } },
    select: {
      processedAt: true,
      customer: { select: { gid: true, firstName: true, orderCount: true, windowSpent: true } },
    },
  });
}

let limiter: RateLimiter | undefined;

/** Seconds to wait before this shop may ask again, or 0. */
export function postPurchaseRateLimit(shop: string): number {
  limiter ??= new RateLimiter(env().TOKUI_POST_PURCHASE_RATE, env().TOKUI_POST_PURCHASE_BURST);
  return limiter.take(shop);
}
