import { sqlDialect, sqlExecute, sqlQuery, type PrismaClient, type Tx } from "../db.server";
import { jsonList, placeholder, sqlTimestamp } from "../db/json-rows";
import type { OrderSnapshot } from "../domain/types";
import { logger } from "../logger.server";
import { ensureCustomers, redactCustomer, upsertCustomers } from "../models/customer.server";
import { deleteShopData, ensureShop, findShopCurrency, markShopUninstalled } from "../models/shop.server";
import { ERASED_PAYLOAD, eraseCustomerWebhookBodies } from "../models/webhook-event.server";
import type { JobQueue } from "../queue/types";
import {
  PayloadError,
  parseCustomersDataRequest,
  parseCustomersRedact,
  parseEmailMarketingConsentUpdate,
  parseShopRedact,
  parseShopUpdate,
  parseOrderWebhook,
  parseRefundWebhook,
  parseWebhookJson,
} from "../shopify/payloads";
import { ingestOrderSnapshots, ingestRefund, prepareOrderIngest } from "./ingest-order.server";
import { parseBulkOperationFinish } from "../shopify/bulk-operations";
import { wakeRunForOperation } from "./backfill-run.server";
import { takeParsedOrder } from "./parsed-orders.server";
import { ORDER_TOPICS } from "./webhook-topics";


/**
 * Several stored events at once (the queue's batch path): the order events of one shop go
 * through one ingest transaction — one shop context, each customer locked and recomputed once —
 * and are marked processed in it. Everything else, and any event whose payload does not parse,
 * goes through processWebhookEvent one by one. If this throws, the queue runs every job alone.
 */
export async function processWebhookEvents(
  prisma: PrismaClient,
  queue: JobQueue,
  eventIds: number[],
  now: () => Date = () => new Date(),
): Promise<void> {
  // Hand-written statements on this path, which runs for every webhook: through Prisma, building
  // the query plans cost more than the rest of the batch's reads (ADR 0031).
  const dialect = sqlDialect(prisma);
  const events = (
    await sqlQuery<{ id: number | bigint; shop: string; topic: string; eventId: string }>(
      prisma,
      `SELECT "id", "shop", "topic", "eventId" FROM "WebhookEvent" WHERE "id" IN ${jsonList(dialect, "int", 1)} AND "status" <> 'processed' ORDER BY "id"`,
      JSON.stringify(eventIds),
    )
  ).map((e) => ({ ...e, id: Number(e.id) }));
  // Orders this thread acknowledged come parsed (ADR 0033); the others' payloads are read.
  const parsedOrders = new Map<number, OrderSnapshot>();
  for (const event of events) {
    const order = ORDER_TOPICS.has(event.topic) ? takeParsedOrder(event.shop, event.eventId) : undefined;
    if (order) parsedOrders.set(event.id, order);
  }
  const toRead = events.filter((e) => ORDER_TOPICS.has(e.topic) && !parsedOrders.has(e.id)).map((e) => e.id);
  const payloads = new Map<number, string>();
  if (toRead.length > 0) {
    const rows = await sqlQuery<{ id: number | bigint; payload: string }>(
      prisma,
      `SELECT "id", "payload" FROM "WebhookEvent" WHERE "id" IN ${jsonList(dialect, "int", 1)}`,
      JSON.stringify(toRead),
    );
    for (const row of rows) payloads.set(Number(row.id), row.payload);
  }
  const byShop = new Map<string, { id: number; topic: string; order: OrderSnapshot }[]>();
  const alone: number[] = [];
  for (const event of events) {
    let order: OrderSnapshot | null = parsedOrders.get(event.id) ?? null;
    const payload = payloads.get(event.id);
    if (!order && payload !== undefined) {
      try {
        order = parseOrderWebhook(parseWebhookJson(payload));
      } catch {
        order = null; // processWebhookEvent records why
      }
    }
    if (!order) {
      alone.push(event.id);
      continue;
    }
    const group = byShop.get(event.shop) ?? [];
    group.push({ id: event.id, topic: event.topic, order });
    byShop.set(event.shop, group);
  }
  for (const [shop, group] of byShop) {
    await prepareOrderIngest(prisma, shop, group.map((g) => g.order));
    const topicOf = new Map(group.map((g) => [g.order.gid, g.topic]));
    await prisma.$transaction(async (tx) => {
      const pending = new Set(
        (
          await sqlQuery<{ id: number | bigint }>(
            tx,
            `SELECT "id" FROM "WebhookEvent" WHERE "id" IN ${jsonList(dialect, "int", 1)} AND "status" <> 'processed'`,
            JSON.stringify(group.map((g) => g.id)),
          )
        ).map((e) => Number(e.id)),
      );
      const todo = group.filter((g) => pending.has(g.id));
      if (todo.length === 0) return;
      await ingestOrderSnapshots(tx, queue, shop, todo.map((g) => g.order), {
        source: (order) => topicOf.get(order.gid) ?? "webhook",
        now: now(),
      });
      const processedAt = dialect === "sqlite" ? placeholder(dialect, 1) : `${placeholder(dialect, 1)}::timestamp(3)`;
      await sqlExecute(
        tx,
        `UPDATE "WebhookEvent" SET "status" = 'processed', "processedAt" = ${processedAt}, "attempts" = "attempts" + 1 WHERE "id" IN ${jsonList(dialect, "int", 2)}`,
        sqlTimestamp(dialect, now()),
        JSON.stringify(todo.map((g) => g.id)),
      );
    });
  }
  for (const id of alone) await processWebhookEvent(prisma, queue, id, now);
}

