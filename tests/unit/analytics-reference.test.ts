/**
 * The dashboard's definitions on datasets small enough to work out by hand. Each expected value
 * carries the arithmetic it comes from (tests/fixtures/analytics-dataset.ts describes the shop).
 */
import { describe, expect, it } from "vitest";
import {
  referenceCohorts,
  referenceDashboard,
  referenceProducts,
  referenceSummary,
  type AnalyticsDataset,
  type RefOrder,
} from "../../app/domain/analytics/reference";
import { buildReport } from "../../app/domain/report";
import { DATASET, PARAMS, PRODUCT, TIERS } from "../fixtures/analytics-dataset";

const dashboard = referenceDashboard(DATASET, PARAMS, { minBuyers: 1 });

describe("period summary (May 2026 in Tokyo)", () => {
  it.each([
    // o3 ¥2500 (refunded from 3000), o4, o6 (at the period start), o7, o9 (USD), o10 (guest);
    // not o5 (cancelled), o8 (fully refunded), o12 (at the period end), o13 (June)
    ["orders", 6],
    ["guestOrders", 1],
    ["foreignCurrencyOrders", 1],
    // 2500 + 4000 + 1500 + 500 + 700: the USD order adds nothing
    ["revenue", "9200"],
    // C1, C2, C3, C5 (C4's only order was refunded in full; guests are nobody)
    ["customers", 4],
    // first orders in May: C2, C3 (May 1 00:00 Tokyo = April 30 in UTC), C5
    ["newCustomers", 3],
    // second order before the period end: C1 (02-09), C3 (05-30); C5's second is in June
    ["repeatRate", { num: 2, den: 4 }],
    // C1 (05-10 − 01-10 = 120 days, 2 gaps), C3 (30 days, 1 gap), C5 (06-10 − 05-25 = 16 days, 1 gap): 166 / 4
    ["averageDaysBetweenOrders", "41.5"],
    ["orderGaps", 4],
    // lifetime spend (5500 + 4000 + 2000 + 1000) / 4
    ["averageLtv", "3125"],
  ] as const)("%s", (field, expected) => {
    expect(dashboard.summary[field]).toEqual(expected);
  });

  it("rounds the average LTV half up to minor units and the days to one decimal", () => {
    const data: AnalyticsDataset = {
      ...DATASET,
      customers: [{ id: 1, rankKey: null }, { id: 2, rankKey: null }],
      orders: [
        order(1, "2026-05-01T00:00:00Z", 1000n),
        order(1, "2026-05-02T12:00:00Z", 1000n), // 1.5 days after
        order(2, "2026-05-03T00:00:00Z", 1n),
      ],
    };
    const summary = referenceSummary(data, PARAMS);
    // (2000 + 1) / 2 = 1000.5 → 1001; 1.5 days → "1.5"
    expect(summary.averageLtv).toBe("1001");
    expect(summary.averageDaysBetweenOrders).toBe("1.5");
  });
});

describe("F2 conversion", () => {
  it("counts only first buyers who had the whole horizon", () => {
    // cohort: C2 (05-05), C3 (04-30T15), C5 (05-25); now 06-15T03.
    // 30 days: C2 and C3 had them (C5 only 21), C3's second order came exactly 30 days later.
    expect(dashboard.f2).toEqual({
      cohort: 3,
      horizons: [
        { days: 30, eligible: 2, converted: 1 },
        { days: 60, eligible: 0, converted: 0 },
        { days: 90, eligible: 0, converted: 0 },
        { days: 180, eligible: 0, converted: 0 },
      ],
      // C3 and C5 bought again (C5 after 16 days, though too recent for the 30-day figure)
      ever: { eligible: 3, converted: 2 },
    });
  });
});

