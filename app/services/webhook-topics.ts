import {
  parseCustomersDataRequest,
  parseCustomersRedact,
  parseEmailMarketingConsentUpdate,
  parseOrderWebhook,
  parseRefundWebhook,
  parseShopRedact,
  parseShopUpdate,
} from "../shopify/payloads";
import { parseBulkOperationFinish } from "../shopify/bulk-operations";

/**
 * Every webhook topic Tokui subscribes to (shopify.app.toml), with the parser that checks its
 * payload before we acknowledge it. Route modules are app/routes/webhooks.<topic>.tsx.
 */
export const WEBHOOK_TOPICS = {
  "orders/create": parseOrderWebhook,
  "orders/updated": parseOrderWebhook,
  "orders/paid": parseOrderWebhook,
  "orders/cancelled": parseOrderWebhook,
  // Checked without the shop's currency, which only the worker reads (process-webhook.server.ts):
  // a refund whose shop-money amount is unknown here is still acknowledged.
  "refunds/create": (body: unknown) => parseRefundWebhook(body),
  "app/uninstalled": (body: unknown) => body,
  "customers/data_request": parseCustomersDataRequest,
  "customers/redact": parseCustomersRedact,
  // Consent changes made in Shopify: follow-up mail goes only to SUBSCRIBED customers.
  "customers/email_marketing_consent_update": parseEmailMarketingConsentUpdate,
  "shop/redact": parseShopRedact,
  // The merchant renamed the shop or moved its time zone in Shopify.
  "shop/update": parseShopUpdate,
  // The history import's export finished: wakes the run that follows it (app/services/backfill*).
  "bulk_operations/finish": parseBulkOperationFinish,
} as const;

export type WebhookTopic = keyof typeof WEBHOOK_TOPICS;

/** The topics whose payload is an order (parseOrderWebhook's OrderSnapshot). */
export const ORDER_TOPICS: ReadonlySet<string> = new Set(["orders/create", "orders/updated", "orders/paid", "orders/cancelled"]);

/**
 * The compliance topics: their signed body names the shop (shop_domain). Shopify's HMAC covers
 * the body only, not X-Shopify-Shop-Domain, so the two must agree before we act on either.
 */
export const SHOP_DOMAIN_TOPICS: ReadonlySet<string> = new Set(["customers/data_request", "customers/redact", "shop/redact"]);

export function isWebhookTopic(topic: string): topic is WebhookTopic {
  return Object.hasOwn(WEBHOOK_TOPICS, topic);
}

/** "ORDERS_CREATE" (GraphQL enum form) or "orders/create" → "orders/create". */
export function normalizeTopic(topic: string): string {
  if (topic.includes("/")) return topic.toLowerCase();
  // "BULK_OPERATIONS_FINISH": the slash can be at any underscore.
  const known = Object.keys(WEBHOOK_TOPICS).find((t) => t.replace("/", "_").toUpperCase() === topic.toUpperCase());
  return known ?? topic.toLowerCase().replace("_", "/");
}
