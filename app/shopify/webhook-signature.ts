import { createHmac, timingSafeEqual } from "node:crypto";

export type WebhookCheck =
  | { valid: true; shop: string; topic: string; eventId: string; apiVersion: string | null }
  | { valid: false; status: 400 | 401; reason: string };

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/**
 * Shopify's webhook signature: base64 HMAC-SHA256 of the raw body under the app's secret, in
 * X-Shopify-Hmac-Sha256, compared in constant time. We check it here rather than through
 * authenticate.webhook, which also loads the shop's session from the database on every
 * delivery — a query the acknowledgement does not need (docs/decisions/0003-webhook-ingestion.md).
 */
export function verifyShopifyWebhook(headers: Headers, rawBody: string, secret: string): WebhookCheck {
  const signature = headers.get("x-shopify-hmac-sha256");
  if (!signature) return { valid: false, status: 401, reason: "no X-Shopify-Hmac-Sha256 signature" };
  if (!shopifyHmacMatches(signature, rawBody, secret)) return { valid: false, status: 401, reason: "signature does not match the body" };
  const shop = headers.get("x-shopify-shop-domain")?.toLowerCase() ?? "";
  if (!SHOP_DOMAIN.test(shop)) return { valid: false, status: 400, reason: `X-Shopify-Shop-Domain is not a myshopify domain: "${shop}"` };
  const topic = headers.get("x-shopify-topic");
  if (!topic) return { valid: false, status: 400, reason: "no X-Shopify-Topic header" };
  const eventId = headers.get("x-shopify-event-id") || headers.get("x-shopify-webhook-id");
  if (!eventId) return { valid: false, status: 400, reason: "no X-Shopify-Event-Id or X-Shopify-Webhook-Id header" };
  return { valid: true, shop, topic, eventId, apiVersion: headers.get("x-shopify-api-version") };
}

/**
 * The signature check alone, for Shopify's other signed POSTs that carry no webhook headers
 * (the Flow trigger lifecycle callback): base64 HMAC-SHA256 of the raw body, constant time.
 */
export function shopifyHmacMatches(signature: string, rawBody: string, secret: string): boolean {
  const expected = createHmac("sha256", secret).update(rawBody, "utf8").digest();
  const given = Buffer.from(signature, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