describe("Pareto", () => {
  it("takes the top ceil(20 %) by lifetime spend, as tokui report does (which divides by the revenue: the same without guests)", () => {
    // lifetime: C1 5500, C2 4000, C3 2000, C5 1000 = 12500; top ceil(0.8) = 1 → 5500 / 12500
    expect(dashboard.pareto.customers).toBe(4);
    expect(dashboard.pareto.revenue).toBe("12500");
    expect(dashboard.pareto.top20).toEqual({ customers: 1, share: { part: "5500", total: "12500", ratio: "0.4400" } });
    const report = buildReport({
      currency: "JPY",
      orders: 0,
      revenue: 12_500n,
      customers: [5500n, 4000n, 2000n, 1000n].map((spent) => ({ orderCount: 1, spent, rankKey: null })),
    });
    expect(Number(dashboard.pareto.top20.share.ratio)).toBe(report.paretoTop20Share);
  });

  it("has one point per percent, each at the top ceil(p × n / 100) customers", () => {
    const points = dashboard.pareto.points;
    expect(points).toHaveLength(101);
    const at = (percent: number) => points.find((p) => p.percent === percent);
    expect(at(0)).toEqual({ percent: 0, customers: 0, revenue: "0", ratio: "0.0000" });
    expect(at(25)).toEqual({ percent: 25, customers: 1, revenue: "5500", ratio: "0.4400" });
    expect(at(26)).toEqual({ percent: 26, customers: 2, revenue: "9500", ratio: "0.7600" });
    expect(at(51)).toEqual({ percent: 51, customers: 3, revenue: "11500", ratio: "0.9200" });
    expect(at(100)).toEqual({ percent: 100, customers: 4, revenue: "12500", ratio: "1.0000" });
  });

  it("gives the same top-20 % share whichever of the tied customers at the boundary is taken", () => {
    // 10 customers: three tied at 100, seven at 50; top ceil(2) = two of the three tied: 200 / 650
    const spends = [50n, 100n, 50n, 50n, 100n, 50n, 50n, 100n, 50n, 50n];
    const data: AnalyticsDataset = {
      ...DATASET,
      rankChanges: [],
      customers: spends.map((_, i) => ({ id: i + 1, rankKey: null })),
      orders: spends.map((spent, i) => order(i + 1, "2026-05-02T00:00:00Z", spent)),
    };
    expect(referenceDashboard(data, PARAMS).pareto.top20).toEqual({
      customers: 2,
      share: { part: "200", total: "650", ratio: "0.3077" },
    });
  });
});

describe("ranks", () => {
  it("counts customers with counted orders per current rank, tiers without customers included", () => {
    // C2 first; C3, C5 second; C1 regular; C4 has no counted order
    expect(dashboard.ranks.distribution).toEqual([
      { key: "first", position: 1, labelJa: "初回", labelEn: "First purchase", customers: 1 },
      { key: "second", position: 2, labelJa: "2回目", labelEn: "Second purchase", customers: 2 },
      { key: "regular", position: 3, labelJa: "常連", labelEn: "Regular", customers: 1 },
      { key: "vip", position: 4, labelJa: "VIP", labelEn: "VIP", customers: 0 },
    ]);
  });

  it("classifies the period's rank changes by tier position (no rank = 0)", () => {
    // in May: none→first ×2, first→second (up); first→none (down); regular→gold (deleted tier: other)
    expect(dashboard.ranks.moves).toEqual({ up: 3, down: 1, other: 1 });
    expect(dashboard.ranks.transitions).toEqual([
      { from: null, to: "first", count: 2, direction: "up" },
      { from: "first", to: null, count: 1, direction: "down" },
      { from: "first", to: "second", count: 1, direction: "up" },
      { from: "regular", to: "gold", count: 1, direction: "other" },
    ]);
  });

  it("lists customers without a rank as 'none' first and a deleted tier's customers last", () => {
    const data: AnalyticsDataset = {
      ...DATASET,
      customers: [
        { id: 1, rankKey: null },
        { id: 2, rankKey: "gold" },
        { id: 3, rankKey: "first" },
      ],
    };
    const keys = referenceDashboard(data, PARAMS).ranks.distribution.map((b) => [b.key, b.position, b.customers]);
    expect(keys).toEqual([
      ["none", 0, 1],
      ["first", 1, 1],
      ["second", 2, 0],
      ["regular", 3, 0],
      ["vip", 4, 0],
      ["gold", null, 1],
    ]);
  });
});

