/**
 * POST /api/post-purchase — what the thank-you and order status extensions call — through the
 * real route module: session tokens signed like Shopify's, CORS, the order fetched from the
 * (fake, schema-validated) Admin API when its webhook is late, and the race between the page
 * and the webhooks: one order counted, one coupon created.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setupServer } from "msw/node";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { action, loader } from "~/routes/api.post-purchase";
import { action as ordersCreate } from "~/routes/webhooks.orders.create";
import { action as ordersCancelled } from "~/routes/webhooks.orders.cancelled";
import { app, customerByGid } from "../helpers/app";
import { rewardEveryone } from "../helpers/rewards";
import { orderPayload } from "../helpers/payloads";
import { adminOrderFrom, postPurchaseRequest, sessionToken } from "../helpers/post-purchase";
import { TEST_SHOP, webhookRequest } from "../helpers/shopify";
import { adminApiMock } from "../mocks/admin-api";

const ACCESS_TOKEN = "shpat_post_purchase_0123456789abcdef";
const HANAKO_ID = 7409876543210;
const HANAKO = `gid://shopify/Customer/${HANAKO_ID}`;
const OTHER_SHOP = "someone-else.myshopify.com";

const shopify = adminApiMock();
const server = setupServer(...shopify.handlers);

beforeAll(() => {
  server.listen({ onUnhandledRequest: "error" });
  setAbstractFetchFunc(globalThis.fetch);
});
afterAll(() => server.close());

beforeEach(async () => {
  const { db, prisma } = await app();
  for (const table of ["rewardGrant", "orderLine", "order", "refund", "rankChange", "customer", "rankTier", "shop", "webhookEvent", "job", "session"] as const) {
    await (prisma[table] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  if (db.kind === "postgresql") await prisma.$executeRawUnsafe("DELETE FROM pgboss.job");
  shopify.reset();
  for (const shop of [TEST_SHOP, OTHER_SHOP]) {
    await prisma.session.create({
      data: { id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken: ACCESS_TOKEN, scope: "read_orders,write_orders,read_customers,write_customers,write_discounts" },
    });
    shopify.install(shop, ACCESS_TOKEN);
    // These tests are about rewards being issued: nobody is held out (ADR 0011, reward holdout).
    await rewardEveryone(shop);
  }
});

afterEach(() => {
  expect(shopify.violations).toEqual([]);
});

const call = (request: Request) => (request.method === "POST" ? action : loader)({ request, params: {}, context: {} });
const thankYou = (orderId: number, token = sessionToken({ customer: HANAKO }), locale = "ja") =>
  call(postPurchaseRequest({ orderId: `gid://shopify/OrderIdentity/${orderId}`, locale }, token));
const orderStatus = (orderId: number, token = sessionToken({ customer: HANAKO }), locale = "en") =>
  call(postPurchaseRequest({ orderId: `gid://shopify/Order/${orderId}`, locale }, token));

/** `n` orders of Hanako, placed a day apart, delivered by webhook and processed. */
async function pastOrders(n: number) {
  for (let i = 1; i <= n; i++) {
    const body = orderPayload({ id: 5000 + i, customerId: HANAKO_ID, total: "3000", createdAt: `2026-10-${String(i).padStart(2, "0")}T10:00:00+09:00` });
    expect((await ordersCreate({ request: webhookRequest({ topic: "orders/create", body }), params: {}, context: {} })).status).toBe(200);
  }
  await (await app()).drain();
}

const recent = () => new Date(Date.now() - 60_000).toISOString();

