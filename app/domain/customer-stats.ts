/**
 * Per-customer totals that ranks are computed from. Pure: `now` and the window are arguments,
 * so a recompute with the same inputs always gives the same answer.
 */

export interface StatsOrder {
  processedAt: Date;
  /** Original total, minor units of `currency`. */
  totalPrice: bigint;
  /** Total after refunds and edits, minor units of `currency`. */
  currentTotal: bigint;
  cancelledAt: Date | null;
  currency: string;
}

export interface CustomerStats {
  orderCount: number;
  lifetimeSpent: bigint;
  windowSpent: bigint;
  firstOrderAt: Date | null;
  /** The second counted order (by processedAt): F2 conversion is measured from first to second. */
  secondOrderAt: Date | null;
  lastOrderAt: Date | null;
}

/**
 * Cancelled and fully refunded orders are not purchases. A free order (sample, 100% coupon)
 * is one: its total was 0 to begin with, so a 0 current total says nothing about a refund.
 */
export function isCountedOrder(o: StatsOrder): boolean {
  if (o.cancelledAt !== null) return false;
  const fullyRefunded = o.totalPrice > 0n && o.currentTotal <= 0n;
  return !fullyRefunded;
}

/**
 * `months` calendar months before `now` in UTC, same time of day; the day is clamped to the
 * end of a shorter month (2026-03-31 − 1 month = 2026-02-28). Inclusive lower bound.
 */
export function windowStart(now: Date, months: number): Date {
  if (!Number.isInteger(months) || months < 0) {
    throw new RangeError(`window months must be a non-negative integer, got ${months}`);
  }
  const monthIndex = now.getUTCFullYear() * 12 + now.getUTCMonth() - months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12;
  const daysInMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(
    Date.UTC(
      year,
      month,
      Math.min(now.getUTCDate(), daysInMonth),
      now.getUTCHours(),
      now.getUTCMinutes(),
      now.getUTCSeconds(),
      now.getUTCMilliseconds(),
    ),
  );
}

/**
 * Lifetime figures use every counted order, even one processed after `now`: it exists, and a
 * few seconds of clock skew between Shopify and us must not drop the order just placed from
 * the count. The window is [windowStart(now), now] so an "as of" recompute is reproducible;
 * callers ranking the order just placed should pass a `now` no earlier than its processedAt.
 */
export function customerStats(
  orders: StatsOrder[],
  opts: { now: Date; windowMonths: number; shopCurrency: string },
): CustomerStats {
  const from = windowStart(opts.now, opts.windowMonths).getTime();
  const to = opts.now.getTime();
  const shopCurrency = opts.shopCurrency.toUpperCase();
  const stats: CustomerStats = {
    orderCount: 0,
    lifetimeSpent: 0n,
    windowSpent: 0n,
    firstOrderAt: null,
    secondOrderAt: null,
    lastOrderAt: null,
  };
  for (const order of orders) {
    if (!isCountedOrder(order)) continue;
    stats.orderCount += 1;
    const at = order.processedAt;
    if (stats.firstOrderAt === null || at < stats.firstOrderAt) {
      stats.secondOrderAt = stats.firstOrderAt;
      stats.firstOrderAt = at;
    } else if (stats.secondOrderAt === null || at < stats.secondOrderAt) {
      stats.secondOrderAt = at;
    }
    if (stats.lastOrderAt === null || at > stats.lastOrderAt) stats.lastOrderAt = at;

    // Amounts in different currencies cannot be added without an exchange rate we do not
    // have; an order in another currency is still a purchase, so it counts but adds no spend.
    if (order.currency.toUpperCase() !== shopCurrency) continue;
    stats.lifetimeSpent += order.currentTotal;
    const t = at.getTime();
    if (t >= from && t <= to) stats.windowSpent += order.currentTotal;
  }
  return stats;
}
