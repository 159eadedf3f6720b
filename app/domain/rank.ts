/**
 * Customer ranks (顧客ランク): a merchant-defined ladder of tiers, each reached by an order
 * count and/or a spend over the rank window (直近N か月購入金額). Pure: callers pass the
 * customer's stats and the shop's tiers.
 */
import { currencyDigits } from "./money";

export interface RankTier {
  /** Stable slug; also the Shopify customer tag suffix, so it must not change casually. */
  key: string;
  /** 1 = lowest. */
  position: number;
  labelJa: string;
  labelEn: string;
  minOrders: number | null;
  /** Minor units of the shop currency, summed over the rank window. */
  minWindowSpent: bigint | null;
  /** How two set conditions combine; irrelevant when only one is set. */
  combine: "any" | "all";
}

export interface RankInputs {
  orderCount: number;
  windowSpent: bigint;
}

export interface RankProgress {
  current: RankTier | null;
  next: RankTier | null;
  /** Orders still missing for next.minOrders; null when next has no order condition. */
  ordersToNext: number | null;
  /** Spend still missing for next.minWindowSpent; null when next has no spend condition. */
  amountToNext: bigint | null;
}

export interface RankValidationError {
  field: string;
  message: { en: string; ja: string };
}

export const RANK_TAG_PREFIX = "tokui-rank:";

/** Reports count customers without a rank under this key, so no tier may use it. */
export const UNRANKED_KEY = "none";

export function rankTag(key: string): string {
  return `${RANK_TAG_PREFIX}${key}`;
}

/**
 * The four phases of the mail-order playbook. VIP is 10 orders or ¥100,000 in the window; for
 * other currencies 1,000 major units is only a starting point the merchant is expected to edit
 * (it is tiny for zero-decimal currencies such as KRW).
 */
export function defaultRankTiers(currency: string): RankTier[] {
  const vipSpend =
    currency.toUpperCase() === "JPY" ? 100_000n : 1_000n * 10n ** BigInt(currencyDigits(currency));
  const tier = (
    key: string,
    position: number,
    labelJa: string,
    labelEn: string,
    minOrders: number | null,
    minWindowSpent: bigint | null = null,
  ): RankTier => ({ key, position, labelJa, labelEn, minOrders, minWindowSpent, combine: "any" });
  return [
    tier("first", 1, "初回", "First purchase", 1),
    tier("second", 2, "2回目", "Second purchase", 2),
    tier("regular", 3, "常連", "Regular", 3),
    tier("vip", 4, "VIP", "VIP", 10, vipSpend),
  ];
}

function ordersMet(tier: RankTier, inputs: RankInputs): boolean | null {
  return tier.minOrders === null ? null : inputs.orderCount >= tier.minOrders;
}

function spendMet(tier: RankTier, inputs: RankInputs): boolean | null {
  return tier.minWindowSpent === null ? null : inputs.windowSpent >= tier.minWindowSpent;
}

export function tierMatches(tier: RankTier, inputs: RankInputs): boolean {
  const orders = ordersMet(tier, inputs);
  const spend = spendMet(tier, inputs);
  if (orders === null && spend === null) return false; // no condition: never reached
  if (orders === null) return spend === true;
  if (spend === null) return orders;
  return tier.combine === "all" ? orders && spend : orders || spend;
}

function byPosition(tiers: RankTier[]): RankTier[] {
  return [...tiers].sort((a, b) => a.position - b.position);
}

/** The highest tier the customer qualifies for; a higher tier may be reached by spend alone. */
export function rankFor(inputs: RankInputs, tiers: RankTier[]): RankTier | null {
  return byPosition(tiers).reverse().find((t) => tierMatches(t, inputs)) ?? null;
}

/**
 * What stands between the customer and the next tier up. For combine "any" either missing
 * amount suffices; for "all" both are needed (one may already be 0).
 */
export function rankProgress(inputs: RankInputs, tiers: RankTier[]): RankProgress {
  const current = rankFor(inputs, tiers);
  const floor = current?.position ?? Number.NEGATIVE_INFINITY;
  const next = byPosition(tiers).find((t) => t.position > floor) ?? null;
  const ordersToNext =
    next?.minOrders == null ? null : Math.max(0, next.minOrders - inputs.orderCount);
  const amountToNext =
    next?.minWindowSpent == null
      ? null
      : next.minWindowSpent > inputs.windowSpent
        ? next.minWindowSpent - inputs.windowSpent
        : 0n;
  return { current, next, ordersToNext, amountToNext };
}

export function describeRankChange(
  from: RankTier | null,
  to: RankTier | null,
): "up" | "down" | "same" {
  // No rank sits below every tier (positions start at 1).
  const a = from?.position ?? 0;
  const b = to?.position ?? 0;
  return b > a ? "up" : b < a ? "down" : "same";
}

const KEY = /^[a-z0-9-]+$/;

