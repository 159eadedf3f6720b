/**
 * Requests signed exactly as Shopify signs them: webhook bodies with HMAC-SHA256 (base64) of
 * the raw body under the app's secret, and the headers Shopify sends with every delivery.
 */
import { createHmac, randomUUID } from "node:crypto";

export const TEST_SHOPIFY_ENV = {
  SHOPIFY_API_KEY: "tokui-test-api-key",
  SHOPIFY_API_SECRET: "tokui-test-api-secret",
  SHOPIFY_APP_URL: "https://tokui.test",
  SCOPES: "read_orders,write_orders,read_customers,write_customers,write_discounts,read_all_orders",
} as const;

export const TEST_SHOP = "tokui-test.myshopify.com";

export function shopifyHmac(rawBody: string, secret: string = TEST_SHOPIFY_ENV.SHOPIFY_API_SECRET): string {
  return createHmac("sha256", secret).update(rawBody, "utf8").digest("base64");
}

export interface WebhookRequestOptions {
  topic: string;
  body: unknown;
  shop?: string;
  eventId?: string;
  webhookId?: string;
  /** Override the signature (forgeries); null leaves the header out. */
  hmac?: string | null;
  apiVersion?: string;
}

export function webhookRequest(options: WebhookRequestOptions): Request {
  const rawBody = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  const headers = new Headers({
    "Content-Type": "application/json",
    "X-Shopify-Topic": options.topic,
    "X-Shopify-Shop-Domain": options.shop ?? TEST_SHOP,
    "X-Shopify-API-Version": options.apiVersion ?? "2026-04",
    "X-Shopify-Webhook-Id": options.webhookId ?? randomUUID(),
    "X-Shopify-Event-Id": options.eventId ?? randomUUID(),
    "X-Shopify-Triggered-At": new Date().toISOString(),
  });
  const hmac = options.hmac === undefined ? shopifyHmac(rawBody) : options.hmac;
  if (hmac !== null) headers.set("X-Shopify-Hmac-Sha256", hmac);
  return new Request(`${TEST_SHOPIFY_ENV.SHOPIFY_APP_URL}/webhooks/${options.topic}`, {
    method: "POST",
    headers,
    body: rawBody,
  });
}
