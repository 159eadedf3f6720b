import { formatMinorUnits } from "../domain/money";
import { RANK_TAG_PREFIX, rankFor, rankProgress, rankTag, type RankTier } from "../domain/rank";
import { rankMetafieldsInput, staleRankMetafields } from "./rank-metafields";

export interface RankSyncCustomer {
  gid: string;
  orderCount: number;
  windowSpent: bigint;
}

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
  const inputs = { orderCount: customer.orderCount, windowSpent: customer.windowSpent };
  const rank = rankFor(inputs, tiers);
  const progress = rankProgress(inputs, tiers);
  const label = (tier: RankTier | null) => (tier ? (options.locale === "ja" ? tier.labelJa : tier.labelEn) : null);
  const fields = {
    rankKey: rank?.key ?? null,
    rankLabel: label(rank) ?? "",
    orderCount: customer.orderCount,
    nextRankKey: progress.next?.key ?? null,
    nextRankLabel: label(progress.next),
    ordersToNext: progress.ordersToNext,
    amountToNext: progress.amountToNext === null ? null : formatMinorUnits(progress.amountToNext, options.currency),
  };
  const metafields = rankMetafieldsInput(customer.gid, fields);
  const staleMetafields = staleRankMetafields(customer.gid, fields);
  const wanted = rank ? rankTag(rank.key) : null;
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
