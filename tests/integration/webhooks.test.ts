/**
 * Signed webhook deliveries through the real route modules into a real database (SQLite, and
 * PostgreSQL when TEST_DATABASE_URL is set), then the real worker.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { ActionFunctionArgs } from "@remix-run/node";
import { action as ordersCreate } from "~/routes/webhooks.orders.create";
import { action as ordersUpdated } from "~/routes/webhooks.orders.updated";
import { action as ordersCancelled } from "~/routes/webhooks.orders.cancelled";
import { action as ordersPaid } from "~/routes/webhooks.orders.paid";
import { action as refundsCreate } from "~/routes/webhooks.refunds.create";
import { action as appUninstalled } from "~/routes/webhooks.app.uninstalled";
import { action as customersRedact } from "~/routes/webhooks.customers.redact";
import { action as customersDataRequest } from "~/routes/webhooks.customers.data_request";
import { action as shopRedact } from "~/routes/webhooks.shop.redact";
import { action as shopUpdate } from "~/routes/webhooks.shop.update";
import { action as consentUpdate } from "~/routes/webhooks.customers.email_marketing_consent_update";
import { processWebhookEvent } from "~/services/process-webhook.server";
import { Prisma } from "@tokui/prisma-sqlite";
import { app, customerByGid } from "../helpers/app";
import { orderPayload, presentmentRefundPayload, refundPayload, fixture } from "../helpers/payloads";
import { TEST_SHOP, webhookRequest, type WebhookRequestOptions } from "../helpers/shopify";
import { enableParsedOrderHandoff, parsedOrderCount, resetParsedOrders } from "~/services/parsed-orders.server";

type Action = (args: ActionFunctionArgs) => Promise<Response>;
const send = (route: Action, options: WebhookRequestOptions) =>
  route({ request: webhookRequest(options), params: {}, context: {} });

const HANAKO = "gid://shopify/Customer/7409876543210";

async function resetShopData() {
  const { prisma } = await app();
  for (const table of ["orderLine", "order", "refund", "rankChange", "customer", "rankTier", "shop", "webhookEvent", "job", "session"] as const) {
    await (prisma[table] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
}

beforeEach(resetShopData);

describe("authenticity", () => {
  it.each([
    ["a forged signature", "c2lnbmVkIGJ5IHNvbWVib2R5IGVsc2U="],
    ["no signature at all", null],
  ])("answers 401 to %s and writes nothing", async (_case, hmac) => {
    const response = await send(ordersCreate, { topic: "orders/create", body: orderPayload({ id: 1001, total: "5000" }), hmac });
    expect(response.status).toBe(401);
    const { prisma } = await app();
    expect(await prisma.webhookEvent.count()).toBe(0);
    expect(await prisma.order.count()).toBe(0);
  });

  it("rejects a body signed with another app's secret", async () => {
    const body = JSON.stringify(orderPayload({ id: 1001, total: "5000" }));
    const { createHmac } = await import("node:crypto");
    const hmac = createHmac("sha256", "someone-elses-secret").update(body).digest("base64");
    expect((await send(ordersCreate, { topic: "orders/create", body, hmac })).status).toBe(401);
  });

  it.each([
    ["customers/redact", customersRedact, fixture("customers-redact.json")],
    ["customers/data_request", customersDataRequest, fixture("customers-data-request.json")],
    ["shop/redact", shopRedact, fixture("shop-redact.json")],
  ])("compliance topic %s answers 401 to a bad HMAC", async (topic, route, body) => {
    expect((await send(route as Action, { topic, body, hmac: "bm9wZQ==" })).status).toBe(401);
  });

  it.each([
    ["customers/redact", customersRedact, fixture("customers-redact.json")],
    ["customers/data_request", customersDataRequest, fixture("customers-data-request.json")],
    ["shop/redact", shopRedact, fixture("shop-redact.json")],
  ])("compliance topic %s refuses (400) a correctly signed body naming another shop than the header, writing nothing", async (topic, route, body) => {
    const { drain, prisma } = await app();
    await send(ordersCreate, { topic: "orders/create", body: orderPayload({ id: 9901, total: "3000", email: "hanako@example.jp" }) });
    await drain();
    // A body Shopify signed for tokui-dev.myshopify.com, replayed under TEST_SHOP's header (the header is not signed).
    expect(body.shop_domain).not.toBe(TEST_SHOP);
    const response = await send(route as Action, { topic, body });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/shop_domain tokui-dev\.myshopify\.com is not the X-Shopify-Shop-Domain tokui-test\.myshopify\.com/);
    await drain();
    expect(await prisma.webhookEvent.count({ where: { topic } })).toBe(0);
    expect(await prisma.order.count({ where: { shop: TEST_SHOP } })).toBe(1);
    expect(await customerByGid(HANAKO)).toMatchObject({ email: "hanako@example.jp", redactedAt: null });
  });

  it("the worker fails, without applying it, a stored shop/redact whose body names another shop (stored before the check)", async () => {
    const { drain, prisma, queue } = await app();
    await send(ordersCreate, { topic: "orders/create", body: orderPayload({ id: 9902, total: "3000" }) });
    await drain();
    const event = await prisma.webhookEvent.create({ data: { shop: TEST_SHOP, eventId: "old-replay", topic: "shop/redact", payload: JSON.stringify(fixture("shop-redact.json")) } });
    await expect(processWebhookEvent(prisma, queue, event.id)).rejects.toThrow(/shop_domain tokui-dev\.myshopify\.com is not the event's shop/);
    expect(await prisma.webhookEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ status: "failed" });
    expect(await prisma.order.count({ where: { shop: TEST_SHOP } })).toBe(1);
  });
});

describe("orders", () => {
  it("acknowledges at once, then ranks the customer once the worker ran", async () => {
    const response = await send(ordersCreate, {
      topic: "orders/create",
      body: orderPayload({ id: 1001, total: "5160", firstName: "花子" }),
    });
    expect(response.status).toBe(200);
    const { prisma, drain } = await app();
    // Stored durably before the acknowledgement; processed after it.
    expect(await prisma.webhookEvent.findFirst({ select: { status: true, topic: true } })).toEqual({
      status: "pending",
      topic: "orders/create",
    });
    expect(await prisma.order.count()).toBe(0);

    await drain();
    const customer = await customerByGid(HANAKO);
    expect(customer).toMatchObject({ orderCount: 1, lifetimeSpent: 5160n, rankKey: "first", firstName: "花子" });
    const order = await prisma.order.findFirstOrThrow({ include: { lines: true } });
    expect(order).toMatchObject({ gid: "gid://shopify/Order/1001", totalPrice: 5160n, currentTotal: 5160n, currency: "JPY" });
    expect(order.lines).toHaveLength(1);
    expect(order.lines[0]).toMatchObject({ gid: "gid://shopify/LineItem/10010", quantity: 1, unitPrice: 5160n });
    expect(await prisma.rankChange.findMany({ select: { fromRank: true, toRank: true, reason: true } })).toEqual([
      { fromRank: null, toRank: "first", reason: "order #1001 (orders/create)" },
    ]);
    expect(await prisma.webhookEvent.findFirst({ select: { status: true } })).toEqual({ status: "processed" });
  });

  it("acknowledges a duplicate delivery (same event id) and changes nothing", async () => {
    const body = orderPayload({ id: 1001, total: "5160" });
    const first = await send(ordersCreate, { topic: "orders/create", body, eventId: "evt-1" });
    const again = await send(ordersCreate, { topic: "orders/create", body, eventId: "evt-1" });
    expect([first.status, again.status]).toEqual([200, 200]);
    const { prisma, drain } = await app();
    expect(await prisma.webhookEvent.count()).toBe(1);
    await drain();
    expect(await customerByGid(HANAKO)).toMatchObject({ orderCount: 1, lifetimeSpent: 5160n });
    expect(await prisma.rankChange.count()).toBe(1);
  });

  it("counts one order once even when Shopify sends create, paid and updated for it", async () => {
    await send(ordersCreate, { topic: "orders/create", body: orderPayload({ id: 1001, total: "5160" }) });
    await send(ordersPaid, { topic: "orders/paid", body: orderPayload({ id: 1001, total: "5160", updatedAt: "2026-11-01T10:00:05+09:00" }) });
    await send(ordersUpdated, { topic: "orders/updated", body: orderPayload({ id: 1001, total: "5160", updatedAt: "2026-11-01T10:00:09+09:00" }) });
    const { drain, prisma } = await app();
    await drain();
    expect(await customerByGid(HANAKO)).toMatchObject({ orderCount: 1, lifetimeSpent: 5160n });
    expect(await prisma.order.count()).toBe(1);
  });

  it("never lets an older snapshot overwrite a newer one (orders/updated before orders/create)", async () => {
    const created = orderPayload({ id: 1001, total: "5160", updatedAt: "2026-11-01T10:00:00+09:00" });
    const edited = orderPayload({ id: 1001, total: "5160", currentTotal: "3000", updatedAt: "2026-11-02T09:00:00+09:00" });
    await send(ordersUpdated, { topic: "orders/updated", body: edited });
    const { drain, prisma } = await app();
    await drain();
    await send(ordersCreate, { topic: "orders/create", body: created });
    await drain();
    expect(await prisma.order.findFirstOrThrow()).toMatchObject({ currentTotal: 3000n, sourceUpdatedAt: new Date("2026-11-02T00:00:00Z") });
    expect(await customerByGid(HANAKO)).toMatchObject({ orderCount: 1, lifetimeSpent: 3000n });
    const events = await prisma.webhookEvent.findMany({ orderBy: { id: "asc" }, select: { topic: true, error: true } });
    expect(events[1]).toEqual({ topic: "orders/create", error: "not newer than the stored snapshot: ignored" });
  });

  it("climbs the ranks order by order: first, second, regular … VIP at the 10th", async () => {
    const { drain } = await app();
    const ranks: (string | null)[] = [];
    for (let n = 1; n <= 10; n++) {
      await send(ordersCreate, {
        topic: "orders/create",
        body: orderPayload({ id: 2000 + n, total: "3000", createdAt: `2026-10-${String(n + 10).padStart(2, "0")}T12:00:00+09:00` }),
      });
      await drain();
      ranks.push((await customerByGid(HANAKO))!.rankKey);
    }
    expect(ranks).toEqual(["first", "second", "regular", "regular", "regular", "regular", "regular", "regular", "regular", "vip"]);
  });

  it("makes a customer VIP by spend over the last 12 months (¥100,000)", async () => {
    await send(ordersCreate, { topic: "orders/create", body: orderPayload({ id: 3001, total: "100000" }) });
    const { drain } = await app();
    await drain();
    expect(await customerByGid(HANAKO)).toMatchObject({ orderCount: 1, windowSpent: 100000n, rankKey: "vip" });
  });

  it("stores a guest checkout without ranking anybody", async () => {
    await send(ordersCreate, { topic: "orders/create", body: orderPayload({ id: 4001, customerId: null, total: "2500" }) });
    const { drain, prisma } = await app();
    await drain();
    expect(await prisma.order.findFirstOrThrow()).toMatchObject({ customerId: null, totalPrice: 2500n });
    expect(await prisma.customer.count()).toBe(0);
    expect(await prisma.rankChange.count()).toBe(0);
  });

  it("ranks by shop money: an order presented in USD to a JPY shop counts its yen amount", async () => {
    const presentedInUsd = orderPayload({ id: 5001, total: "15000" });
    presentedInUsd.presentment_currency = "USD";
    presentedInUsd.total_price_set = { shop_money: { amount: "15000", currency_code: "JPY" }, presentment_money: { amount: "99.50", currency_code: "USD" } };
    await send(ordersCreate, { topic: "orders/create", body: presentedInUsd });
    const { drain } = await app();
    await drain();
    expect(await customerByGid(HANAKO)).toMatchObject({ orderCount: 1, lifetimeSpent: 15000n });
  });

  it("keeps a USD shop's amounts in cents, from Shopify's USD sample", async () => {
    const body = fixture("orders-paid-usd.json");
    await send(ordersPaid, { topic: "orders/paid", body, shop: "usd-shop.myshopify.com" });
    const { drain, prisma } = await app();
    await drain();
    const shop = await prisma.shop.findUniqueOrThrow({ where: { shop: "usd-shop.myshopify.com" } });
    expect(shop.currency).toBe("USD");
    const order = await prisma.order.findFirstOrThrow({ where: { shop: "usd-shop.myshopify.com" } });
    expect(order.currency).toBe("USD");
    expect(order.totalPrice).toBe(3745n); // shop_money "37.45" USD; presentment was 50.80 CAD
    // VIP by spend is $1,000.00 in a USD shop (a setting per shop).
    const vip = await prisma.rankTier.findFirstOrThrow({ where: { shop: "usd-shop.myshopify.com", key: "vip" } });
    expect(vip.minWindowSpent).toBe(100000n);
  });
});

describe("cancellations and refunds lower totals and ranks", () => {
  it("a cancellation takes the order out of the count and can lower the rank", async () => {
    const { drain, prisma } = await app();
    await send(ordersCreate, { topic: "orders/create", body: orderPayload({ id: 6001, total: "3000" }) });
    await send(ordersCreate, { topic: "orders/create", body: orderPayload({ id: 6002, total: "3000", createdAt: "2026-11-02T10:00:00+09:00" }) });
    await drain();
    expect(await customerByGid(HANAKO)).toMatchObject({ orderCount: 2, rankKey: "second" });
    await send(ordersCancelled, {
      topic: "orders/cancelled",
      body: orderPayload({ id: 6002, total: "3000", currentTotal: "0", createdAt: "2026-11-02T10:00:00+09:00", updatedAt: "2026-11-03T10:00:00+09:00", cancelledAt: "2026-11-03T10:00:00+09:00" }),
    });
    await drain();
    expect(await customerByGid(HANAKO)).toMatchObject({ orderCount: 1, lifetimeSpent: 3000n, rankKey: "first" });
    const moves = await prisma.rankChange.findMany({ orderBy: { id: "asc" }, select: { fromRank: true, toRank: true } });
    expect(moves.at(-1)).toEqual({ fromRank: "second", toRank: "first" });
  });

  it("a refund lowers the spend and takes away a VIP rank earned by spend", async () => {
    const { drain } = await app();
    await send(ordersCreate, { topic: "orders/create", body: orderPayload({ id: 7001, total: "120000", updatedAt: "2026-11-01T10:00:00+09:00" }) });
    await drain();
    expect(await customerByGid(HANAKO)).toMatchObject({ rankKey: "vip", windowSpent: 120000n });
    await send(refundsCreate, { topic: "refunds/create", body: refundPayload({ id: 9001, orderId: 7001, amount: "30000", createdAt: "2026-11-05T10:00:00+09:00" }) });
    await drain();
    expect(await customerByGid(HANAKO)).toMatchObject({ rankKey: "first", windowSpent: 90000n, lifetimeSpent: 90000n });
  });

  it("counts a refund once whether orders/updated arrives before or after refunds/create", async () => {
    const { drain, prisma } = await app();
    await send(ordersCreate, { topic: "orders/create", body: orderPayload({ id: 7101, total: "10000", updatedAt: "2026-11-01T10:00:00+09:00" }) });
    await drain();
    // Shopify's snapshot after the refund already shows the lower current total …
    await send(ordersUpdated, {
      topic: "orders/updated",
      body: orderPayload({ id: 7101, total: "10000", currentTotal: "7000", updatedAt: "2026-11-05T10:00:01+09:00" }),
    });
    await drain();
    // … and the refund webhook arrives late: it must not be subtracted a second time.
    await send(refundsCreate, { topic: "refunds/create", body: refundPayload({ id: 9101, orderId: 7101, amount: "3000", createdAt: "2026-11-05T10:00:00+09:00" }) });
    await drain();
    expect(await prisma.order.findFirstOrThrow()).toMatchObject({ currentTotal: 7000n });
    expect(await customerByGid(HANAKO)).toMatchObject({ lifetimeSpent: 7000n });
  });

  it("applies a refund that arrives before its order", async () => {
    const { drain, prisma } = await app();
    await send(refundsCreate, { topic: "refunds/create", body: refundPayload({ id: 9201, orderId: 7201, amount: "2000", createdAt: "2026-11-05T10:00:00+09:00" }) });
    await drain();
    await send(ordersCreate, { topic: "orders/create", body: orderPayload({ id: 7201, total: "10000", updatedAt: "2026-11-01T10:00:00+09:00" }) });
    await drain();
    expect(await prisma.order.findFirstOrThrow()).toMatchObject({ currentTotal: 8000n });
    expect(await customerByGid(HANAKO)).toMatchObject({ lifetimeSpent: 8000n });
  });
});

describe("refunds of multi-currency orders and refunds without a currency", () => {
  /** ¥120,000 presented to the buyer as $800.00: VIP by spend. */
  async function usdOrderOfJpyShop(id: number, total: string, presented: string) {
    const body = orderPayload({ id, total, updatedAt: "2026-11-01T10:00:00+09:00" });
    body.presentment_currency = "USD";
    for (const field of ["total_price_set", "current_total_price_set"]) {
      body[field] = { shop_money: { amount: total, currency_code: "JPY" }, presentment_money: { amount: presented, currency_code: "USD" } };
    }
    await send(ordersCreate, { topic: "orders/create", body });
    await (await app()).drain();
  }

  it("records a refund paid back in USD by its yen amount and lowers the totals and the rank", async () => {
    await usdOrderOfJpyShop(7301, "120000", "800.00");
    expect(await customerByGid(HANAKO)).toMatchObject({ rankKey: "vip", lifetimeSpent: 120000n });
    // Tax-inclusive yen prices (Japan): the subtotal already holds the tax Shopify splits out.
    const body = presentmentRefundPayload({
      id: 9301, orderId: 7301, createdAt: "2026-11-05T10:00:00+09:00",
      shopCurrency: "JPY", shopSubtotal: "33000", shopTax: "3000",
      presentmentCurrency: "USD", presentmentSubtotal: "220.00", presentmentTax: "20.00",
      transactionAmount: "220.00",
    });
    const response = await send(refundsCreate, { topic: "refunds/create", body });
    expect(response.status).toBe(200);
    const { drain, prisma } = await app();
    await drain();
    expect(await prisma.refund.findFirstOrThrow({ select: { amount: true, currency: true } })).toEqual({ amount: 33000n, currency: "JPY" });
    expect(await prisma.order.findFirstOrThrow()).toMatchObject({ currentTotal: 87000n });
    expect(await customerByGid(HANAKO)).toMatchObject({ rankKey: "first", lifetimeSpent: 87000n, windowSpent: 87000n });
    expect(await prisma.webhookEvent.findFirstOrThrow({ where: { topic: "refunds/create" }, select: { status: true, error: true } })).toEqual({ status: "processed", error: null });
  });

  it("reads a transaction without currency (and no other hint) in the shop's currency", async () => {
    const { drain, prisma } = await app();
    await send(ordersCreate, { topic: "orders/create", body: orderPayload({ id: 7401, total: "10000", updatedAt: "2026-11-01T10:00:00+09:00" }) });
    await drain();
    const body: Record<string, unknown> = { ...refundPayload({ id: 9401, orderId: 7401, amount: "2000", createdAt: "2026-11-05T10:00:00+09:00" }), total_duties_set: null };
    (body.transactions as Record<string, unknown>[])[0]!.currency = null;
    expect((await send(refundsCreate, { topic: "refunds/create", body })).status).toBe(200);
    await drain();
    expect(await prisma.refund.findFirstOrThrow({ select: { amount: true, currency: true } })).toEqual({ amount: 2000n, currency: "JPY" });
    expect(await customerByGid(HANAKO)).toMatchObject({ lifetimeSpent: 8000n });
  });

  it("acknowledges a USD refund whose yen amount the payload does not tell, and leaves the total to orders/updated", async () => {
    await usdOrderOfJpyShop(7501, "30000", "200.00");
    // $50.00 went back, but no line or adjustment of the refund accounts for it: no yen figure.
    const body = presentmentRefundPayload({
      id: 9501, orderId: 7501, createdAt: "2026-11-05T10:00:00+09:00",
      shopCurrency: "JPY", shopSubtotal: "0", shopTax: "0",
      presentmentCurrency: "USD", presentmentSubtotal: "0.00", presentmentTax: "0.00",
      transactionAmount: "50.00",
    });
    body.refund_line_items = [];
    expect((await send(refundsCreate, { topic: "refunds/create", body })).status).toBe(200);
    const { drain, prisma } = await app();
    await drain();
    expect(await prisma.refund.count()).toBe(0);
    const event = await prisma.webhookEvent.findFirstOrThrow({ where: { topic: "refunds/create" }, select: { status: true, error: true } });
    expect(event.status).toBe("processed");
    expect(event.error).toMatch(/no shop-money amount.*orders\/updated/);
    expect(await customerByGid(HANAKO)).toMatchObject({ lifetimeSpent: 30000n });
    // Shopify's next snapshot carries the refunded total in yen.
    const updated = orderPayload({ id: 7501, total: "30000", currentTotal: "22500", updatedAt: "2026-11-05T10:00:01+09:00" });
    await send(ordersUpdated, { topic: "orders/updated", body: updated });
    await drain();
    expect(await customerByGid(HANAKO)).toMatchObject({ lifetimeSpent: 22500n });
  });
});

