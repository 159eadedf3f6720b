/**
 * The dashboard's database aggregates against the pure reference and the hand-computed figures
 * (tests/unit/analytics-reference.test.ts): the small Tokyo shop of
 * tests/fixtures/analytics-dataset.ts is imported through the real bulk-import path (JSONL →
 * ingestion → customer stats and ranks), then the RFM refresh and the dashboard run on SQLite
 * and PostgreSQL.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "~/cli/tokui";
import { referenceDashboard, type AnalyticsDataset } from "~/domain/analytics/reference";
import type { DashboardParams } from "~/domain/analytics/types";
import { formatMinorUnits } from "~/domain/money";
import { DASHBOARD_QUERIES, loadDashboard } from "~/services/analytics/dashboard.server";
import { refreshRfm } from "~/services/analytics/refresh.server";
import { importOrdersJsonl } from "~/services/import-orders.server";
import { app } from "../helpers/app";
import { DATASET, ORDERS, PARAMS, SHOP } from "../fixtures/analytics-dataset";

/** The fixture's orders as Shopify's bulk-operation JSONL (an order line, then its line items). */
function bulkJsonl(): string[] {
  const lines: string[] = [];
  for (const o of ORDERS) {
    const money = (minor: bigint) => ({ shopMoney: { amount: formatMinorUnits(minor, o.currency), currencyCode: o.currency } });
    lines.push(
      JSON.stringify({
        id: o.gid,
        name: `#${1000 + o.n}`,
        createdAt: o.processedAt.toISOString(),
        processedAt: o.processedAt.toISOString(),
        updatedAt: new Date(o.processedAt.getTime() + 86_400_000).toISOString(),
        cancelledAt: o.cancelledAt?.toISOString() ?? null,
        currencyCode: o.currency,
        customer: o.customerId === null ? null : { id: `gid://shopify/Customer/${o.customerId}` },
        totalPriceSet: money(o.totalPrice),
        currentTotalPriceSet: money(o.currentTotal),
      }),
    );
    o.lines.forEach((line, i) => {
      lines.push(
        JSON.stringify({
          id: `gid://shopify/LineItem/${o.n * 100 + i}`,
          title: line.title,
          quantity: 1,
          sku: null,
          product: line.productGid === null ? null : { id: line.productGid },
          variant: null,
          originalUnitPriceSet: money(o.totalPrice),
          __parentId: o.gid,
        }),
      );
    });
  }
  return lines;
}

async function* each<T>(items: T[]) {
  for (const item of items) yield item;
}

/** What the database holds, as the reference's plain arrays. */
async function datasetFromDatabase(): Promise<AnalyticsDataset> {
  const { prisma } = await app();
  const [customers, orders, rankChanges, tiers] = await Promise.all([
    prisma.customer.findMany({ where: { shop: SHOP }, select: { id: true, rankKey: true } }),
    prisma.order.findMany({ where: { shop: SHOP }, orderBy: { id: "asc" }, include: { lines: { orderBy: { id: "asc" } } } }),
    prisma.rankChange.findMany({ where: { shop: SHOP } }),
    prisma.rankTier.findMany({ where: { shop: SHOP } }),
  ]);
  return {
    customers,
    orders: orders.map((o) => ({
      gid: o.gid,
      customerId: o.customerId,
      processedAt: o.processedAt,
      currency: o.currency,
      totalPrice: o.totalPrice,
      currentTotal: o.currentTotal,
      cancelledAt: o.cancelledAt,
      lines: o.lines.map((l) => ({ productGid: l.productGid, title: l.title })),
    })),
    rankChanges: rankChanges.map((r) => ({ fromRank: r.fromRank, toRank: r.toRank, createdAt: r.createdAt, reason: r.reason })),
    tiers: tiers.map((t) => ({ key: t.key, position: t.position, labelJa: t.labelJa, labelEn: t.labelEn })),
  };
}

const customerId = new Map<number, number>();

beforeAll(async () => {
  const { db, queue, prisma } = await app();
  await importOrdersJsonl(db, queue, { lines: each(bulkJsonl()) }, { shop: SHOP, now: () => PARAMS.now });
  await prisma.shop.update({ where: { shop: SHOP }, data: { ianaTimezone: "Asia/Tokyo" } });
  for (const c of await prisma.customer.findMany({ where: { shop: SHOP } })) {
    customerId.set(Number(c.gid.split("/").pop()), c.id);
  }
  // The import's own rank changes are all at `now`; the fixture's moves inside May are added as rows.
  await prisma.rankChange.createMany({
    data: DATASET.rankChanges.map((r, i) => ({
      shop: SHOP,
      customerId: customerId.get(1 + (i % 3))!,
      fromRank: r.fromRank,
      toRank: r.toRank,
      reason: "test",
      orderCount: 1,
      windowSpent: 0n,
      createdAt: r.createdAt,
    })),
  });
  // Scores left over on a customer who no longer has a counted order must be cleared.
  await prisma.customer.update({
    where: { id: customerId.get(4)! },
    data: { rfmRecency: 5, rfmFrequency: 5, rfmMonetary: 5, rfmSegment: "champions", rfmAsOf: PARAMS.from },
  });
  await refreshRfm(prisma, SHOP, PARAMS.now, { minBuyers: 1 });
});

