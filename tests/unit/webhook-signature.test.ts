import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyShopifyWebhook } from "~/shopify/webhook-signature";

const SECRET = "shpss_test_secret";
const BODY = '{"id":820982911946154508,"name":"#1001"}';
const sign = (body: string, secret = SECRET) => createHmac("sha256", secret).update(body, "utf8").digest("base64");
const headers = (overrides: Record<string, string | null> = {}) => {
  const h = new Headers({
    "X-Shopify-Hmac-Sha256": sign(BODY),
    "X-Shopify-Shop-Domain": "example.myshopify.com",
    "X-Shopify-Topic": "orders/create",
    "X-Shopify-Event-Id": "evt-1",
    "X-Shopify-Webhook-Id": "wh-1",
    "X-Shopify-API-Version": "2026-04",
  });
  for (const [k, v] of Object.entries(overrides)) {
    if (v === null) h.delete(k);
    else h.set(k, v);
  }
  return h;
};

describe("verifyShopifyWebhook", () => {
  it("accepts Shopify's signature and reads the delivery headers", () => {
    expect(verifyShopifyWebhook(headers(), BODY, SECRET)).toEqual({
      valid: true,
      shop: "example.myshopify.com",
      topic: "orders/create",
      eventId: "evt-1",
      apiVersion: "2026-04",
    });
  });

  it.each([
    ["no signature", { "X-Shopify-Hmac-Sha256": null }, BODY, 401, /no X-Shopify-Hmac-Sha256/],
    ["another secret's signature", { "X-Shopify-Hmac-Sha256": sign(BODY, "other") }, BODY, 401, /does not match/],
    ["a body changed after signing", {}, BODY.replace("1001", "1002"), 401, /does not match/],
    ["a signature that is not base64 of 32 bytes", { "X-Shopify-Hmac-Sha256": "abc" }, BODY, 401, /does not match/],
    ["a shop that is not a myshopify domain", { "X-Shopify-Shop-Domain": "evil.example.com" }, BODY, 400, /not a myshopify domain/],
    ["no topic", { "X-Shopify-Topic": null }, BODY, 400, /no X-Shopify-Topic/],
    ["no event or webhook id", { "X-Shopify-Event-Id": null, "X-Shopify-Webhook-Id": null }, BODY, 400, /no X-Shopify-Event-Id/],
  ] as const)("rejects %s", (_case, overrides, body, status, reason) => {
    const check = verifyShopifyWebhook(headers(overrides), body, SECRET);
    expect(check).toMatchObject({ valid: false, status });
    expect(check.valid ? "" : check.reason).toMatch(reason);
  });

  it("falls back to the webhook id when Shopify sends no event id", () => {
    expect(verifyShopifyWebhook(headers({ "X-Shopify-Event-Id": null }), BODY, SECRET)).toMatchObject({ valid: true, eventId: "wh-1" });
  });
});
