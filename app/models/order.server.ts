import { sqlExecute, sqlInsertRows, sqlQuery, sqlDialect, type Tx } from "../db.server";
import { dateFrom, jsonList, jsonRowsParam, jsonRowsSource, placeholder, timestampLiteral, shopFilter } from "../db/json-rows";
import type { OrderSnapshot, RefundSnapshot } from "../domain/types";

export interface StoredOrderState {
  id: number;
  gid: string;
  customerId: number | null;
  sourceUpdatedAt: Date;
}

/**
 * The stored state of these orders, for the ingest to compare snapshots with. On PostgreSQL the
 * rows stay locked to the end of the transaction (FOR UPDATE): another transaction ingesting one
 * of these orders waits here, then reads what this one committed — so an older snapshot cannot
 * overwrite a newer one whichever commits last. In id order, so two batches sharing orders lock
 * them in the same order. SQLite needs no lock: the transaction holds the database's write lock
 * from BEGIN IMMEDIATE (ADR 0009).
 */
export async function findOrders(tx: Tx, shop: string, gids: string[]): Promise<Map<string, StoredOrderState>> {
  if (gids.length === 0) return new Map();
  const dialect = sqlDialect(tx);
  const rows = await sqlQuery<{ id: number | bigint; gid: string; customerId: number | bigint | null; sourceUpdatedAt: unknown }>(
    tx,
    `SELECT "id", "gid", "customerId", "sourceUpdatedAt" FROM "Order"
     WHERE "shop" = ${placeholder(dialect, 1)} AND "gid" IN ${jsonList(dialect, "text", 2)}${dialect === "postgresql" ? ` ORDER BY "id" FOR UPDATE` : ""}`,
    shop,
    JSON.stringify(gids),
  );
  return new Map(
    rows.map((r) => [
      r.gid,
      { id: Number(r.id), gid: r.gid, customerId: r.customerId === null ? null : Number(r.customerId), sourceUpdatedAt: dateFrom(r.sourceUpdatedAt) },
    ]),
  );
}

/**
 * Refunds that Shopify's order snapshot does not include yet: those created after the
 * snapshot's updated_at (a refund always bumps the order's updated_at). gid → amount.
 */
