/**
 * Replenishment reminders (詰め替え・買い替えのお知らせ): learn how long one unit of a product
 * lasts from the shop's own repeat purchases, and remind the customer a few days before their
 * last purchase runs out. Pure: purchases, settings and `now` are arguments (ADR 0019).
 *
 * Callers pass purchases from counted orders only: cancelled and fully refunded orders are
 * filtered out before this module sees them (customer-stats.ts isCountedOrder), and guest
 * orders have no customer to learn from or to remind.
 */
import { parseOptionalWholeNumber, type Parsed } from "./form-input";
import type { Localized } from "./messages";
import type { Gid } from "./types";

export interface ProductPurchase {
  customerGid: Gid;
  productGid: Gid;
  processedAt: Date;
  /** Units of the product on the order (lines of the same product on one order may come separately). */
  quantity: number;
}

export const DEFAULT_MIN_PAIRS = 5;
/** Five pairs from one loyal customer describe that customer, not the product. */
export const DEFAULT_MIN_CUSTOMERS = 3;
export const DEFAULT_LEAD_DAYS = 7;
export const MAX_LEAD_DAYS = 60;
/** A reminder found late (after a restart, right after an import) is still sent up to this late. */
export const DEFAULT_GRACE_DAYS = 3;
/**
 * Orders of the same product by the same customer this close together are one purchase: the
 * second is an add-on ("I forgot one"), not a repurchase, and would otherwise teach an interval
 * of a few hours.
 */
export const SAME_PURCHASE_WITHIN_DAYS = 1;
export const MAX_OVERRIDE_DAYS = 730;

const DAY_MS = 86_400_000;

/** One purchase after merging add-on orders: when it started and how many units it brought. */
export interface MergedPurchase {
  at: Date;
  quantity: number;
}

/** A customer's purchases of one product, oldest first, add-on orders merged. */
export function mergedPurchases(purchases: readonly Pick<ProductPurchase, "processedAt" | "quantity">[]): MergedPurchase[] {
  const sorted = purchases
    .filter((p) => Number.isFinite(p.quantity) && p.quantity > 0) // removed lines: nothing was bought
    .map((p) => ({ at: p.processedAt, quantity: p.quantity }))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  const merged: MergedPurchase[] = [];
  for (const p of sorted) {
    const last = merged[merged.length - 1];
    if (last && p.at.getTime() - last.at.getTime() < SAME_PURCHASE_WITHIN_DAYS * DAY_MS) last.quantity += p.quantity;
    else merged.push({ ...p });
  }
  return merged;
}

export interface RepurchasePair {
  customerGid: Gid;
  /** Days between two consecutive purchases ÷ units bought the first time: a 2-pack lasts twice as long. */
  daysPerUnit: number;
}

/** Consecutive-purchase pairs per product, from any mix of customers and products. */
export function repurchasePairs(purchases: readonly ProductPurchase[]): Map<Gid, RepurchasePair[]> {
  const byProductCustomer = new Map<Gid, Map<Gid, ProductPurchase[]>>();
  for (const p of purchases) {
    let customers = byProductCustomer.get(p.productGid);
    if (!customers) byProductCustomer.set(p.productGid, (customers = new Map()));
    const list = customers.get(p.customerGid);
    if (list) list.push(p);
    else customers.set(p.customerGid, [p]);
  }
  const pairs = new Map<Gid, RepurchasePair[]>();
  for (const [productGid, customers] of byProductCustomer) {
    const productPairs: RepurchasePair[] = [];
    for (const [customerGid, list] of customers) {
      const merged = mergedPurchases(list);
      for (let i = 1; i < merged.length; i++) {
        const previous = merged[i - 1]!;
        const days = (merged[i]!.at.getTime() - previous.at.getTime()) / DAY_MS;
        productPairs.push({ customerGid, daysPerUnit: days / previous.quantity });
      }
    }
    pairs.set(productGid, productPairs);
  }
  return pairs;
}

export type IntervalEstimate =
  /** The merchant's number wins over what the data says. */
  | { kind: "override"; daysPerUnit: number }
  | { kind: "learned"; daysPerUnit: number; pairs: number; customers: number }
  | { kind: "not-enough-data"; pairs: number; customers: number; minPairs: number; minCustomers: number };

export interface IntervalOptions {
  minPairs?: number;
  minCustomers?: number;
}

/**
 * The median of the pairs' days per unit: one customer who came back after a year (they
 * switched and returned) or bought twice in a week does not move it, unlike a mean.
 */
export function estimateInterval(
  pairs: readonly RepurchasePair[],
  override: number | null = null,
  options: IntervalOptions = {},
): IntervalEstimate {
  if (override !== null) {
    const problem = overrideProblem(override);
    if (problem) throw new RangeError(problem.en);
    return { kind: "override", daysPerUnit: override };
  }
  const minPairs = options.minPairs ?? DEFAULT_MIN_PAIRS;
  const minCustomers = options.minCustomers ?? DEFAULT_MIN_CUSTOMERS;
  const customers = new Set(pairs.map((p) => p.customerGid)).size;
  if (pairs.length < minPairs || customers < minCustomers) {
    return { kind: "not-enough-data", pairs: pairs.length, customers, minPairs, minCustomers };
  }
  return { kind: "learned", daysPerUnit: median(pairs.map((p) => p.daysPerUnit)), pairs: pairs.length, customers };
}