/** What applying one event does inside the transaction; returns a note for the event row. */
type Apply = (tx: Tx) => Promise<string | null>;

/**
 * The worker half of a webhook: apply one stored event and mark it processed in the same
 * transaction, so it is applied exactly once even if the job runs again after a crash.
 */
export async function processWebhookEvent(
  prisma: PrismaClient,
  queue: JobQueue,
  eventId: number,
  now: () => Date = () => new Date(),
): Promise<void> {
  const event = await prisma.webhookEvent.findUnique({ where: { id: eventId } });
  if (!event || event.status === "processed" || event.status === "skipped") return;
  if (event.payload === ERASED_PAYLOAD) {
    // customers/redact erased the body before it was applied (eraseCustomerWebhookBodies).
    const reason = "not applied: customers/redact erased its body first";
    await prisma.webhookEvent.updateMany({
      where: { id: eventId, status: { not: "processed" } },
      data: { status: "skipped", processedAt: now(), attempts: { increment: 1 }, error: reason },
    });
    logger.info("webhook skipped", { eventId, topic: event.topic, reason });
    return;
  }
  try {
    const apply = await prepare(prisma, queue, event.shop, event.topic, parseWebhookJson(event.payload), now);
    await prisma.$transaction(async (tx) => {
      // Another worker may have finished this event meanwhile.
      const current = await tx.webhookEvent.findUnique({ where: { id: eventId }, select: { status: true } });
      if (!current || current.status === "processed") return;
      const note = await apply(tx);
      await tx.webhookEvent.updateMany({
        where: { id: eventId },
        // customers/redact's own body names the customer (email, phone): not kept once applied.
        data: { status: "processed", processedAt: now(), attempts: { increment: 1 }, error: note, ...(event.topic === "customers/redact" ? { payload: ERASED_PAYLOAD } : {}) },
      });
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Recorded outside the rolled-back transaction; the queue decides about retries.
    await prisma.webhookEvent
      .updateMany({
        where: { id: eventId },
        data: { status: error instanceof PayloadError ? "failed" : "pending", attempts: { increment: 1 }, error: message },
      })
      .catch(() => undefined);
    logger.warn("webhook processing failed", { eventId, topic: event.topic, error: message });
    throw error;
  }
}

/** Parse the payload (outside any transaction) and return how to apply it. */
async function prepare(
  prisma: PrismaClient,
  queue: JobQueue,
  shop: string,
  topic: string,
  body: unknown,
  now: () => Date,
): Promise<Apply> {
  switch (topic) {
    case "orders/create":
    case "orders/updated":
    case "orders/paid":
    case "orders/cancelled": {
      const order = parseOrderWebhook(body);
      await prepareOrderIngest(prisma, shop, [order]);
      return async (tx) => {
        const outcome = await ingestOrderSnapshots(tx, queue, shop, [order], { source: topic, now: now() });
        return outcome.stale > 0 ? "not newer than the stored snapshot: ignored" : null;
      };
    }
    case "refunds/create": {
      // A refund's transactions are in the buyer's currency: the shop's says which are shop money.
      const refund = parseRefundWebhook(body, { shopCurrency: (await findShopCurrency(prisma, shop)) ?? undefined });
      if (refund.amount === null) {
        return async () => `no shop-money amount (${refund.reason}): not recorded; orders/updated brings the refunded total`;
      }
      await ensureShop(prisma, shop, refund.currency);
      return async (tx) => {
        const outcome = await ingestRefund(tx, queue, shop, refund, { source: topic, now: now() });
        return outcome.status === "duplicate" ? "refund already recorded" : null;
      };
    }
    case "customers/redact": {
      const request = parseCustomersRedact(body);
      sameShop(shop, request.shopDomain);
      return async (tx) => {
        if (request.customerGid) await redactCustomer(tx, shop, request.customerGid, now(), request.ordersToRedact);
        // The raw order bodies we keep (names, email, addresses, phone) are the customer's data too.
        const erased = await eraseCustomerWebhookBodies(tx, shop, { customerGid: request.customerGid, orderGids: request.ordersToRedact });
        return erased > 0 ? `erased ${erased} stored webhook bodies` : null;
      };
    }
    case "customers/email_marketing_consent_update": {
      // A customer may subscribe before their first order reaches us: the row is made now.
      const update = parseEmailMarketingConsentUpdate(body);
      const ref = { gid: update.customerGid, emailMarketingConsent: update.emailMarketingConsent, consentUpdatedAt: update.consentUpdatedAt ?? now() };
      await ensureShop(prisma, shop);
      await ensureCustomers(prisma, shop, [ref]);
      return async (tx) => {
        await upsertCustomers(tx, shop, [ref]);
        return null;
      };
    }
    case "customers/data_request": {
      // Tokui keeps only order history and a customer's name, email and country; the request
      // is recorded here, and `npm run tokui -- customer-data` prints what to send.
      const request = parseCustomersDataRequest(body);
      sameShop(shop, request.shopDomain);
      return async () => `data request ${request.dataRequestId} for ${request.customerGid ?? "unknown customer"}`;
    }
    case "shop/redact":
      sameShop(shop, parseShopRedact(body).shopDomain);
      return async (tx) => {
        await deleteShopData(tx, shop);
        return null;
      };
    case "shop/update": {
      const update = parseShopUpdate(body);
      return async (tx) => {
        // updateMany: a shop that never installed (or was redacted) has no row to update.
        await tx.shop.updateMany({
          where: { shop },
          data: { name: update.name, ...(update.ianaTimezone ? { ianaTimezone: update.ianaTimezone } : {}) },
        });
        return null;
      };
    }
    case "app/uninstalled":
      return async (tx) => {
        await markShopUninstalled(tx, shop, now());
        return null;
      };
    case "bulk_operations/finish": {
      // Only a wake-up: the backfill asks Shopify for the operation's outcome itself.
      const finished = parseBulkOperationFinish(body);
      return async (tx) => {
        const runId = await wakeRunForOperation(tx, queue, shop, finished.gid);
        return runId === null ? `no history import follows ${finished.gid}` : `woke history import run ${runId} (${finished.status})`;
      };
    }
    default:
      return async () => `no handler for topic ${topic}`;
  }
}

/**
 * A compliance body names its shop; the acknowledgement refuses one that is not the header's
 * (receive-webhook.server.ts). Events stored before that check get the same answer here.
 */
function sameShop(shop: string, shopDomain: string): void {
  if (shopDomain !== shop) throw new PayloadError(`shop_domain ${shopDomain} is not the event's shop ${shop}`);
}