async function refundsAfterSnapshots(tx: Tx, shop: string, snapshots: { gid: string; updatedAt: Date }[]) {
  const dialect = sqlDialect(tx);
  const rows = await sqlQuery<{ orderGid: string; amount: bigint | number | string; createdAt: unknown }>(
    tx,
    `SELECT "orderGid", "amount", "createdAt" FROM "Refund"
     WHERE "shop" = ${placeholder(dialect, 1)} AND "orderGid" IN ${jsonList(dialect, "text", 2)}`,
    shop,
    JSON.stringify(snapshots.map((s) => s.gid)),
  );
  const refunds = rows.map((r) => ({ orderGid: r.orderGid, amount: BigInt(r.amount), createdAt: dateFrom(r.createdAt) }));
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

const ORDER_COLUMNS = {
  id: "int",
  gid: "text",
  name: "text",
  customerId: "int",
  processedAt: "timestamp",
  currency: "text",
  totalPrice: "bigint",
  sourceCurrentTotal: "bigint",
  currentTotal: "bigint",
  cancelledAt: "timestamp",
  sourceUpdatedAt: "timestamp",
} as const;
const ORDER_FIELDS = Object.keys(ORDER_COLUMNS).filter((c) => c !== "id" && c !== "gid");

const LINE_COLUMNS = {
  orderId: "int",
  gid: "text",
  title: "text",
  sku: "text",
  productGid: "text",
  variantGid: "text",
  quantity: "int",
  unitPrice: "bigint",
} as const;

/**
 * Write snapshots the caller has checked (findOrders) are newer than what we hold.
 * Set-based: one INSERT for the new orders, one UPDATE for the known ones, one INSERT for all
 * their lines (app/db/json-rows.ts), whatever the batch size. Returns the new orders it did not
 * write: on PostgreSQL, another transaction may insert one after findOrders found nothing — the
 * INSERT then waits for it and skips the order instead of failing, and the caller compares again.
 */
export async function saveOrderSnapshots(tx: Tx, shop: string, orders: OrderToSave[]): Promise<OrderToSave[]> {
  const pending = await refundsAfterSnapshots(tx, shop, orders.map((o) => o.snapshot));
  const row = ({ snapshot, customerId, existingId }: OrderToSave) => ({
    id: existingId,
    gid: snapshot.gid,
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
  const dialect = sqlDialect(tx);
  const savedAt = new Date();
  const now = timestampLiteral(dialect, savedAt);
  const ids = new Map<string, number>();
  const raced: OrderToSave[] = [];

  const fresh = orders.filter((o) => o.existingId === null);
  if (fresh.length > 0) {
    const { id: _id, ...columns } = ORDER_COLUMNS;
    // SQLite has one writer at a time: nobody can insert these between findOrders and here.
    const skipConflictsOn = dialect === "postgresql" ? ["shop", "gid"] : undefined;
    const constants = { shop, createdAt: savedAt, updatedAt: savedAt };
    const created = await sqlInsertRows(tx, { table: "Order", columns, rows: fresh.map(row), constants, skipConflictsOn }, "gid");
    for (const [gid, id] of created) ids.set(gid, id);
    if (created.size < fresh.length) raced.push(...fresh.filter((o) => !created.has(o.snapshot.gid)));
  }
  const known = orders.filter((o) => o.existingId !== null);
  if (known.length > 0) {
    const j = jsonRowsSource(dialect, ORDER_COLUMNS, "j", 1);
    await sqlExecute(
      tx,
      `UPDATE "Order" AS o SET ${ORDER_FIELDS.map((f) => `"${f}" = ${j.col(f)}`).join(", ")}, "updatedAt" = ${now}
       FROM ${j.from}
       WHERE ${shopFilter(dialect, "o", 2)} AND o."id" = ${j.col("id")}`,
      jsonRowsParam(dialect, ORDER_COLUMNS, known.map(row)),
      shop,
    );
    for (const o of known) ids.set(o.snapshot.gid, o.existingId!);
    await sqlExecute(
      tx,
      `DELETE FROM "OrderLine" AS l WHERE ${shopFilter(dialect, "l", 1)} AND l."orderId" IN ${jsonList(dialect, "int", 2)}`,
      shop,
      JSON.stringify(known.map((o) => o.existingId!)),
    );
  }
  const lines = orders.flatMap(({ snapshot }) => {
    const orderId = ids.get(snapshot.gid);
    return orderId === undefined ? [] : snapshot.lines.map((line) => ({ orderId, ...line }));
  });
  await sqlInsertRows(tx, { table: "OrderLine", columns: LINE_COLUMNS, rows: lines, constants: { shop } });
  return raced;
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
export async function applyPendingRefunds(tx: Tx, shop: string, orderGid: string): Promise<{ customerId: number | null; currentTotal: bigint } | null> {
  // PostgreSQL: wait for a transaction writing a newer snapshot of this order, then read what it
  // committed, as findOrders does (ADR 0036); otherwise this UPDATE would put back a total
  // computed from the snapshot it replaced.
  if (sqlDialect(tx) === "postgresql") {
    await sqlQuery(tx, `SELECT "id" FROM "Order" WHERE "shop" = $1 AND "gid" = $2 FOR UPDATE`, shop, orderGid);
  }
  const order = await tx.order.findUnique({
    where: { shop_gid: { shop, gid: orderGid } },
    select: { id: true, gid: true, customerId: true, sourceCurrentTotal: true, sourceUpdatedAt: true },
  });
  if (!order) return null; // the order snapshot will subtract it when it arrives
  const pending = await refundsAfterSnapshots(tx, shop, [{ gid: order.gid, updatedAt: order.sourceUpdatedAt }]);
  const currentTotal = order.sourceCurrentTotal - (pending.get(order.gid) ?? 0n);
  await tx.order.update({ where: { id: order.id }, data: { currentTotal } });
  return { customerId: order.customerId, currentTotal };
}
