/**
 * Synthetic but realistic order history for the ingest benchmark: N orders over M customers with
 * the long tail real shops have (every customer buys at least once, most once or twice, a few
 * dozens of times), a few guest checkouts, 1–3 line items per order. One neutral model is
 * rendered three ways: the orders/create webhook body Shopify sends (REST, api_version 2026-04),
 * the bulk-operation JSONL of ORDERS_BULK_QUERY (app/shopify/bulk-import.ts), and plain table
 * rows for the lower-bound insert. Deterministic for a given seed and `now`.
 */

export const SHOP_CURRENCY = "JPY";

export interface BenchCustomer {
  id: number; // Shopify numeric id
  gid: string;
  firstName: string;
  lastName: string;
  email: string;
  countryCode: string;
  provinceCode: string;
  phone: string;
  createdAt: Date;
}

export interface BenchLine {
  id: number;
  gid: string;
  productId: number;
  variantId: number;
  title: string;
  variantTitle: string;
  sku: string;
  vendor: string;
  grams: number;
  quantity: number;
  unitPrice: number; // yen = minor units of JPY
}

export interface BenchOrder {
  id: number;
  gid: string;
  number: number;
  name: string;
  customer: BenchCustomer | null;
  processedAt: Date;
  subtotal: number;
  shipping: number;
  tax: number; // included in the prices (Japan: 10%, taxes_included)
  total: number;
  lines: BenchLine[];
}

export interface OrderSet {
  customers: BenchCustomer[];
  orders: BenchOrder[];
}

const PRODUCTS = [
  { id: 8_100_000_000_001, title: "ほうじ茶", variants: [["200g", 1980], ["500g", 4320]] },
  { id: 8_100_000_000_002, title: "煎茶 やぶきた", variants: [["100g", 1620], ["300g", 4536]] },
  { id: 8_100_000_000_003, title: "抹茶 薄茶用", variants: [["30g", 3240], ["100g", 9720]] },
  { id: 8_100_000_000_004, title: "玄米茶 ティーバッグ", variants: [["20包", 1080], ["50包", 2480]] },
  { id: 8_100_000_000_005, title: "贈答用 銘茶セット", variants: [["3本入", 6480], ["5本入", 10800]] },
  { id: 8_100_000_000_006, title: "急須 常滑焼", variants: [["朱泥", 8800], ["黒泥", 9900]] },
  { id: 8_100_000_000_007, title: "和紅茶", variants: [["50g", 1500], ["リーフ 100g", 2700]] },
  { id: 8_100_000_000_008, title: "ほうじ茶ラテの素", variants: [["150g", 1350], ["400g", 3200]] },
] as const;
const FAMILY = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田", "佐々木", "山口", "松本"];
const GIVEN = ["花子", "太郎", "美咲", "健太", "陽子", "翔", "由美", "大輔", "さくら", "直樹", "愛", "誠", "結衣", "蓮", "葵"];
const PREFECTURES = [
  ["JP-13", "東京都", "千代田区"],
  ["JP-27", "大阪府", "大阪市北区"],
  ["JP-14", "神奈川県", "横浜市西区"],
  ["JP-23", "愛知県", "名古屋市中区"],
  ["JP-01", "北海道", "札幌市中央区"],
  ["JP-40", "福岡県", "福岡市博多区"],
] as const;

const DAY = 86_400_000;
const GUEST_SHARE = 0.02;
// Pareto(α) weights for repeat purchases, capped: a handful of customers order dozens of times.
const PARETO_ALPHA = 1.2;
const WEIGHT_CAP = 60;

import { random } from "../../scripts/random";


export interface GenerateOptions {
  /** Orders of the history (the set every phase stores). */
  orders: number;
  /** Extra, newer orders for the open-loop phase (fresh ids, same customers). */
  extraOrders: number;
  customers: number;
  now: Date;
  seed?: number;
}