describe("authentication and CORS", () => {
  it("answers the browser's preflight with CORS headers", async () => {
    const response = await call(postPurchaseRequest(null, null, "OPTIONS"));
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(response.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain("authorization");
  });

  it.each([
    ["no token", null],
    ["an expired token", sessionToken({ customer: HANAKO, expiresIn: -120 })],
    ["a token signed with another secret", sessionToken({ customer: HANAKO, secret: "not-our-secret" })],
  ])("refuses %s with 401, CORS headers included, and touches nothing", async (_label, token) => {
    const response = await thankYou(5001, token as string | undefined);
    expect(response.status).toBe(401);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(shopify.calls).toHaveLength(0);
  });

  it("answers 400 to a body without a valid order id", async () => {
    const response = await call(postPurchaseRequest({ orderId: "12345", locale: "ja" }, sessionToken({ customer: HANAKO })));
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("orderId");
  });
});

describe("the view", () => {
  it("greets a known customer by rank, with this order counted, on both surfaces", async () => {
    await pastOrders(2);
    const callsBefore = shopify.calls.length; // (the rank syncs of the past orders)
    const ja = await thankYou(5002);
    expect(ja.status).toBe(200);
    const view = await ja.json();
    expect(view.rank).toEqual({ key: "second", label: "2回目" });
    expect(view.message).toContain("花子様");
    expect(view.progress.text).toBe("あと1回のご購入で常連");
    const en = await (await orderStatus(5002)).json();
    expect(en.progress.text).toBe("1 more order to Regular");
    expect(shopify.calls).toHaveLength(callsBefore); // the order was known: no Admin API call
  });

  it("404s an order of another customer and an order of another shop", async () => {
    await pastOrders(1);
    expect((await thankYou(5001, sessionToken({ customer: "gid://shopify/Customer/999" }))).status).toBe(404);
    // The other shop's Admin API has no such order.
    expect((await thankYou(5001, sessionToken({ shop: OTHER_SHOP, customer: HANAKO }))).status).toBe(404);
    expect(shopify.succeeded("OrderForPostPurchase")).toHaveLength(1);
  });

  it("gives a guest checkout the first-purchase greeting, and keeps an older customer order from a token without a customer", async () => {
    const guest = orderPayload({ id: 7001, customerId: null, total: "2000", createdAt: recent() });
    shopify.seedOrder(TEST_SHOP, adminOrderFrom(guest));
    const response = await thankYou(7001, sessionToken());
    expect(response.status).toBe(200);
    const view = await response.json();
    expect(view.rank).toBeNull();
    expect(view.message).toContain("お選びいただきありがとうございます");
    await pastOrders(1); // Hanako's order of 2026-10-01
    expect((await thankYou(5001, sessionToken())).status).toBe(404);
    // A just-placed order of a known customer, read with a token without a customer (checked out
    // without logging in): greeted by rank, never by name.
    const justNow = orderPayload({ id: 7002, customerId: HANAKO_ID, total: "2000", createdAt: recent() });
    shopify.seedOrder(TEST_SHOP, adminOrderFrom(justNow));
    const anonymous = await (await thankYou(7002, sessionToken())).json();
    expect(anonymous.rank.key).toBe("second");
    expect(anonymous.message).not.toContain("花子");
    const named = await (await thankYou(7002)).json();
    expect(named.message).toContain("花子様");
  });
});

describe("the thank-you page racing the webhook", () => {
  it("counts the 5th order once and creates one coupon, whichever comes first", async () => {
    await pastOrders(4);
    const fifth = orderPayload({ id: 5005, customerId: HANAKO_ID, total: "3000", createdAt: recent() });
    shopify.seedOrder(TEST_SHOP, adminOrderFrom(fifth));

    // 1. The page asks before the webhook: the order is fetched and ingested.
    const first = await thankYou(5005);
    expect(first.status).toBe(200);
    const view = await first.json();
    expect(view.rank.key).toBe("regular");
    expect(view.rewards).toHaveLength(1);
    expect(view.rewards[0]).toMatchObject({ kind: "discount", valueText: "10%OFF" });
    const code = view.rewards[0].code as string;
    expect(code).toMatch(/^TOKUI-5TH-[2-9A-Z]{4}-[2-9A-Z]{4}$/);

    // 2. The webhook, then a duplicate delivery of it, then the page again (a reload).
    const deliver = (eventId: string) => ordersCreate({ request: webhookRequest({ topic: "orders/create", body: fifth, eventId }), params: {}, context: {} });
    expect((await deliver("evt-5005")).status).toBe(200);
    expect((await deliver("evt-5005")).status).toBe(200);
    const { prisma, drain } = await app();
    await drain();
    const again = await (await thankYou(5005)).json();
    expect(again.rewards.map((r: { code: string }) => r.code)).toEqual([code]);

    expect(await customerByGid(HANAKO)).toMatchObject({ orderCount: 5, lifetimeSpent: 15000n, rankKey: "regular" });
    expect(await prisma.order.count({ where: { gid: "gid://shopify/Order/5005" } })).toBe(1);
    expect(await prisma.rewardGrant.count()).toBe(1);
    expect(shopify.succeeded("OrderForPostPurchase")).toHaveLength(1);

    // 3. The reward job told Shopify once: a single-use code for Hanako only, until the expiry shown.
    const discounts = shopify.discounts(TEST_SHOP);
    expect(discounts.map((d) => d.code)).toEqual([code]);
    expect(discounts[0]!.input).toMatchObject({
      code,
      usageLimit: 1,
      appliesOncePerCustomer: true,
      context: { customers: { add: [HANAKO] } },
      customerGets: { value: { percentage: 0.1 }, items: { all: true } },
      endsAt: view.rewards[0].expiresAt,
    });
    expect(await prisma.rewardGrant.findFirst({ select: { status: true, discountGid: true } })).toEqual({ status: "issued", discountGid: discounts[0]!.id });
  });

  it("takes an unused coupon back when its order is cancelled and the customer falls below the milestone", async () => {
    await pastOrders(4);
    const fifth = orderPayload({ id: 5005, customerId: HANAKO_ID, total: "3000", createdAt: recent() });
    expect((await ordersCreate({ request: webhookRequest({ topic: "orders/create", body: fifth }), params: {}, context: {} })).status).toBe(200);
    const { prisma, drain } = await app();
    await drain();
    expect(shopify.discounts(TEST_SHOP)).toHaveLength(1);

    const cancelled = { ...fifth, cancelled_at: new Date().toISOString(), updated_at: new Date().toISOString() };
    expect((await ordersCancelled({ request: webhookRequest({ topic: "orders/cancelled", body: cancelled }), params: {}, context: {} })).status).toBe(200);
    await drain();
    expect(await prisma.rewardGrant.findFirst({ select: { status: true, activeSlot: true } })).toEqual({ status: "revoked", activeSlot: null });
    expect(shopify.discounts(TEST_SHOP)[0]!.active).toBe(false);
  });
});

describe("rewards after the page", () => {
  it("marks the coupon redeemed when a later order uses it", async () => {
    await pastOrders(4);
    const fifth = orderPayload({ id: 5005, customerId: HANAKO_ID, total: "3000", createdAt: recent() });
    shopify.seedOrder(TEST_SHOP, adminOrderFrom(fifth));
    const { code } = (await (await thankYou(5005)).json()).rewards[0];
    const sixth = { ...orderPayload({ id: 5006, customerId: HANAKO_ID, total: "2700", createdAt: recent() }), discount_codes: [{ code, amount: "300", type: "percentage" }] };
    expect((await ordersCreate({ request: webhookRequest({ topic: "orders/create", body: sixth }), params: {}, context: {} })).status).toBe(200);
    const { prisma, drain } = await app();
    await drain();
    expect(await prisma.rewardGrant.findFirst({ select: { status: true, redeemedAt: true } })).toMatchObject({ status: "redeemed", redeemedAt: expect.any(Date) });
  });

  it("tags the 10th order for a free sample and adds the packer's note once", async () => {
    await pastOrders(9);
    const tenth = orderPayload({ id: 5010, customerId: HANAKO_ID, total: "3000", createdAt: recent() });
    shopify.seedOrder(TEST_SHOP, { ...adminOrderFrom(tenth), note: "ギフト包装希望" });
    const view = await (await thankYou(5010)).json();
    expect(view.rank.key).toBe("vip");
    expect(view.rewards).toEqual([expect.objectContaining({ kind: "freeSample" })]);
    const { drain, prisma } = await app();
    await drain();
    await drain(); // a second run of anything left changes nothing
    const order = shopify.order(TEST_SHOP, "gid://shopify/Order/5010")!;
    expect(order.tags).toEqual(["tokui-sample"]);
    expect(order.note).toBe("ギフト包装希望\n10回目のご購入記念：無料サンプルを同梱してください。");
    expect(await prisma.rewardGrant.findMany({ orderBy: { id: "asc" }, select: { kind: true, status: true } })).toEqual([
      { kind: "discount", status: "issued" }, // the 5th order's coupon
      { kind: "freeSample", status: "issued" },
    ]);
  });
});

describe("concurrent deliveries", () => {
  it("grants the 5th-order coupon once when the 5th and 6th orders are processed at the same time", async () => {
    await pastOrders(4);
    const { prisma, db, queue, drain } = await app();
    for (const id of [5005, 5006]) {
      const body = orderPayload({ id, customerId: HANAKO_ID, total: "3000", createdAt: recent() });
      expect((await ordersCreate({ request: webhookRequest({ topic: "orders/create", body }), params: {}, context: {} })).status).toBe(200);
    }
    const events = await prisma.webhookEvent.findMany({ where: { status: "pending" }, select: { id: true } });
    expect(events).toHaveLength(2);
    const { processWebhookEvent } = await import("~/services/process-webhook.server");
    // Two workers at once (on PostgreSQL: two connections and transactions).
    await Promise.all(events.map((e) => processWebhookEvent(db.prisma, queue, e.id)));
    expect(await customerByGid(HANAKO)).toMatchObject({ orderCount: 6 });
    expect(await prisma.rewardGrant.findMany({ select: { milestoneKey: true } })).toEqual([{ milestoneKey: "order-5" }]);
    await drain();
    expect(shopify.discounts(TEST_SHOP)).toHaveLength(1);
  });
});

describe("load shedding", () => {
  it("tells the page to ask again (202) while too many late orders are being fetched, and never fetches one twice", async () => {
    const { postPurchase } = await import("~/services/post-purchase.server");
    const { adminOrderSnapshot } = await import("~/shopify/bulk-import");
    const context = await app();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const fetched: string[] = [];
    const slowFetch = async (_shop: string, gid: string) => {
      fetched.push(gid);
      await gate; // Shopify answering slowly
      const id = Number(gid.split("/").pop());
      return adminOrderSnapshot(adminOrderFrom(orderPayload({ id, customerId: HANAKO_ID, total: "3000", createdAt: recent() })));
    };
    const ask = (id: number) =>
      postPurchase(context, { shop: TEST_SHOP, orderGid: `gid://shopify/Order/${id}`, customerGid: HANAKO, locale: "ja" }, slowFetch, new Date(), {
        maxLateOrderFetches: 2,
      });
    const first = ask(8001);
    const second = ask(8002);
    await new Promise((r) => setTimeout(r, 20)); // both are waiting on Shopify
    expect(await ask(8003)).toEqual({ status: 202 });
    release();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect((await ask(8003)).status).toBe(200); // room again
    expect(fetched).toEqual(["gid://shopify/Order/8001", "gid://shopify/Order/8002", "gid://shopify/Order/8003"]);
  });
});

describe("rate limit", () => {
  it("answers 429 with Retry-After once a shop exceeds its burst", async () => {
    await pastOrders(1);
    // 160 at once against a burst of 100 (TOKUI_POST_PURCHASE_BURST) refilled at 50/s.
    const responses = await Promise.all(Array.from({ length: 160 }, () => thankYou(5001)));
    expect(responses.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(100);
    const limited = responses.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(Number(limited[0]!.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(limited[0]!.headers.get("Access-Control-Allow-Origin")).toBe("*");
  });
});
