import { sqlDialect, sqlQuery, type Database, type PrismaClient, type Tx } from "../db.server";
import { jsonList, shopFilter } from "../db/json-rows";
import { logger } from "../logger.server";
import { rankSyncStates, recordRankSynced } from "../models/customer.server";
import { loadShopContext, type ShopContext } from "../models/shop.server";
import { EveryJobError, PermanentJobError, type JobQueue } from "../queue/types";
import { rankSyncJob } from "./customer-rank.server";
import { adminFor, callAdmin as call, type AdminGraphql } from "../shopify/admin-client.server";
import { CUSTOMERS_RANK_TAGS_QUERY, CUSTOMER_RANK_TAGS_QUERY, RANK_SYNC_MUTATION } from "../shopify/graphql/documents";
import { RANK_SYNC_BATCH_SIZE, rankSyncBatchRequest, type RankSyncPlan } from "../shopify/rank-sync-batch";
import { RANK_SYNC_GONE, planRankSync, rankSyncFields, rankSyncFingerprint, type RankSyncCustomer } from "../shopify/rank-sync-plan";

interface SyncSettings {
  ctx: ShopContext;
  options: { currency: string; locale: "ja" | "en" };
}

async function syncSettings(prisma: PrismaClient, shop: string): Promise<SyncSettings> {
  const ctx = await loadShopContext(prisma as unknown as Tx, shop);
  const settings = await prisma.shop.findUnique({ where: { shop }, select: { locale: true } });
  return { ctx, options: { currency: ctx.currency, locale: settings?.locale === "en" ? "en" : "ja" } };
}

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
  const { ctx, options } = await syncSettings(prisma, shop);
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
  const { ctx, options } = await syncSettings(prisma, shop);

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

const SWEEP_PAGE = 2000;

/**
 * Queue a rank sync for every customer of the shop whom Shopify does not show as Tokui would
 * now: whose last successful sync (Customer.rankSyncedFingerprint) wrote other values, or who
 * was never synced. That covers what the refresh's own trigger (rank, order count or spend
 * moved) cannot see — a sync that gave up after all its retries (Shopify down for hours, the
 * app's token briefly revoked), tiers renamed or re-thresholded so that a label or the distance
 * to the next rank changed while the rank did not. A customer Shopify no longer has
 * (RANK_SYNC_GONE) is left alone. The recompute ends with it, so it runs daily and after every
 * change of tiers; not for a shop without an offline session. Returns how many syncs it asked for (a customer whose sync already waits
 * keeps that one job: the queue's singletonKey).
 */
export async function queueStaleRankSyncs(db: Database, queue: JobQueue, shop: string): Promise<number> {
  // Without an offline session every sync would fail at once: queue none, day after day, until
  // the shop is installed again (its recompute then catches up).
  if (!(await db.prisma.session.findFirst({ where: { shop, isOnline: false }, select: { id: true } }))) return 0;
  const { ctx, options } = await syncSettings(db.prisma, shop);
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
