import { env } from "../env.server";
import { appContext } from "../context.server";
import { logger } from "../logger.server";
import { parseWebhookJson } from "../shopify/payloads";
import { verifyShopifyWebhook } from "../shopify/webhook-signature";
import type { OrderSnapshot } from "../domain/types";
import { forgetParsedOrder, rememberParsedOrder } from "./parsed-orders.server";
import { ORDER_TOPICS, SHOP_DOMAIN_TOPICS, WEBHOOK_TOPICS, normalizeTopic, type WebhookTopic } from "./webhook-topics";

/**
 * The whole of a webhook route: verify Shopify's HMAC, check the payload, store it once
 * (deduplicated on the event id) together with a job to process it, and acknowledge. Concurrent
 * deliveries are written in one transaction (group commit, app/lib/group-commit.ts). The
 * processing runs right after, outside the request (docs/decisions/0003-webhook-ingestion.md), so the
 * acknowledgement never waits for rank computation and is well inside Shopify's 5 seconds.
 */
export async function receiveWebhook(request: Request, routeTopic: WebhookTopic): Promise<Response> {
  if (request.method !== "POST") return reject(405, routeTopic, `${request.method} is not allowed; Shopify POSTs`);
  const rawBody = await request.text();
  // A forged or missing signature is 401 (the compliance review checks it), nothing written.
  const check = verifyShopifyWebhook(request.headers, rawBody, env().SHOPIFY_API_SECRET);
  if (!check.valid) return reject(check.status, routeTopic, check.reason);
  const { shop, eventId } = check;
  const topic = normalizeTopic(check.topic);
  if (topic !== routeTopic) {
    return reject(400, routeTopic, `this route handles ${routeTopic} but the delivery says ${topic}`, shop);
  }

  let resourceGid: string | null = null;
  let parsed: { gid?: unknown; shopDomain?: unknown };
  try {
    // Our own parse of the raw body: JSON.parse would round ids above 2^53.
    parsed = WEBHOOK_TOPICS[routeTopic](parseWebhookJson(rawBody)) as { gid?: unknown; shopDomain?: unknown };
    resourceGid = typeof parsed.gid === "string" ? parsed.gid : null;
  } catch (error) {
    // Permanent: retrying the same body cannot help. 400 tells Shopify the delivery failed,
    // the log and the answer say why.
    const reason = error instanceof SyntaxError ? "body is not valid JSON" : error instanceof Error ? error.message : String(error);
    return reject(400, topic, reason, shop);
  }

  // The header is not signed: a captured shop/redact body replayed under another shop's header
  // would erase that shop. Permanent like a bad body (400), and nothing is written.
  if (SHOP_DOMAIN_TOPICS.has(topic) && parsed.shopDomain !== shop) {
    return reject(400, topic, `the signed body's shop_domain ${String(parsed.shopDomain)} is not the X-Shopify-Shop-Domain ${shop}`, shop);
  }

  const { storeWebhook, queue } = await appContext();
  // A worker in this thread takes the parsed order instead of parsing the body again (ADR 0033).
  const handsOver = ORDER_TOPICS.has(topic);
  if (handsOver) rememberParsedOrder(shop, eventId, parsed as OrderSnapshot);
  let outcome;
  try {
    outcome = await storeWebhook({ shop, eventId, topic, resourceGid, payload: rawBody });
  } catch (error) {
    if (handsOver) forgetParsedOrder(shop, eventId);
    throw error;
  }
  if (outcome === "duplicate") {
    // The stored copy's own entry, if any, was handed over long ago: this one has no taker.
    if (handsOver) forgetParsedOrder(shop, eventId);
    logger.info("webhook duplicate acknowledged", { shop, topic, eventId });
    return new Response(null, { status: 200 });
  }
  queue.kick();
  return new Response(null, { status: 200 });
}

function reject(status: number, topic: string, reason: string, shop?: string): Response {
  logger.warn("webhook rejected", { shop, topic, status, reason });
  return new Response(`${topic}: ${reason}`, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}
