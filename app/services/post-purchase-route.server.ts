import { appContext } from "../context.server";
import { logger } from "../logger.server";
import { ORDER_FOR_POST_PURCHASE_QUERY } from "../shopify/graphql/documents";
import { adminFor, callAdmin } from "../shopify/admin-client.server";
import { adminOrderSnapshot } from "../shopify/bulk-import";
import { authenticate } from "../shopify.server";
import { orderGidOf, postPurchase, postPurchaseRateLimit, postPurchaseRequest, type FetchOrder } from "./post-purchase.server";
import { recordMessageView, surfaceOf } from "./customers/message-views.server";

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/**
 * POST /api/post-purchase: authenticate the extension's session token (checkout token on the
 * thank-you page, customer account token on the order status page), then answer the view.
 * Every answer carries CORS headers, so the extension sees errors too.
 */
export async function handlePostPurchase(request: Request): Promise<Response> {
  // Preflight: shopify-app-remix answers OPTIONS (204 with CORS headers) by throwing a Response.
  if (request.method === "OPTIONS") return thrownResponse(() => authenticate.public.checkout(request));
  if (request.method !== "POST") return withCors(text(405, "POST only"));

  let body: unknown;
  try {
    body = await request.clone().json();
  } catch {
    return withCors(text(400, "body is not JSON"));
  }
  const parsed = postPurchaseRequest.safeParse(body);
  if (!parsed.success) {
    return withCors(text(400, parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")));
  }
  const { orderId, locale } = parsed.data;

  let auth: Awaited<ReturnType<typeof authenticate.public.checkout>>;
  try {
    auth = orderId.includes("/OrderIdentity/") ? await authenticate.public.checkout(request) : await authenticate.public.customerAccount(request);
  } catch (error) {
    if (error instanceof Response) return withCors(new Response(null, { status: error.status, statusText: error.statusText }));
    throw error;
  }
  const { sessionToken, cors } = auth;
  const shop = String(sessionToken.dest ?? "").replace(/^https?:\/\//, "");
  if (!SHOP_DOMAIN.test(shop)) return cors(text(401, "the session token names no shop"));
  const sub = typeof sessionToken.sub === "string" && sessionToken.sub.startsWith("gid://shopify/Customer/") ? sessionToken.sub : null;

  const wait = postPurchaseRateLimit(shop);
  if (wait > 0) {
    logger.warn("post-purchase rate limit", { shop });
    return cors(new Response("too many requests", { status: 429, headers: { "Retry-After": String(wait) } }));
  }

  let outcome: Awaited<ReturnType<typeof postPurchase>>;
  try {
    outcome = await postPurchase(await appContext(), { shop, orderGid: orderGidOf(orderId), customerGid: sub, locale }, fetchOrderFromShopify);
  } catch (error) {
    // Shopify unreachable, the database busy …: the extension stays quiet; the log says why.
    logger.error("post-purchase failed", { shop, order: orderId, error: String(error) });
    return cors(text(503, "temporarily unavailable"));
  }
  if (outcome.status === 202) {
    return cors(new Response(JSON.stringify({ status: "pending" }), { status: 202, headers: { "Content-Type": "application/json; charset=utf-8", "Retry-After": "1" } }));
  }
  if (outcome.status === 404) {
    logger.info("post-purchase: not found", { shop, order: orderId, reason: outcome.reason });
    return cors(text(404, "order not found"));
  }
  if (outcome.view.rank !== null) {
    // For the customer timeline (MessageView); written in the background, never delays or fails this answer.
    const { db } = await appContext();
    void recordMessageView(db.prisma, { shop, orderGid: orderGidOf(orderId), surface: surfaceOf(orderId), rankKey: outcome.view.rank.key, locale, shownAt: new Date() });
  }
  // Not Response.json: under `npm start` Remix installs its own Response (installGlobals), which lacks it.
  return cors(new Response(JSON.stringify(outcome.view), { headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" } }));
}

const fetchOrderFromShopify: FetchOrder = async (shop, orderGid) => {
  const data = await callAdmin(await adminFor(shop), ORDER_FOR_POST_PURCHASE_QUERY, { id: orderGid });
  return data.order ? adminOrderSnapshot(data.order) : null;
};

function text(status: number, message: string): Response {
  return new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

/** For answers before the token is known: any origin (the extension sandbox), no credentials. */
function withCors(response: Response): Response {
  response.headers.set("Access-Control-Allow-Origin", "*");
  response.headers.set("Access-Control-Allow-Headers", "Authorization, Content-Type");
  return response;
}

async function thrownResponse(work: () => Promise<unknown>): Promise<Response> {
  try {
    await work();
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
  return withCors(new Response(null, { status: 204 }));
}
