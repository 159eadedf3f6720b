/**
 * The e2e shop's history, delivered as Shopify delivers it: signed webhooks (orders/create,
 * orders/cancelled, refunds/create) POSTed to the running server, a few at a time, then processed
 * by the server's own worker. The demo shop's sample orders (scripts/demo-data.ts: a tea shop's
 * long tail over 20 months, guests, a cancellation, refunds) plus two customers the tests look for
 * by name, whose orders are known here.
 */
import { demoEvents } from "../../scripts/demo-data";
import type { FakeOrder } from "../mocks/admin-api";
import type { FakeBulkCustomer } from "../mocks/admin-bulk";
import type { E2E } from "./harness";

const DAY = 86_400_000;
// The demo shop's products (scripts/demo-data.ts), so product figures add up across both.
const PRODUCT_IDS: Record<string, number> = {
  "ほうじ茶 200g": 8100000000001,
  "煎茶 100g": 8100000000002,
  "抹茶 30g": 8100000000003,
  "贈答用 銘茶セット": 8100000000005,
};
const yen = (n: number) => ({ shop_money: { amount: String(n), currency_code: "JPY" }, presentment_money: { amount: String(n), currency_code: "JPY" } });

/** A regular: four orders, the last 20 days ago; tagged; in Tokyo. Names not used by demo-data. */
export const CHIHIRO = {
  id: 7_950_000_000_001,
  gid: "gid://shopify/Customer/7950000000001",
  firstName: "千尋",
  lastName: "森",
  email: "chihiro.mori@example.jp",
  tags: "定期便, 静岡茶ファン",
  region: "JP-13",
  /** Days ago, product, yen each, quantity. */
  orders: [
    [300, "抹茶 30g", 3240, 1],
    [200, "ほうじ茶 200g", 1980, 2],
    [100, "抹茶 30g", 3240, 2],
    [20, "贈答用 銘茶セット", 6480, 1],
  ] as const,
};

/** A first-time buyer abroad. */
export const EMILY = {
  id: 7_950_000_000_002,
  gid: "gid://shopify/Customer/7950000000002",
  firstName: "Emily",
  lastName: "Clark",
  email: "emily.clark@example.com",
  tags: "",
  region: "US-CA",
  orders: [[10, "煎茶 100g", 1620, 3]] as const,
};

/** A customer from before the app was installed: Shopify has her orders, no webhook ever came. */
export const MIZUKI = {
  id: 7_950_000_000_003,
  gid: "gid://shopify/Customer/7950000000003",
  firstName: "美月",
  lastName: "小川",
  email: "mizuki.ogawa@example.jp",
  tags: "",
  region: "JP-27",
  orders: [
    [700, "煎茶 100g", 1620, 2],
    [500, "煎茶 100g", 1620, 2],
    [400, "抹茶 30g", 3240, 1],
  ] as const,
};

type Known = typeof CHIHIRO | typeof EMILY | typeof MIZUKI;

function knownOrders(customer: Known, now: number, firstOrderId: number) {
  return customer.orders.map(([daysAgo, title, price, quantity], i) => {
    const id = firstOrderId + i;
    const at = new Date(now - daysAgo * DAY).toISOString();
    const total = price * quantity;
    return {
      topic: "orders/create" as const,
      eventId: `e2e-order-${id}`,
      body: {
        id,
        admin_graphql_api_id: `gid://shopify/Order/${id}`,
        name: `#${9000 + (id % 1000)}`,
        created_at: at,
        processed_at: at,
        updated_at: at,
        cancelled_at: null,
        currency: "JPY",
        presentment_currency: "JPY",
        financial_status: "paid",
        total_price: String(total),
        total_price_set: yen(total),
        current_total_price: String(total),
        current_total_price_set: yen(total),
        customer: {
          id: customer.id,
          admin_graphql_api_id: customer.gid,
          first_name: customer.firstName,
          last_name: customer.lastName,
          email: customer.email,
          tags: customer.tags,
          default_address: { country_code: customer.region.slice(0, 2), province_code: customer.region.slice(3) },
        },
        line_items: [
          {
            id: id * 10,
            admin_graphql_api_id: `gid://shopify/LineItem/${id * 10}`,
            title,
            sku: null,
            quantity,
            price: String(price),
            price_set: yen(price),
            product_id: PRODUCT_IDS[title],
            variant_id: PRODUCT_IDS[title]! + 1000,
          },
        ],
        refunds: [],
      },
    };
  });
}

type Body = Record<string, unknown>;
const money = (amount: unknown) => ({ shopMoney: { amount: String(amount), currencyCode: "JPY" } });

