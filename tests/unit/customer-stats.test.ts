import { describe, expect, it } from "vitest";
import { customerStats, isCountedOrder, windowStart, type StatsOrder } from "~/domain/customer-stats";
import { defaultRankTiers, rankFor } from "~/domain/rank";

const d = (iso: string) => new Date(iso);

function order(at: string, total: bigint, over: Partial<StatsOrder> = {}): StatsOrder {
  return { processedAt: d(at), totalPrice: total, currentTotal: total, cancelledAt: null, currency: "JPY", ...over };
}

describe("windowStart", () => {
  it.each([
    ["2026-03-31T00:00:00.000Z", 1, "2026-02-28T00:00:00.000Z"], // clamped to month end
    ["2024-03-31T00:00:00.000Z", 1, "2024-02-29T00:00:00.000Z"], // leap year
    ["2026-07-31T09:00:00.000Z", 1, "2026-06-30T09:00:00.000Z"],
    ["2026-05-31T00:00:00.000Z", 3, "2026-02-28T00:00:00.000Z"],
    ["2026-03-15T10:20:30.456Z", 1, "2026-02-15T10:20:30.456Z"], // keeps the time of day
    ["2026-01-15T00:00:00.000Z", 1, "2025-12-15T00:00:00.000Z"], // across a year
    ["2026-03-31T12:00:00.000Z", 12, "2025-03-31T12:00:00.000Z"],
    ["2024-02-29T00:00:00.000Z", 12, "2023-02-28T00:00:00.000Z"],
    ["2026-03-31T00:00:00.000Z", 13, "2025-02-28T00:00:00.000Z"],
    ["2026-01-31T00:00:00.000Z", 25, "2023-12-31T00:00:00.000Z"],
    ["2026-03-10T05:00:00.000Z", 0, "2026-03-10T05:00:00.000Z"],
    ["2026-03-01T00:00:00.000Z", 1, "2026-02-01T00:00:00.000Z"], // UTC, whatever the local zone
  ])("%s minus %i months → %s", (now, months, expected) => {
    expect(windowStart(d(now), months).toISOString()).toBe(expected);
  });

  it.each([-1, 1.5, Number.NaN])("rejects %s months", (months) => {
    expect(() => windowStart(d("2026-03-31T00:00:00Z"), months)).toThrow(RangeError);
  });

  it("does not modify now", () => {
    const now = d("2026-03-31T00:00:00.000Z");
    windowStart(now, 1);
    expect(now.toISOString()).toBe("2026-03-31T00:00:00.000Z");
  });
});

describe("isCountedOrder", () => {
  const at = "2026-01-01T00:00:00Z";
  const cancelledAt = d("2026-01-02T00:00:00Z");
  it.each<[string, StatsOrder, boolean]>([
    ["a paid order", order(at, 1000n), true],
    ["a partial refund", order(at, 1000n, { currentTotal: 400n }), true],
    ["all but one yen refunded", order(at, 1000n, { currentTotal: 1n }), true],
    ["a full refund", order(at, 1000n, { currentTotal: 0n }), false],
    ["a refund beyond the total", order(at, 1000n, { currentTotal: -10n }), false],
    ["an order edited upwards", order(at, 1000n, { currentTotal: 1500n }), true],
    ["a cancelled order", order(at, 1000n, { cancelledAt }), false],
    ["a cancelled and refunded order", order(at, 1000n, { cancelledAt, currentTotal: 0n }), false],
    ["a free order", order(at, 0n), true],
    ["a cancelled free order", order(at, 0n, { cancelledAt }), false],
  ])("%s → %s", (_name, o, expected) => {
    expect(isCountedOrder(o)).toBe(expected);
  });
});