describe("bad input", () => {
  it.each([
    ["a missing order id", (b: Record<string, unknown>) => ({ ...b, id: undefined, admin_graphql_api_id: undefined }), /admin_graphql_api_id/],
    ["an amount that is not a number", (b: Record<string, unknown>) => ({ ...b, total_price_set: { shop_money: { amount: "abc", currency_code: "JPY" } } }), /total_price_set\.shop_money\.amount/],
    ["a bad date", (b: Record<string, unknown>) => ({ ...b, updated_at: "yesterday" }), /updated_at/],
  ])("answers 400 naming the field for %s, and stores nothing", async (_case, mutate, reason) => {
    const response = await send(ordersCreate, { topic: "orders/create", body: mutate(orderPayload({ id: 8001, total: "100" })) });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(reason);
    const { prisma } = await app();
    expect(await prisma.webhookEvent.count()).toBe(0);
    expect(await prisma.order.count()).toBe(0);
  });

  it("answers 400 to a correctly signed body that is not JSON", async () => {
    const response = await send(ordersCreate, { topic: "orders/create", body: "{not json" });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/not valid JSON/);
  });

  it("answers 400 when the topic header does not match the route", async () => {
    const response = await send(ordersCreate, { topic: "orders/updated", body: orderPayload({ id: 8002, total: "100" }) });
    expect(response.status).toBe(400);
  });
});

