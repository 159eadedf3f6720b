/**
 * What the thank-you and order status extensions show: the JSON body of api.post-purchase.
 * Everything is already text in the shopper's language; amounts are decimal strings and dates
 * ISO 8601, because bigint and Date do not survive JSON.
 */
import {
  defaultMessageTemplates,
  GUEST_TEMPLATE_KEY,
  progressText,
  renderTemplate,
  type Localized,
  type MessageTemplates,
} from "./messages";
import type { DiscountValue, MilestoneTrigger } from "./milestones";
import { ordinalEn } from "./ordinal";
import { displayMoney, formatMinorUnits } from "./money";
import { rankProgress, type RankTier } from "./rank";

type Locale = "ja" | "en";

/** A reward already granted for this order (the grant row plus its milestone). */
export type GrantedReward =
  | {
      kind: "discount";
      trigger: MilestoneTrigger;
      code: string;
      expiresAt: Date;
      value: DiscountValue;
      minimumSubtotal: bigint | null;
    }
  | { kind: "freeSample"; trigger: MilestoneTrigger };

export interface PostPurchaseInput {
  locale: Locale;
  /** null = guest checkout. Stats include the order just placed. */
  customer: { firstName: string | null; orderCount: number; windowSpent: bigint } | null;
  tiers: RankTier[];
  templates: MessageTemplates;
  currency: string;
  rewards: GrantedReward[];
}

export interface RankRef {
  key: string;
  label: string;
}

export type RewardView =
  | {
      kind: "discount";
      title: string;
      text: string;
      code: string;
      /** ISO 8601; the extension formats it in the shopper's locale. */
      expiresAt: string;
      valueText: string;
      /** Decimal string in the shop currency, or null for any order. */
      minimumSubtotal: string | null;
      conditionText: string | null;
    }
  | { kind: "freeSample"; title: string; text: string };

export interface PostPurchaseView {
  rank: RankRef | null;
  message: string;
  progress: {
    text: string;
    nextRank: RankRef | null;
    ordersToNext: number | null;
    /** Decimal string in the shop currency. */
    amountToNext: string | null;
  } | null;
  rewards: RewardView[];
}

const label = (tier: RankTier, locale: Locale) => (locale === "ja" ? tier.labelJa : tier.labelEn);
const ref = (tier: RankTier | null, locale: Locale): RankRef | null =>
  tier === null ? null : { key: tier.key, label: label(tier, locale) };

/**
 * The template for a rank, falling back by phase when the merchant has none for it (a tier
 * they added, or no rank yet): one order → the first-purchase greeting, more → the regular one.
 */
export function messageTemplateFor(templates: MessageTemplates, rankKey: string | null, orderCount: number): Localized {
  const own = rankKey === null ? undefined : templates[rankKey];
  if (own) return own;
  const key = orderCount <= 1 ? GUEST_TEMPLATE_KEY : "regular";
  return templates[key] ?? defaultMessageTemplates()[key];
}

export function postPurchaseView(input: PostPurchaseInput): PostPurchaseView {
  const { locale, customer, tiers, templates, currency } = input;
  if (customer === null) {
    const template = messageTemplateFor(templates, null, 1)[locale];
    return { rank: null, message: renderTemplate(template, {}), progress: null, rewards: [] };
  }

  const p = rankProgress({ orderCount: customer.orderCount, windowSpent: customer.windowSpent }, tiers);
  const firstName = customer.firstName?.trim() || null;
  const amountText = p.amountToNext === null ? null : displayMoney(p.amountToNext, currency, locale);
  const template = messageTemplateFor(templates, p.current?.key ?? null, customer.orderCount)[locale];
  const message = renderTemplate(template, {
    first_name: firstName,
    rank: p.current ? label(p.current, locale) : null,
    next_rank: p.next ? label(p.next, locale) : null,
    orders_to_next: p.ordersToNext,
    amount_to_next: amountText,
  });

  return {
    rank: ref(p.current, locale),
    message,
    // Without tiers there is no ladder to climb, and "top rank" would be untrue.
    progress:
      tiers.length === 0
        ? null
        : {
            text: progressText(p, currency, locale),
            nextRank: ref(p.next, locale),
            ordersToNext: p.ordersToNext,
            amountToNext: p.amountToNext === null ? null : formatMinorUnits(p.amountToNext, currency),
          },
    rewards: input.rewards.map((r) => rewardView(r, tiers, currency, locale)),
  };
}

function rewardTitle(trigger: MilestoneTrigger, tiers: RankTier[], locale: Locale): string {
  if (trigger.kind === "orderCount") {
    return locale === "ja" ? `${trigger.count}回目のご購入記念` : `A thank-you for your ${ordinalEn(trigger.count)} order`;
  }
  const tier = tiers.find((t) => t.key === trigger.rankKey);
  const name = tier ? label(tier, locale) : trigger.rankKey;
  return locale === "ja" ? `${name}ランク到達記念` : `Welcome to ${name}`;
}

export function discountValueText(value: DiscountValue, currency: string, locale: Locale): string {
  const amount = value.type === "percentage" ? `${value.percent}%` : displayMoney(value.amount, currency, locale);
  return locale === "ja" ? `${amount}OFF` : `${amount} off`;
}

function rewardView(reward: GrantedReward, tiers: RankTier[], currency: string, locale: Locale): RewardView {
  const title = rewardTitle(reward.trigger, tiers, locale);
  if (reward.kind === "freeSample") {
    const text =
      locale === "ja"
        ? "感謝の気持ちを込めて、今回のご注文に無料サンプルを同梱してお届けします。"
        : "As a thank-you, we'll include a free sample with this order.";
    return { kind: "freeSample", title, text };
  }
  const valueText = discountValueText(reward.value, currency, locale);
  const minimum = reward.minimumSubtotal === null ? null : displayMoney(reward.minimumSubtotal, currency, locale);
  return {
    kind: "discount",
    title,
    text:
      locale === "ja"
        ? `次回のお買い物で使える${valueText}クーポンをお贈りします。`
        : `Here's ${valueText} your next order.`,
    code: reward.code,
    expiresAt: reward.expiresAt.toISOString(),
    valueText,
    minimumSubtotal: reward.minimumSubtotal === null ? null : formatMinorUnits(reward.minimumSubtotal, currency),
    conditionText:
      minimum === null ? null : locale === "ja" ? `${minimum}以上のご注文でご利用いただけます。` : `On orders of ${minimum} or more.`,
  };
}
