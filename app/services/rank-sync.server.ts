import { sqlDialect, sqlQuery, type PrismaClient } from "../db.server";
import { jsonList, shopFilter } from "../db/json-rows";
import { logger } from "../logger.server";
import { recordRankSynced } from "../models/customer.server";
import { EveryJobError, PermanentJobError } from "../queue/types";
import { rankSyncSettings } from "./rank-sync-sweep.server";
import { adminFor, callAdmin as call, type AdminGraphql } from "../shopify/admin-client.server";
import { CUSTOMERS_RANK_TAGS_QUERY, CUSTOMER_RANK_TAGS_QUERY, RANK_SYNC_MUTATION } from "../shopify/graphql/documents";
import { RANK_SYNC_BATCH_SIZE, rankSyncBatchRequest, type RankSyncPlan } from "../shopify/rank-sync-batch";
import { RANK_SYNC_GONE, planRankSync, rankSyncFields, rankSyncFingerprint, type RankSyncCustomer } from "../shopify/rank-sync-plan";

const userErrorsOf = (result: Record<string, unknown>, fields: string[]) =>
  fields.flatMap((field) => ((result[field] as { userErrors?: { message: string }[] } | null | undefined)?.userErrors ?? []).map((e) => e.message));

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
  const { ctx, options } = await rankSyncSettings(prisma, shop);
  const admin = graphql ?? (await adminFor(shop));

  const tagsResult = await call(admin, CUSTOMER_RANK_TAGS_QUERY, { id: customer.gid });
  const current = tagsResult.customer as { tags?: string[] } | null;
  if (!current) {
    // Not retried, and not queued again by the recompute's sweep (queueStaleRankSyncs).
    await recordRankSynced(prisma, shop, [{ id: customerId, fingerprint: RANK_SYNC_GONE }]);
    throw new PermanentJobError(`customer ${customer.gid} no longer exists in Shopify`);
  }

  const plan = planRankSync(customer, ctx.tiers, current.tags ?? [], options);
  const result = await call(admin, RANK_SYNC_MUTATION, plan);
  const userErrors = userErrorsOf(result, ["metafieldsSet", "metafieldsDelete", "tagsAdd", "tagsRemove"]);
  if (userErrors.length > 0) {
    throw new PermanentJobError(`Shopify refused the rank sync of ${customer.gid}: ${userErrors.join("; ")}`);
  }
  await recordRankSynced(prisma, shop, [{ id: customerId, fingerprint: rankSyncFingerprint(rankSyncFields(customer, ctx.tiers, options)) }]);
  logger.debug("rank synced", { shop, customer: customer.gid, tags: plan.addTags });
}

/**
 * The rank-sync queue's batch path: the same writes for many customers of one shop, two Admin
 * API requests per RANK_SYNC_BATCH_SIZE customers (their tags, then one aliased mutation)
 * instead of two per customer, and the shop's settings read once. Anything out of the
 * ordinary — a customer deleted in Shopify, a userError, a failed request — throws, and the
 * queue runs the jobs one by one, which attributes the failure to the right customer (every
 * write here is idempotent, so repeating part of it is harmless). A shop that cannot be
 * reached at all (no offline session) fails every job at once (EveryJobError).
 */
export async function syncCustomerRanksWithShopify(
  prisma: PrismaClient,
  shop: string,
  customerIds: number[],
  graphql?: AdminGraphql,
): Promise<void> {
  // Hand-written: every batch of rank syncs starts here, and Prisma compiled a plan for it each
  // time (ADR 0031).
  const dialect = sqlDialect(prisma);
  const customers = (
    await sqlQuery<{ id: number | bigint; gid: string; orderCount: number | bigint; windowSpent: number | bigint | string }>(
      prisma,
      `SELECT c."id", c."gid", c."orderCount", c."windowSpent" FROM "Customer" AS c
       WHERE ${shopFilter(dialect, "c", 1)} AND c."id" IN ${jsonList(dialect, "int", 2)} ORDER BY c."id"`,
      shop,
      JSON.stringify([...new Set(customerIds)]),
    )
  ).map((c) => ({ id: Number(c.id), gid: c.gid, orderCount: Number(c.orderCount), windowSpent: BigInt(c.windowSpent) }));
  if (customers.length === 0) return; // all erased since (shop/redact)
  let admin = graphql;
  try {
    admin ??= await adminFor(shop);
  } catch (error) {
    // No offline session: the same answer for every one of the shop's jobs.
    if (error instanceof PermanentJobError) throw new EveryJobError(error);
    throw error;
  }
  const { ctx, options } = await rankSyncSettings(prisma, shop);

  for (let i = 0; i < customers.length; i += RANK_SYNC_BATCH_SIZE) {
    const batch: (RankSyncCustomer & { id: number })[] = customers.slice(i, i + RANK_SYNC_BATCH_SIZE);
    const tagsResult = await call(admin, CUSTOMERS_RANK_TAGS_QUERY, { ids: batch.map((c) => c.gid) });
    const nodes = (tagsResult.nodes ?? []) as ({ id?: string; tags?: string[] } | null)[];
    const plans: RankSyncPlan[] = batch.map((customer, n) => {
      const node = nodes[n];
      if (!node || node.id !== customer.gid) throw new Error(`customer ${customer.gid} is not in Shopify's answer: syncing one by one`);
      return planRankSync(customer, ctx.tiers, node.tags ?? [], options);
    });
    const request = rankSyncBatchRequest(plans);
    const result = await call(admin, request.query, request.variables);
    const userErrors = userErrorsOf(result, request.aliases);
    if (userErrors.length > 0) throw new Error(`Shopify refused part of a rank sync batch (${userErrors.join("; ")}): syncing one by one`);
    await recordRankSynced(
      prisma,
      shop,
      batch.map((c) => ({ id: c.id, fingerprint: rankSyncFingerprint(rankSyncFields(c, ctx.tiers, options)) })),
    );
  }
  logger.debug("ranks synced", { shop, customers: customers.length });
}
