/**
 * The dashboard computed from plain arrays: the specification the database aggregates
 * (services/analytics) are checked against, on small datasets. Straightforward loops on
 * purpose; nothing here needs to be fast.
 */
import { customerStats, isCountedOrder, type CustomerStats } from "../customer-stats";
import { importReason } from "../rank-change-reason";
import {
  DAY_MS,
  averageDays,
  divideRounded,
  f2Conversion,
  funnelSteps,
  paretoData,
  rankData,
  rfmSegmentEntries,
  topProducts,
  type RankTransitionCount,
  type TierInfo,
} from "./figures";
import { rfmScores } from "./rfm";
import {
  COHORT_MONTHS,
  F2_HORIZON_DAYS,
  PRODUCT_MIN_BUYERS,
  type CohortTable,
  type DashboardData,
  type DashboardParams,
  type PeriodSummary,
  type ProductRepeat,
  type RfmData,
  type RfmSegment,
} from "./types";
import { monthIndexOf, yearMonth } from "./zoned-time";

export interface RefLine {
  productGid: string | null;
  title: string;
}

export interface RefOrder {
  gid: string;
  /** null = guest. */
  customerId: number | null;
  processedAt: Date;
  currency: string;
  totalPrice: bigint;
  currentTotal: bigint;
  cancelledAt: Date | null;
  lines: RefLine[];
}

export interface RefCustomer {
  id: number;
  rankKey: string | null;
}

export interface RefRankChange {
  fromRank: string | null;
  toRank: string | null;
  createdAt: Date;
  /** RankChange.reason: the history import's baseline ranks are not moves (importReason()). */
  reason?: string;
}

export interface AnalyticsDataset {
  customers: RefCustomer[];
  /** In storage order (Order.id), each with its lines in storage order (OrderLine.id). */
  orders: RefOrder[];
  rankChanges: RefRankChange[];
  tiers: TierInfo[];
}

interface CustomerFacts extends CustomerStats {
  id: number;
  rankKey: string | null;
  counted: RefOrder[];
}

function inPeriod(at: Date, p: DashboardParams): boolean {
  return at >= p.from && at < p.to;
}

/** Per-customer lifetime figures, as the ingest stores them on Customer; only customers with counted orders. */
function customerFacts(data: AnalyticsDataset, p: DashboardParams): CustomerFacts[] {
  const ordersOf = new Map<number, RefOrder[]>();
  for (const o of data.orders) {
    if (o.customerId === null) continue;
    ordersOf.set(o.customerId, [...(ordersOf.get(o.customerId) ?? []), o]);
  }
  return data.customers
    .map((c) => {
      const orders = ordersOf.get(c.id) ?? [];
      const stats = customerStats(orders, { now: p.now, windowMonths: 12, shopCurrency: p.currency });
      return { ...stats, id: c.id, rankKey: c.rankKey, counted: orders.filter(isCountedOrder) };
    })
    .filter((c) => c.orderCount > 0);
}

const sameCurrency = (o: RefOrder, p: DashboardParams) => o.currency.toUpperCase() === p.currency.toUpperCase();

export function referenceSummary(data: AnalyticsDataset, p: DashboardParams): PeriodSummary {
  const periodOrders = data.orders.filter((o) => isCountedOrder(o) && inPeriod(o.processedAt, p));
  const revenue = periodOrders.filter((o) => sameCurrency(o, p)).reduce((sum, o) => sum + o.currentTotal, 0n);
  const ids = new Set(periodOrders.flatMap((o) => (o.customerId === null ? [] : [o.customerId])));
  const customers = customerFacts(data, p).filter((c) => ids.has(c.id));
  const repeaters = customers.filter((c) => c.secondOrderAt !== null && c.secondOrderAt < p.to).length;
  const repeat = customers.filter((c) => c.orderCount >= 2);
  const gaps = repeat.reduce((sum, c) => sum + c.orderCount - 1, 0);
  const gapMs = repeat.reduce((sum, c) => sum + BigInt(c.lastOrderAt!.getTime() - c.firstOrderAt!.getTime()), 0n);
  const ltv = customers.reduce((sum, c) => sum + c.lifetimeSpent, 0n);
  return {
    customers: customers.length,
    newCustomers: customers.filter((c) => c.firstOrderAt! >= p.from).length,
    orders: periodOrders.length,
    guestOrders: periodOrders.filter((o) => o.customerId === null).length,
    foreignCurrencyOrders: periodOrders.filter((o) => !sameCurrency(o, p)).length,
    revenue: revenue.toString(),
    repeatRate: { num: repeaters, den: customers.length },
    averageDaysBetweenOrders: averageDays(gapMs, gaps),
    orderGaps: gaps,
    averageLtv: customers.length === 0 ? null : divideRounded(ltv, BigInt(customers.length)).toString(),
  };
}

export function referenceCohorts(data: AnalyticsDataset, p: DashboardParams): CohortTable {
  const current = monthIndexOf(p.now, p.timeZone);
  const first = current - COHORT_MONTHS + 1;
  const rows = [];
  const facts = customerFacts(data, p);
  for (let month = first; month <= current; month++) {
    const cohort = facts.filter((c) => monthIndexOf(c.firstOrderAt!, p.timeZone) === month);
    const retained: number[] = [];
    for (let k = 1; month + k <= current; k++) {
      retained.push(cohort.filter((c) => c.counted.some((o) => monthIndexOf(o.processedAt, p.timeZone) === month + k)).length);
    }
    rows.push({ month: yearMonth(month), customers: cohort.length, retained });
  }
  return { asOf: p.now.toISOString(), rows };
}