/** `history` over the last two years, then `extra` orders from the last day, ids in time order. */
export function generateOrders(options: GenerateOptions): { history: OrderSet; extra: OrderSet } {
  const rand = random(options.seed ?? 20261124);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const guests = Math.round(options.orders * GUEST_SHARE);
  const withCustomer = options.orders - guests;
  const customerCount = Math.max(1, Math.min(options.customers, withCustomer));
  // Whole seconds, as Shopify's timestamps are.
  const now = Math.floor(options.now.getTime() / 1000) * 1000;
  const secondsBefore = (days: number) => Math.floor(rand() * days * 86_400) * 1000;

  const customers: BenchCustomer[] = Array.from({ length: customerCount }, (_, i) => {
    const id = 7_900_000_000_000 + i + 1;
    const prefecture = pick(PREFECTURES);
    return {
      id,
      gid: `gid://shopify/Customer/${id}`,
      firstName: pick(GIVEN),
      lastName: pick(FAMILY),
      email: `customer${i + 1}@example.jp`,
      countryCode: "JP",
      provinceCode: prefecture[0],
      phone: `+8190${String(10_000_000 + i).slice(-8)}`,
      createdAt: new Date(now - 800 * DAY + secondsBefore(60)),
    };
  });

  // Cumulative Pareto weights: who places the repeat orders.
  const cumulative = new Float64Array(customerCount);
  let sum = 0;
  for (let i = 0; i < customerCount; i++) {
    sum += Math.min(WEIGHT_CAP, (1 - rand()) ** (-1 / PARETO_ALPHA));
    cumulative[i] = sum;
  }
  const weightedCustomer = (): BenchCustomer => {
    const x = rand() * sum;
    let lo = 0;
    let hi = customerCount - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return customers[lo]!;
  };

  // Who buys: everyone once, the rest by weight, plus guests; then spread over time.
  const buyers = (count: number, everyoneOnce: boolean): (BenchCustomer | null)[] => {
    const list: (BenchCustomer | null)[] = [];
    const guestCount = Math.round(count * GUEST_SHARE);
    for (let g = 0; g < guestCount; g++) list.push(null);
    if (everyoneOnce) list.push(...customers.slice(0, Math.min(customerCount, count - guestCount)));
    while (list.length < count) list.push(weightedCustomer());
    return list;
  };
  const history = buyers(options.orders, true).map((customer) => ({ customer, at: now - DAY - secondsBefore(729) }));
  const extra = buyers(options.extraOrders, false).map((customer) => ({ customer, at: now - secondsBefore(1) }));
  history.sort((a, b) => a.at - b.at);
  extra.sort((a, b) => a.at - b.at);

  let orderSeq = 0;
  let lineSeq = 0;
  const makeOrder = ({ customer, at }: { customer: BenchCustomer | null; at: number }): BenchOrder => {
    orderSeq += 1;
    const id = 5_900_000_000_000 + orderSeq;
    const lines = Array.from({ length: 1 + Math.floor(rand() * 3) }, (): BenchLine => {
      lineSeq += 1;
      const product = pick(PRODUCTS);
      const v = Math.floor(rand() * product.variants.length);
      const [variantTitle, price] = product.variants[v]!;
      const lineId = 15_900_000_000_000 + lineSeq;
      return {
        id: lineId,
        gid: `gid://shopify/LineItem/${lineId}`,
        productId: product.id,
        variantId: 45_000_000_000_000 + (product.id % 1000) * 10 + v,
        title: product.title,
        variantTitle,
        sku: `TEA-${product.id % 1000}-${v + 1}`,
        vendor: "茶舗 とくい",
        grams: 200 + v * 300,
        quantity: 1 + Math.floor(rand() * rand() * 3),
        unitPrice: price,
      };
    });
    const subtotal = lines.reduce((s, l) => s + l.unitPrice * l.quantity, 0);
    const shipping = subtotal >= 5000 ? 0 : 600; // free shipping from ¥5,000
    const total = subtotal + shipping;
    return {
      id,
      gid: `gid://shopify/Order/${id}`,
      number: 1000 + orderSeq,
      name: `#${1000 + orderSeq}`,
      customer,
      processedAt: new Date(at),
      subtotal,
      shipping,
      tax: Math.floor((total * 10) / 110),
      total,
      lines,
    };
  };
  const historyOrders = history.map(makeOrder);
  const extraOrders = extra.map(makeOrder);
  const customersOf = (orders: BenchOrder[]) => {
    const seen = new Map<number, BenchCustomer>();
    for (const o of orders) if (o.customer) seen.set(o.customer.id, o.customer);
    return [...seen.values()].sort((a, b) => a.id - b.id);
  };
  return {
    history: { customers: customersOf(historyOrders), orders: historyOrders },
    extra: { customers: customersOf(extraOrders), orders: extraOrders },
  };
}

// ---------------------------------------------------------------------------------------------
// orders/create webhook body (REST JSON as Shopify sends it; fields we do not read included so
// that size, HMAC and JSON parsing cost what they cost in production)

const money = (n: number) => ({
  shop_money: { amount: String(n), currency_code: SHOP_CURRENCY },
  presentment_money: { amount: String(n), currency_code: SHOP_CURRENCY },
});
// Shopify writes the shop's local time with its offset (Asia/Tokyo).
const iso = (d: Date) => new Date(d.getTime() + 9 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, "+09:00");

