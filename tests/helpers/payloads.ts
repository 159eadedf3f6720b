/**
 * Realistic webhook bodies built from Shopify's own samples (tests/fixtures/webhooks/), with the
 * fields a scenario cares about overridden consistently (numeric id and GID, every *_set money).
 */
import fs from "node:fs";
import path from "node:path";

const fixturesDir = path.join(process.cwd(), "tests", "fixtures", "webhooks");
export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(fixturesDir, name), "utf8")) as Record<string, unknown>;
}

const money = (amount: string, currency: string) => ({
  shop_money: { amount, currency_code: currency },
  presentment_money: { amount, currency_code: currency },
});

export interface OrderScenario {
  id: number;
  customerId?: number | null; // null = guest checkout
  total: string;
  currentTotal?: string;
  currency?: string;
  createdAt?: string;
  updatedAt?: string;
  cancelledAt?: string | null;
  firstName?: string;
  email?: string;
}

export function orderPayload(s: OrderScenario): Record<string, unknown> {
  const base = fixture("orders-create.json");
  const currency = s.currency ?? "JPY";
  const createdAt = s.createdAt ?? "2026-11-01T10:00:00+09:00";
  const current = s.currentTotal ?? s.total;
  const customer =
    s.customerId === null
      ? null
      : {
          ...(base.customer as Record<string, unknown>),
          id: s.customerId ?? 7409876543210,
          admin_graphql_api_id: `gid://shopify/Customer/${s.customerId ?? 7409876543210}`,
          ...(s.firstName ? { first_name: s.firstName } : {}),
          ...(s.email ? { email: s.email } : {}),
        };
  const lineItem = (base.line_items as Record<string, unknown>[])[0]!;
  return {
    ...base,
    id: s.id,
    admin_graphql_api_id: `gid://shopify/Order/${s.id}`,
    name: `#${s.id}`,
    order_number: s.id,
    currency,
    presentment_currency: currency,
    created_at: createdAt,
    processed_at: createdAt,
    updated_at: s.updatedAt ?? createdAt,
    cancelled_at: s.cancelledAt ?? null,
    cancel_reason: s.cancelledAt ? "customer" : null,
    total_price: s.total,
    total_price_set: money(s.total, currency),
    current_total_price: current,
    current_total_price_set: money(current, currency),
    customer,
    email: customer ? (customer.email as string) : "guest@example.jp",
    line_items: [
      {
        ...lineItem,
        id: s.id * 10,
        admin_graphql_api_id: `gid://shopify/LineItem/${s.id * 10}`,
        quantity: 1,
        price: s.total,
        price_set: money(s.total, currency),
      },
    ],
    refunds: [],
  };
}

export interface RefundScenario {
  id: number;
  orderId: number;
  amount: string;
  currency?: string;
  createdAt: string;
}

/** A refund's ids and times as Shopify writes them. */
const refundIds = (s: { id: number; orderId: number; createdAt: string }) => ({
  id: s.id,
  admin_graphql_api_id: `gid://shopify/Refund/${s.id}`,
  order_id: s.orderId,
  created_at: s.createdAt,
  processed_at: s.createdAt,
});

export function refundPayload(s: RefundScenario): Record<string, unknown> {
  const base = fixture("refunds-create.json");
  const currency = s.currency ?? "JPY";
  const transaction = (base.transactions as Record<string, unknown>[])[0]!;
  return {
    ...base,
    ...refundIds(s),
    refund_line_items: [],
    order_adjustments: [],
    total_duties_set: money("0", currency),
    transactions: [
      {
        ...transaction,
        order_id: s.orderId,
        kind: "refund",
        status: "success",
        amount: s.amount,
        currency,
        ...(transaction.amount_set ? { amount_set: money(s.amount, currency) } : {}),
      },
    ],
  };
}

export interface PresentmentRefundScenario {
  id: number;
  orderId: number;
  createdAt: string;
  /** The refunded line in shop money (shopCurrency) and in the buyer's currency, tax as Shopify splits it out. */
  shopCurrency: string;
  shopSubtotal: string;
  shopTax: string;
  presentmentCurrency: string;
  presentmentSubtotal: string;
  presentmentTax: string;
  /** What the payment provider gave back, in the buyer's currency (a transaction's amount + currency). */
  transactionAmount: string;
}

/**
 * refunds/create of a multi-currency order, shaped like Shopify's deliveries: every *_set has
 * shop_money and presentment_money, the transaction has only amount + currency (presentment).
 */
export function presentmentRefundPayload(s: PresentmentRefundScenario): Record<string, unknown> {
  const base = fixture("refunds-create.json");
  const transaction = (base.transactions as Record<string, unknown>[])[0]!;
  const lineItem = (base.refund_line_items as Record<string, unknown>[])[0]!;
  const both = (shop: string, presentment: string) => ({
    shop_money: { amount: shop, currency_code: s.shopCurrency },
    presentment_money: { amount: presentment, currency_code: s.presentmentCurrency },
  });
  return {
    ...base,
    ...refundIds(s),
    total_duties_set: both("0", "0.00"),
    total_additional_fees_set: both("0", "0.00"),
    order_adjustments: [],
    refund_shipping_lines: [],
    refund_line_items: [
      {
        ...lineItem,
        id: s.id * 10,
        line_item_id: s.orderId * 10,
        subtotal: Number(s.shopSubtotal),
        total_tax: Number(s.shopTax),
        subtotal_set: both(s.shopSubtotal, s.presentmentSubtotal),
        total_tax_set: both(s.shopTax, s.presentmentTax),
      },
    ],
    transactions: [
      {
        ...transaction,
        order_id: s.orderId,
        kind: "refund",
        status: "success",
        gateway: "shopify_payments",
        amount: s.transactionAmount,
        currency: s.presentmentCurrency,
      },
    ],
  };
}
