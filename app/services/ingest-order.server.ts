import { sqlDialect, type PrismaClient, type Tx } from "../db.server";
import { orderReason, refundReason } from "../domain/rank-change-reason";
import type { OrderSnapshot, RefundSnapshot } from "../domain/types";
import { ensureCustomers, upsertCustomers } from "../models/customer.server";
import { applyPendingRefunds, findOrders, saveOrderSnapshots, saveRefund, type OrderToSave, type StoredOrderState } from "../models/order.server";
import { ensureShop, loadShopContext } from "../models/shop.server";
import { countOrderLines } from "../models/order-line.server";
import type { JobQueue } from "../queue/types";
import { refreshCustomers, type RefreshResult } from "./customer-rank.server";
import { markCodesRedeemed, reviewGrantsOfReversedOrders } from "./milestone-grants.server";

const stateFrom = (results: RefreshResult[]) => {
  const byId = new Map(results.map((r) => [r.customerId, { orderCount: r.orderCount, rankKey: r.toRank }]));
  return (customerId: number) => byId.get(customerId);
};

/**
 * Before the ingest transaction: create the shop's settings and, on PostgreSQL, first-seen
 * customers, which several deliveries may race to create (see ensureShop, ensureCustomers).
 * SQLite runs one write transaction at a time, so there the transaction creates them itself
 * (upsertCustomers) — one statement and one commit fewer per batch.
 */
export async function prepareOrderIngest(prisma: PrismaClient, shop: string, snapshots: OrderSnapshot[]): Promise<void> {
  if (snapshots.length === 0) return;
  // shop_money is always in the shop's currency, so the first order tells a new shop's currency.
  await ensureShop(prisma, shop, snapshots[0]!.currency);
  if (sqlDialect(prisma) === "postgresql") {
    await ensureCustomers(prisma, shop, snapshots.flatMap((s) => (s.customer ? [s.customer] : [])));
  }
}

/**
 * Snapshots with the stored updated_at but more lines: that copy was imported with bad lines
 * skipped, and the fixed file is imported again. More lines only, never fewer, so two copies of
 * one updated_at cannot take turns.
 */
async function completingSnapshots(
  tx: Tx,
  shop: string,
  candidates: OrderSnapshot[],
  existing: Map<string, { id: number; sourceUpdatedAt: Date }>,
): Promise<Set<OrderSnapshot>> {
  if (existing.size === 0) return new Set(); // a first import: nothing stored to complete
  const ties = candidates.filter((s) => s.lines.length > 0 && existing.get(s.gid)?.sourceUpdatedAt.getTime() === s.updatedAt.getTime());
  if (ties.length === 0) return new Set();
  const stored = await countOrderLines(tx, shop, ties.map((s) => existing.get(s.gid)!.id));
  return new Set(ties.filter((s) => s.lines.length > (stored.get(existing.get(s.gid)!.id) ?? 0)));
}

export interface IngestResult {
  applied: number;
  /**
   * Snapshots not newer than the one stored (duplicates, late or out-of-order deliveries); of the
   * same updated_at, one with more lines than stored is applied (completingSnapshots).
   */
  stale: number;
  customers: RefreshResult[];
  /** Customers whose orders changed (with deferRefresh, the caller must refresh them). */
  touchedCustomerIds: number[];
}

/**
 * The one path every order takes into Tokui — a webhook (a batch of one), the bulk import
 * (batches of many) and the post-purchase fetch alike. Call it inside a transaction.
 * Idempotent: a snapshot that is not newer than the stored one changes nothing (except one that
 * completes a copy imported without its bad lines, see completingSnapshots).
 * Call prepareOrderIngest first, outside the transaction.
 */
