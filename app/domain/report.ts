/**
 * The shop-level summary (CLI `report`, dashboard): repeat rate, the 20/80 check and the
 * order-count funnel. Money stays bigint; only ratios become numbers, at the very end.
 */
import { formatMinorUnits } from "./money";
import { UNRANKED_KEY } from "./rank";

export interface ReportCustomer {
  orderCount: number;
  /** Minor units of the shop currency. */
  spent: bigint;
  rankKey: string | null;
}

export interface ReportInput {
  currency: string;
  orders: number;
  revenue: bigint;
  customers: ReportCustomer[];
}

export type OrderCountBucket = "1" | "2" | "3" | "4" | "5-9" | "10+";

export interface Report {
  currency: string;
  /** Customers with at least one counted order. */
  customers: number;
  orders: number;
  /** Decimal string in the shop currency, e.g. "12.50". */
  revenue: string;
  /** Share of customers with 2+ orders, 4 decimals. */
  repeatRate: number;
  /**
   * Share of `revenue` from the top ceil(20%) of customers by spend, 4 decimals. Guest orders
   * count in the revenue but belong to no customer, so they lower the share; the dashboard's
   * Pareto card divides by the customers' spend alone, and says so.
   */
  paretoTop20Share: number;
  orderCountDistribution: Record<OrderCountBucket, number>;
  /** Customers per rank key; those without a rank under "none" (present only if any). */
  rankDistribution: Record<string, number>;
}

/** numerator / denominator rounded half up to 4 decimals, computed in bigint; 0 if den <= 0. */
function ratio4(numerator: bigint, denominator: bigint): number {
  if (denominator <= 0n) return 0;
  const tenThousandths = (numerator * 20_000n + denominator) / (2n * denominator);
  return Number(tenThousandths) / 10_000;
}

function bucket(orderCount: number): OrderCountBucket {
  if (orderCount >= 10) return "10+";
  if (orderCount >= 5) return "5-9";
  return String(orderCount) as OrderCountBucket;
}

export function buildReport(input: ReportInput): Report {
  // A customer record without a counted order (all cancelled/refunded) is not a customer yet.
  const counted = input.customers.filter((c) => c.orderCount >= 1);
  const n = counted.length;

  const repeaters = counted.filter((c) => c.orderCount >= 2).length;

  const spends = counted.map((c) => c.spent).sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
  const topCount = Math.ceil(n / 5);
  const sum = (values: bigint[]) => values.reduce((acc, v) => acc + v, 0n);
  const topSpent = sum(spends.slice(0, topCount));

  const orderCountDistribution: Record<OrderCountBucket, number> = {
    "1": 0,
    "2": 0,
    "3": 0,
    "4": 0,
    "5-9": 0,
    "10+": 0,
  };
  // A Map, not an object: a merchant's key such as "constructor" must not hit the prototype.
  const ranks = new Map<string, number>();
  let unranked = 0;
  for (const c of counted) {
    orderCountDistribution[bucket(c.orderCount)] += 1;
    if (c.rankKey === null) unranked += 1;
    else ranks.set(c.rankKey, (ranks.get(c.rankKey) ?? 0) + 1);
  }
  if (unranked > 0) ranks.set(UNRANKED_KEY, unranked);

  return {
    currency: input.currency,
    customers: n,
    orders: input.orders,
    revenue: formatMinorUnits(input.revenue, input.currency),
    repeatRate: ratio4(BigInt(repeaters), BigInt(n)),
    paretoTop20Share: ratio4(topSpent, input.revenue),
    orderCountDistribution,
    rankDistribution: Object.fromEntries(ranks),
  };
}
