import { sqlDialect, sqlExecute, sqlQuery, type Tx } from "../db.server";
import { jsonList, placeholder } from "../db/json-rows";
import { parseWebhookJson } from "../shopify/payloads";
import { ORDER_TOPICS } from "../services/webhook-topics";

/**
 * What an erased WebhookEvent.payload holds (the column is not nullable): valid JSON that no
 * topic's parser accepts, recognised by processWebhookEvent, which skips the event.
 */
export const ERASED_PAYLOAD = '{"redacted":true}';

/** Topics whose body is about one customer (customer.id or customer_id). */
const CUSTOMER_TOPICS = ["customers/redact", "customers/data_request", "customers/email_marketing_consent_update"];

const digitsOf = (gid: string) => gid.slice(gid.lastIndexOf("/") + 1);

/**
 * customers/redact: the stored webhook bodies about the customer (names, email, addresses, phone)
 * become ERASED_PAYLOAD, whatever their status — those of the orders Shopify names and of the
 * customer's stored orders (matched on resourceGid), those orders' refunds, and the customer's
 * own events. Events not applied yet are read too, as their orders may not be stored yet.
 * Returns how many bodies were erased.
 */
export async function eraseCustomerWebhookBodies(tx: Tx, shop: string, who: { customerGid: string | null; orderGids: string[] }): Promise<number> {
  const dialect = sqlDialect(tx);
  // SQLite's ? are positional: each statement's parameters in order of appearance.
  const p = (n: number) => placeholder(dialect, n);
  const stored = who.customerGid
    ? await sqlQuery<{ gid: string }>(
        tx,
        `SELECT o."gid" FROM "Order" o JOIN "Customer" c ON c."id" = o."customerId"
         WHERE c."shop" = ${p(1)} AND c."gid" = ${p(2)} AND o."shop" = ${p(3)}`,
        shop,
        who.customerGid,
        shop,
      )
    : [];
  const orderGids = [...new Set([...who.orderGids, ...stored.map((o) => o.gid)])];
  const refunds =
    orderGids.length > 0
      ? await sqlQuery<{ gid: string }>(
          tx,
          `SELECT "gid" FROM "Refund" WHERE "shop" = ${p(1)} AND "orderGid" IN ${jsonList(dialect, "text", 2)}`,
          shop,
          JSON.stringify(orderGids),
        )
      : [];
  const resourceGids = [...orderGids, ...refunds.map((r) => r.gid)];
  let erased = 0;
  if (resourceGids.length > 0) {
    // No index on resourceGid: a scan of the shop's events, which a rare customers/redact can afford.
    erased += await sqlExecute(
      tx,
      `UPDATE "WebhookEvent" SET "payload" = ${p(1)}
       WHERE "shop" = ${p(2)} AND "resourceGid" IN ${jsonList(dialect, "text", 3)} AND "payload" <> ${p(4)}`,
      ERASED_PAYLOAD,
      shop,
      JSON.stringify(resourceGids),
      ERASED_PAYLOAD,
    );
  }

  // Bodies without a resourceGid to match (the customer topics) and events not applied yet: read.
  const candidates = await sqlQuery<{ id: number | bigint; topic: string; payload: string }>(
    tx,
    `SELECT "id", "topic", "payload" FROM "WebhookEvent"
     WHERE "shop" = ${p(1)} AND "payload" <> ${p(2)} AND ("topic" IN ${jsonList(dialect, "text", 3)} OR "status" <> 'processed')`,
    shop,
    ERASED_PAYLOAD,
    JSON.stringify(CUSTOMER_TOPICS),
  );
  const customerDigits = who.customerGid ? digitsOf(who.customerGid) : null;
  const orderDigits = new Set(orderGids.map(digitsOf));
  const ids = candidates.filter((c) => mentions(c.topic, c.payload, customerDigits, orderDigits)).map((c) => Number(c.id));
  if (ids.length > 0) {
    erased += await sqlExecute(
      tx,
      `UPDATE "WebhookEvent" SET "payload" = ${p(1)} WHERE "shop" = ${p(2)} AND "id" IN ${jsonList(dialect, "int", 3)}`,
      ERASED_PAYLOAD,
      shop,
      JSON.stringify(ids),
    );
  }
  return erased;
}

/**
 * Whether a body names the customer or one of the orders, read loosely (a body that failed its
 * topic's schema may still carry personal data), where Shopify's payloads put those ids.
 */
function mentions(topic: string, raw: string, customerDigits: string | null, orderDigits: Set<string>): boolean {
  let body: unknown;
  try {
    body = parseWebhookJson(raw);
  } catch {
    return false; // never stored: the acknowledgement refuses bodies that are not JSON
  }
  if (typeof body !== "object" || body === null) return false;
  const b = body as Record<string, unknown>;
  const idText = (value: unknown) => (typeof value === "string" ? digitsOf(value) : typeof value === "number" ? String(value) : null);
  const customer = typeof b.customer === "object" && b.customer !== null ? (b.customer as Record<string, unknown>) : {};
  if (customerDigits !== null && [customer.id, customer.admin_graphql_api_id, b.customer_id].some((v) => idText(v) === customerDigits)) return true;
  const orderIds = ORDER_TOPICS.has(topic) ? [b.admin_graphql_api_id, b.id] : topic === "refunds/create" ? [b.order_id] : [];
  return orderIds.some((v) => {
    const digits = idText(v);
    return digits !== null && orderDigits.has(digits);
  });
}
