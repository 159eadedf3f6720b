/**
 * Effect measurement (効果検証) with a holdout group: a random share of each campaign's customers
 * receives nothing, and the campaign is judged by comparing what the two groups did afterwards.
 * Small shops have hundreds to thousands of customers, so every figure comes with its
 * uncertainty and the verdict says "not yet conclusive" rather than show a lucky number
 * (ADR 0019). Pure and browser-safe: no Node built-ins (SHA-256 is implemented here).
 */
import { parseWholeNumber, type Parsed } from "./form-input";
import type { Localized } from "./messages";
import { formatMinorUnits } from "./money";

export const DEFAULT_HOLDOUT_PERCENT = 10;
export const MAX_HOLDOUT_PERCENT = 50;
/** Orders placed this many days after the mail (or the held-out non-mail) count as converted. */
export const DEFAULT_ATTRIBUTION_DAYS = 14;
export const MAX_ATTRIBUTION_DAYS = 90;

// ---------------------------------------------------------------------------------------------
// Assignment

/**
 * The holdout position of a customer in a campaign: the first 4 bytes of
 * SHA-256(campaignKey + "\n" + customerGid) as an unsigned integer. The same inputs always give
 * the same position (no table of assignments to lose), and two campaigns' positions are
 * independent. Reproducible anywhere:
 * `int(hashlib.sha256(f"{key}\n{gid}".encode()).hexdigest()[:8], 16)`.
 */
export function holdoutPosition(campaignKey: string, customerGid: string): number {
  if (campaignKey === "" || campaignKey.includes("\n")) {
    throw new RangeError("a campaign key must be non-empty and on one line");
  }
  const digest = sha256(new TextEncoder().encode(`${campaignKey}\n${customerGid}`));
  return ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0;
}

/** The position as a fraction in [0, 1). */
export function holdoutFraction(campaignKey: string, customerGid: string): number {
  return holdoutPosition(campaignKey, customerGid) / 2 ** 32;
}

/**
 * Held out iff position / 2^32 < percent / 100, compared in integers (exact: both sides stay
 * below 2^53). Raising the share later keeps everyone already held out in the holdout.
 */
export function isInHoldout(campaignKey: string, customerGid: string, holdoutPercent: number): boolean {
  const problem = holdoutPercentProblem(holdoutPercent);
  if (problem) throw new RangeError(problem.en);
  return holdoutPosition(campaignKey, customerGid) * 100 < holdoutPercent * 2 ** 32;
}

/** null when valid: a whole percent from 0 (no measurement) to 50. */
export function holdoutPercentProblem(percent: number): Localized | null {
  if (!Number.isInteger(percent) || percent < 0 || percent > MAX_HOLDOUT_PERCENT) {
    return {
      en: `Enter a whole percent from 0 to ${MAX_HOLDOUT_PERCENT}.`,
      ja: `0〜${MAX_HOLDOUT_PERCENT}の整数（%）で入力してください。`,
    };
  }
  return null;
}

/** The holdout share as typed in a form ("10", "１０", "10%"). */
export function parseHoldoutPercent(text: string): Parsed<number> {
  const parsed = parseWholeNumber(text.replace(/[%％]\s*$/, ""));
  if (!parsed.ok) return parsed;
  const problem = holdoutPercentProblem(parsed.value);
  return problem ? { ok: false, message: problem } : parsed;
}