export function referenceProducts(data: AnalyticsDataset, minBuyers = PRODUCT_MIN_BUYERS): ProductRepeat[] {
  const ordersByProduct = new Map<string, Map<number, Set<string>>>();
  // The title on the line stored last: orders and their lines are given in storage order.
  const latest = new Map<string, string>();
  for (const o of data.orders) {
    if (!isCountedOrder(o)) continue;
    for (const line of o.lines) {
      if (line.productGid === null) continue;
      latest.set(line.productGid, line.title);
      if (o.customerId === null) continue;
      const buyers = ordersByProduct.get(line.productGid) ?? new Map<number, Set<string>>();
      buyers.set(o.customerId, (buyers.get(o.customerId) ?? new Set()).add(o.gid));
      ordersByProduct.set(line.productGid, buyers);
    }
  }
  const products = [...ordersByProduct.entries()].map(([productGid, buyers]) => ({
    productGid,
    title: latest.get(productGid)!,
    buyers: buyers.size,
    repeatBuyers: [...buyers.values()].filter((orders) => orders.size >= 2).length,
  }));
  return topProducts(products, minBuyers);
}

export function referenceRfm(data: AnalyticsDataset, p: DashboardParams): RfmData {
  const facts = customerFacts(data, p);
  const scores = rfmScores(facts.map((c) => ({ lastOrderAt: c.lastOrderAt!, orderCount: c.orderCount, lifetimeSpent: c.lifetimeSpent })));
  const bySegment = new Map<RfmSegment, { customers: number; revenue: bigint }>();
  const grid = new Map<string, { recency: number; frequency: number; customers: number }>();
  scores.forEach((s, i) => {
    const entry = bySegment.get(s.segment) ?? { customers: 0, revenue: 0n };
    entry.customers += 1;
    entry.revenue += facts[i]!.lifetimeSpent;
    bySegment.set(s.segment, entry);
    const cell = grid.get(`${s.recency}:${s.frequency}`) ?? { recency: s.recency, frequency: s.frequency, customers: 0 };
    cell.customers += 1;
    grid.set(`${s.recency}:${s.frequency}`, cell);
  });
  return {
    asOf: p.now.toISOString(),
    stale: false,
    scored: facts.length,
    unscored: 0,
    segments: rfmSegmentEntries(bySegment),
    grid: [...grid.values()].sort((a, b) => a.recency - b.recency || a.frequency - b.frequency),
  };
}

/** Every dashboard figure from plain arrays; precomputed parts are "as of" `now`. */
export function referenceDashboard(data: AnalyticsDataset, p: DashboardParams, options: { minBuyers?: number } = {}): DashboardData {
  const facts = customerFacts(data, p);

  const cohort = facts.filter((c) => inPeriod(c.firstOrderAt!, p));
  const f2 = f2Conversion({
    cohort: cohort.length,
    everConverted: cohort.filter((c) => c.secondOrderAt !== null).length,
    eligible: F2_HORIZON_DAYS.map((d) => cohort.filter((c) => c.firstOrderAt!.getTime() + d * DAY_MS <= p.now.getTime()).length),
    converted: F2_HORIZON_DAYS.map(
      (d) =>
        cohort.filter(
          (c) =>
            c.firstOrderAt!.getTime() + d * DAY_MS <= p.now.getTime() &&
            c.secondOrderAt !== null &&
            c.secondOrderAt.getTime() - c.firstOrderAt!.getTime() <= d * DAY_MS,
        ).length,
    ),
  });

  const spends = facts.map((c) => c.lifetimeSpent).sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
  const prefix = [0n];
  for (const s of spends) prefix.push(prefix[prefix.length - 1]! + s);
  const pareto = paretoData(spends.length, (k) => prefix[k]!);

  const byRank = new Map<string | null, number>();
  for (const c of facts) byRank.set(c.rankKey, (byRank.get(c.rankKey) ?? 0) + 1);
  const transitions = new Map<string, RankTransitionCount>();
  for (const change of data.rankChanges) {
    if (!inPeriod(change.createdAt, p) || change.reason === importReason()) continue;
    const id = JSON.stringify([change.fromRank, change.toRank]);
    const t = transitions.get(id) ?? { from: change.fromRank, to: change.toRank, count: 0 };
    t.count += 1;
    transitions.set(id, t);
  }

  const exactly = new Map<number, number>();
  for (const c of facts) {
    const bucket = Math.min(c.orderCount, 5);
    exactly.set(bucket, (exactly.get(bucket) ?? 0) + 1);
  }

  const minBuyers = options.minBuyers ?? PRODUCT_MIN_BUYERS;
  return {
    shop: p.shop,
    currency: p.currency,
    timeZone: p.timeZone,
    from: p.from.toISOString(),
    to: p.to.toISOString(),
    now: p.now.toISOString(),
    summary: referenceSummary(data, p),
    f2,
    pareto,
    ranks: rankData(data.tiers, byRank, [...transitions.values()]),
    funnel: funnelSteps(exactly),
    cohorts: referenceCohorts(data, p),
    rfm: referenceRfm(data, p),
    products: { asOf: p.now.toISOString(), minBuyers, items: referenceProducts(data, minBuyers) },
  };
}

