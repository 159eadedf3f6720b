/**
 * Requests from the merchant's Shopify admin, as the embedded app receives them with
 * shopify-app-remix's token-exchange strategy (`unstable_newEmbeddedAuthStrategy`):
 * - a document load carries `embedded=1&shop&host&id_token=<session token>` in the URL;
 * - a fetch from the page (form submissions, revalidation) carries `Authorization: Bearer <token>`
 *   (App Bridge adds it).
 * The session token is an HS256 JWT signed with the app's API secret, as App Bridge's is. With no
 * offline session stored, the library exchanges the token at Shopify's /admin/oauth/access_token:
 * `tokenExchange()` is that endpoint (MSW), checking what Shopify checks before it answers.
 */
import { createHmac, randomUUID } from "node:crypto";
import { http, HttpResponse, type HttpHandler } from "msw";
import { TEST_SHOPIFY_ENV } from "./shopify";

const base64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

export interface SessionTokenOptions {
  userId?: number;
  /** Seconds since the epoch. */
  now?: number;
  secret?: string;
  apiKey?: string;
}

/** A session token as App Bridge mints it for `shop` (valid for one minute). */
export function sessionToken(shop: string, options: SessionTokenOptions = {}): string {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = base64url(
    JSON.stringify({
      iss: `https://${shop}/admin`,
      dest: `https://${shop}`,
      aud: options.apiKey ?? TEST_SHOPIFY_ENV.SHOPIFY_API_KEY,
      sub: String(options.userId ?? 42),
      exp: now + 60,
      nbf: now - 5,
      iat: now - 5,
      jti: randomUUID(),
      sid: randomUUID(),
    }),
  );
  const signature = createHmac("sha256", options.secret ?? TEST_SHOPIFY_ENV.SHOPIFY_API_SECRET)
    .update(`${header}.${payload}`)
    .digest("base64url");
  return `${header}.${payload}.${signature}`;
}

function verifySessionToken(token: string, shop: string): string | null {
  const [header, payload, signature] = token.split(".");
  if (!header || !payload || !signature) return "not a JWT";
  const expected = createHmac("sha256", TEST_SHOPIFY_ENV.SHOPIFY_API_SECRET).update(`${header}.${payload}`).digest("base64url");
  if (expected !== signature) return "bad signature";
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { aud?: string; dest?: string; exp?: number };
  if (claims.aud !== TEST_SHOPIFY_ENV.SHOPIFY_API_KEY) return "wrong audience";
  if (claims.dest !== `https://${shop}`) return "token for another shop";
  if ((claims.exp ?? 0) < Date.now() / 1000) return "expired";
  return null;
}

const APP = TEST_SHOPIFY_ENV.SHOPIFY_APP_URL;

/** The admin's `host` parameter: base64 of the admin URL of the shop. */
const hostParam = (shop: string) => Buffer.from(`admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, "")}`).toString("base64url");

/** The first load of an app page inside the admin (a document request). */
export function adminPageRequest(path: string, shop: string, options: { locale?: string; search?: Record<string, string>; token?: string } = {}): Request {
  const url = new URL(path, APP);
  for (const [k, v] of Object.entries(options.search ?? {})) url.searchParams.set(k, v);
  url.searchParams.set("embedded", "1");
  url.searchParams.set("shop", shop);
  url.searchParams.set("host", hostParam(shop));
  url.searchParams.set("locale", options.locale ?? "en");
  url.searchParams.set("id_token", options.token ?? sessionToken(shop));
  return new Request(url, { headers: { Accept: "text/html" } });
}

/** A form submission from the page: JSON body, the session token as a bearer token. */
export function adminJsonPost(path: string, shop: string, body: unknown, options: { locale?: string; token?: string } = {}): Request {
  const url = new URL(path, APP);
  if (options.locale) url.searchParams.set("locale", options.locale);
  return new Request(url, {
    method: "POST",
    headers: { Authorization: `Bearer ${options.token ?? sessionToken(shop)}`, "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export interface TokenExchangeMock {
  handler: HttpHandler;
  /** Every exchange Shopify answered with a token. */
  exchanges: { shop: string; requestedTokenType: string }[];
  /** Refusals (what Shopify would answer 400/401 to); tests assert it empty. */
  refusals: string[];
  reset(): void;
}

/** Shopify's token endpoint: a valid session token for the shop → the shop's offline token. */
export function tokenExchange(accessTokenFor: (shop: string) => string, scope: string = TEST_SHOPIFY_ENV.SCOPES): TokenExchangeMock {
  const exchanges: TokenExchangeMock["exchanges"] = [];
  const refusals: string[] = [];
  const handler = http.post(/^https:\/\/[^/]+\/admin\/oauth\/access_token$/, async ({ request }) => {
    const shop = new URL(request.url).hostname;
    const body = (await request.json()) as Record<string, string>;
    const refuse = (status: number, error: string) => {
      refusals.push(`${shop}: ${error}`);
      return HttpResponse.json({ error }, { status });
    };
    if (body.client_id !== TEST_SHOPIFY_ENV.SHOPIFY_API_KEY || body.client_secret !== TEST_SHOPIFY_ENV.SHOPIFY_API_SECRET) {
      return refuse(401, "invalid_client");
    }
    if (body.grant_type !== "urn:ietf:params:oauth:grant-type:token-exchange") return refuse(400, "unsupported_grant_type");
    if (body.subject_token_type !== "urn:ietf:params:oauth:token-type:id_token") return refuse(400, "invalid_request");
    const problem = verifySessionToken(body.subject_token ?? "", shop);
    if (problem) return refuse(400, "invalid_subject_token");
    const requestedTokenType = body.requested_token_type ?? "";
    if (requestedTokenType !== "urn:shopify:params:oauth:token-type:offline-access-token") return refuse(400, "invalid_request");
    exchanges.push({ shop, requestedTokenType });
    return HttpResponse.json({ access_token: accessTokenFor(shop), scope });
  });
  return {
    handler,
    exchanges,
    refusals,
    reset() {
      exchanges.length = 0;
      refusals.length = 0;
    },
  };
}