describe("order-count funnel", () => {
  it("shows who reached each step and where they stopped", () => {
    // lifetime counted orders: C1 3, C2 1, C3 2, C5 2
    expect(dashboard.funnel).toEqual([
      { orders: 1, reached: 4, stopped: 1, fromPrevious: { num: 4, den: 4 }, dropOff: 0 },
      { orders: 2, reached: 3, stopped: 2, fromPrevious: { num: 3, den: 4 }, dropOff: 1 },
      { orders: 3, reached: 1, stopped: 1, fromPrevious: { num: 1, den: 3 }, dropOff: 2 },
      { orders: 4, reached: 0, stopped: 0, fromPrevious: { num: 0, den: 1 }, dropOff: 1 },
      { orders: 5, reached: 0, stopped: 0, fromPrevious: { num: 0, den: 0 }, dropOff: 0 },
    ]);
  });

  it("puts 5 or more orders in the last step", () => {
    const data: AnalyticsDataset = {
      ...DATASET,
      customers: [{ id: 1, rankKey: null }],
      orders: Array.from({ length: 7 }, (_, i) => order(1, `2026-05-0${i + 1}T00:00:00Z`, 100n)),
    };
    const funnel = referenceDashboard(data, PARAMS).funnel;
    expect(funnel.map((s) => [s.reached, s.stopped])).toEqual([[1, 0], [1, 0], [1, 0], [1, 0], [1, 1]]);
  });
});

describe("cohort retention by first-purchase month (Tokyo calendar)", () => {
  it("has 12 months ending with the month of now, and counts later orders by month", () => {
    const rows = dashboard.cohorts.rows;
    expect(rows.map((r) => r.month)).toEqual([
      "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12",
      "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06",
    ]);
    // months after the cohort month up to June: 11 for July 2025, none for June 2026
    expect(rows[0]).toEqual({ month: "2025-07", customers: 0, retained: Array(11).fill(0) });
    // C1: ordered again in February (+1) and May (+4)
    expect(rows[6]).toEqual({ month: "2026-01", customers: 1, retained: [1, 0, 0, 1, 0] });
    // C3 starts on May 1 in Tokyo (April 30 in UTC), so April is empty; C5 ordered again in June
    expect(rows[9]).toEqual({ month: "2026-04", customers: 0, retained: [0, 0] });
    expect(rows[10]).toEqual({ month: "2026-05", customers: 3, retained: [1] });
    expect(rows[11]).toEqual({ month: "2026-06", customers: 0, retained: [] });
  });

  it("would put the same customers in other months in UTC", () => {
    const utc = referenceCohorts(DATASET, { ...PARAMS, timeZone: "UTC" }).rows;
    expect(utc.find((r) => r.month === "2026-04")).toEqual({ month: "2026-04", customers: 1, retained: [1, 0] });
    expect(utc.find((r) => r.month === "2026-05")).toEqual({ month: "2026-05", customers: 2, retained: [1] });
  });
});

describe("RFM", () => {
  it("scores quintiles among customers with counted orders and names the segments", () => {
    // R by last order: C2 05-05 < C1 05-10 < C3 05-30 < C5 06-10 → 1, 2, 3, 4 (1 + ⌊5·below/4⌋)
    // F: C2 1 → 1; C3, C5 2 (one below) → 2; C1 3 (three below) → 4
    // C1 R2 F4 at risk; C2 R1 F1 lost; C3 R3 F2 need attention; C5 R4 F2 potential loyalist
    const segments = Object.fromEntries(dashboard.rfm.segments.filter((s) => s.customers > 0).map((s) => [s.segment, [s.customers, s.revenue]]));
    expect(segments).toEqual({
      atRisk: [1, "5500"],
      lost: [1, "4000"],
      needAttention: [1, "2000"],
      potentialLoyalists: [1, "1000"],
    });
    expect(dashboard.rfm.segments).toHaveLength(10);
    expect(dashboard.rfm.grid).toEqual([
      { recency: 1, frequency: 1, customers: 1 },
      { recency: 2, frequency: 4, customers: 1 },
      { recency: 3, frequency: 2, customers: 1 },
      { recency: 4, frequency: 2, customers: 1 },
    ]);
    expect(dashboard.rfm.scored).toBe(4);
  });
});

describe("top products by repeat rate", () => {
  it("counts buyers in counted orders and those who bought in two different orders", () => {
    // Cup: C1 in o2 and o3 (1 of 1); Tea: C1 (o1, o2 — two lines in o2 are one order) and C3
    // (o6, o7) of C1, C2 (o5 cancelled), C3, C5 (2 of 4); Sample: C5 only (o8 was refunded)
    expect(referenceProducts(DATASET, 1)).toEqual([
      { productGid: PRODUCT.cup, title: "Cup", buyers: 1, repeatBuyers: 1 },
      // the title on the line stored last (o10, a guest's; o12's Cup line is a guest's too)
      { productGid: PRODUCT.tea, title: "Tea (new label)", buyers: 4, repeatBuyers: 2 },
      { productGid: PRODUCT.sample, title: "Sample", buyers: 1, repeatBuyers: 0 },
    ]);
  });

  it("leaves out products with fewer buyers than the minimum", () => {
    expect(referenceProducts(DATASET, 2).map((p) => p.productGid)).toEqual([PRODUCT.tea]);
  });
});