/** Errors for the tier editor, in both admin languages; [] when the ladder is usable. */
export function validateRankTiers(tiers: RankTier[]): RankValidationError[] {
  const errors: RankValidationError[] = [];
  const add = (field: string, en: string, ja: string) => errors.push({ field, message: { en, ja } });

  if (tiers.length === 0) {
    add("tiers", "Define at least one rank.", "ランクを1つ以上設定してください。");
    return errors;
  }

  const seenKeys = new Set<string>();
  const seenPositions = new Set<number>();
  tiers.forEach((tier, i) => {
    const f = (name: string) => `tiers[${i}].${name}`;
    if (!KEY.test(tier.key)) {
      add(
        f("key"),
        "Use only lowercase letters, digits and hyphens for the key.",
        "キーには半角英小文字・数字・ハイフンのみ使用できます。",
      );
    } else if (tier.key === UNRANKED_KEY) {
      add(f("key"), `"${UNRANKED_KEY}" is reserved for customers without a rank.`, `「${UNRANKED_KEY}」は予約済みのキーです。`);
    } else if (seenKeys.has(tier.key)) {
      add(f("key"), `The key "${tier.key}" is used twice.`, `キー「${tier.key}」が重複しています。`);
    }
    seenKeys.add(tier.key);

    if (!Number.isInteger(tier.position) || tier.position < 1) {
      add(f("position"), "Position must be a whole number of 1 or more.", "順位は1以上の整数にしてください。");
    } else if (seenPositions.has(tier.position)) {
      add(f("position"), `Position ${tier.position} is used twice.`, `順位 ${tier.position} が重複しています。`);
    }
    seenPositions.add(tier.position);

    if (tier.labelJa.trim() === "" || tier.labelEn.trim() === "") {
      add(f("label"), "Enter a name in Japanese and English.", "日本語と英語の名前を入力してください。");
    }

    if (tier.minOrders === null && tier.minWindowSpent === null) {
      add(
        f("conditions"),
        "Set an order count or a spend threshold.",
        "購入回数または購入金額の条件を設定してください。",
      );
    }
    if (tier.minOrders !== null && (!Number.isInteger(tier.minOrders) || tier.minOrders < 1)) {
      add(f("minOrders"), "Order count must be a whole number of 1 or more.", "購入回数は1以上の整数にしてください。");
    }
    if (tier.minWindowSpent !== null && tier.minWindowSpent <= 0n) {
      add(f("minWindowSpent"), "Spend threshold must be more than 0.", "購入金額は0より大きくしてください。");
    }
  });

  // Positions are the ladder's steps 1…n. A gap (1, 2, 4) means nothing to ranking, but the
  // editor, reports and the "next rank" text all read the ladder as consecutive steps.
  const positionsUsable = tiers.every((t) => Number.isInteger(t.position) && t.position >= 1) && seenPositions.size === tiers.length;
  if (positionsUsable) {
    tiers.forEach((tier, i) => {
      if (tier.position > tiers.length) {
        add(
          `tiers[${i}].position`,
          `Positions must run from 1 to ${tiers.length} without gaps.`,
          `順位は1から${tiers.length}まで、飛ばさずに設定してください。`,
        );
      }
    });
  }

  // A higher tier that is no harder to reach would shadow the one below it. Compare each tier
  // with the hardest lower tier that sets the same condition (valid values only).
  const indexed = tiers.map((tier, index) => ({ tier, index })).sort((a, b) => a.tier.position - b.tier.position);
  let maxOrders: { value: number; tier: RankTier } | null = null;
  let maxSpend: { value: bigint; tier: RankTier } | null = null;
  for (const { tier, index } of indexed) {
    const { minOrders, minWindowSpent } = tier;
    if (minOrders !== null && Number.isInteger(minOrders) && minOrders >= 1) {
      if (maxOrders && minOrders <= maxOrders.value && tier.position > maxOrders.tier.position) {
        add(
          `tiers[${index}].minOrders`,
          `Must be more than ${maxOrders.value} orders, the threshold of the lower rank "${maxOrders.tier.labelEn}".`,
          `下位ランク「${maxOrders.tier.labelJa}」の${maxOrders.value}回より多くしてください。`,
        );
      }
      if (!maxOrders || minOrders > maxOrders.value) maxOrders = { value: minOrders, tier };
    }
    if (minWindowSpent !== null && minWindowSpent > 0n) {
      if (maxSpend && minWindowSpent <= maxSpend.value && tier.position > maxSpend.tier.position) {
        add(
          `tiers[${index}].minWindowSpent`,
          `Must be more than the spend threshold of the lower rank "${maxSpend.tier.labelEn}".`,
          `下位ランク「${maxSpend.tier.labelJa}」の購入金額より多くしてください。`,
        );
      }
      if (!maxSpend || minWindowSpent > maxSpend.value) maxSpend = { value: minWindowSpent, tier };
    }
  }
  return errors;
}