describe("bursts", () => {
  async function sendBurst() {
    for (let n = 1; n <= 12; n++) {
      const customerId = 7409876540000 + (n % 4); // 4 customers, 3 orders each
      await send(ordersCreate, {
        topic: "orders/create",
        body: orderPayload({ id: 9800 + n, customerId, total: "2000", createdAt: `2026-10-${String(n + 10).padStart(2, "0")}T12:00:00+09:00` }),
      });
    }
    await send(ordersPaid, { topic: "orders/paid", body: orderPayload({ id: 9801, customerId: 7409876540001, total: "2000", createdAt: "2026-10-11T12:00:00+09:00", updatedAt: "2026-10-11T12:05:00+09:00" }) });
    await send(customersRedact, { topic: "customers/redact", body: { ...fixture("customers-redact.json"), shop_domain: TEST_SHOP, customer: { id: 7409876540002 } } });
  }

  async function expectBurstResult() {
    const { prisma } = await app();
    const customers = await prisma.customer.findMany({ orderBy: { gid: "asc" }, select: { orderCount: true, lifetimeSpent: true, rankKey: true, redactedAt: true } });
    expect(customers.map((c) => [c.orderCount, c.lifetimeSpent, c.rankKey])).toEqual([
      [3, 6000n, "regular"],
      [3, 6000n, "regular"],
      [3, 6000n, "regular"],
      [3, 6000n, "regular"],
    ]);
    expect(customers.filter((c) => c.redactedAt !== null)).toHaveLength(1);
    expect(await prisma.webhookEvent.count({ where: { status: "processed" } })).toBe(14);
    // Each rank change names the delivery that caused it, also inside a batch.
    const reasons = await prisma.rankChange.findMany({ select: { reason: true } });
    expect(reasons.every((r) => /\(orders\/(create|paid)\)$/.test(r.reason))).toBe(true);
    const lines = await prisma.orderLine.findMany({ orderBy: { gid: "asc" }, select: { title: true, quantity: true, unitPrice: true } });
    expect(lines).toHaveLength(12);
  }

  it("processes a burst of deliveries in one batch with the same result as one by one", async () => {
    await sendBurst();
    await (await app()).drain(); // (rank-sync jobs fail here: this shop has no Shopify session; see rank-sync.test.ts)
    await expectBurstResult();
  });

  it("gives the same result when the worker takes the acknowledgement's parse (inline worker, ADR 0033)", async () => {
    enableParsedOrderHandoff();
    try {
      await sendBurst();
      expect(parsedOrderCount()).toBe(13); // the 12 orders/create and the orders/paid
      await (await app()).drain();
      expect(parsedOrderCount()).toBe(0); // each taken by the worker, none parsed again
      await expectBurstResult();
    } finally {
      resetParsedOrders();
    }
  });

  it("hands nothing over for a delivery that turned out a duplicate", async () => {
    enableParsedOrderHandoff();
    try {
      const body = orderPayload({ id: 9901, total: "2000" });
      await send(ordersCreate, { topic: "orders/create", body, eventId: "burst-duplicate" });
      await (await app()).drain();
      await send(ordersCreate, { topic: "orders/create", body, eventId: "burst-duplicate" });
      expect(parsedOrderCount()).toBe(0);
      expect(await customerByGid(HANAKO)).toMatchObject({ orderCount: 1, lifetimeSpent: 2000n });
    } finally {
      resetParsedOrders();
    }
  });
});

