/**
 * The milestone reward's holdout group (ADR 0011, reward holdout), end to end: the merchant sets
 * a share on the Rewards page, customers reach their 5th order through real signed webhooks,
 * the held-out ones get a "held" grant and nothing else (no code, no discount in the fake
 * Shopify, nothing on the thank-you page), the others get their coupon, and the Campaign
 * results page compares the two groups. A milestone without a share set holds out 10% by the
 * same hash; a share of 0% rewards everyone.
 */
import { createHash } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setupServer } from "msw/node";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { action as thankYouAction } from "~/routes/api.post-purchase";
import { action as ordersCreate } from "~/routes/webhooks.orders.create";
import { action as ordersCancelled } from "~/routes/webhooks.orders.cancelled";
import { action as rewardsAction, loader as rewardsLoader } from "~/routes/app.rewards";
import { loader as resultsLoader } from "~/routes/app.campaign-results";
import { adminJsonPost, adminPageRequest, tokenExchange } from "../helpers/admin-request";
import { app } from "../helpers/app";
import { orderPayload } from "../helpers/payloads";
import { postPurchaseRequest, sessionToken as extensionToken } from "../helpers/post-purchase";
import { TEST_SHOP, webhookRequest } from "../helpers/shopify";
import { adminApiMock } from "../mocks/admin-api";

const ACCESS_TOKEN = "shpat_reward_holdout_0123456789abcdef";
const DAY = 86_400_000;
const shopify = adminApiMock();
const exchange = tokenExchange(() => ACCESS_TOKEN);
const server = setupServer(...shopify.handlers, exchange.handler);

beforeAll(() => {
  server.listen({ onUnhandledRequest: "error" });
  setAbstractFetchFunc(globalThis.fetch);
});
afterAll(() => server.close());

