import type { Tx } from "../db.server";
import type { OrderSnapshot, RefundSnapshot } from "../domain/types";

export interface StoredOrderState {
  id: number;
  gid: string;
  customerId: number | null;
  sourceUpdatedAt: Date;
}

export async function findOrders(tx: Tx, shop: string, gids: string[]): Promise<Map<string, StoredOrderState>> {
  const rows = await tx.order.findMany({
    where: { shop, gid: { in: gids } },
    select: { id: true, gid: true, customerId: true, sourceUpdatedAt: true },
  });
  return new Map(rows.map((r) => [r.gid, r]));
}

/**
 * Refunds that Shopify's order snapshot does not include yet: those created after the
 * snapshot's updated_at (a refund always bumps the order's updated_at). gid → amount.
 */
async function refundsAfterSnapshots(tx: Tx, shop: string, snapshots: { gid: string; updatedAt: Date }[]) {
  const refunds = await tx.refund.findMany({
    where: { shop, orderGid: { in: snapshots.map((s) => s.gid) } },
    select: { orderGid: true, amount: true, createdAt: true },
  });
  const snapshotAt = new Map(snapshots.map((s) => [s.gid, s.updatedAt.getTime()]));
  const pending = new Map<string, bigint>();
  for (const r of refunds) {
    if (r.createdAt.getTime() > (snapshotAt.get(r.orderGid) ?? Infinity)) {
      pending.set(r.orderGid, (pending.get(r.orderGid) ?? 0n) + r.amount);
    }
  }
  return pending;
}

export interface OrderToSave {
  snapshot: OrderSnapshot;
  customerId: number | null;
  existingId: number | null;
}

/** Write snapshots the caller has checked are newer than what we hold; returns gid → id. */
export async function saveOrderSnapshots(tx: Tx, shop: string, orders: OrderToSave[]): Promise<Map<string, number>> {
  const pending = await refundsAfterSnapshots(tx, shop, orders.map((o) => o.snapshot));
  const fields = ({ snapshot, customerId }: OrderToSave) => ({
    name: snapshot.name,
    customerId,
    processedAt: snapshot.processedAt,
    currency: snapshot.currency,
    totalPrice: snapshot.totalPrice,
    sourceCurrentTotal: snapshot.currentTotalPrice,
    currentTotal: snapshot.currentTotalPrice - (pending.get(snapshot.gid) ?? 0n),
    cancelledAt: snapshot.cancelledAt,
    sourceUpdatedAt: snapshot.updatedAt,
  });
  const ids = new Map<string, number>();
  const fresh = orders.filter((o) => o.existingId === null);
  if (fresh.length > 0) {
    const created = await tx.order.createManyAndReturn({
      data: fresh.map((o) => ({ shop, gid: o.snapshot.gid, ...fields(o) })),
      select: { id: true, gid: true },
    });
    for (const row of created) ids.set(row.gid, row.id);
  }
  const updated = orders.filter((o) => o.existingId !== null);
  for (const o of updated) {
    await tx.order.update({ where: { id: o.existingId! }, data: fields(o) });
    ids.set(o.snapshot.gid, o.existingId!);
  }
  if (updated.length > 0) await tx.orderLine.deleteMany({ where: { orderId: { in: updated.map((o) => o.existingId!) } } });
  const lines = orders.flatMap(({ snapshot }) =>
    snapshot.lines.map((line) => ({
      orderId: ids.get(snapshot.gid)!,
      shop,
      gid: line.gid,
      title: line.title,
      sku: line.sku,
      productGid: line.productGid,
      variantGid: line.variantGid,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
    })),
  );
  if (lines.length > 0) await tx.orderLine.createMany({ data: lines });
  return ids;
}

/** Record a refund once; returns false when it was already known. */
export async function saveRefund(tx: Tx, shop: string, refund: RefundSnapshot): Promise<boolean> {
  const known = await tx.refund.findUnique({ where: { shop_gid: { shop, gid: refund.gid } }, select: { id: true } });
  if (known) return false;
  await tx.refund.create({
    data: {
      shop,
      gid: refund.gid,
      orderGid: refund.orderGid,
      amount: refund.amount,
      currency: refund.currency,
      createdAt: refund.createdAt,
    },
  });
  return true;
}

/** Re-derive currentTotal after a refund arrived; returns the order's customer. */
export async function applyPendingRefunds(tx: Tx, shop: string, orderGid: string): Promise<{ customerId: number | null } | null> {
  const order = await tx.order.findUnique({
    where: { shop_gid: { shop, gid: orderGid } },
    select: { id: true, gid: true, customerId: true, sourceCurrentTotal: true, sourceUpdatedAt: true },
  });
  if (!order) return null; // the order snapshot will subtract it when it arrives
  const pending = await refundsAfterSnapshots(tx, shop, [{ gid: order.gid, updatedAt: order.sourceUpdatedAt }]);
  await tx.order.update({
    where: { id: order.id },
    data: { currentTotal: order.sourceCurrentTotal - (pending.get(order.gid) ?? 0n) },
  });
  return { customerId: order.customerId };
}