describe("the ingested shop", () => {
  it("holds the customer stats the hand computation assumed, and the import queued a refresh", async () => {
    const { prisma, queue } = await app();
    expect((await queue.counts())["rfm-refresh:waiting"]).toBe(1);
    const c = await prisma.customer.findMany({ where: { shop: SHOP }, orderBy: { gid: "asc" } });
    expect(c.map((x) => [x.gid.split("/").pop(), x.orderCount, x.lifetimeSpent, x.rankKey])).toEqual([
      ["1", 3, 5500n, "regular"],
      ["2", 1, 4000n, "first"],
      ["3", 2, 2000n, "second"],
      ["4", 0, 0n, null],
      ["5", 2, 1000n, "second"],
    ]);
  });
});

describe("database aggregates", () => {
  const periods: [string, DashboardParams][] = [
    ["May 2026 (Tokyo)", PARAMS],
    // C1 bought before and after February and in it (found by the per-customer index seek)
    ["February 2026", { ...PARAMS, from: new Date("2026-01-31T15:00:00Z"), to: new Date("2026-02-28T15:00:00Z") }],
    // C1 bought before and after March but not in it: only the guest's order
    ["March 2026", { ...PARAMS, from: new Date("2026-02-28T15:00:00Z"), to: new Date("2026-03-31T15:00:00Z") }],
    // ends exactly at C1's second order: C1 had bought once by then, not a repeater yet
    ["January to C1's second order", { ...PARAMS, from: new Date("2025-12-31T15:00:00Z"), to: new Date("2026-02-09T00:00:00Z") }],
    ["all time", { ...PARAMS, from: new Date("2020-01-01T00:00:00Z"), to: new Date("2027-01-01T00:00:00Z") }],
    ["an empty period", { ...PARAMS, from: new Date("2021-01-01T00:00:00Z"), to: new Date("2021-02-01T00:00:00Z") }],
  ];

  it.each(periods)("equal the pure reference for %s", async (_, params) => {
    const { prisma } = await app();
    const fromSql = await loadDashboard(prisma, params);
    const reference = referenceDashboard(await datasetFromDatabase(), params, { minBuyers: 1 });
    expect(fromSql).toEqual(reference);
  });

  it("count a second order exactly at the period end as after it", async () => {
    const { prisma } = await app();
    const d = await loadDashboard(prisma, periods[3]![1]);
    expect(d.summary).toMatchObject({ customers: 1, newCustomers: 1, repeatRate: { num: 0, den: 1 } });
  });

  it("equal the hand-computed figures for May", async () => {
    const { prisma } = await app();
    const d = await loadDashboard(prisma, PARAMS);
    expect(d.summary).toEqual({
      customers: 4,
      newCustomers: 3,
      orders: 6,
      guestOrders: 1,
      foreignCurrencyOrders: 1,
      revenue: "9200",
      repeatRate: { num: 2, den: 4 },
      averageDaysBetweenOrders: "41.5",
      orderGaps: 4,
      averageLtv: "3125",
    });
    expect(d.f2.horizons[0]).toEqual({ days: 30, eligible: 2, converted: 1 });
    expect(d.f2.ever).toEqual({ eligible: 3, converted: 2 });
    expect(d.pareto.top20).toEqual({ customers: 1, share: { part: "5500", total: "12500", ratio: "0.4400" } });
    expect(d.funnel.map((s) => s.reached)).toEqual([4, 3, 1, 0, 0]);
    expect(d.ranks.moves).toEqual({ up: 3, down: 1, other: 1 });
    expect(d.cohorts.rows.find((r) => r.month === "2026-01")).toEqual({ month: "2026-01", customers: 1, retained: [1, 0, 0, 1, 0] });
    expect(d.cohorts.rows.find((r) => r.month === "2026-05")).toEqual({ month: "2026-05", customers: 3, retained: [1] });
    const segments = Object.fromEntries(d.rfm.segments.filter((s) => s.customers > 0).map((s) => [s.segment, s.revenue]));
    expect(segments).toEqual({ atRisk: "5500", lost: "4000", needAttention: "2000", potentialLoyalists: "1000" });
    expect(d.products.items.map((p) => [p.title, p.buyers, p.repeatBuyers])).toEqual([
      ["Cup", 1, 1],
      ["Tea (new label)", 4, 2],
      ["Sample", 1, 0],
    ]);
    expect(d.rfm).toMatchObject({ asOf: PARAMS.now.toISOString(), stale: false, scored: 4, unscored: 0 });
  });

  it("runs every query on its own (as the benchmark times them)", async () => {
    const { prisma } = await app();
    for (const [name, query] of Object.entries(DASHBOARD_QUERIES)) {
      await expect(query(prisma, PARAMS), name).resolves.toBeDefined();
    }
  });
});