function address(c: BenchCustomer) {
  const prefecture = PREFECTURES.find((p) => p[0] === c.provinceCode) ?? PREFECTURES[0];
  return {
    first_name: c.firstName,
    last_name: c.lastName,
    name: `${c.lastName} ${c.firstName}`,
    address1: "1-2-3 丸の内",
    address2: "",
    city: prefecture[2],
    province: prefecture[1],
    province_code: c.provinceCode.slice(3),
    zip: "100-0005",
    country: "Japan",
    country_code: "JP",
    country_name: "Japan",
    phone: c.phone,
    company: null,
    latitude: 35.681,
    longitude: 139.767,
  };
}

export function webhookBody(order: BenchOrder): Record<string, unknown> {
  const c = order.customer;
  const at = iso(order.processedAt);
  const taxLine = (amount: number) => [{ price: String(amount), rate: 0.1, title: "消費税", price_set: money(amount), channel_liable: false }];
  return {
    id: order.id,
    admin_graphql_api_id: order.gid,
    app_id: 580111,
    browser_ip: "203.0.113.24",
    buyer_accepts_marketing: false,
    cancel_reason: null,
    cancelled_at: null,
    cart_token: `c1-${order.id.toString(16)}`,
    checkout_id: order.id + 3_000_000_000_000,
    checkout_token: `${order.id.toString(16)}f0c4e1b2a3`,
    client_details: { accept_language: "ja-JP", browser_height: null, browser_ip: "203.0.113.24", browser_width: null, session_hash: null, user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X)" },
    closed_at: null,
    confirmation_number: `X${order.id.toString(36).toUpperCase()}`,
    confirmed: true,
    contact_email: c?.email ?? "guest@example.jp",
    created_at: at,
    currency: SHOP_CURRENCY,
    current_shipping_price_set: money(order.shipping),
    current_subtotal_price: String(order.subtotal),
    current_subtotal_price_set: money(order.subtotal),
    current_total_additional_fees_set: null,
    current_total_discounts: "0",
    current_total_discounts_set: money(0),
    current_total_duties_set: null,
    current_total_price: String(order.total),
    current_total_price_set: money(order.total),
    current_total_tax: String(order.tax),
    current_total_tax_set: money(order.tax),
    customer_locale: "ja",
    device_id: null,
    discount_codes: [],
    duties_included: false,
    email: c?.email ?? "guest@example.jp",
    estimated_taxes: false,
    financial_status: "paid",
    fulfillment_status: null,
    landing_site: "/",
    landing_site_ref: null,
    location_id: null,
    merchant_business_entity_id: "MTQ4NzY1MjM0NQ",
    merchant_of_record_app_id: null,
    name: order.name,
    note: null,
    note_attributes: [],
    number: order.number - 1000,
    order_number: order.number,
    order_status_url: `https://tokui-bench.myshopify.com/69000000000/orders/${order.id.toString(16)}/authenticate?key=abc`,
    original_total_additional_fees_set: null,
    original_total_duties_set: null,
    payment_gateway_names: ["shopify_payments"],
    phone: null,
    po_number: null,
    presentment_currency: SHOP_CURRENCY,
    processed_at: at,
    reference: null,
    referring_site: "https://www.google.com/",
    source_identifier: null,
    source_name: "web",
    source_url: null,
    subtotal_price: String(order.subtotal),
    subtotal_price_set: money(order.subtotal),
    tags: "",
    tax_exempt: false,
    tax_lines: taxLine(order.tax),
    taxes_included: true,
    test: false,
    token: `${order.id.toString(16)}b7e9d2c4a1f0`,
    total_cash_rounding_payment_adjustment_set: money(0),
    total_cash_rounding_refund_adjustment_set: money(0),
    total_discounts: "0",
    total_discounts_set: money(0),
    total_line_items_price: String(order.subtotal),
    total_line_items_price_set: money(order.subtotal),
    total_outstanding: "0",
    total_price: String(order.total),
    total_price_set: money(order.total),
    total_shipping_price_set: money(order.shipping),
    total_tax: String(order.tax),
    total_tax_set: money(order.tax),
    total_tip_received: "0",
    total_weight: order.lines.reduce((s, l) => s + l.grams * l.quantity, 0),
    updated_at: at,
    user_id: null,
    billing_address: c ? address(c) : null,
    customer: c
      ? {
          id: c.id,
          email: c.email,
          created_at: iso(c.createdAt),
          updated_at: at,
          first_name: c.firstName,
          last_name: c.lastName,
          state: "enabled",
          note: null,
          verified_email: true,
          multipass_identifier: null,
          tax_exempt: false,
          phone: c.phone,
          email_marketing_consent: { state: "not_subscribed", opt_in_level: "single_opt_in", consent_updated_at: null },
          sms_marketing_consent: null,
          tags: "",
          currency: SHOP_CURRENCY,
          tax_exemptions: [],
          admin_graphql_api_id: c.gid,
          default_address: {
            id: c.id + 1_000_000_000_000,
            customer_id: c.id,
            ...address(c),
            default: true,
          },
        }
      : null,
    discount_applications: [],
    fulfillments: [],
    line_items: order.lines.map((l) => ({
      id: l.id,
      admin_graphql_api_id: l.gid,
      attributed_staffs: [],
      current_quantity: l.quantity,
      fulfillable_quantity: l.quantity,
      fulfillment_service: "manual",
      fulfillment_status: null,
      gift_card: false,
      grams: l.grams,
      name: `${l.title} - ${l.variantTitle}`,
      price: String(l.unitPrice),
      price_set: money(l.unitPrice),
      product_exists: true,
      product_id: l.productId,
      properties: [],
      quantity: l.quantity,
      requires_shipping: true,
      sku: l.sku,
      taxable: true,
      title: l.title,
      total_discount: "0",
      total_discount_set: money(0),
      variant_id: l.variantId,
      variant_inventory_management: "shopify",
      variant_title: l.variantTitle,
      vendor: l.vendor,
      tax_lines: taxLine(Math.floor((l.unitPrice * l.quantity * 10) / 110)),
      duties: [],
      discount_allocations: [],
    })),
    payment_terms: null,
    refunds: [],
    shipping_address: c ? address(c) : null,
    shipping_lines: [
      {
        id: order.id + 7_000_000_000_000,
        carrier_identifier: null,
        code: "standard",
        discounted_price: String(order.shipping),
        discounted_price_set: money(order.shipping),
        is_removed: false,
        phone: null,
        price: String(order.shipping),
        price_set: money(order.shipping),
        requested_fulfillment_service_id: null,
        source: "shopify",
        title: "通常配送",
        tax_lines: [],
        discount_allocations: [],
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Bulk operation JSONL (ORDERS_BULK_QUERY with groupObjects: each Order, then its LineItems)

const shopMoney = (n: number) => ({ shopMoney: { amount: `${n}.0`, currencyCode: SHOP_CURRENCY } });

export function bulkJsonl(order: BenchOrder): string {
  const at = order.processedAt.toISOString();
  const lines = [
    JSON.stringify({
      id: order.gid,
      name: order.name,
      createdAt: at,
      processedAt: at,
      updatedAt: at,
      cancelledAt: null,
      currencyCode: SHOP_CURRENCY,
      customer: order.customer ? { id: order.customer.gid } : null,
      totalPriceSet: shopMoney(order.total),
      currentTotalPriceSet: shopMoney(order.total),
    }),
  ];
  for (const l of order.lines) {
    lines.push(
      JSON.stringify({
        id: l.gid,
        title: l.title,
        quantity: l.quantity,
        sku: l.sku,
        product: { id: `gid://shopify/Product/${l.productId}` },
        variant: { id: `gid://shopify/ProductVariant/${l.variantId}` },
        originalUnitPriceSet: shopMoney(l.unitPrice),
        __parentId: order.gid,
      }),
    );
  }
  return `${lines.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// One order as the Admin API answers ORDER_FOR_POST_PURCHASE_QUERY (app/shopify/graphql/documents.ts):
// the bulk query's fields, line items nested, plus the customer's personal data.

export function adminOrderNode(order: BenchOrder): Record<string, unknown> {
  const at = order.processedAt.toISOString();
  const c = order.customer;
  return {
    id: order.gid,
    name: order.name,
    createdAt: at,
    processedAt: at,
    updatedAt: at,
    cancelledAt: null,
    currencyCode: SHOP_CURRENCY,
    customer: c
      ? {
          id: c.gid,
          firstName: c.firstName,
          lastName: c.lastName,
          defaultEmailAddress: { emailAddress: c.email },
          defaultAddress: { countryCodeV2: c.countryCode },
        }
      : null,
    totalPriceSet: shopMoney(order.total),
    currentTotalPriceSet: shopMoney(order.total),
    lineItems: {
      edges: order.lines.map((l) => ({
        node: {
          id: l.gid,
          title: l.title,
          quantity: l.quantity,
          sku: l.sku,
          product: { id: `gid://shopify/Product/${l.productId}` },
          variant: { id: `gid://shopify/ProductVariant/${l.variantId}` },
          originalUnitPriceSet: shopMoney(l.unitPrice),
        },
      })),
    },
  };
}
