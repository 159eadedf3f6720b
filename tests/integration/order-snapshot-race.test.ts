/**
 * Two transactions ingest the same order at once (two workers or lanes, or the thank-you page
 * beside a webhook): whichever commits last, the newer snapshot is what remains, and the
 * customer's stats are computed from it. The first transaction is held open right after it
 * read the stored order, while the second runs; on SQLite the second waits for the one writer,
 * on PostgreSQL it is a second connection and must wait for the first's row lock.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { OrderSnapshot } from "~/domain/types";
import { ingestOrderSnapshots, ingestRefund, prepareOrderIngest } from "~/services/ingest-order.server";
import { app } from "../helpers/app";

const SHOP = "snapshot-race.myshopify.com";
const GID = "gid://shopify/Order/7001";
const BUYER = { gid: "gid://shopify/Customer/7001" };

// The next findOrders call pauses after its read, inside its transaction, until released.
const pause = vi.hoisted(() => ({ next: null as null | { entered: () => void; held: Promise<void> } }));
vi.mock("~/models/order.server", async (importOriginal) => {
  const actual = await importOriginal<typeof import("~/models/order.server")>();
  return {
    ...actual,
    findOrders: async (...args: Parameters<typeof actual.findOrders>) => {
      const found = await actual.findOrders(...args);
      const hold = pause.next;
      pause.next = null;
      if (hold) {
        hold.entered();
        await hold.held;
      }
      return found;
    },
  };
});

beforeEach(async () => {
  const { prisma } = await app();
  await prisma.orderLine.deleteMany({ where: { shop: SHOP } });
  await prisma.order.deleteMany({ where: { shop: SHOP } });
  await prisma.rankChange.deleteMany({ where: { shop: SHOP } });
  await prisma.customer.deleteMany({ where: { shop: SHOP } });
});

function snapshot(updatedAt: string, total: bigint, lineIds: number[], customer: OrderSnapshot["customer"]): OrderSnapshot {
  return {
    gid: GID,
    name: "#7001",
    customer,
    createdAt: new Date("2026-11-01T01:00:00Z"),
    processedAt: new Date("2026-11-01T01:00:00Z"),
    updatedAt: new Date(updatedAt),
    cancelledAt: null,
    currency: "JPY",
    totalPrice: total,
    currentTotalPrice: total,
    lines: lineIds.map((n) => ({ gid: `gid://shopify/LineItem/${n}`, title: `item ${n}`, sku: null, productGid: null, variantGid: null, quantity: 1, unitPrice: total / BigInt(lineIds.length) })),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function ingest(order: OrderSnapshot) {
  const { prisma, queue } = await app();
  return prisma.$transaction((tx) => ingestOrderSnapshots(tx, queue, SHOP, [order], { source: "orders/updated", now: new Date("2026-11-02T00:00:00Z") }));
}

/**
 * `first` (whose findOrders is the next) reads the stored order and is held open; `second` runs
 * meanwhile; then `first` goes on.
 */
async function race(first: () => Promise<unknown>, second: () => Promise<unknown>) {
  let entered!: () => void;
  let release!: () => void;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  pause.next = { entered, held: new Promise<void>((resolve) => (release = resolve)) };
  const firstDone = first();
  await inside;
  const secondDone = second();
  // Without a lock (PostgreSQL) the second commits now; with one, or on SQLite, it waits.
  await Promise.race([secondDone.catch(() => undefined), sleep(300)]);
  release();
  return Promise.allSettled([firstDone, secondDone]);
}

describe.each([
  ["a customer's order", BUYER],
  ["a guest order", null],
])("two transactions ingesting %s at once: the newer snapshot wins whichever commits last", (_name, customer) => {
  const older = snapshot("2026-11-01T02:00:00Z", 2000n, [1], customer);
  const newer = snapshot("2026-11-01T03:00:00Z", 3000n, [2, 3], customer);

  it.each([
    ["stored before, the older reads first", true, older, newer],
    ["stored before, the newer reads first", true, newer, older],
    ["first seen, the older reads first", false, older, newer],
    ["first seen, the newer reads first", false, newer, older],
  ])("%s", async (_case, storedBefore, first, second) => {
    const { prisma } = await app();
    await prepareOrderIngest(prisma, SHOP, [older]);
    if (storedBefore) await ingest(snapshot("2026-11-01T01:00:00Z", 1000n, [9], customer));

    const outcomes = await race(
      () => ingest(first),
      () => ingest(second),
    );

    expect(outcomes.map((o) => (o.status === "rejected" ? String(o.reason) : o.status))).toEqual(["fulfilled", "fulfilled"]);
    const order = await prisma.order.findUniqueOrThrow({
      where: { shop_gid: { shop: SHOP, gid: GID } },
      include: { lines: { orderBy: { gid: "asc" } }, customer: true },
    });
    expect(order.sourceUpdatedAt).toEqual(newer.updatedAt);
    expect(order.currentTotal).toBe(3000n);
    expect(order.lines.map((l) => l.gid)).toEqual(["gid://shopify/LineItem/2", "gid://shopify/LineItem/3"]);
    if (customer) {
      // The stats were recomputed from the row that remains, not from the one overwritten.
      expect(order.customer).toMatchObject({ gid: BUYER.gid, orderCount: 1, lifetimeSpent: 3000n, windowSpent: 3000n });
    } else {
      expect(order.customerId).toBeNull();
    }
  });
});

describe("a refund while a newer snapshot of its order is being written", () => {
  it("is subtracted from the newer snapshot's total, not from the one it replaced", async () => {
    const { prisma, queue } = await app();
    const stored = snapshot("2026-11-01T02:00:00Z", 3000n, [1], BUYER);
    // The order was edited (an item added) before the refund, which it does not include yet.
    const edited = snapshot("2026-11-01T03:00:00Z", 3500n, [1, 2], BUYER);
    const refund = { gid: "gid://shopify/Refund/7001", orderGid: GID, createdAt: new Date("2026-11-01T04:00:00Z"), amount: 1000n, currency: "JPY" };
    await prepareOrderIngest(prisma, SHOP, [stored]);
    await ingest(stored);

    const outcomes = await race(
      () => ingest(edited),
      () => prisma.$transaction((tx) => ingestRefund(tx, queue, SHOP, refund, { source: "refunds/create", now: new Date("2026-11-02T00:00:00Z") })),
    );

    expect(outcomes.map((o) => (o.status === "rejected" ? String(o.reason) : o.status))).toEqual(["fulfilled", "fulfilled"]);
    const order = await prisma.order.findUniqueOrThrow({ where: { shop_gid: { shop: SHOP, gid: GID } }, include: { customer: true } });
    expect({ source: order.sourceCurrentTotal, current: order.currentTotal }).toEqual({ source: 3500n, current: 2500n });
    expect(order.customer).toMatchObject({ lifetimeSpent: 2500n });
  });
});
