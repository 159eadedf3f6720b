import { formatMinorUnits } from "../domain/money";
import { RANK_TAG_PREFIX, rankFor, rankProgress, rankTag, type RankTier } from "../domain/rank";
import { rankMetafieldsInput, staleRankMetafields, type RankMetafieldFields } from "./rank-metafields";

export interface RankSyncCustomer {
  gid: string;
  orderCount: number;
  windowSpent: bigint;
}

/**
 * What Shopify should show for a customer — the `$app` metafields' values, the rank tag following
 * from rankKey — given their stats, the shop's tiers, currency and language. Pure.
 */
export function rankSyncFields(customer: Omit<RankSyncCustomer, "gid">, tiers: RankTier[], options: { currency: string; locale: "ja" | "en" }): RankMetafieldFields {
  const inputs = { orderCount: customer.orderCount, windowSpent: customer.windowSpent };
  const rank = rankFor(inputs, tiers);
  const progress = rankProgress(inputs, tiers);
  const label = (tier: RankTier | null) => (tier ? (options.locale === "ja" ? tier.labelJa : tier.labelEn) : null);
  return {
    rankKey: rank?.key ?? null,
    rankLabel: label(rank) ?? "",
    orderCount: customer.orderCount,
    nextRankKey: progress.next?.key ?? null,
    nextRankLabel: label(progress.next),
    ordersToNext: progress.ordersToNext,
    amountToNext: progress.amountToNext === null ? null : formatMinorUnits(progress.amountToNext, options.currency),
  };
}

/**
 * Customer.rankSyncedFingerprint of a successful sync: every value it wrote, in a fixed order.
 * Stored as text, not hashed, so that it can be read when a sync is in question. The rank tag
 * needs no place of its own: it follows from rankKey.
 */
export function rankSyncFingerprint(fields: RankMetafieldFields): string {
  return JSON.stringify([
    fields.rankKey, fields.rankLabel, fields.orderCount, fields.nextRankKey, fields.nextRankLabel, fields.ordersToNext, fields.amountToNext,
  ]);
}

/** Customer.rankSyncedFingerprint of a customer Shopify no longer has: never synced again by the sweep. */
export const RANK_SYNC_GONE = "gone";

/**
 * The variables of RANK_SYNC_MUTATION for one customer: what Shopify should show, given the
 * customer's stats, the shop's tiers and the tags the customer has now. Pure, so it is
 * table-tested; the service only fetches and sends.
 */
export function planRankSync(
  customer: RankSyncCustomer,
  tiers: RankTier[],
  currentTags: string[],
  options: { currency: string; locale: "ja" | "en" },
) {
  const fields = rankSyncFields(customer, tiers, options);
  const rank = fields.rankKey;
  const metafields = rankMetafieldsInput(customer.gid, fields);
  const staleMetafields = staleRankMetafields(customer.gid, fields);
  const wanted = rank ? rankTag(rank) : null;
  // Shopify compares tags case-insensitively, so we do too.
  const lower = (tag: string) => tag.toLowerCase();
  const addTags = wanted && !currentTags.some((tag) => lower(tag) === wanted) ? [wanted] : [];
  // Any other tokui-rank:* tag goes, including tags of tiers the merchant has since deleted.
  const removeTags = currentTags.filter((tag) => lower(tag).startsWith(RANK_TAG_PREFIX) && lower(tag) !== wanted);
  return {
    id: customer.gid,
    metafields,
    staleMetafields,
    deleteStale: staleMetafields.length > 0,
    addTags,
    add: addTags.length > 0,
    removeTags,
    remove: removeTags.length > 0,
  };
}