describe("customerStats", () => {
  const now = d("2026-03-31T12:00:00.000Z");
  const opts = { now, windowMonths: 12, shopCurrency: "JPY" };
  const start = "2025-03-31T12:00:00.000Z"; // windowStart(now, 12)

  type Expected = {
    orderCount: number;
    lifetimeSpent: bigint;
    windowSpent: bigint;
    firstOrderAt: string | null;
    secondOrderAt: string | null;
    lastOrderAt: string | null;
  };
  const stats = (orders: StatsOrder[], o = opts) => {
    const s = customerStats(orders, o);
    return {
      ...s,
      firstOrderAt: s.firstOrderAt?.toISOString() ?? null,
      secondOrderAt: s.secondOrderAt?.toISOString() ?? null,
      lastOrderAt: s.lastOrderAt?.toISOString() ?? null,
    };
  };

  it.each<[string, StatsOrder[], Expected]>([
    [
      "no orders",
      [],
      { orderCount: 0, lifetimeSpent: 0n, windowSpent: 0n, firstOrderAt: null, secondOrderAt: null, lastOrderAt: null },
    ],
    [
      "one order in the window",
      [order("2026-01-10T00:00:00.000Z", 1980n)],
      {
        orderCount: 1,
        lifetimeSpent: 1980n,
        windowSpent: 1980n,
        firstOrderAt: "2026-01-10T00:00:00.000Z", secondOrderAt: null,
        lastOrderAt: "2026-01-10T00:00:00.000Z",
      },
    ],
    [
      "an order exactly at windowStart is in the window",
      [order(start, 5000n)],
      { orderCount: 1, lifetimeSpent: 5000n, windowSpent: 5000n, firstOrderAt: start, secondOrderAt: null, lastOrderAt: start },
    ],
    [
      "an order one millisecond before windowStart is lifetime only",
      [order("2025-03-31T11:59:59.999Z", 5000n)],
      {
        orderCount: 1,
        lifetimeSpent: 5000n,
        windowSpent: 0n,
        firstOrderAt: "2025-03-31T11:59:59.999Z", secondOrderAt: null,
        lastOrderAt: "2025-03-31T11:59:59.999Z",
      },
    ],
    [
      "an order exactly at now is in the window",
      [order("2026-03-31T12:00:00.000Z", 700n)],
      {
        orderCount: 1,
        lifetimeSpent: 700n,
        windowSpent: 700n,
        firstOrderAt: "2026-03-31T12:00:00.000Z", secondOrderAt: null,
        lastOrderAt: "2026-03-31T12:00:00.000Z",
      },
    ],
    [
      "an order after now counts for lifetime but not the window",
      [order("2026-01-01T00:00:00.000Z", 100n), order("2026-03-31T12:00:00.001Z", 700n)],
      {
        orderCount: 2,
        lifetimeSpent: 800n,
        windowSpent: 100n,
        firstOrderAt: "2026-01-01T00:00:00.000Z", secondOrderAt: "2026-03-31T12:00:00.001Z",
        lastOrderAt: "2026-03-31T12:00:00.001Z",
      },
    ],
    [
      "cancelled and fully refunded orders are ignored entirely",
      [
        order("2024-01-01T00:00:00.000Z", 9000n, { cancelledAt: d("2024-01-02T00:00:00Z") }),
        order("2026-03-01T00:00:00.000Z", 3000n),
        order("2026-03-30T00:00:00.000Z", 8000n, { currentTotal: 0n }),
      ],
      {
        orderCount: 1,
        lifetimeSpent: 3000n,
        windowSpent: 3000n,
        firstOrderAt: "2026-03-01T00:00:00.000Z", secondOrderAt: null,
        lastOrderAt: "2026-03-01T00:00:00.000Z",
      },
    ],
    [
      "a partial refund counts what was kept",
      [order("2026-02-01T00:00:00.000Z", 10_000n, { currentTotal: 6_500n }), order("2020-02-01T00:00:00.000Z", 1_000n)],
      {
        orderCount: 2,
        lifetimeSpent: 7_500n,
        windowSpent: 6_500n,
        firstOrderAt: "2020-02-01T00:00:00.000Z", secondOrderAt: "2026-02-01T00:00:00.000Z",
        lastOrderAt: "2026-02-01T00:00:00.000Z",
      },
    ],
    [
      "a foreign-currency order counts as an order but adds no spend",
      [order("2026-02-01T00:00:00.000Z", 2_000n), order("2026-02-15T00:00:00.000Z", 5_000n, { currency: "USD" })],
      {
        orderCount: 2,
        lifetimeSpent: 2_000n,
        windowSpent: 2_000n,
        firstOrderAt: "2026-02-01T00:00:00.000Z", secondOrderAt: "2026-02-15T00:00:00.000Z",
        lastOrderAt: "2026-02-15T00:00:00.000Z",
      },
    ],
    [
      "a free order counts with no spend",
      [order("2026-02-01T00:00:00.000Z", 0n)],
      {
        orderCount: 1,
        lifetimeSpent: 0n,
        windowSpent: 0n,
        firstOrderAt: "2026-02-01T00:00:00.000Z", secondOrderAt: null,
        lastOrderAt: "2026-02-01T00:00:00.000Z",
      },
    ],
    [
      "unsorted input",
      [
        order("2026-01-05T00:00:00.000Z", 1n),
        order("2019-06-01T00:00:00.000Z", 10n),
        order("2026-03-20T00:00:00.000Z", 100n),
        order("2025-01-01T00:00:00.000Z", 1000n),
      ],
      {
        orderCount: 4,
        lifetimeSpent: 1111n,
        windowSpent: 101n,
        firstOrderAt: "2019-06-01T00:00:00.000Z", secondOrderAt: "2025-01-01T00:00:00.000Z",
        lastOrderAt: "2026-03-20T00:00:00.000Z",
      },
    ],
  ])("%s", (_name, orders, expected) => {
    expect(stats(orders)).toEqual(expected);
  });

  it.each([
    ["JPY", "jpy"],
    ["jpy", "JPY"],
  ])("matches currency %s against shop currency %s regardless of case", (currency, shopCurrency) => {
    const s = customerStats([order("2026-02-01T00:00:00Z", 500n, { currency })], { ...opts, shopCurrency });
    expect([s.lifetimeSpent, s.windowSpent]).toEqual([500n, 500n]);
  });

  it("with a 0-month window only counts orders exactly at now", () => {
    const orders = [order("2026-03-31T11:59:59.999Z", 1n), order("2026-03-31T12:00:00.000Z", 10n)];
    expect(customerStats(orders, { ...opts, windowMonths: 0 }).windowSpent).toBe(10n);
  });
});

describe("a VIP moves down as the window slides", () => {
  const tiers = defaultRankTiers("JPY");
  const orders = [order("2025-04-10T00:00:00.000Z", 60_000n), order("2025-09-01T00:00:00.000Z", 50_000n)];

  it.each<[string, bigint, string]>([
    ["2026-03-31T00:00:00.000Z", 110_000n, "vip"],
    ["2026-04-10T00:00:00.000Z", 110_000n, "vip"], // first order exactly at windowStart
    ["2026-04-10T00:00:00.001Z", 50_000n, "second"], // one millisecond later it has left
    ["2026-09-01T00:00:00.000Z", 50_000n, "second"],
    ["2026-09-01T00:00:00.001Z", 0n, "second"], // order count is lifetime: still a repeater
  ])("at %s: ¥%s in window → %s", (now, windowSpent, rank) => {
    const s = customerStats(orders, { now: d(now), windowMonths: 12, shopCurrency: "JPY" });
    expect(s.windowSpent).toBe(windowSpent);
    expect(s.orderCount).toBe(2);
    expect(rankFor(s, tiers)?.key).toBe(rank);
  });
});
