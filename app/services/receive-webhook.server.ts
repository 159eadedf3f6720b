import { authenticate } from "../shopify.server";
import { appContext } from "../context.server";
import { logger } from "../logger.server";
import { isUniqueViolation } from "../models/shop.server";
import { parseWebhookJson } from "../shopify/payloads";
import { WEBHOOK_TOPICS, normalizeTopic, type WebhookTopic } from "./webhook-topics";

/**
 * The whole of a webhook route: verify Shopify's HMAC, check the payload, store it once
 * (deduplicated on the event id) together with a job to process it, and acknowledge. The
 * processing runs right after, outside the request (docs/decisions/0003-webhook-ingestion.md), so the
 * acknowledgement never waits for rank computation and is well inside Shopify's 5 seconds.
 */
export async function receiveWebhook(request: Request, routeTopic: WebhookTopic): Promise<Response> {
  // Shopify's library answers 400 to a missing signature; an unsigned delivery is as
  // unauthenticated as a forged one (and the compliance review checks for 401).
  if (request.method === "POST" && !request.headers.get("X-Shopify-Hmac-Sha256")) {
    return reject(401, routeTopic, "no X-Shopify-Hmac-Sha256 signature");
  }
  const rawBody = await request.clone().text();
  let context: Awaited<ReturnType<typeof authenticate.webhook>>;
  try {
    context = await authenticate.webhook(request);
  } catch (error) {
    if (error instanceof Response) return error; // 401 forged/missing HMAC, 405 not POST, 400 bad headers
    if (error instanceof SyntaxError) return reject(400, routeTopic, "body is not valid JSON");
    throw error;
  }
  const { shop } = context;
  const topic = normalizeTopic(String(context.topic));
  if (topic !== routeTopic) {
    return reject(400, routeTopic, `this route handles ${routeTopic} but the delivery says ${topic}`, shop);
  }
  const eventId = context.eventId || context.webhookId;
  if (!eventId) return reject(400, topic, "no X-Shopify-Event-Id or X-Shopify-Webhook-Id header", shop);

  let resourceGid: string | null = null;
  try {
    // Our own parse of the raw body: JSON.parse would round ids above 2^53.
    const parsed = WEBHOOK_TOPICS[routeTopic](parseWebhookJson(rawBody)) as { gid?: unknown };
    resourceGid = typeof parsed.gid === "string" ? parsed.gid : null;
  } catch (error) {
    // Permanent: retrying the same body cannot help. 400 tells Shopify the delivery failed,
    // the log and the answer say why.
    return reject(400, topic, error instanceof Error ? error.message : String(error), shop);
  }

  const { db, queue } = await appContext();
  const stored = await db.prisma.$transaction(async (tx) => {
    const existing = await tx.webhookEvent.findUnique({ where: { shop_eventId: { shop, eventId } }, select: { id: true } });
    if (existing) return false;
    const event = await tx.webhookEvent.create({
      data: { shop, eventId, topic, resourceGid, payload: rawBody },
      select: { id: true },
    });
    await queue.enqueue(tx, { queue: "webhook", shop, data: { eventId: event.id } });
    return true;
  }).catch((error: unknown) => {
    // Two copies of one delivery racing on PostgreSQL: the loser hits the unique key.
    if (isUniqueViolation(error)) return false;
    throw error;
  });
  if (!stored) {
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
