/**
 * Views exactly as the server builds them: the real domain function (app/domain/post-purchase.ts)
 * with the default tiers and templates. Tests may import from app/; the extensions may not.
 */
import { defaultMessageTemplates } from "~/domain/messages";
import { postPurchaseView, type GrantedReward, type PostPurchaseView } from "~/domain/post-purchase";
import { defaultRankTiers } from "~/domain/rank";

export type Locale = "ja" | "en";
export type RankCase = "first" | "second" | "regular" | "vip";

/** Order count and spend (JPY) that land the default tiers on each rank. */
export const RANK_STATS: Record<RankCase, { orderCount: number; windowSpent: bigint }> = {
  first: { orderCount: 1, windowSpent: 5_000n },
  second: { orderCount: 2, windowSpent: 9_000n },
  regular: { orderCount: 8, windowSpent: 40_000n },
  vip: { orderCount: 12, windowSpent: 150_000n },
};

export const COUPON_EXPIRES_AT = new Date("2026-09-30T05:05:00.000Z");

/** The 5th-order milestone as granted: 10% off the next order, readable code. */
export const couponReward = (minimumSubtotal: bigint | null = null): GrantedReward => ({
  kind: "discount",
  trigger: { kind: "orderCount", count: 5 },
  code: "TOKUI-5TH-7KQ4-M9XD",
  expiresAt: COUPON_EXPIRES_AT,
  value: { type: "percentage", percent: 10 },
  minimumSubtotal,
});

export const sampleReward: GrantedReward = { kind: "freeSample", trigger: { kind: "orderCount", count: 10 } };

export function rankView(rank: RankCase, locale: Locale, rewards: GrantedReward[] = []): PostPurchaseView {
  return postPurchaseView({
    locale,
    customer: { firstName: "花子", ...RANK_STATS[rank] },
    tiers: defaultRankTiers("JPY"),
    templates: defaultMessageTemplates(),
    currency: "JPY",
    rewards,
  });
}

export function guestView(locale: Locale): PostPurchaseView {
  return postPurchaseView({
    locale,
    customer: null,
    tiers: defaultRankTiers("JPY"),
    templates: defaultMessageTemplates(),
    currency: "JPY",
    rewards: [],
  });
}