beforeEach(async () => {
  const { db, prisma } = await app();
  for (const table of ["rewardGrant", "campaign", "orderLine", "order", "refund", "rankChange", "customer", "rankTier", "shop", "webhookEvent", "job", "session"] as const) {
    await (prisma[table] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  if (db.kind === "postgresql") await prisma.$executeRawUnsafe("DELETE FROM pgboss.job");
  shopify.reset();
  exchange.reset();
  await prisma.session.create({
    data: { id: `offline_${TEST_SHOP}`, shop: TEST_SHOP, state: "", isOnline: false, accessToken: ACCESS_TOKEN, scope: "read_orders,write_orders,read_customers,write_customers,write_discounts" },
  });
  shopify.install(TEST_SHOP, ACCESS_TOKEN);
});

afterEach(() => {
  expect(shopify.violations).toEqual([]);
  expect(exchange.refusals).toEqual([]);
});

type Args = { request: Request; params: Record<string, string>; context: Record<string, unknown> };
type Handler = (args: Args) => Promise<Response>;
const call = (handler: Handler, request: Request) => handler({ request, params: {}, context: {} });

async function load<T>(loader: Handler, path: string, locale = "en"): Promise<T> {
  const response = await call(loader, adminPageRequest(path, TEST_SHOP, { locale }));
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

type RewardRow = Record<string, string>;
type RewardsPage = { rows: RewardRow[]; grants: { rows: { status: string; code: string | null }[] }; counts: { byStatus: Record<string, number> } };

async function saveRewards(patch: (row: RewardRow) => RewardRow) {
  const page = await load<RewardsPage>(rewardsLoader, "/app/rewards");
  const rows = page.rows.map((r) => (r.key === "order-5" ? patch(r) : r));
  const response = await call(rewardsAction, adminJsonPost("/app/rewards", TEST_SHOP, { intent: "save", rows }));
  return { status: response.status, body: (await response.json()) as { ok: boolean; errors?: Record<string, { en: string; ja: string }> } };
}

/**
 * Held out at a share iff the first 4 bytes of SHA-256("reward:order-5\n" + GID) as an unsigned
 * integer, times 100, is below share × 2^32 — computed here with node:crypto, independently of
 * the app's own SHA-256.
 */
const heldAt = (gid: string, percent: number) =>
  parseInt(createHash("sha256").update(`reward:order-5\n${gid}`).digest("hex").slice(0, 8), 16) * 100 < percent * 2 ** 32;
const gidOf = (id: number) => `gid://shopify/Customer/${id}`;

/** The first three customer ids held out at `percent` (default 50%) and the first three not. */
function pickCustomers(percent = 50): { held: number[]; treated: number[] } {
  const held: number[] = [];
  const treated: number[] = [];
  for (let id = 8_100_000_001; held.length < 3 || treated.length < 3; id++) {
    const group = heldAt(gidOf(id), percent) ? held : treated;
    if (group.length < 3) group.push(id);
  }
  return { held, treated };
}

const orderId = (customer: number, n: number) => (customer % 100_000) * 100 + n;

async function deliver(customer: number, n: number, at: Date, total = "3000") {
  const body = orderPayload({ id: orderId(customer, n), customerId: customer, total, createdAt: at.toISOString() });
  expect((await call(ordersCreate, webhookRequest({ topic: "orders/create", body }))).status).toBe(200);
}

/** Orders 1–4 in October, then the 5th (the milestone) at `fifthAt`. */
async function reachFifthOrder(customers: number[], fifthAt: (customer: number) => Date = () => new Date(Date.now() - 60_000)) {
  for (const c of customers) {
    for (let n = 1; n <= 4; n++) await deliver(c, n, new Date(`2026-10-0${n}T01:00:00Z`));
    await deliver(c, 5, fifthAt(c));
  }
  await (await app()).drain();
}

async function thankYouRewards(customer: number): Promise<unknown[]> {
  const response = await thankYouAction({
    request: postPurchaseRequest({ orderId: `gid://shopify/OrderIdentity/${orderId(customer, 5)}`, locale: "ja" }, extensionToken({ customer: gidOf(customer) })),
    params: {},
    context: {},
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { rewards: unknown[] }).rewards;
}

describe("reward holdout", () => {
  it("the Rewards page saves the share and window per milestone (full-width digits too) and refuses bad values with ja/en messages, writing nothing", async () => {
    const { prisma } = await app();
    const bad = await saveRewards((r) => ({ ...r, holdoutPercent: "60", attributionDays: "0" }));
    expect(bad.status).toBe(422);
    expect(bad.body.errors?.["milestones[0].holdoutPercent"]).toEqual({ en: "Enter a whole percent from 0 to 50.", ja: "0〜50の整数（%）で入力してください。" });
    expect(bad.body.errors?.["milestones[0].attributionDays"]?.en).toBe("Enter a whole number of days from 1 to 90.");
    expect(await prisma.campaign.count()).toBe(0);

    // Leaving the defaults (10%, 14 days) makes no row: no row = the default 10%.
    expect((await saveRewards((r) => r)).status).toBe(200);
    expect(await prisma.campaign.count()).toBe(0);

    expect((await saveRewards((r) => ({ ...r, holdoutPercent: "２０％", attributionDays: "30" }))).status).toBe(200);
    expect(await prisma.campaign.findMany({ select: { key: true, kind: true, enabled: true, holdoutPercent: true, attributionDays: true } })).toEqual([
      { key: "reward:order-5", kind: "reward", enabled: true, holdoutPercent: 20, attributionDays: 30 },
    ]);
    const page = await load<RewardsPage>(rewardsLoader, "/app/rewards");
    expect(page.rows.map((r) => [r.key, r.holdoutPercent, r.attributionDays])).toEqual([
      ["order-5", "20", "30"],
      ["order-10", "10", "14"],
    ]);
    // Back to 0: the row stays (its results remain), at 0%.
    expect((await saveRewards((r) => ({ ...r, holdoutPercent: "0" }))).status).toBe(200);
    expect(await prisma.campaign.findFirst({ select: { holdoutPercent: true } })).toEqual({ holdoutPercent: 0 });
  });

  it("with a 50% holdout, held-out customers get a held grant and nothing else; the others get their coupon", async () => {
    const { held, treated } = pickCustomers();
    expect((await saveRewards((r) => ({ ...r, holdoutPercent: "50" }))).status).toBe(200);
    await reachFifthOrder([...held, ...treated]);
    const { prisma } = await app();

    const grants = await prisma.rewardGrant.findMany({ include: { customer: { select: { gid: true } } } });
    const byGid = new Map(grants.map((g) => [g.customer.gid, g]));
    expect(grants).toHaveLength(6);
    for (const c of held) {
      expect(byGid.get(gidOf(c))).toMatchObject({ milestoneKey: "order-5", activeSlot: "order-5", status: "held", code: null, expiresAt: null, discountGid: null });
      expect(await thankYouRewards(c)).toEqual([]);
    }
    const discounts = shopify.discounts(TEST_SHOP);
    expect(discounts).toHaveLength(3);
    expect(discounts.map((d) => (d.input as { context: { customers: { add: string[] } } }).context.customers.add[0]).sort()).toEqual(treated.map(gidOf).sort());
    for (const c of treated) {
      const grant = byGid.get(gidOf(c))!;
      expect(grant.status).toBe("issued");
      expect(grant.code).toMatch(/^TOKUI-5TH-/);
      expect(await thankYouRewards(c)).toEqual([expect.objectContaining({ kind: "discount", code: grant.code })]);
    }
    // No reward job was ever queued for a held grant (only the three coupons).
    expect(shopify.succeeded("RewardDiscountCreate")).toHaveLength(3);

    // Cancelling a held-out customer's earning order takes nothing back (there is nothing) and
    // keeps the grant: held[0] falls to 4 orders and reaches 5 again with the 6th below.
    const fifth = orderPayload({ id: orderId(held[0]!, 5), customerId: held[0]!, total: "3000", createdAt: new Date(Date.now() - 60_000).toISOString() });
    const cancelledAt = new Date().toISOString();
    const cancelled = { ...fifth, cancelled_at: cancelledAt, updated_at: cancelledAt, cancel_reason: "customer" };
    expect((await call(ordersCancelled, webhookRequest({ topic: "orders/cancelled", body: cancelled }))).status).toBe(200);
    await (await app()).drain();
    expect(await prisma.rewardGrant.findFirst({ where: { customer: { gid: gidOf(held[0]!) } }, select: { status: true, activeSlot: true } })).toEqual({
      status: "held",
      activeSlot: "order-5",
    });
    expect(shopify.succeeded("RewardDiscountByCode")).toHaveLength(0);

    // The milestone stays taken: a 6th order grants nothing more to anyone.
    for (const c of [...held, ...treated]) await deliver(c, 6, new Date(Date.now() - 30_000));
    await (await app()).drain();
    expect(await prisma.rewardGrant.count()).toBe(6);

    // The Rewards page lists held grants under their own status.
    const page = await load<RewardsPage>(rewardsLoader, "/app/rewards");
    expect(page.counts.byStatus).toMatchObject({ held: 3, issued: 3 });
  });

  it("a milestone without a campaign row holds out 10% by the hash, and the results page measures it at the defaults", async () => {
    const { held, treated } = pickCustomers(10);
    // Not held at 10% but held at 50%: the default is 10%, not some other share.
    expect(treated.filter((c) => heldAt(gidOf(c), 50)).length).toBeGreaterThan(0);
    await reachFifthOrder([...held, ...treated]);
    const { prisma } = await app();
    expect(await prisma.campaign.count()).toBe(0);
    const grants = await prisma.rewardGrant.findMany({ select: { status: true, code: true, customer: { select: { gid: true } } } });
    const statusOf = new Map(grants.map((g) => [g.customer.gid, g.status]));
    expect(held.map((c) => statusOf.get(gidOf(c)))).toEqual(["held", "held", "held"]);
    expect(treated.map((c) => statusOf.get(gidOf(c)))).toEqual(["issued", "issued", "issued"]);
    for (const c of held) expect(await thankYouRewards(c)).toEqual([]);
    expect(shopify.discounts(TEST_SHOP)).toHaveLength(3);

    type Group = { customers: number };
    type Page = { campaigns: { key: string; enabled: boolean; holdoutPercent: number; attributionDays: number; overall: { treated: Group; holdout: Group } }[] };
    const page = await load<Page>(resultsLoader, "/app/campaign-results");
    // Listed without a row, at 10% and 14 days, counting every grant.
    expect(page.campaigns.map((c) => c.key)).toEqual(["reward:order-5"]);
    expect(page.campaigns[0]).toMatchObject({ enabled: true, holdoutPercent: 10, attributionDays: 14 });
    expect(page.campaigns[0]!.overall.treated.customers).toBe(3);
    expect(page.campaigns[0]!.overall.holdout.customers).toBe(3);
  });

  it("a 0% share rewards everyone, even the customers the default 10% would hold out", async () => {
    const { held } = pickCustomers(10);
    expect((await saveRewards((r) => ({ ...r, holdoutPercent: "0" }))).status).toBe(200);
    const { prisma } = await app();
    expect(await prisma.campaign.findMany({ select: { key: true, holdoutPercent: true } })).toEqual([{ key: "reward:order-5", holdoutPercent: 0 }]);
    await reachFifthOrder(held);
    expect((await prisma.rewardGrant.findMany({ select: { status: true } })).map((g) => g.status)).toEqual(["issued", "issued", "issued"]);
    expect(shopify.discounts(TEST_SHOP)).toHaveLength(3);
  });

  it("the Campaign results page compares treated and held-out customers by hand-computed numbers", async () => {
    const { held, treated } = pickCustomers();
    expect((await saveRewards((r) => ({ ...r, holdoutPercent: "50", attributionDays: "14" }))).status).toBe(200);
    const now = Date.now();
    // treated[2]'s earning order is dated an hour after the grant: inside the window, but the
    // order that earned the reward never counts as a return.
    await reachFifthOrder([...held, ...treated], (c) => new Date(c === treated[2] ? now + 3_600_000 : now - 60_000));
    // Treated: [0] returns after 1 day (¥4,000); [1] after 20 days (outside 14); [2] never.
    // Holdout: [0] returns after 2 days (¥2,000) and again after 3 days (¥500); [1], [2] never.
    await deliver(treated[0]!, 6, new Date(now + 1 * DAY), "4000");
    await deliver(treated[1]!, 6, new Date(now + 20 * DAY), "9000");
    await deliver(held[0]!, 6, new Date(now + 2 * DAY), "2000");
    await deliver(held[0]!, 7, new Date(now + 3 * DAY), "500");
    await (await app()).drain();

    type Group = { customers: number; converted: number; conversionRate: number | null; revenuePerCustomer: string | null };
    type Page = {
      campaigns: {
        key: string;
        label: string;
        holdoutPercent: number;
        attributionDays: number;
        steps: unknown[];
        overall: { treated: Group; holdout: Group; conversion: { uplift: number | null; verdict: { kind: string; reasons: string[] } }; revenue: { uplift: string | null; verdict: { kind: string } } };
      }[];
    };
    const page = await load<Page>(resultsLoader, "/app/campaign-results");
    const reward = page.campaigns.find((c) => c.key === "reward:order-5")!;
    expect(reward).toMatchObject({ label: "5th-order reward", holdoutPercent: 50, attributionDays: 14, steps: [] });
    // Treated: 1 of 3 converted, ¥4,000 / 3 = ¥1,333.33 → 1333. Holdout: 1 of 3, ¥2,500 / 3 → 833.
    expect(reward.overall.treated).toEqual({ customers: 3, converted: 1, conversionRate: 1 / 3, revenue: "4000", revenuePerCustomer: "1333" });
    expect(reward.overall.holdout).toEqual({ customers: 3, converted: 1, conversionRate: 1 / 3, revenue: "2500", revenuePerCustomer: "833" });
    expect(reward.overall.conversion.uplift).toBe(0);
    // (4000·3 − 2500·3) / 9 = 500.
    expect(reward.overall.revenue.uplift).toBe("500");
    expect(reward.overall.conversion.verdict.kind).toBe("not-conclusive");
    expect(reward.overall.conversion.verdict.reasons[0]).toBe("Too few customers in a group so far.");
  });
});
