/**
 * Sample orders for the local demo shop: a small Japanese tea shop over the last 20 months,
 * with the long tail real shops have (most customers buy once, a few come back often), guest
 * checkouts, a cancellation and refunds. Deterministic for a given seed and `now`.
 */
import { random } from "./random";

export interface DemoEvent {
  topic: "orders/create" | "orders/cancelled" | "refunds/create";
  eventId: string;
  body: Record<string, unknown>;
}

const PRODUCTS = [
  { id: 8100000000001, title: "ほうじ茶 200g", sku: "HOJI-200", price: 1980 },
  { id: 8100000000002, title: "煎茶 100g", sku: "SEN-100", price: 1620 },
  { id: 8100000000003, title: "抹茶 30g", sku: "MAT-30", price: 3240 },
  { id: 8100000000004, title: "玄米茶 ティーバッグ 20包", sku: "GEN-TB20", price: 1080 },
  { id: 8100000000005, title: "贈答用 銘茶セット", sku: "GIFT-SET", price: 6480 },
];
const FAMILY = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田"];
const GIVEN = ["花子", "太郎", "美咲", "健太", "陽子", "翔", "由美", "大輔", "さくら", "直樹", "愛", "誠"];
const PREFECTURES = ["JP-13", "JP-27", "JP-14", "JP-23", "JP-01", "JP-40"];

const yen = (n: number) => ({ shop_money: { amount: String(n), currency_code: "JPY" }, presentment_money: { amount: String(n), currency_code: "JPY" } });

export function demoEvents(options: { now: Date; customers?: number; seed?: number }): DemoEvent[] {
  const rand = random(options.seed ?? 20261124);
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)]!;
  const customers = options.customers ?? 60;
  const day = 86_400_000;
  const events: DemoEvent[] = [];
  let orderId = 5_900_000_000_000;
  let lineId = 15_900_000_000_000;
  let refundId = 990_000_000_000;

  const order = (customer: Record<string, unknown> | null, at: Date) => {
    orderId += 1;
    const items = Array.from({ length: 1 + Math.floor(rand() * 2) }, () => ({ product: pick(PRODUCTS), quantity: 1 + Math.floor(rand() * 3) }));
    const subtotal = items.reduce((sum, i) => sum + i.product.price * i.quantity, 0);
    const total = subtotal + (subtotal >= 5000 ? 0 : 600); // free shipping from ¥5,000
    const iso = at.toISOString();
    return {
      id: orderId,
      admin_graphql_api_id: `gid://shopify/Order/${orderId}`,
      name: `#${orderId - 5_900_000_000_000 + 1000}`,
      created_at: iso,
      processed_at: iso,
      updated_at: iso,
      cancelled_at: null,
      currency: "JPY",
      presentment_currency: "JPY",
      financial_status: "paid",
      total_price: String(total),
      total_price_set: yen(total),
      current_total_price: String(total),
      current_total_price_set: yen(total),
      customer,
      line_items: items.map(({ product, quantity }) => {
        lineId += 1;
        return {
          id: lineId,
          admin_graphql_api_id: `gid://shopify/LineItem/${lineId}`,
          title: product.title,
          sku: product.sku,
          quantity,
          price: String(product.price),
          price_set: yen(product.price),
          product_id: product.id,
          variant_id: product.id + 1000,
        };
      }),
      refunds: [],
    };
  };

  for (let c = 1; c <= customers; c++) {
    const id = 7_900_000_000_000 + c;
    const customer = {
      id,
      admin_graphql_api_id: `gid://shopify/Customer/${id}`,
      first_name: pick(GIVEN),
      last_name: pick(FAMILY),
      email: `customer${c}@example.jp`,
      default_address: { country_code: "JP", province_code: pick(PREFECTURES) },
    };
    // Long tail: ~half buy once; a few are regulars; one in twenty buys 10+ times.
    const r = rand();
    const count = r < 0.5 ? 1 : r < 0.72 ? 2 : r < 0.86 ? 3 + Math.floor(rand() * 2) : r < 0.95 ? 5 + Math.floor(rand() * 5) : 10 + Math.floor(rand() * 4);
    let at = options.now.getTime() - (60 + Math.floor(rand() * 540)) * day;
    for (let n = 0; n < count && at < options.now.getTime(); n++) {
      const body = order(customer, new Date(at));
      events.push({ topic: "orders/create", eventId: `demo-order-${body.id}`, body });
      at += (14 + Math.floor(rand() * 50)) * day;
    }
  }
  // Guest checkouts: stored, rank nobody.
  for (let g = 0; g < 8; g++) {
    const body = order(null, new Date(options.now.getTime() - Math.floor(rand() * 300) * day));
    events.push({ topic: "orders/create", eventId: `demo-order-${body.id}`, body });
  }
  // One cancellation and two refunds among the orders with customers.
  const withCustomer = events.filter((e) => e.body.customer);
  const cancelled = withCustomer[3]!.body;
  const cancelledAt = new Date(Date.parse(cancelled.created_at as string) + 3_600_000).toISOString();
  events.push({
    topic: "orders/cancelled",
    eventId: `demo-cancel-${cancelled.id}`,
    body: { ...cancelled, cancelled_at: cancelledAt, updated_at: cancelledAt, current_total_price: "0", current_total_price_set: yen(0) },
  });
  for (const target of [withCustomer[7]!.body, withCustomer[11]!.body]) {
    refundId += 1;
    const createdAt = new Date(Date.parse(target.created_at as string) + 2 * day).toISOString();
    const amount = Number(target.total_price) >= 2000 ? 1000 : 500;
    events.push({
      topic: "refunds/create",
      eventId: `demo-refund-${refundId}`,
      body: {
        id: refundId,
        admin_graphql_api_id: `gid://shopify/Refund/${refundId}`,
        order_id: target.id,
        created_at: createdAt,
        processed_at: createdAt,
        note: "一部返金（パッケージ破損）",
        refund_line_items: [],
        order_adjustments: [],
        transactions: [{ id: refundId + 1, order_id: target.id, kind: "refund", status: "success", amount: String(amount), currency: "JPY" }],
      },
    });
  }
  return events;
}
