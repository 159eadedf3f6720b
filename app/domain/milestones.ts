/**
 * Milestone rewards (記念特典): "a coupon with the 5th order, a free sample with the 10th".
 * Pure: which milestones an order unlocks, what happens to a reward when its order is
 * reversed, and the discount code text. Granting exactly once is the database's job (a unique
 * grant per customer and milestone); these functions only have to be deterministic.
 */
import { createHash } from "node:crypto";
import type { Localized } from "./messages";
import { ordinalEn } from "./ordinal";
import type { RankTier } from "./rank";

export type MilestoneTrigger = { kind: "orderCount"; count: number } | { kind: "rank"; rankKey: string };

export type DiscountValue =
  | { type: "percentage"; /** Whole percent, 1–100. */ percent: number }
  | { type: "fixed"; /** Minor units of the shop currency. */ amount: bigint };

export interface DiscountReward {
  kind: "discount";
  value: DiscountValue;
  /** The code stops working this many days after it is issued. */
  expiresInDays: number;
  /** Minor units; null = any order. */
  minimumSubtotal: bigint | null;
}

export interface FreeSampleReward {
  kind: "freeSample";
  /** For the staff who pack the order (shown on the order), not for the shopper. */
  packerNote: Localized;
  /** Added to the order that earned the sample, so packing lists and Flow can find it. */
  orderTag: string;
}

export type MilestoneReward = DiscountReward | FreeSampleReward;

export interface Milestone {
  /** Stable slug; the grant's identity, so it must not change once rewards are issued. */
  key: string;
  trigger: MilestoneTrigger;
  reward: MilestoneReward;
}

export const SAMPLE_ORDER_TAG = "tokui-sample";

/**
 * 5th order: 10% off the next order for 60 days. 10th order: a free sample in that very order.
 * No amounts are involved, so the currency is accepted only for symmetry with defaultRankTiers.
 */
export function defaultMilestones(_currency?: string): Milestone[] {
  return [
    {
      key: "order-5",
      trigger: { kind: "orderCount", count: 5 },
      reward: { kind: "discount", value: { type: "percentage", percent: 10 }, expiresInDays: 60, minimumSubtotal: null },
    },
    {
      key: "order-10",
      trigger: { kind: "orderCount", count: 10 },
      reward: {
        kind: "freeSample",
        packerNote: {
          ja: "10回目のご購入記念：無料サンプルを同梱してください。",
          en: "10th-order thank-you: please include a free sample.",
        },
        orderTag: SAMPLE_ORDER_TAG,
      },
    },
  ];
}

export interface MilestoneState {
  /** Counted orders (see isCountedOrder), including the order just placed for `after`. */
  orderCount: number;
  rankKey: string | null;
}

/**
 * The milestones this order unlocks, in the merchant's order, minus those already granted.
 * - Order count n: before < n ≤ after, so a count that jumps (3 → 6) still earns the 5th-order
 *   reward, and staying at 5 earns nothing.
 * - Rank X: reaching X or any tier above it from below X. A customer promoted straight past X
 *   (e.g. by one large order) still gets X's reward; a deleted tier matches nothing.
 * Callers must not feed a history import through this (before 0, after 12), or every old
 * customer would be rewarded at once: imports set the baseline without granting.
 */
export function milestonesReached(
  before: MilestoneState,
  after: MilestoneState,
  milestones: Milestone[],
  alreadyGranted: ReadonlySet<string>,
  tiers: RankTier[],
): Milestone[] {
  const position = (key: string | null) => (key === null ? 0 : (tiers.find((t) => t.key === key)?.position ?? 0));
  const seen = new Set<string>();
  return milestones.filter((m) => {
    if (alreadyGranted.has(m.key) || seen.has(m.key)) return false;
    seen.add(m.key);
    const { trigger } = m;
    if (trigger.kind === "orderCount") {
      return before.orderCount < trigger.count && trigger.count <= after.orderCount;
    }
    const target = tiers.find((t) => t.key === trigger.rankKey);
    if (!target) return false;
    return position(before.rankKey) < target.position && position(after.rankKey) >= target.position;
  });
}

export interface ReversedGrant {
  kind: MilestoneReward["kind"];
  /** Discount: "redeemed" once the code was used. Free sample: "redeemed" once the order shipped. */
  status: "issued" | "redeemed";
  /** What happened to the order that earned the reward; reversals of other orders never touch it. */
  earningOrder: "unchanged" | "partiallyRefunded" | "fullyRefunded" | "cancelled";
  /** Whether the customer still meets the trigger after the reversal (e.g. a later order keeps the count at 5). */
  stillQualifies: boolean;
}

/**
 * Policy: a reward is taken back only when the order that earned it is cancelled or fully
 * refunded and nothing was used yet — an unused code is deactivated if the customer has fallen
 * back below the milestone, and an unshipped sample's order tag is removed because that order
 * will not ship. Used codes, shipped samples, partial refunds and reversals of other orders
 * never take anything back: the customer is never punished after the fact, and the merchant
 * never hands out a second reward for the same milestone.
 *
 * A revoked grant is released, so genuinely reaching the milestone again earns it again.
 */