/** The order as Shopify's Admin API has it (what the fake answers and the reward job tags). */
export function adminOrder(body: Body): FakeOrder {
  const customer = body.customer as Body | null;
  const address = customer?.default_address as Body | undefined;
  return {
    id: body.admin_graphql_api_id as string,
    name: body.name as string,
    createdAt: body.created_at as string,
    processedAt: body.processed_at as string,
    updatedAt: body.updated_at as string,
    cancelledAt: (body.cancelled_at as string | null) ?? null,
    currencyCode: "JPY",
    customer: customer
      ? {
          id: customer.admin_graphql_api_id as string,
          firstName: (customer.first_name as string) ?? null,
          lastName: (customer.last_name as string) ?? null,
          defaultEmailAddress: customer.email ? { emailAddress: customer.email as string } : null,
          defaultAddress: address ? { countryCodeV2: address.country_code as string } : null,
        }
      : null,
    totalPriceSet: money(body.total_price),
    currentTotalPriceSet: money(body.current_total_price),
    lineItems: {
      edges: (body.line_items as Body[]).map((line) => ({
        node: {
          id: line.admin_graphql_api_id,
          title: line.title,
          quantity: line.quantity,
          sku: line.sku,
          product: line.product_id ? { id: `gid://shopify/Product/${line.product_id}` } : null,
          variant: line.variant_id ? { id: `gid://shopify/ProductVariant/${line.variant_id}` } : null,
          originalUnitPriceSet: money(line.price),
        },
      })),
    },
    note: null,
    tags: [],
  };
}

/** The orders as Shopify has them after the events (cancellations and refunds applied). */
function shopifyOrders(events: { topic: string; body: Body }[]): FakeOrder[] {
  const orders = new Map<string, FakeOrder>();
  for (const { topic, body } of events) {
    if (topic === "orders/create" || topic === "orders/cancelled") {
      orders.set(body.admin_graphql_api_id as string, adminOrder(body));
    } else if (topic === "refunds/create") {
      const order = orders.get(`gid://shopify/Order/${body.order_id}`);
      if (!order) continue;
      const refunded = (body.transactions as Body[]).reduce((sum, t) => sum + Number(t.amount), 0);
      order.currentTotalPriceSet = money(Number(order.currentTotalPriceSet.shopMoney.amount) - refunded);
      order.updatedAt = body.created_at as string;
    }
  }
  return [...orders.values()];
}

/**
 * Sends the history and waits until the server has processed it; Shopify (the fake Admin API)
 * has the same orders. Returns how many orders Shopify has.
 */
export async function seedShop(e2e: E2E, now = Date.now()): Promise<{ orders: number }> {
  const events = [
    ...demoEvents({ now: new Date(now), customers: 40 }),
    ...knownOrders(CHIHIRO, now, 5_950_000_000_001),
    ...knownOrders(EMILY, now, 5_950_000_000_101),
  ];
  // Orders before their cancellations and refunds, as Shopify sends them.
  const ordered = [...events.filter((e) => e.topic === "orders/create"), ...events.filter((e) => e.topic !== "orders/create")];
  const orders = shopifyOrders(ordered);
  await e2e.fake("/orders", orders);
  const queue = [...ordered];
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let event = queue.shift(); event; event = queue.shift()) {
        const status = await e2e.webhook(event.topic, event.body, event.eventId);
        if (status !== 200) failures.push(`${event.topic} ${event.eventId}: HTTP ${status}`);
      }
    }),
  );
  if (failures.length > 0) throw new Error(`webhooks refused: ${failures.slice(0, 5).join("; ")}`);
  await e2e.settled();
  return { orders: orders.length };
}

/**
 * What only Shopify has, for the history import: MIZUKI's orders from before the install, and
 * the customers export (the three known customers). Returns the counts Shopify will export.
 */
export async function seedShopifyOnlyHistory(e2e: E2E, now = Date.now()): Promise<{ orders: number; customers: number }> {
  const orders = knownOrders(MIZUKI, now, 5_950_000_000_201).map((e) => adminOrder(e.body));
  await e2e.fake("/orders", orders);
  const customers: FakeBulkCustomer[] = [CHIHIRO, EMILY, MIZUKI].map((c) => ({
    id: c.gid,
    firstName: c.firstName,
    lastName: c.lastName,
    defaultEmailAddress: { emailAddress: c.email },
    tags: c.tags.split(",").map((t) => t.trim()).filter(Boolean),
    defaultAddress: { countryCodeV2: c.region.slice(0, 2), provinceCode: c.region.slice(3) },
  }));
  await e2e.fake("/customers", customers);
  return { orders: orders.length, customers: customers.length };
}
