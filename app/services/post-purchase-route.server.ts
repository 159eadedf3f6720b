import type { z } from "zod";
import { appContext } from "../context.server";
import { logger } from "../logger.server";
import { ORDER_FOR_POST_PURCHASE_QUERY } from "../shopify/graphql/documents";
import { adminFor, callAdmin } from "../shopify/admin-client.server";
import { adminOrderSnapshot } from "../shopify/bulk-import";
import { authenticate } from "../shopify.server";
import { orderGidOf, postPurchase, postPurchaseRateLimit, postPurchaseRequest, type FetchOrder } from "./post-purchase.server";
import { recordMessageView, surfaceOf } from "./customers/message-views.server";
import type { PostPurchaseBody, SurveyOffer } from "../domain/survey";
import { surveyOfferForOrder } from "./survey.server";

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/** An extension's request once its token, body and rate limit have been checked. */
export interface ExtensionRequest<T> {
  shop: string;
  /** The session token's customer (sub); null for a checkout without one. */
  customerGid: string | null;
  body: T;
  /** Adds the CORS headers shopify-app-remix computed for this request. */
  cors: (response: Response) => Response;
}

/**
 * What every route the extensions call does first (ADR 0011): answer the CORS preflight, read
 * the JSON body against `schema`, authenticate the session token — a checkout token when the
 * body names an OrderIdentity (thank-you page), else a customer account token — and apply the
 * per-shop rate limit. Returns the finished answer (with CORS headers) when the request stops here.
 */
export async function extensionRequest<T extends { orderId: string }>(request: Request, schema: z.ZodType<T, z.ZodTypeDef, unknown>): Promise<Response | ExtensionRequest<T>> {
  // Preflight: shopify-app-remix answers OPTIONS (204 with CORS headers) by throwing a Response.
  if (request.method === "OPTIONS") return thrownResponse(() => authenticate.public.checkout(request));
  if (request.method !== "POST") return withCors(text(405, "POST only"));

  let json: unknown;
  try {
    json = await request.clone().json();
  } catch {
    return withCors(text(400, "body is not JSON"));
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return withCors(text(400, parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")));
  }

  let auth: Awaited<ReturnType<typeof authenticate.public.checkout>>;
  try {
    auth = parsed.data.orderId.includes("/OrderIdentity/") ? await authenticate.public.checkout(request) : await authenticate.public.customerAccount(request);
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
  return { shop, customerGid: sub, body: parsed.data, cors };
}

/**
 * POST /api/post-purchase: authenticate the extension's session token (checkout token on the
 * thank-you page, customer account token on the order status page), then answer the view.
 * Every answer carries CORS headers, so the extension sees errors too.
 */
export async function handlePostPurchase(request: Request): Promise<Response> {
  const checked = await extensionRequest(request, postPurchaseRequest);
  if (checked instanceof Response) return checked;
  const { shop, customerGid: sub, cors } = checked;
  const { orderId, locale } = checked.body;

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
  // The post-purchase survey: thank-you page only (the order status page never asks), when switched on and not answered yet.
  const survey = orderId.includes("/OrderIdentity/") ? await surveyOfferOrNull(shop, orderGidOf(orderId), locale) : null;
  const body: PostPurchaseBody = survey ? { ...outcome.view, survey } : outcome.view;
  // Not Response.json: under `npm start` Remix installs its own Response (installGlobals), which lacks it.
  return cors(new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" } }));
}

/** The survey never costs the shopper the greeting: a failure here is logged and the survey left out. */
async function surveyOfferOrNull(shop: string, orderGid: string, locale: "ja" | "en"): Promise<SurveyOffer | null> {
  try {
    return await surveyOfferForOrder((await appContext()).db.prisma, shop, orderGid, locale);
  } catch (error) {
    logger.error("post-purchase: survey offer failed", { shop, order: orderGid, error: String(error) });
    return null;
  }
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
