/**
 * Shaping raw aggregates into dashboard figures. Both the pure reference (reference.ts) and the
 * database aggregates (services/analytics) end here, so the two can only differ in the counting,
 * never in rounding or layout. Money stays bigint until it is written as text.
 */
import { UNRANKED_KEY } from "../rank";
import {
  COHORT_MONTHS,
  F2_HORIZON_DAYS,
  PARETO_STEPS,
  PRODUCT_TOP,
  RFM_SEGMENTS,
  type CohortRow,
  type F2Conversion,
  type FunnelStep,
  type MoneyShare,
  type ParetoData,
  type ProductRepeat,
  type RankBucket,
  type RankData,
  type RankTransition,
  type RfmSegment,
  type RfmSegmentEntry,
} from "./types";
import { yearMonth } from "./zoned-time";

export const DAY_MS = 86_400_000;

/** num / den rounded half away from zero (den > 0). */
export function divideRounded(num: bigint, den: bigint): bigint {
  if (den <= 0n) throw new RangeError("divideRounded: denominator must be positive");
  const negative = num < 0n;
  const magnitude = negative ? -num : num;
  const q = (2n * magnitude + den) / (2n * den);
  return negative ? -q : q;
}

/** num / den as a fixed-decimal string, half away from zero; "0.0…" when den is 0. */
export function fixedRatio(num: bigint, den: bigint, decimals = 4): string {
  const scale = 10n ** BigInt(decimals);
  const scaled = den <= 0n ? 0n : divideRounded(num * scale, den);
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(decimals + 1, "0");
  const text = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return negative ? `-${text}` : text;
}

export function moneyShare(part: bigint, total: bigint): MoneyShare {
  return { part: part.toString(), total: total.toString(), ratio: fixedRatio(part, total) };
}

/** Mean gap in days with one decimal from a total in ms over `gaps` gaps; null without gaps. */
export function averageDays(totalMs: bigint, gaps: number): string | null {
  if (gaps <= 0) return null;
  return fixedRatio(totalMs, BigInt(gaps) * BigInt(DAY_MS), 1);
}

/** Raw F2 counts, per horizon in F2_HORIZON_DAYS order. */
export interface F2Counts {
  cohort: number;
  everConverted: number;
  eligible: number[];
  converted: number[];
}

export function f2Conversion(counts: F2Counts): F2Conversion {
  return {
    cohort: counts.cohort,
    horizons: F2_HORIZON_DAYS.map((days, i) => ({ days, eligible: counts.eligible[i] ?? 0, converted: counts.converted[i] ?? 0 })),
    ever: { eligible: counts.cohort, converted: counts.everConverted },
  };
}

/** Number of top customers at `percent` % of `customers`: ceil(percent × customers / 100). */
export function topCount(percent: number, customers: number): number {
  return Math.ceil((percent * customers) / 100);
}

/** The ranks (1-based, largest spender first) the Pareto curve needs the cumulative spend at. */
export function paretoRanks(customers: number): number[] {
  const ranks = new Set<number>();
  for (let step = 1; step <= PARETO_STEPS; step++) ranks.add(topCount((step * 100) / PARETO_STEPS, customers));
  ranks.delete(0);
  return [...ranks].sort((a, b) => a - b);
}

/**
 * The Pareto figures from the cumulative lifetime spend at the ranks paretoRanks() asks for
 * (`cumulative(k)` = spend of the top k customers). Ties at a boundary do not matter: tied
 * customers spent the same, so any order gives the same sum.
 */
export function paretoData(customers: number, cumulative: (rank: number) => bigint): ParetoData {
  if (customers === 0) {
    return { customers: 0, revenue: "0", top20: { customers: 0, share: moneyShare(0n, 0n) }, points: [] };
  }
  const total = cumulative(customers);
  const top20 = topCount(20, customers);
  const points = [];
  for (let step = 0; step <= PARETO_STEPS; step++) {
    const percent = (step * 100) / PARETO_STEPS;
    const k = topCount(percent, customers);
    const revenue = k === 0 ? 0n : cumulative(k);
    points.push({ percent, customers: k, revenue: revenue.toString(), ratio: fixedRatio(revenue, total) });
  }
  return { customers, revenue: total.toString(), top20: { customers: top20, share: moneyShare(cumulative(top20), total) }, points };
}