export function rewardOnOrderReversed(grant: ReversedGrant): "keep" | "revoke" {
  if (grant.status === "redeemed") return "keep";
  if (grant.earningOrder !== "cancelled" && grant.earningOrder !== "fullyRefunded") return "keep";
  if (grant.kind === "freeSample") return "revoke";
  return grant.stillQualifies ? "keep" : "revoke";
}

/** No 0/O, 1/I/L: codes are read aloud on the phone and typed from printed inserts. */
export const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

export { ordinalEn };

/** The readable middle of a code: "5TH" for the 5th order, "VIP" for reaching VIP. */
export function codeInfix(trigger: MilestoneTrigger): string {
  const word = trigger.kind === "orderCount" ? ordinalEn(trigger.count) : trigger.rankKey;
  return word.toUpperCase().replace(/[^A-Z0-9]/g, "").slice(0, 6);
}

/**
 * "TOKUI-5TH-7KQ4-M9XD": eight characters from CODE_ALPHABET derived from sha256(seed), so the
 * same seed always gives the same code (a retried job creates the same discount). The seed
 * should name the grant (shop, customer, milestone and the grant's id), so a grant released
 * and earned again gets a new code — Shopify keeps deactivated codes unique. Codes are limited
 * to one customer in Shopify, so guessing one gains nothing.
 */
export function discountCode(seed: string, infix = ""): string {
  let n = BigInt(`0x${createHash("sha256").update(seed, "utf8").digest("hex")}`);
  const base = BigInt(CODE_ALPHABET.length);
  let random = "";
  for (let i = 0; i < 8; i++) {
    random += CODE_ALPHABET[Number(n % base)];
    n /= base;
  }
  const middle = infix.toUpperCase().replace(/[^A-Z0-9]/g, "").slice(0, 6);
  return ["TOKUI", middle, random.slice(0, 4), random.slice(4)].filter(Boolean).join("-");
}

export interface MilestoneValidationError {
  field: string;
  message: Localized;
}

const KEY = /^[a-z0-9-]{1,40}$/;
export const MAX_TAG_LENGTH = 40;

/** Errors for the milestone editor, in both admin languages; [] when the list is usable. */
export function validateMilestones(milestones: Milestone[], tiers: RankTier[]): MilestoneValidationError[] {
  const errors: MilestoneValidationError[] = [];
  const seen = new Set<string>();
  milestones.forEach((m, i) => {
    const add = (name: string, en: string, ja: string) => errors.push({ field: `milestones[${i}].${name}`, message: { en, ja } });

    if (!KEY.test(m.key)) {
      add("key", "Use 1–40 lowercase letters, digits and hyphens for the key.", "キーは半角英小文字・数字・ハイフンで1〜40文字にしてください。");
    } else if (seen.has(m.key)) {
      add("key", `The key "${m.key}" is used twice.`, `キー「${m.key}」が重複しています。`);
    }
    seen.add(m.key);

    const { trigger, reward } = m;
    if (trigger.kind === "orderCount") {
      if (!Number.isInteger(trigger.count) || trigger.count < 1) {
        add("trigger.count", "Order count must be a whole number of 1 or more.", "購入回数は1以上の整数にしてください。");
      }
    } else if (!tiers.some((t) => t.key === trigger.rankKey)) {
      add("trigger.rankKey", `There is no rank "${trigger.rankKey}".`, `ランク「${trigger.rankKey}」は存在しません。`);
    }

    if (reward.kind === "discount") {
      const { value } = reward;
      if (value.type === "percentage" && (!Number.isInteger(value.percent) || value.percent < 1 || value.percent > 100)) {
        add("reward.value", "Percentage must be a whole number from 1 to 100.", "割引率は1〜100の整数にしてください。");
      }
      if (value.type === "fixed" && value.amount <= 0n) {
        add("reward.value", "Discount amount must be more than 0.", "割引額は0より大きくしてください。");
      }
      if (!Number.isInteger(reward.expiresInDays) || reward.expiresInDays < 1 || reward.expiresInDays > 365) {
        add("reward.expiresInDays", "Validity must be 1 to 365 days.", "有効期間は1〜365日にしてください。");
      }
      if (reward.minimumSubtotal !== null && reward.minimumSubtotal <= 0n) {
        add("reward.minimumSubtotal", "Minimum order amount must be more than 0, or left empty.", "最低購入金額は0より大きくするか、空欄にしてください。");
      }
    } else {
      if (reward.packerNote.ja.trim() === "" || reward.packerNote.en.trim() === "") {
        add("reward.packerNote", "Enter a packing note in Japanese and English.", "梱包担当者へのメモを日本語と英語で入力してください。");
      }
      const tag = reward.orderTag;
      if (tag.trim() === "" || tag !== tag.trim() || tag.includes(",") || [...tag].length > MAX_TAG_LENGTH) {
        add(
          "reward.orderTag",
          `Order tag must be 1–${MAX_TAG_LENGTH} characters without commas or surrounding spaces.`,
          `注文タグは${MAX_TAG_LENGTH}文字以内で、カンマや前後の空白を含めないでください。`,
        );
      }
    }
  });
  return errors;
}
