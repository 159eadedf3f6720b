import type { PrismaClient, Tx } from "../db.server";
import { logger } from "../logger.server";
import { loadShopContext } from "../models/shop.server";
import { PermanentJobError } from "../queue/types";
import { adminFor, callAdmin as call, type AdminGraphql } from "../shopify/admin-client.server";
import { CUSTOMER_RANK_TAGS_QUERY, RANK_SYNC_MUTATION } from "../shopify/graphql/documents";
import { planRankSync } from "../shopify/rank-sync-plan";

/**
 * Job handler: write one customer's rank to Shopify — `$app` metafields and the rank tag.
 * It reads the customer's state when it runs, so a job queued before later changes still
 * sends the latest state.
 */
export async function syncCustomerRankWithShopify(
  prisma: PrismaClient,
  shop: string,
  customerId: number,
  graphql?: AdminGraphql,
): Promise<void> {
  const customer = await prisma.customer.findFirst({
    where: { id: customerId, shop },
    select: { gid: true, orderCount: true, windowSpent: true },
  });
  if (!customer) return; // erased since (shop/redact)
  const ctx = await loadShopContext(prisma as unknown as Tx, shop);
  const settings = await prisma.shop.findUnique({ where: { shop }, select: { locale: true } });
  const admin = graphql ?? (await adminFor(shop));

  const tagsResult = await call(admin, CUSTOMER_RANK_TAGS_QUERY, { id: customer.gid });
  const current = tagsResult.customer as { tags?: string[] } | null;
  if (!current) throw new PermanentJobError(`customer ${customer.gid} no longer exists in Shopify`);

  const plan = planRankSync(customer, ctx.tiers, current.tags ?? [], {
    currency: ctx.currency,
    locale: settings?.locale === "en" ? "en" : "ja",
  });
  const result = await call(admin, RANK_SYNC_MUTATION, plan);
  const userErrors = ["metafieldsSet", "metafieldsDelete", "tagsAdd", "tagsRemove"].flatMap(
    (field) => ((result[field] as { userErrors?: { message: string }[] } | undefined)?.userErrors ?? []),
  );
  if (userErrors.length > 0) {
    throw new PermanentJobError(`Shopify refused the rank sync of ${customer.gid}: ${userErrors.map((e) => e.message).join("; ")}`);
  }
  logger.debug("rank synced", { shop, customer: customer.gid, tags: plan.addTags });
}
