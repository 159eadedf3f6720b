/**
 * The thank-you / order status side of Shopify: extension session tokens (HS256 JWTs signed
 * with the app's secret, as Shopify signs them) and the Admin API's view of an order.
 */
import { createHmac, randomUUID } from "node:crypto";
import type { FakeOrder } from "../mocks/admin-api";
import { TEST_SHOP, TEST_SHOPIFY_ENV } from "./shopify";

const base64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

export interface TokenOptions {
  shop?: string;
  /** The logged-in customer's GID; undefined = a guest checkout (no sub). */
  customer?: string;
  /** Seconds from now; negative = already expired. */
  expiresIn?: number;
  secret?: string;
}

export function sessionToken(options: TokenOptions = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: `https://${options.shop ?? TEST_SHOP}/admin`,
    dest: `https://${options.shop ?? TEST_SHOP}`,
    aud: TEST_SHOPIFY_ENV.SHOPIFY_API_KEY,
    ...(options.customer ? { sub: options.customer } : {}),
    exp: now + (options.expiresIn ?? 60),
    nbf: now - 5,
    iat: now - 5,
    jti: randomUUID(),
  };
  const head = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = base64url(JSON.stringify(payload));
  const signature = createHmac("sha256", options.secret ?? TEST_SHOPIFY_ENV.SHOPIFY_API_SECRET).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${signature}`;
}

export function postPurchaseRequest(body: unknown, token: string | null, method = "POST"): Request {
  const headers = new Headers({ Origin: "https://extensions.shopifycdn.com", "Content-Type": "application/json" });
  if (token) headers.set("Authorization", `Bearer ${token}`);
  return new Request(`${TEST_SHOPIFY_ENV.SHOPIFY_APP_URL}/api/post-purchase`, {
    method,
    headers,
    ...(method === "POST" ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
  });
}

/** The same order as an orders/create payload (tests/helpers/payloads.ts orderPayload), as the Admin API returns it. */
export function adminOrderFrom(payload: Record<string, unknown>): FakeOrder {
  const money = (amount: unknown) => ({ shopMoney: { amount: String(amount), currencyCode: String(payload.currency) } });
  const customer = payload.customer as Record<string, unknown> | null;
  const lines = payload.line_items as Record<string, unknown>[];
  const iso = (value: unknown) => new Date(String(value)).toISOString();
  return {
    id: String(payload.admin_graphql_api_id),
    name: String(payload.name),
    createdAt: iso(payload.created_at),
    processedAt: iso(payload.processed_at),
    updatedAt: iso(payload.updated_at),
    cancelledAt: payload.cancelled_at ? iso(payload.cancelled_at) : null,
    currencyCode: String(payload.currency),
    customer: customer
      ? {
          id: String(customer.admin_graphql_api_id),
          firstName: (customer.first_name as string) ?? null,
          lastName: (customer.last_name as string) ?? null,
          defaultEmailAddress: customer.email ? { emailAddress: String(customer.email) } : null,
          defaultAddress: { countryCodeV2: "JP" },
        }
      : null,
    totalPriceSet: money(payload.total_price),
    currentTotalPriceSet: money(payload.current_total_price),
    lineItems: {
      edges: lines.map((line) => ({
        node: {
          id: String(line.admin_graphql_api_id),
          title: String(line.title),
          quantity: Number(line.quantity),
          sku: (line.sku as string) ?? null,
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