/**
 * Estimates for every product bought at least once or overridden. `overrides` maps a product
 * GID to the merchant's days per unit.
 */
export function learnIntervals(
  purchases: readonly ProductPurchase[],
  overrides: ReadonlyMap<Gid, number> = new Map(),
  options: IntervalOptions = {},
): Map<Gid, IntervalEstimate> {
  const pairs = repurchasePairs(purchases);
  const estimates = new Map<Gid, IntervalEstimate>();
  for (const productGid of new Set([...pairs.keys(), ...overrides.keys()])) {
    estimates.set(productGid, estimateInterval(pairs.get(productGid) ?? [], overrides.get(productGid) ?? null, options));
  }
  return estimates;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of nothing");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export type ReminderPlan =
  | {
      kind: "remind";
      /** Start of the purchase the reminder is for (the send log keys on it, so it is sent once). */
      referenceAt: Date;
      quantity: number;
      runOutAt: Date;
      /** run-out − lead days, or `now` if that passed less than the grace period ago. */
      remindAt: Date;
    }
  | { kind: "none"; reason: "not-enough-data" | "no-purchase" | "bought-again" | "too-late" };

/**
 * When to remind one customer about one product. Without `referenceAt` the plan is for their
 * last purchase; with it (a reminder already planned) the answer is "bought-again" as soon as
 * they bought the product after that purchase, so a reminder is never sent for stock they have
 * already replaced. Consent and sending hours are the caller's (journeys.ts).
 */
export function planReminder(input: {
  customerGid: Gid;
  productGid: Gid;
  purchases: readonly ProductPurchase[];
  estimate: IntervalEstimate;
  now: Date;
  referenceAt?: Date;
  leadDays?: number;
  graceDays?: number;
}): ReminderPlan {
  const leadDays = input.leadDays ?? DEFAULT_LEAD_DAYS;
  const graceDays = input.graceDays ?? DEFAULT_GRACE_DAYS;
  const leadProblem = leadDaysProblem(leadDays);
  if (leadProblem) throw new RangeError(leadProblem.en);
  if (!(graceDays >= 0)) throw new RangeError(`grace days must be ≥ 0, got ${graceDays}`);

  const merged = mergedPurchases(
    input.purchases.filter((p) => p.customerGid === input.customerGid && p.productGid === input.productGid),
  );
  let index = merged.length - 1;
  if (input.referenceAt) {
    const ref = input.referenceAt.getTime();
    index = merged.findLastIndex((p) => p.at.getTime() <= ref);
    if (index >= 0 && index < merged.length - 1) return { kind: "none", reason: "bought-again" };
  }
  const reference = merged[index];
  if (!reference) return { kind: "none", reason: "no-purchase" };
  if (input.estimate.kind === "not-enough-data") return { kind: "none", reason: "not-enough-data" };

  const runOutAt = new Date(reference.at.getTime() + input.estimate.daysPerUnit * reference.quantity * DAY_MS);
  const idealAt = runOutAt.getTime() - leadDays * DAY_MS;
  const now = input.now.getTime();
  if (idealAt < now - graceDays * DAY_MS) return { kind: "none", reason: "too-late" };
  return {
    kind: "remind",
    referenceAt: reference.at,
    quantity: reference.quantity,
    runOutAt,
    remindAt: new Date(Math.max(idealAt, now)),
  };
}

export function leadDaysProblem(days: number): Localized | null {
  if (!Number.isInteger(days) || days < 0 || days > MAX_LEAD_DAYS) {
    return {
      en: `Enter a whole number of days from 0 to ${MAX_LEAD_DAYS}.`,
      ja: `0〜${MAX_LEAD_DAYS}の整数（日数）で入力してください。`,
    };
  }
  return null;
}

export function overrideProblem(daysPerUnit: number): Localized | null {
  if (!Number.isInteger(daysPerUnit) || daysPerUnit < 1 || daysPerUnit > MAX_OVERRIDE_DAYS) {
    return {
      en: `Enter how many days one unit lasts, a whole number from 1 to ${MAX_OVERRIDE_DAYS}.`,
      ja: `1個あたり何日もつかを1〜${MAX_OVERRIDE_DAYS}の整数で入力してください。`,
    };
  }
  return null;
}

/** The merchant's "days one unit lasts" as typed: "" = learn from the data (null). */
export function parseIntervalOverride(text: string): Parsed<number | null> {
  const parsed = parseOptionalWholeNumber(text.replace(/\s*(日|days?)\s*$/i, ""));
  if (!parsed.ok || parsed.value === null) return parsed;
  const problem = overrideProblem(parsed.value);
  return problem ? { ok: false, message: problem } : parsed;
}