export async function ingestOrderSnapshots(
  tx: Tx,
  queue: JobQueue,
  shop: string,
  snapshots: OrderSnapshot[],
  /** source: what delivered the orders ("orders/create", "import"), or per order. */
  /**
   * deferRefresh: store the orders but leave the customers' stats and ranks to the caller —
   * the bulk import refreshes each customer once at the end instead of once per batch.
   */
  options: { source: string | ((snapshot: OrderSnapshot) => string); now: Date; deferRefresh?: boolean },
): Promise<IngestResult> {
  if (snapshots.length === 0) return { applied: 0, stale: 0, customers: [], touchedCustomerIds: [] };
  // Within one batch the newest snapshot of an order wins.
  const newest = new Map<string, OrderSnapshot>();
  for (const s of snapshots) {
    const seen = newest.get(s.gid);
    if (!seen || s.updatedAt > seen.updatedAt) newest.set(s.gid, s);
  }
  const candidates = [...newest.values()];
  const existing = await findOrders(tx, shop, candidates.map((s) => s.gid));
  const completing = await completingSnapshots(tx, shop, candidates, existing);
  const fresher = candidates.filter((s) => {
    const stored = existing.get(s.gid);
    return !stored || stored.sourceUpdatedAt.getTime() < s.updatedAt.getTime() || completing.has(s);
  });
  let stale = snapshots.length - fresher.length;
  // A deferred refresh also covers the customers of orders already stored: an import that
  // stopped after storing orders but before refreshing their customers converges when re-run.
  const storedCustomerIds = options.deferRefresh
    ? candidates.flatMap((s) => {
        const customerId = existing.get(s.gid)?.customerId;
        return customerId === undefined || customerId === null ? [] : [customerId];
      })
    : [];
  if (fresher.length === 0) return { applied: 0, stale, customers: [], touchedCustomerIds: [...new Set(storedCustomerIds)] };

  const ctx = await loadShopContext(tx, shop);
  const customerIds = await upsertCustomers(tx, shop, fresher.flatMap((s) => (s.customer ? [s.customer] : [])));
  let toSave: OrderToSave[] = fresher.map((snapshot) => ({
    snapshot,
    customerId: snapshot.customer ? customerIds.get(snapshot.customer.gid)! : null,
    existingId: existing.get(snapshot.gid)?.id ?? null,
  }));
  const raced = await saveOrderSnapshots(tx, shop, toSave);
  if (raced.length > 0) toSave = await saveRacedOrders(tx, shop, toSave, raced, existing);
  const saved = toSave.map((o) => o.snapshot);
  stale += fresher.length - saved.length;

  const touched = new Set<number>(storedCustomerIds);
  const reasonByCustomer = new Map<number, string>();
  for (const { snapshot, customerId, existingId } of toSave) {
    const source = typeof options.source === "string" ? options.source : options.source(snapshot);
    const reason = orderReason(snapshot.name ?? snapshot.gid, source);
    if (customerId !== null) {
      touched.add(customerId);
      reasonByCustomer.set(customerId, reason);
    }
    // Rare, but an order can move to another customer: the previous one is recomputed too.
    const previous = existingId !== null ? existing.get(snapshot.gid)!.customerId : null;
    if (previous !== null && previous !== customerId) {
      touched.add(previous);
      reasonByCustomer.set(previous, reason);
    }
  }
  const touchedCustomerIds = [...touched];
  if (options.deferRefresh) return { applied: saved.length, stale, customers: [], touchedCustomerIds };

  // The newest counted order of each customer is the one that earns a milestone it reaches.
  const earningOrder = new Map<number, OrderSnapshot>();
  for (const { snapshot, customerId } of toSave) {
    if (customerId === null || snapshot.cancelledAt !== null) continue;
    const seen = earningOrder.get(customerId);
    if (!seen || snapshot.processedAt > seen.processedAt) earningOrder.set(customerId, snapshot);
  }
  const customers = await refreshCustomers(tx, queue, ctx, touchedCustomerIds, (id) => reasonByCustomer.get(id)!, options.now, {
    earningOrder: (id) => earningOrder.get(id)?.gid ?? null,
  });
  await markCodesRedeemed(tx, shop, saved.filter((s) => s.cancelledAt === null).flatMap((s) => s.discountCodes ?? []), options.now);
  const reversed = saved.filter((s) => s.cancelledAt !== null || s.currentTotalPrice <= 0n).map((s) => s.gid);
  await reviewGrantsOfReversedOrders(tx, queue, ctx, reversed, stateFrom(customers), options.now);
  return { applied: saved.length, stale, customers, touchedCustomerIds };
}

/**
 * PostgreSQL: orders another transaction inserted after findOrders found nothing (the INSERT
 * waited for its commit and skipped them). Read them again, now locked, and update those our
 * snapshot is newer than; the others are stale. Records them in `existing`, so that a customer
 * the order moves away from is recomputed too. Returns what was saved in all.
 */
async function saveRacedOrders(
  tx: Tx,
  shop: string,
  toSave: OrderToSave[],
  raced: OrderToSave[],
  existing: Map<string, StoredOrderState>,
): Promise<OrderToSave[]> {
  const stored = await findOrders(tx, shop, raced.map((o) => o.snapshot.gid));
  const newer: OrderToSave[] = [];
  for (const o of raced) {
    const row = stored.get(o.snapshot.gid);
    // Inserted and deleted again since (shop/redact): let the caller's retry start over.
    if (!row) throw new Error(`order ${o.snapshot.gid} was inserted by another transaction but is gone`);
    existing.set(o.snapshot.gid, row);
    if (row.sourceUpdatedAt.getTime() < o.snapshot.updatedAt.getTime()) newer.push({ ...o, existingId: row.id });
  }
  // All known and locked now: nothing left to race for.
  if (newer.length > 0) await saveOrderSnapshots(tx, shop, newer);
  const racedGids = new Set(raced.map((o) => o.snapshot.gid));
  return [...toSave.filter((o) => !racedGids.has(o.snapshot.gid)), ...newer];
}

export type RefundOutcome = { status: "duplicate" } | { status: "applied"; customer: RefreshResult | null };

export async function ingestRefund(
  tx: Tx,
  queue: JobQueue,
  shop: string,
  refund: RefundSnapshot,
  options: { source: string; now: Date },
): Promise<RefundOutcome> {
  if (!(await saveRefund(tx, shop, refund))) return { status: "duplicate" };
  const order = await applyPendingRefunds(tx, shop, refund.orderGid);
  if (!order?.customerId) return { status: "applied", customer: null };
  const ctx = await loadShopContext(tx, shop);
  const [customer] = await refreshCustomers(tx, queue, ctx, [order.customerId], refundReason(refund.gid, options.source), options.now);
  if (order.currentTotal <= 0n) await reviewGrantsOfReversedOrders(tx, queue, ctx, [refund.orderGid], stateFrom(customer ? [customer] : []), options.now);
  return { status: "applied", customer: customer ?? null };
}
