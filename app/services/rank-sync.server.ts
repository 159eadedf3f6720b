import type { PrismaClient, Tx } from "../db.server";
import { logger } from "../logger.server";
import { loadShopContext } from "../models/shop.server";
import { PermanentJobError, RetryableJobError } from "../queue/types";
import { CUSTOMER_RANK_TAGS_QUERY, RANK_SYNC_MUTATION } from "../shopify/graphql/documents";
import { planRankSync } from "../shopify/rank-sync-plan";

/** What the rank sync needs from an Admin API client: shopify-app-remix's admin.graphql. */
export type AdminGraphql = (query: string, options?: { variables?: Record<string, unknown> }) => Promise<Response>;

/** The offline Admin API client of an installed shop. */
async function adminFor(shop: string): Promise<AdminGraphql> {
  const { unauthenticated } = await import("../shopify.server");
  try {
    const { admin } = await unauthenticated.admin(shop);
    return admin.graphql as AdminGraphql;
  } catch (error) {
    throw new PermanentJobError(`no offline session for ${shop} (not installed?): ${String(error)}`);
  }
}

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

/** One Admin GraphQL call; THROTTLED, 5xx and network failures become retryable errors. */
async function call(admin: AdminGraphql, query: string, variables: Record<string, unknown>): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await admin(query, { variables });
  } catch (error) {
    throw classify(error);
  }
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown };
  if (body.errors) throw classify({ body });
  return body.data ?? {};
}

function classify(error: unknown): Error {
  const text = JSON.stringify(errorDetails(error));
  if (/THROTTLED|Throttled|429|5\d\d|ECONN|ETIMEDOUT|fetch failed|Internal|Service Unavailable/i.test(text)) {
    return new RetryableJobError(`Admin API: ${text.slice(0, 300)}`);
  }
  return new RetryableJobError(`Admin API error: ${text.slice(0, 300)}`);
}

function errorDetails(error: unknown): unknown {
  if (error instanceof Error) {
    const withBody = error as Error & { body?: unknown; response?: { code?: number; statusText?: string } };
    return { name: error.name, message: error.message, body: withBody.body, response: withBody.response };
  }
  return error;
}