export function attributionDaysProblem(days: number): Localized | null {
  if (!Number.isInteger(days) || days < 1 || days > MAX_ATTRIBUTION_DAYS) {
    return {
      en: `Enter a whole number of days from 1 to ${MAX_ATTRIBUTION_DAYS}.`,
      ja: `1〜${MAX_ATTRIBUTION_DAYS}の整数（日数）で入力してください。`,
    };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Outcomes

export type Group = "treated" | "holdout";

export interface AttributableOrder {
  processedAt: Date;
  /** Minor units of the shop currency (the order's current total after refunds). */
  revenue: bigint;
}

/**
 * What one customer did after exposure (the send, or for the holdout the moment the mail would
 * have been sent): converted = a counted order in (exposedAt, exposedAt + days]. The caller
 * passes counted orders only (not cancelled, not fully refunded) in the shop currency.
 */
export function attributedOutcome(
  exposedAt: Date,
  orders: readonly AttributableOrder[],
  attributionDays: number,
): { converted: boolean; revenue: bigint } {
  const from = exposedAt.getTime();
  const to = from + attributionDays * DAY_MS;
  let converted = false;
  let revenue = 0n;
  for (const order of orders) {
    const at = order.processedAt.getTime();
    if (at > from && at <= to) {
      converted = true;
      revenue += order.revenue;
    }
  }
  return { converted, revenue };
}

/** One group's sums. Revenue squares keep the variance exact until the final division. */
export interface GroupTotals {
  customers: number;
  converted: number;
  /** Σ revenue per customer, minor units. */
  revenue: bigint;
  /** Σ (revenue per customer)², minor units squared. */
  revenueSquares: bigint;
}

export interface CustomerOutcome {
  group: Group;
  converted: boolean;
  revenue: bigint;
}

export function emptyTotals(): GroupTotals {
  return { customers: 0, converted: 0, revenue: 0n, revenueSquares: 0n };
}

export function summarizeOutcomes(outcomes: Iterable<CustomerOutcome>): Record<Group, GroupTotals> {
  const totals: Record<Group, GroupTotals> = { treated: emptyTotals(), holdout: emptyTotals() };
  for (const o of outcomes) {
    const t = totals[o.group];
    t.customers += 1;
    if (o.converted) t.converted += 1;
    t.revenue += o.revenue;
    t.revenueSquares += o.revenue * o.revenue;
  }
  return totals;
}

// ---------------------------------------------------------------------------------------------
// Results

export interface MeasureOptions {
  /** Below this many customers in either group nothing is concluded. */
  minGroupSize?: number;
  /**
   * Expected converted and not-converted customers per group (pooled rate × group size, the
   * chi-square rule of thumb) must reach this; otherwise the intervals' approximations fail.
   */
  minExpectedCount?: number;
  /** Absolute conversion uplift to plan for when the observed one is smaller (0.02 = 2 points). */
  minimumDetectableUplift?: number;
  /** Revenue uplift to plan for when the observed one is smaller, relative to the holdout's mean. */
  minimumDetectableRevenueShare?: number;
}

export const DEFAULT_MEASURE_OPTIONS: Required<MeasureOptions> = {
  minGroupSize: 30,
  minExpectedCount: 5,
  minimumDetectableUplift: 0.02,
  minimumDetectableRevenueShare: 0.1,
};

export type NotConclusiveReason =
  | "group-too-small"
  | "expected-counts-too-small"
  | "ci-includes-zero"
  /** Every customer in both groups spent the same: revenue has no spread to measure. */
  | "no-variance";

export type Verdict =
  | { kind: "better" }
  | { kind: "worse" }
  | { kind: "not-conclusive"; reasons: NotConclusiveReason[] }
  /** The campaign keeps no holdout (0%): nothing to compare with. */
  | { kind: "no-holdout" };

export interface SampleNeed {
  /** "observed" = planned for the uplift seen so far; "minimum" = it was smaller than the minimum detectable uplift. */
  basis: "observed" | "minimum";
  /** Customers per group for 80% power (two-sided 5%), also meeting the size rules above. */
  required: Record<Group, number>;
  missing: Record<Group, number>;
  /** New customers entering the campaign (split by the holdout share) until both groups have enough. */
  moreCustomers: number;
}

export interface GroupSummary {
  customers: number;
  converted: number;
  /** null for an empty group. */
  conversionRate: number | null;
  /** Decimal string in the shop currency, rounded half away from zero to its minor unit. */
  revenue: string;
  revenuePerCustomer: string | null;
}

export interface ConversionResult {
  /** Treated rate − holdout rate (0.031 = 3.1 points). */
  uplift: number | null;
  /** 95%, Newcombe's hybrid score interval. */
  ci: { low: number; high: number } | null;
  verdict: Verdict;
  need: SampleNeed | null;
}

export interface RevenueResult {
  /** Treated − holdout revenue per customer, decimal string (exact difference of means, rounded once). */
  uplift: string | null;
  /** 95%, Welch; decimal strings rounded outward to the minor unit. */
  ci: { low: string; high: string } | null;
  verdict: Verdict;
  need: SampleNeed | null;
}

export interface Measurement {
  treated: GroupSummary;
  holdout: GroupSummary;
  conversion: ConversionResult;
  revenuePerCustomer: RevenueResult;
}

/**
 * Treated vs holdout for one campaign or step. `holdoutPercent` is the campaign's share (it
 * sets the allocation for "how many more customers"); `currency` is the shop currency of
 * every revenue figure.
 */
export function measure(input: {
  treated: GroupTotals;
  holdout: GroupTotals;
  holdoutPercent: number;
  currency: string;
  options?: MeasureOptions;
}): Measurement {
  const { treated, holdout, holdoutPercent, currency } = input;
  const opts = { ...DEFAULT_MEASURE_OPTIONS, ...input.options };
  const problem = holdoutPercentProblem(holdoutPercent);
  if (problem) throw new RangeError(problem.en);
  for (const t of [treated, holdout]) {
    if (!Number.isInteger(t.customers) || !Number.isInteger(t.converted) || t.converted < 0 || t.converted > t.customers) {
      throw new RangeError(`inconsistent group totals: ${t.converted} converted of ${t.customers}`);
    }
  }
  return {
    treated: groupSummary(treated, currency),
    holdout: groupSummary(holdout, currency),
    conversion: conversionResult(treated, holdout, holdoutPercent, opts),
    revenuePerCustomer: revenueResult(treated, holdout, holdoutPercent, currency, opts),
  };
}

function groupSummary(t: GroupTotals, currency: string): GroupSummary {
  return {
    customers: t.customers,
    converted: t.converted,
    conversionRate: t.customers === 0 ? null : t.converted / t.customers,
    revenue: formatMinorUnits(t.revenue, currency),
    revenuePerCustomer: t.customers === 0 ? null : formatMinorUnits(divideRounded(t.revenue, BigInt(t.customers)), currency),
  };
}

/** Reasons that hold for both metrics: too few customers, too few expected conversions. */
function sizeReasons(treated: GroupTotals, holdout: GroupTotals, opts: Required<MeasureOptions>): NotConclusiveReason[] {
  const reasons: NotConclusiveReason[] = [];
  if (Math.min(treated.customers, holdout.customers) < opts.minGroupSize) reasons.push("group-too-small");
  const n = treated.customers + holdout.customers;
  const pooled = n === 0 ? 0 : (treated.converted + holdout.converted) / n;
  const smallestExpected = Math.min(treated.customers, holdout.customers) * Math.min(pooled, 1 - pooled);
  if (smallestExpected < opts.minExpectedCount) reasons.push("expected-counts-too-small");
  return reasons;
}

function verdictFrom(reasons: NotConclusiveReason[], ci: { low: number; high: number } | null): Verdict {
  const all = [...reasons];
  if (ci === null) {
    // No interval at all: a group is empty or has a single customer (or no spread, already said).
    if (all.length === 0) all.push("group-too-small");
    return { kind: "not-conclusive", reasons: all };
  }
  if (ci.low <= 0 && ci.high >= 0) all.push("ci-includes-zero");
  if (all.length > 0) return { kind: "not-conclusive", reasons: all };
  return ci.low > 0 ? { kind: "better" } : { kind: "worse" };
}

function conversionResult(
  treated: GroupTotals,
  holdout: GroupTotals,
  holdoutPercent: number,
  opts: Required<MeasureOptions>,
): ConversionResult {
  if (holdoutPercent === 0 && holdout.customers === 0) {
    return { uplift: null, ci: null, verdict: { kind: "no-holdout" }, need: null };
  }
  const comparable = treated.customers > 0 && holdout.customers > 0;
  const ci = comparable ? newcombeInterval(treated.converted, treated.customers, holdout.converted, holdout.customers) : null;
  return {
    uplift: comparable ? treated.converted / treated.customers - holdout.converted / holdout.customers : null,
    ci,
    verdict: verdictFrom(sizeReasons(treated, holdout, opts), ci),
    need: conversionNeed(treated, holdout, holdoutPercent, opts),
  };
}

function revenueResult(
  treated: GroupTotals,
  holdout: GroupTotals,
  holdoutPercent: number,
  currency: string,
  opts: Required<MeasureOptions>,
): RevenueResult {
  if (holdoutPercent === 0 && holdout.customers === 0) {
    return { uplift: null, ci: null, verdict: { kind: "no-holdout" }, need: null };
  }
  const comparable = treated.customers > 0 && holdout.customers > 0;
  const n1 = BigInt(treated.customers);
  const n0 = BigInt(holdout.customers);
  const reasons = sizeReasons(treated, holdout, opts);
  const ci = welchInterval(treated, holdout);
  if (ci === null && treated.customers >= 2 && holdout.customers >= 2) reasons.push("no-variance");
  return {
    uplift: comparable
      ? formatMinorUnits(divideRounded(treated.revenue * n0 - holdout.revenue * n1, n1 * n0), currency)
      : null,
    ci: ci && {
      low: formatMinorUnits(BigInt(Math.floor(ci.low)), currency),
      high: formatMinorUnits(BigInt(Math.ceil(ci.high)), currency),
    },
    verdict: verdictFrom(reasons, ci),
    need: revenueNeed(treated, holdout, holdoutPercent, opts),
  };
}

// ---------------------------------------------------------------------------------------------
// Statistics (numbers: rates and interval bounds are estimates, not amounts of money)

/** Standard normal quantiles for a two-sided 95% interval and 80% power. */
export const Z_975 = 1.959963984540054;
export const Z_80 = 0.8416212335729143;

/** Wilson score interval for x successes out of n (n ≥ 1). */
export function wilsonInterval(x: number, n: number, z = Z_975): { low: number; high: number } {
  if (!(n >= 1) || x < 0 || x > n) throw new RangeError(`wilson: ${x} of ${n}`);
  const z2 = z * z;
  const center = (x + z2 / 2) / (n + z2);
  const half = (z * Math.sqrt((x * (n - x)) / n + z2 / 4)) / (n + z2);
  return { low: x === 0 ? 0 : Math.max(0, center - half), high: x === n ? 1 : Math.min(1, center + half) };
}

/**
 * Newcombe (1998) method 10, the hybrid score interval for p1 − p0: built from each group's
 * Wilson interval, so it stays inside [−1, 1], never collapses to a point at 0 or n successes,
 * and keeps close to 95% coverage at small n, where the textbook Wald interval does not.
 */
export function newcombeInterval(x1: number, n1: number, x0: number, n0: number): { low: number; high: number } {
  const p1 = x1 / n1;
  const p0 = x0 / n0;
  const w1 = wilsonInterval(x1, n1);
  const w0 = wilsonInterval(x0, n0);
  const d = p1 - p0;
  return {
    low: d - Math.sqrt((p1 - w1.low) ** 2 + (w0.high - p0) ** 2),
    high: d + Math.sqrt((w1.high - p1) ** 2 + (p0 - w0.low) ** 2),
  };
}

/** Sample variance of one group's revenue per customer (minor units²), exact until the division. */
function revenueVariance(t: GroupTotals): number {
  const n = BigInt(t.customers);
  return Number(n * t.revenueSquares - t.revenue * t.revenue) / Number(n * (n - 1n));
}

/**
 * Welch's interval for the difference of mean revenue per customer (minor units), with the
 * Welch–Satterthwaite degrees of freedom. null when a group has fewer than two customers or
 * neither group has any spread.
 */
export function welchInterval(treated: GroupTotals, holdout: GroupTotals): { low: number; high: number } | null {
  if (treated.customers < 2 || holdout.customers < 2) return null;
  const v1 = revenueVariance(treated) / treated.customers;
  const v0 = revenueVariance(holdout) / holdout.customers;
  const se2 = v1 + v0;
  if (!(se2 > 0)) return null;
  const df = se2 ** 2 / (v1 ** 2 / (treated.customers - 1) + v0 ** 2 / (holdout.customers - 1));
  const d =
    Number(treated.revenue * BigInt(holdout.customers) - holdout.revenue * BigInt(treated.customers)) /
    (treated.customers * holdout.customers);
  const half = studentTQuantile(0.975, df) * Math.sqrt(se2);
  return { low: d - half, high: d + half };
}

/** Allocation: treated customers per held-out one, from the campaign's share. */
function allocation(holdoutPercent: number): number {
  return (100 - holdoutPercent) / holdoutPercent;
}

/**
 * Customers per group until the comparison can be conclusive: 80% power for a two-sided 5% test
 * at the planned uplift (normal approximation with unequal allocation k = treated / holdout:
 * n_holdout = (z_.975 + z_.8)² (v_treated / k + v_holdout) / uplift², n_treated = k · n_holdout,
 * Chow, Shao & Wang, Sample Size Calculations in Clinical Research, 3.2 / 4.2), and no smaller
 * than the size rules ask for.
 */
function needFrom(
  basis: SampleNeed["basis"],
  holdoutFloor: number,
  varianceTreated: number,
  varianceHoldout: number,
  uplift: number,
  treated: GroupTotals,
  holdout: GroupTotals,
  holdoutPercent: number,
): SampleNeed {
  const k = allocation(holdoutPercent);
  const power = ((Z_975 + Z_80) ** 2 * (varianceTreated / k + varianceHoldout)) / uplift ** 2;
  // Both groups must pass the floors; the treated group is k times the holdout by design.
  const holdoutRequired = Math.ceil(Math.max(power, holdoutFloor) - 1e-9);
  const treatedRequired = Math.ceil(Math.max(power * k, holdoutFloor) - 1e-9);
  const missing = {
    treated: Math.max(0, treatedRequired - treated.customers),
    holdout: Math.max(0, holdoutRequired - holdout.customers),
  };
  const share = holdoutPercent / 100;
  // − 1e-9: 458 / 0.1 is 4580.000000000001 in floating point, and must not become 4581.
  const moreCustomers = Math.max(0, Math.ceil(missing.holdout / share - 1e-9), Math.ceil(missing.treated / (1 - share) - 1e-9));
  return { basis, required: { treated: treatedRequired, holdout: holdoutRequired }, missing, moreCustomers };
}

function conversionNeed(
  treated: GroupTotals,
  holdout: GroupTotals,
  holdoutPercent: number,
  opts: Required<MeasureOptions>,
): SampleNeed | null {
  if (holdoutPercent === 0) return null;
  const n = treated.customers + holdout.customers;
  if (n === 0) return null;
  const pooled = (treated.converted + holdout.converted) / n;
  // The holdout's own rate is the baseline; before it has seen a conversion (or a non-conversion)
  // its rate says nothing, so the pooled rate stands in.
  let p0 = holdout.customers > 0 ? holdout.converted / holdout.customers : pooled;
  if (p0 === 0 || p0 === 1) p0 = pooled;
  if (p0 === 0 || p0 === 1) return null; // nobody (or everybody) converted yet: no variance to plan with
  const observed = holdout.customers > 0 && treated.customers > 0 ? treated.converted / treated.customers - p0 : 0;
  const basis = Math.abs(observed) >= opts.minimumDetectableUplift ? "observed" : "minimum";
  const uplift = basis === "observed" ? Math.abs(observed) : opts.minimumDetectableUplift;
  const p1 = p0 + uplift <= 1 ? p0 + uplift : p0 - uplift;
  // The same pooled rate the expected-count rule is checked with (sizeReasons).
  const floor = Math.max(opts.minGroupSize, opts.minExpectedCount / Math.min(pooled, 1 - pooled));
  return needFrom(basis, floor, p1 * (1 - p1), p0 * (1 - p0), uplift, treated, holdout, holdoutPercent);
}

function revenueNeed(
  treated: GroupTotals,
  holdout: GroupTotals,
  holdoutPercent: number,
  opts: Required<MeasureOptions>,
): SampleNeed | null {
  if (holdoutPercent === 0) return null;
  // Spread from the holdout when it can tell, else from the treated group for both.
  const vTreated = treated.customers >= 2 ? revenueVariance(treated) : null;
  const vHoldout = holdout.customers >= 2 ? revenueVariance(holdout) : null;
  const v1 = vTreated ?? vHoldout;
  const v0 = vHoldout ?? vTreated;
  if (v1 === null || v0 === null || !(v1 + v0 > 0)) return null;
  const mean1 = treated.customers > 0 ? Number(treated.revenue) / treated.customers : null;
  const mean0 = holdout.customers > 0 ? Number(holdout.revenue) / holdout.customers : null;
  const baseline = mean0 ?? mean1 ?? 0;
  const minimum = opts.minimumDetectableRevenueShare * baseline;
  const observed = mean1 !== null && mean0 !== null ? Math.abs(mean1 - mean0) : 0;
  const basis = observed > 0 && observed >= minimum ? "observed" : "minimum";
  const uplift = basis === "observed" ? observed : minimum;
  if (!(uplift > 0)) return null;
  const n = treated.customers + holdout.customers;
  const pooled = (treated.converted + holdout.converted) / n;
  const floor =
    pooled > 0 && pooled < 1 ? Math.max(opts.minGroupSize, opts.minExpectedCount / Math.min(pooled, 1 - pooled)) : opts.minGroupSize;
  return needFrom(basis, floor, v1, v0, uplift, treated, holdout, holdoutPercent);
}

/** The p-quantile of Student's t with df > 0 degrees of freedom (df may be fractional: Welch). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) throw new RangeError(`t quantile: p=${p}, df=${df}`);
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  if (p === 0.5) return 0;
  let high = 1;
  while (studentTCdf(high, df) < p) high *= 2;
  let low = 0;
  for (let i = 0; i < 200 && high - low > 1e-13 * high; i++) {
    const mid = (low + high) / 2;
    if (studentTCdf(mid, df) < p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** I_x(a, b) by Lentz's continued fraction (Numerical Recipes, 6.4). */
function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7). */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** a / b rounded half away from zero (b > 0). */
function divideRounded(a: bigint, b: bigint): bigint {
  const q = a / b;
  const r = a % b;
  if (2n * (r < 0n ? -r : r) >= b) return a < 0n ? q - 1n : q + 1n;
  return q;
}

// ---------------------------------------------------------------------------------------------
// Words for the results page

export function verdictText(verdict: Verdict): Localized {
  switch (verdict.kind) {
    case "better":
      return { en: "Works: customers who got it did better", ja: "効果あり：配信した顧客の方が良い結果です" };
    case "worse":
      return { en: "Backfires: customers who got it did worse", ja: "逆効果：配信した顧客の方が悪い結果です" };
    case "no-holdout":
      return { en: "Not measured (no holdout group)", ja: "未計測（比較グループなし）" };
    case "not-conclusive":
      return { en: "Not yet conclusive", ja: "まだ判断できません" };
  }
}

export function reasonText(reason: NotConclusiveReason): Localized {
  switch (reason) {
    case "group-too-small":
      return { en: "Too few customers in a group so far.", ja: "グループの顧客数がまだ少なすぎます。" };
    case "expected-counts-too-small":
      return { en: "Too few purchases so far to compare.", ja: "比較できるだけの購入がまだありません。" };
    case "ci-includes-zero":
      return {
        en: "The difference could still be zero: it is within the range chance alone produces.",
        ja: "差が偶然の範囲内で、効果がゼロの可能性がまだあります。",
      };
    case "no-variance":
      return { en: "Every customer spent the same; there is nothing to compare yet.", ja: "全員の購入額が同じため、まだ比較できません。" };
  }
}

// ---------------------------------------------------------------------------------------------
// SHA-256 (FIPS 180-4), so the assignment runs in the browser too and matches any other tool.

const DAY_MS = 86_400_000;

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

export function sha256(message: Uint8Array): Uint8Array {
  const blocks = Math.ceil((message.length + 9) / 64);
  const padded = new Uint8Array(blocks * 64);
  padded.set(message);
  padded[message.length] = 0x80;
  const view = new DataView(padded.buffer);
  const bits = message.length * 8;
  view.setUint32(padded.length - 8, Math.floor(bits / 2 ** 32));
  view.setUint32(padded.length - 4, bits >>> 0);
  const H = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const W = new Uint32Array(64);
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let i = 0; i < 16; i++) W[i] = view.getUint32(offset + 4 * i);
    for (let i = 16; i < 64; i++) {
      const w15 = W[i - 15]!;
      const w2 = W[i - 2]!;
      const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
      const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
      W[i] = W[i - 16]! + s0 + W[i - 7]! + s1;
    }
    let [a, b, c, d, e, f, g, h] = H as unknown as [number, number, number, number, number, number, number, number];
    for (let i = 0; i < 64; i++) {
      const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    H[0]! += a;
    H[1]! += b;
    H[2]! += c;
    H[3]! += d;
    H[4]! += e;
    H[5]! += f;
    H[6]! += g;
    H[7]! += h;
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) outView.setUint32(4 * i, H[i]!);
  return out;
}