describe("edge cases", () => {
  it("an empty shop has zeros, no averages and no curve", () => {
    const empty = referenceDashboard({ customers: [], orders: [], rankChanges: [], tiers: TIERS }, PARAMS);
    expect(empty.summary).toEqual({
      customers: 0,
      newCustomers: 0,
      orders: 0,
      guestOrders: 0,
      foreignCurrencyOrders: 0,
      revenue: "0",
      repeatRate: { num: 0, den: 0 },
      averageDaysBetweenOrders: null,
      orderGaps: 0,
      averageLtv: null,
    });
    expect(empty.f2.cohort).toBe(0);
    expect(empty.pareto).toEqual({ customers: 0, revenue: "0", top20: { customers: 0, share: { part: "0", total: "0", ratio: "0.0000" } }, points: [] });
    expect(empty.funnel.every((s) => s.reached === 0 && s.fromPrevious.den === 0)).toBe(true);
    expect(empty.cohorts.rows.every((r) => r.customers === 0)).toBe(true);
    expect(empty.rfm.segments.every((s) => s.customers === 0 && s.revenue === "0")).toBe(true);
    expect(empty.products.items).toEqual([]);
    expect(empty.ranks.distribution.map((b) => b.customers)).toEqual([0, 0, 0, 0]);
  });

  it("one customer with one order", () => {
    const one = referenceDashboard(
      { customers: [{ id: 7, rankKey: "first" }], orders: [order(7, "2026-05-10T00:00:00Z", 1980n)], rankChanges: [], tiers: TIERS },
      PARAMS,
    );
    expect(one.summary).toMatchObject({ customers: 1, newCustomers: 1, orders: 1, revenue: "1980", repeatRate: { num: 0, den: 1 }, averageLtv: "1980" });
    expect(one.f2).toMatchObject({ cohort: 1, horizons: [{ days: 30, eligible: 1, converted: 0 }, { days: 60, eligible: 0 }, { days: 90, eligible: 0 }, { days: 180, eligible: 0 }] });
    expect(one.pareto.top20).toEqual({ customers: 1, share: { part: "1980", total: "1980", ratio: "1.0000" } });
    // alone, every score is the lowest: 1 + ⌊5·0/1⌋
    expect(one.rfm.grid).toEqual([{ recency: 1, frequency: 1, customers: 1 }]);
  });

  it("the history import's baseline ranks are not rank moves", () => {
    const imported = referenceDashboard(
      {
        customers: [{ id: 7, rankKey: "first" }],
        orders: [order(7, "2026-05-10T00:00:00Z", 1980n)],
        rankChanges: [
          { fromRank: null, toRank: "first", createdAt: new Date("2026-05-20T00:00:00Z"), reason: "history import" },
          { fromRank: "first", toRank: "second", createdAt: new Date("2026-05-21T00:00:00Z"), reason: "order #1002 (orders/create)" },
        ],
        tiers: TIERS,
      },
      PARAMS,
    );
    expect(imported.ranks.transitions).toEqual([{ from: "first", to: "second", count: 1, direction: "up" }]);
    expect(imported.ranks.moves).toEqual({ up: 1, down: 0, other: 0 });
  });

  it("only guests: orders and revenue, no customers", () => {
    const guests = referenceDashboard(
      { customers: [], orders: [order(null, "2026-05-10T00:00:00Z", 500n), order(null, "2026-05-11T00:00:00Z", 700n)], rankChanges: [], tiers: TIERS },
      PARAMS,
    );
    expect(guests.summary).toMatchObject({ orders: 2, guestOrders: 2, revenue: "1200", customers: 0, averageLtv: null });
    expect(guests.pareto.customers).toBe(0);
  });
});

function order(customerId: number | null, at: string, total: bigint): RefOrder {
  return {
    gid: `gid://shopify/Order/${at}-${customerId}-${total}`,
    customerId,
    processedAt: new Date(at),
    currency: "JPY",
    totalPrice: total,
    currentTotal: total,
    cancelledAt: null,
    lines: [],
  };
}
