import { describe, expect, it } from "vitest";
import { buildReport, type ReportCustomer } from "~/domain/report";

const customer = (orderCount: number, spent = 0n, rankKey: string | null = null): ReportCustomer => ({
  orderCount,
  spent,
  rankKey,
});
const withCounts = (...counts: number[]) => counts.map((n) => customer(n));
const withSpends = (...spends: bigint[]) => spends.map((s) => customer(1, s));
const report = (customers: ReportCustomer[], currency = "JPY", revenue = 0n, orders = 0) =>
  buildReport({ currency, orders, revenue, customers });

describe("buildReport", () => {
  it("reports an empty shop as zeros", () => {
    expect(report([])).toEqual({
      currency: "JPY",
      customers: 0,
      orders: 0,
      revenue: "0",
      repeatRate: 0,
      paretoTop20Share: 0,
      orderCountDistribution: { "1": 0, "2": 0, "3": 0, "4": 0, "5-9": 0, "10+": 0 },
      rankDistribution: {},
    });
  });

  it.each<[string, bigint, number, string]>([
    ["JPY", 1_234_567n, 12, "1234567"],
    ["USD", 123_456n, 3, "1234.56"],
    ["USD", 5n, 1, "0.05"],
    ["BHD", 1_234n, 1, "1.234"],
  ])("formats %s revenue %s and passes %i orders through", (currency, revenue, orders, text) => {
    const r = report([], currency, revenue, orders);
    expect([r.currency, r.revenue, r.orders]).toEqual([currency, text, orders]);
  });

  it.each<[string, number[], number, number]>([
    ["nobody", [], 0, 0],
    ["only customers without counted orders", [0, 0], 0, 0],
    ["only one-time buyers", [1, 1, 1], 3, 0],
    ["half repeat", [1, 2], 2, 0.5],
    ["one in three", [1, 1, 2], 3, 0.3333],
    ["two in three rounds up", [2, 2, 1], 3, 0.6667],
    ["customers without orders are left out", [0, 1, 3], 2, 0.5],
    ["all repeat", [2, 10, 5], 3, 1],
    ["1/32 = 0.03125 rounds half up", [2, ...Array<number>(31).fill(1)], 32, 0.0313],
  ])("repeat rate, %s", (_name, counts, customers, repeatRate) => {
    const r = report(withCounts(...counts));
    expect([r.customers, r.repeatRate]).toEqual([customers, repeatRate]);
  });

  it.each<[string, ReportCustomer[], number]>([
    ["no customers", [], 0],
    ["no revenue", withSpends(0n, 0n, 0n), 0],
    ["one customer has it all", withSpends(0n, 0n, 100n, 0n, 0n), 1],
    ["a single customer", withSpends(42n), 1],
    ["evenly spread over 10 (top 2)", withSpends(...Array<bigint>(10).fill(10n)), 0.2],
    ["6 customers → top ceil(1.2) = 2", withSpends(2n, 50n, 3n, 30n, 10n, 5n), 0.8],
    ["5 customers → top 1", withSpends(10n, 20n, 30n, 40n, 100n), 0.5],
    ["3 equal customers → top 1", withSpends(1n, 1n, 1n), 0.3333],
    [
      "customers without counted orders are left out",
      [customer(0, 1_000n), customer(1, 60n), customer(1, 40n)],
      0.6,
    ],
    ["amounts beyond float precision", withSpends(10n ** 30n + 1n, 10n ** 30n, 10n ** 30n, 10n ** 30n, 10n ** 30n), 0.2],
    ["rounds half up: 1/32", withSpends(1n, 31n, 0n), 0.9688],
  ])("Pareto top-20%% share, %s", (_name, customers, share) => {
    // The revenue of these shops is their customers' spend: no guest orders.
    const revenue = customers.filter((c) => c.orderCount >= 1).reduce((sum, c) => sum + c.spent, 0n);
    expect(report(customers, "JPY", revenue).paretoTop20Share).toBe(share);
  });

  it("divides the top customers' spend by the whole revenue, guest orders included", () => {
    // Top ceil(20% of 2) = 1 customer: 60 of 60 + 40 + 100 from guest checkouts.
    expect(report(withSpends(60n, 40n), "JPY", 200n).paretoTop20Share).toBe(0.3);
  });

  it.each<[number[], Record<string, number>]>([
    [[], { "1": 0, "2": 0, "3": 0, "4": 0, "5-9": 0, "10+": 0 }],
    [[0, 0], { "1": 0, "2": 0, "3": 0, "4": 0, "5-9": 0, "10+": 0 }],
    [[1, 1, 2, 3, 4], { "1": 2, "2": 1, "3": 1, "4": 1, "5-9": 0, "10+": 0 }],
    [[4, 5, 9, 10], { "1": 0, "2": 0, "3": 0, "4": 1, "5-9": 2, "10+": 1 }],
    [[9, 10, 11, 250], { "1": 0, "2": 0, "3": 0, "4": 0, "5-9": 1, "10+": 3 }],
  ])("order-count distribution of %j", (counts, distribution) => {
    expect(report(withCounts(...counts)).orderCountDistribution).toEqual(distribution);
  });

  it.each<[string, ReportCustomer[], Record<string, number>]>([
    ["nobody", [], {}],
    [
      "ranked customers only",
      [customer(1, 0n, "first"), customer(1, 0n, "first"), customer(12, 0n, "vip")],
      { first: 2, vip: 1 },
    ],
    [
      "unranked customers under none",
      [customer(1, 0n, "first"), customer(3, 0n, null), customer(2, 0n, null)],
      { first: 1, none: 2 },
    ],
    ["customers without counted orders are left out", [customer(0, 0n, null), customer(0, 0n, "vip")], {}],
    ["a key that is also an Object property", [customer(1, 0n, "constructor")], { constructor: 1 }],
  ])("rank distribution, %s", (_name, customers, distribution) => {
    expect(report(customers).rankDistribution).toEqual(distribution);
  });

  it("puts it together", () => {
    const r = buildReport({
      currency: "USD",
      orders: 9,
      revenue: 50_000n,
      customers: [
        customer(1, 5_000n, "first"),
        customer(2, 10_000n, "second"),
        customer(5, 30_000n, "regular"),
        customer(1, 5_000n, null),
        customer(0, 0n, null),
      ],
    });
    expect(r).toEqual({
      currency: "USD",
      customers: 4,
      orders: 9,
      revenue: "500.00",
      repeatRate: 0.5,
      paretoTop20Share: 0.6, // top ceil(0.8) = 1 customer: 30,000 of 50,000
      orderCountDistribution: { "1": 2, "2": 1, "3": 0, "4": 0, "5-9": 1, "10+": 0 },
      rankDistribution: { first: 1, second: 1, regular: 1, none: 1 },
    });
  });
});