describe("RFM refresh", () => {
  it("writes scores for customers with counted orders and clears the others", async () => {
    const { prisma } = await app();
    const rows = await prisma.customer.findMany({ where: { shop: SHOP }, orderBy: { gid: "asc" } });
    expect(rows.map((c) => [c.rfmRecency, c.rfmFrequency, c.rfmMonetary, c.rfmSegment, c.rfmAsOf?.toISOString() ?? null])).toEqual([
      [2, 4, 4, "atRisk", PARAMS.now.toISOString()],
      [1, 1, 3, "lost", PARAMS.now.toISOString()],
      [3, 2, 2, "needAttention", PARAMS.now.toISOString()],
      [null, null, null, null, null],
      [4, 2, 1, "potentialLoyalists", PARAMS.now.toISOString()],
    ]);
  });

  it("counts a customer who first ordered after the refresh as unscored", async () => {
    const { prisma } = await app();
    const later = await prisma.customer.create({
      data: { shop: SHOP, gid: "gid://shopify/Customer/99", orderCount: 1, lifetimeSpent: 700n, firstOrderAt: PARAMS.now, lastOrderAt: PARAMS.now },
    });
    try {
      const d = await loadDashboard(prisma, PARAMS);
      expect(d.rfm).toMatchObject({ scored: 4, unscored: 1 });
    } finally {
      await prisma.customer.delete({ where: { id: later.id } });
    }
  });

  it("is queued once by the dashboard when older than 24 hours, and the worker runs it", async () => {
    const { prisma, queue, handlers } = await app();
    // Shopify is not part of this test: rank syncs are dropped.
    const drain = () => queue.drain({ ...handlers, "rank-sync": async () => {} });
    await drain(); // the import's refresh
    await refreshRfm(prisma, SHOP, PARAMS.now, { minBuyers: 1 });
    expect((await queue.counts())["rfm-refresh:waiting"] ?? 0).toBe(0);
    const dayLater = { ...PARAMS, now: new Date(PARAMS.now.getTime() + 24 * 3_600_000 + 1) };
    const first = await loadDashboard(prisma, dayLater, { queue });
    await loadDashboard(prisma, dayLater, { queue });
    expect(first.rfm).toMatchObject({ asOf: PARAMS.now.toISOString(), stale: true });
    expect((await queue.counts())["rfm-refresh:waiting"]).toBe(1);

    const fresh = await loadDashboard(prisma, PARAMS, { queue });
    expect(fresh.rfm.stale).toBe(false);

    await drain();
    expect((await queue.counts())["rfm-refresh:waiting"] ?? 0).toBe(0);
    const after = await loadDashboard(prisma, dayLater);
    // refreshed at the worker's clock (now), so no longer stale as of `dayLater`
    expect(after.rfm.asOf).not.toBe(PARAMS.now.toISOString());
    // The refresh ran with the defaults (10 buyers at least): none of the three products has them.
    expect(after.products).toMatchObject({ minBuyers: 10, items: [] });
    await refreshRfm(prisma, SHOP, PARAMS.now, { minBuyers: 1 });
  });
});

describe("tokui rfm", () => {
  it("refreshes a shop from the command line and refuses an unknown one", async () => {
    let err = "";
    const io = { out: { write: () => true }, err: { write: (s: string) => (err += s) } };
    expect(await runCli(["rfm", "--shop", SHOP], io)).toBe(0);
    expect(err).toMatch(/scored 4 customers \(0 without orders cleared\); 12 cohort months, 0 products/);
    err = "";
    expect(await runCli(["rfm", "--shop", "nobody.myshopify.com"], io)).toBe(1);
    expect(err).toMatch(/no shop nobody\.myshopify\.com/);
    const { prisma } = await app();
    await refreshRfm(prisma, SHOP, PARAMS.now, { minBuyers: 1 });
  });
});