describe("concurrent deliveries share transactions (group commit)", () => {
  it("stores each event once when 40 deliveries arrive at once, copies of one event among them", async () => {
    const { prisma, drain, queue } = await app();
    const waitingBefore = (await queue.counts())["webhook:waiting"] ?? 0;
    const deliveries = Array.from({ length: 40 }, (_, n) => {
      // Events 0–4 are each delivered twice, the copies in flight together.
      const event = n < 35 ? n : n - 35;
      return send(ordersCreate, {
        topic: "orders/create",
        eventId: `evt-burst-${event}`,
        body: orderPayload({ id: 9600 + event, customerId: 7409876550000 + (event % 7), total: "1000" }),
      });
    });
    const answers = await Promise.all(deliveries);
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
    expect(await prisma.webhookEvent.count()).toBe(35);
    // One processing job per stored event, none for the copies.
    expect(((await queue.counts())["webhook:waiting"] ?? 0) - waitingBefore).toBe(35);
    await drain();
    expect(await prisma.order.count()).toBe(35);
    const counts = await prisma.customer.findMany({ select: { orderCount: true } });
    expect(counts.map((c) => c.orderCount).sort()).toEqual([5, 5, 5, 5, 5, 5, 5]);
  });

  it("records the receipt time so that Prisma reads and compares it (SQLite: the direct SQL path)", async () => {
    const { prisma } = await app();
    const before = new Date(Date.now() - 1);
    await send(ordersCreate, { topic: "orders/create", body: orderPayload({ id: 9701, total: "1000" }) });
    const after = new Date(Date.now() + 1);
    const event = await prisma.webhookEvent.findFirstOrThrow({ select: { receivedAt: true, status: true, topic: true, resourceGid: true } });
    expect(event).toMatchObject({ status: "pending", topic: "orders/create", resourceGid: "gid://shopify/Order/9701" });
    expect(event.receivedAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(event.receivedAt.getTime()).toBeLessThanOrEqual(after.getTime());
    expect(await prisma.webhookEvent.count({ where: { receivedAt: { gte: before, lte: after } } })).toBe(1);
    expect(await prisma.webhookEvent.count({ where: { receivedAt: { lt: before } } })).toBe(0);
  });

  it("lets two app instances race to store the same events: each stored once, the rest acknowledged as duplicates", async () => {
    const { db, queue, prisma } = await app();
    const { webhookEventStore } = await import("~/services/store-webhook-events.server");
    // Two stores = two instances' group commits (on PostgreSQL, separate transactions that
    // both read "not stored yet" and then meet at the unique key).
    const instances = [webhookEventStore(db, queue), webhookEventStore(db, queue)];
    const event = (n: number) => ({ shop: TEST_SHOP, eventId: `evt-race-${n}`, topic: "orders/create", resourceGid: null, payload: "{}" });
    const outcomes = await Promise.all(
      [0, 1, 2, 3, 4, 5].flatMap((n) => instances.map((store) => store(event(n)))),
    );
    expect(outcomes.filter((o) => o === "stored")).toHaveLength(6);
    expect(outcomes.filter((o) => o === "duplicate")).toHaveLength(6);
    expect(await prisma.webhookEvent.count()).toBe(6);
  });
});

describe("concurrency", () => {
  it("loses no update when two orders of one customer are processed at the same time", async () => {
    const { prisma, queue, db } = await app();
    await send(ordersCreate, { topic: "orders/create", body: orderPayload({ id: 9501, total: "3000" }) });
    await send(ordersCreate, { topic: "orders/create", body: orderPayload({ id: 9502, total: "4000", createdAt: "2026-11-02T10:00:00+09:00" }) });
    const events = await prisma.webhookEvent.findMany({ select: { id: true } });
    const { processWebhookEvent } = await import("~/services/process-webhook.server");
    // Two workers at once (on PostgreSQL: two connections, two transactions).
    await Promise.all(events.map((e) => processWebhookEvent(db.prisma, queue, e.id)));
    expect(await customerByGid(HANAKO)).toMatchObject({ orderCount: 2, lifetimeSpent: 7000n, rankKey: "second" });
  });
});

describe("privacy and uninstall", () => {
  it("customers/redact erases the customer's personal data and keeps it erased", async () => {
    const { drain, prisma, queue } = await app();
    await send(ordersCreate, { topic: "orders/create", body: orderPayload({ id: 9601, total: "3000", firstName: "花子", email: "hanako@example.jp" }) });
    await send(ordersUpdated, { topic: "orders/updated", body: orderPayload({ id: 9601, total: "3000", firstName: "花子", email: "hanako@example.jp", updatedAt: "2026-11-02T10:00:00+09:00" }) });
    await send(refundsCreate, { topic: "refunds/create", body: refundPayload({ id: 9602, orderId: 9601, amount: "1000", createdAt: "2026-11-03T10:00:00+09:00" }) });
    // A guest checkout Shopify names in orders_to_redact (the sample's addresses are Hanako's).
    await send(ordersCreate, { topic: "orders/create", body: orderPayload({ id: 6012345678901, customerId: null, total: "2000" }) });
    const consent = { customer_id: 7409876543210, email_address: "hanako@example.jp", email_marketing_consent: { state: "subscribed", opt_in_level: "single_opt_in", consent_updated_at: "2026-11-01T10:00:00+09:00" } };
    await send(consentUpdate, { topic: "customers/email_marketing_consent_update", body: consent });
    await send(customersDataRequest, { topic: "customers/data_request", body: { ...fixture("customers-data-request.json"), shop_domain: TEST_SHOP } });
    // Another customer's order stays as it is.
    const taro = await send(ordersCreate, { topic: "orders/create", eventId: "taro-order", body: orderPayload({ id: 9603, customerId: 7409876549999, total: "3000", email: "taro@example.jp" }) });
    expect(taro.status).toBe(200);
    await drain();
    // The mail log keeps SMTP replies, which may quote the recipient.
    for (const [gid, address] of [[HANAKO, "hanako@example.jp"], ["gid://shopify/Customer/7409876549999", "taro@example.jp"]] as const) {
      const { id } = (await customerByGid(gid))!;
      await prisma.mailSend.create({
        data: { shop: TEST_SHOP, campaignKey: "journey:first", customerId: id, referenceKey: "gid://shopify/Order/1", group: "treated", status: "failed", scheduledFor: new Date(), error: "rejected", smtpReply: `550 5.1.1 <${address}>: Recipient address rejected` },
      });
    }
    // An order of Hanako's that failed to apply: its body is stored, it is erased as well.
    const failed = await prisma.webhookEvent.create({
      data: { shop: TEST_SHOP, eventId: "failed-order", topic: "orders/updated", resourceGid: "gid://shopify/Order/9601", payload: JSON.stringify(orderPayload({ id: 9601, total: "3000", email: "hanako@example.jp" })), status: "failed", error: "an older parser's complaint" },
    });
    const redact = { ...fixture("customers-redact.json"), shop_domain: TEST_SHOP, customer: { id: 7409876543210, email: "hanako@example.jp", phone: "090-1234-5678" } };
    expect((await send(customersRedact, { topic: "customers/redact", body: redact })).status).toBe(200);
    await drain();
    expect(await customerByGid(HANAKO)).toMatchObject({ firstName: null, lastName: null, email: null, countryCode: null, orderCount: 1 });
    // No stored body names her any more — the redact request's own included; Taro's is intact.
    const personal = /hanako|090-1234-5678|山田|花子|神南/i;
    const events = await prisma.webhookEvent.findMany({ where: { shop: TEST_SHOP }, select: { eventId: true, topic: true, payload: true } });
    expect(events).toHaveLength(9);
    expect(events.filter((e) => e.eventId !== "taro-order" && personal.test(e.payload)).map((e) => e.topic)).toEqual([]);
    expect(events.find((e) => e.eventId === "taro-order")?.payload).toMatch(/taro@example\.jp/);
    expect(await prisma.mailSend.findMany({ orderBy: { id: "asc" }, select: { error: true, smtpReply: true } })).toEqual([
      { error: "rejected", smtpReply: null },
      { error: "rejected", smtpReply: expect.stringMatching(/taro@example\.jp/) },
    ]);
    // The failed event, tried again, is skipped with the reason instead of failing on the erased body.
    await processWebhookEvent(prisma, queue, failed.id);
    expect(await prisma.webhookEvent.findUniqueOrThrow({ where: { id: failed.id } })).toMatchObject({ status: "skipped", error: expect.stringMatching(/customers\/redact erased/) });
    // A later delivery carrying the old personal data does not bring it back.
    await send(ordersUpdated, { topic: "orders/updated", body: orderPayload({ id: 9601, total: "3000", firstName: "花子", updatedAt: "2026-11-09T10:00:00+09:00" }) });
    await drain();
    expect(await customerByGid(HANAKO)).toMatchObject({ firstName: null, email: null });
  });

  it("app/uninstalled removes the shop's sessions; shop/redact removes everything", async () => {
    const { drain, prisma } = await app();
    await prisma.session.create({ data: { id: `offline_${TEST_SHOP}`, shop: TEST_SHOP, state: "", accessToken: "shpat_test" } });
    await send(ordersCreate, { topic: "orders/create", body: orderPayload({ id: 9701, total: "3000" }) });
    await drain();
    expect((await send(appUninstalled, { topic: "app/uninstalled", body: { id: 1, domain: TEST_SHOP } })).status).toBe(200);
    await drain();
    expect(await prisma.session.count()).toBe(0);
    expect(await prisma.order.count()).toBe(1); // kept until shop/redact, in case of a reinstall
    // Rows of the tables no order creates: the dashboard's snapshots, a history import's and a recompute's run records.
    await prisma.analyticsSnapshot.create({ data: { shop: TEST_SHOP, kind: "products", asOf: new Date(), payload: '[{"title":"玄米茶"}]' } });
    await prisma.backfillRun.create({ data: { shop: TEST_SHOP } });
    await prisma.recomputeRun.create({ data: { shop: TEST_SHOP } });
    const redact = { ...fixture("shop-redact.json"), shop_domain: TEST_SHOP };
    expect((await send(shopRedact, { topic: "shop/redact", body: redact })).status).toBe(200);
    await drain();
    expect(await prisma.order.count()).toBe(0);
    expect(await prisma.customer.count()).toBe(0);
    expect(await prisma.shop.count()).toBe(0);
    // Every table with a shop column, so that a new one is covered without touching this test:
    // nothing of the shop is left but the record of the redaction itself.
    const models = Prisma.dmmf.datamodel.models.filter((m) => m.fields.some((f) => f.name === "shop"));
    expect(models.length).toBeGreaterThan(20);
    const left: Record<string, number> = {};
    for (const model of models) {
      const delegate = (prisma as unknown as Record<string, { count(args: unknown): Promise<number> }>)[model.name[0]!.toLowerCase() + model.name.slice(1)]!;
      const where = model.name === "WebhookEvent" ? { shop: TEST_SHOP, topic: { not: "shop/redact" } } : { shop: TEST_SHOP };
      const count = await delegate.count({ where });
      if (count > 0) left[model.name] = count;
    }
    expect(left).toEqual({});
  });
});

describe("shop/update", () => {
  it("keeps the shop's name and time zone as the merchant changes them in Shopify; a payload without a name is refused", async () => {
    const { drain, prisma } = await app();
    await send(ordersCreate, { topic: "orders/create", body: orderPayload({ id: 9801, total: "3000" }) });
    await drain();
    const body = { id: 548380009, name: "お茶の山田園", email: "shop@example.jp", iana_timezone: "Asia/Tokyo", currency: "JPY", domain: TEST_SHOP };
    expect((await send(shopUpdate, { topic: "shop/update", body })).status).toBe(200);
    await drain();
    expect(await prisma.shop.findUniqueOrThrow({ where: { shop: TEST_SHOP } })).toMatchObject({ name: "お茶の山田園", ianaTimezone: "Asia/Tokyo" });

    const renamed = { ...body, name: "山田園 本店", iana_timezone: "America/Los_Angeles" };
    expect((await send(shopUpdate, { topic: "shop/update", body: renamed, eventId: "shop-update-2" })).status).toBe(200);
    await drain();
    expect(await prisma.shop.findUniqueOrThrow({ where: { shop: TEST_SHOP } })).toMatchObject({ name: "山田園 本店", ianaTimezone: "America/Los_Angeles" });

    const nameless = { ...body, name: undefined };
    expect((await send(shopUpdate, { topic: "shop/update", body: nameless, eventId: "shop-update-3" })).status).toBe(400);
  });
});

describe.runIf((process.env.TOKUI_TEST_DB ?? "sqlite") === "sqlite")("SQLite connection", () => {
  // Only SQLite has a journal mode; PostgreSQL runs the same suite without this block.
  it("runs in WAL mode with a busy timeout, durable commits kept (synchronous FULL)", async () => {
    const { prisma } = await app();
    expect(await prisma.$queryRawUnsafe("PRAGMA journal_mode")).toEqual([{ journal_mode: "wal" }]);
    expect(await prisma.$queryRawUnsafe("PRAGMA busy_timeout")).toEqual([{ timeout: 5000n }]);
    expect(await prisma.$queryRawUnsafe("PRAGMA synchronous")).toEqual([{ synchronous: 2n }]);
  });
});