/** The funnel 1 → 5+ from the number of customers with exactly n orders (n ≥ 5 under 5). */
export function funnelSteps(exactly: ReadonlyMap<number, number>): FunnelStep[] {
  const steps: FunnelStep[] = [];
  let reached = [...exactly.values()].reduce((a, b) => a + b, 0);
  let previous = reached;
  for (const orders of [1, 2, 3, 4, 5] as const) {
    const stopped = orders === 5 ? reached : (exactly.get(orders) ?? 0);
    steps.push({
      orders,
      reached,
      stopped,
      fromPrevious: { num: reached, den: previous },
      dropOff: previous - reached,
    });
    previous = reached;
    reached -= stopped;
  }
  return steps;
}

export interface TierInfo {
  key: string;
  position: number;
  labelJa: string;
  labelEn: string;
}

export interface RankTransitionCount {
  from: string | null;
  to: string | null;
  count: number;
}

/** Current rank distribution and the period's moves, classified by current tier positions. */
export function rankData(tiers: TierInfo[], customersByRank: ReadonlyMap<string | null, number>, transitions: RankTransitionCount[]): RankData {
  const byKey = new Map(tiers.map((t) => [t.key, t]));
  const position = (key: string | null): number | undefined => (key === null ? 0 : byKey.get(key)?.position);
  const distribution: RankBucket[] = [];
  const unranked = customersByRank.get(null) ?? 0;
  if (unranked > 0) distribution.push({ key: UNRANKED_KEY, position: 0, labelJa: null, labelEn: null, customers: unranked });
  for (const t of [...tiers].sort((a, b) => a.position - b.position)) {
    distribution.push({ key: t.key, position: t.position, labelJa: t.labelJa, labelEn: t.labelEn, customers: customersByRank.get(t.key) ?? 0 });
  }
  const unknown = [...customersByRank.entries()]
    .filter(([key, n]) => key !== null && !byKey.has(key) && n > 0)
    .sort(([a], [b]) => ((a ?? "") < (b ?? "") ? -1 : 1));
  for (const [key, customers] of unknown) distribution.push({ key: key!, position: null, labelJa: null, labelEn: null, customers });

  const moves = { up: 0, down: 0, other: 0 };
  const merged = new Map<string, RankTransition>();
  for (const t of transitions) {
    const from = position(t.from);
    const to = position(t.to);
    const direction = from === undefined || to === undefined || from === to ? "other" : to > from ? "up" : "down";
    moves[direction] += t.count;
    const id = JSON.stringify([t.from, t.to]);
    const existing = merged.get(id);
    if (existing) existing.count += t.count;
    else merged.set(id, { from: t.from, to: t.to, count: t.count, direction });
  }
  const keyText = (k: string | null) => k ?? "";
  const list = [...merged.values()].sort(
    (a, b) => b.count - a.count || keyText(a.from).localeCompare(keyText(b.from)) || keyText(a.to).localeCompare(keyText(b.to)),
  );
  return { distribution, moves, transitions: list };
}

export function rfmSegmentEntries(bySegment: ReadonlyMap<RfmSegment, { customers: number; revenue: bigint }>): RfmSegmentEntry[] {
  return RFM_SEGMENTS.map((segment) => {
    const entry = bySegment.get(segment);
    return { segment, customers: entry?.customers ?? 0, revenue: (entry?.revenue ?? 0n).toString() };
  });
}

/** Best repeat rate first (compared exactly, as fractions), then more buyers, then by GID. */
export function topProducts(products: ProductRepeat[], minBuyers: number, top = PRODUCT_TOP): ProductRepeat[] {
  return products
    .filter((p) => p.buyers >= minBuyers && p.buyers > 0)
    .sort(
      (a, b) =>
        b.repeatBuyers * a.buyers - a.repeatBuyers * b.buyers ||
        b.buyers - a.buyers ||
        (a.productGid < b.productGid ? -1 : a.productGid > b.productGid ? 1 : 0),
    )
    .slice(0, top);
}

/**
 * The cohort table from counts keyed by month index (zoned-time MonthIndex): cohort sizes by
 * first-purchase month, and customers of cohort `first` with an order in month `later`
 * (key `${first}:${later}`). COHORT_MONTHS rows ending with `current`.
 */
export function cohortRows(current: number, sizes: ReadonlyMap<number, number>, retained: ReadonlyMap<string, number>): CohortRow[] {
  const rows: CohortRow[] = [];
  for (let month = current - COHORT_MONTHS + 1; month <= current; month++) {
    const kept: number[] = [];
    for (let later = month + 1; later <= current; later++) kept.push(retained.get(`${month}:${later}`) ?? 0);
    rows.push({ month: yearMonth(month), customers: sizes.get(month) ?? 0, retained: kept });
  }
  return rows;
}
