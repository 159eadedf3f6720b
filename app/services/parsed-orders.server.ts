import type { OrderSnapshot } from "../domain/types";

/**
 * Order payloads the acknowledgement has already parsed, handed to the worker of the same
 * thread so it does not parse and check the same 5–30 KB body again (ADR 0033). The stored
 * payload stays the source of truth: a worker elsewhere (thread, `tokui worker`), a retry, or
 * an entry pushed out by newer ones all parse it from the database as before.
 *
 * Safe because an entry is exactly what parseOrderWebhook(parseWebhookJson(payload)) returns for
 * the body that was stored, keyed by the delivery's (shop, event id) — unique in WebhookEvent —
 * and is taken at most once.
 */
const MAX_ENTRIES = 2_000;
const parsed = new Map<string, OrderSnapshot>();
let enabled = false;

const key = (shop: string, eventId: string) => `${shop}\n${eventId}`;

/** Called where a worker runs in this thread; until then nothing is kept. */
export function enableParsedOrderHandoff(): void {
  enabled = true;
}

export function rememberParsedOrder(shop: string, eventId: string, order: OrderSnapshot): void {
  if (!enabled) return;
  const k = key(shop, eventId);
  // Two deliveries of one event id in flight: neither is handed over, each body is parsed
  // from what was stored.
  if (parsed.has(k)) {
    parsed.delete(k);
    return;
  }
  // Oldest first out: under a backlog the oldest are the likeliest to be claimed elsewhere.
  if (parsed.size >= MAX_ENTRIES) parsed.delete(parsed.keys().next().value!);
  parsed.set(k, order);
}

export function forgetParsedOrder(shop: string, eventId: string): void {
  parsed.delete(key(shop, eventId));
}

/** The parsed order, once; undefined when it must be parsed from the stored payload. */
export function takeParsedOrder(shop: string, eventId: string): OrderSnapshot | undefined {
  const k = key(shop, eventId);
  const order = parsed.get(k);
  if (order) parsed.delete(k);
  return order;
}

/** For tests. */
export function parsedOrderCount(): number {
  return parsed.size;
}

/** For tests: back to the state of a fresh process. */
export function resetParsedOrders(): void {
  parsed.clear();
  enabled = false;
}
