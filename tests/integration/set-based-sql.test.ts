/**
 * The hand-written set-based statements (app/db/json-rows.ts) against the real database:
 * they write what Prisma reads back, exactly, and SQLite runs them by primary key.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { sqlDialect, sqlInsertRows, sqlRunEach } from "~/db.server";
import { jsonRowsSource, shopFilter } from "~/db/json-rows";
import { ensureCustomers, upsertCustomers } from "~/models/customer.server";
import { findOrders, saveOrderSnapshots } from "~/models/order.server";
import { ingestOrderSnapshots, prepareOrderIngest } from "~/services/ingest-order.server";
import { recomputeShop } from "~/services/recompute.server";
import type { OrderSnapshot } from "~/domain/types";
import { app } from "../helpers/app";

const DB_KIND = process.env.TOKUI_TEST_DB ?? "sqlite";
const SHOP = "set-based.myshopify.com";
const OTHER_SHOP = "other-shop.myshopify.com";

beforeEach(async () => {
  const { prisma } = await app();
  await prisma.orderLine.deleteMany();
  await prisma.order.deleteMany();
  await prisma.customer.deleteMany();
});

function snapshot(n: number, overrides: Partial<OrderSnapshot> = {}): OrderSnapshot {
  return {
    gid: `gid://shopify/Order/${n}`,
    name: `#${n}`,
    customer: null,
    createdAt: new Date("2026-11-01T01:00:00Z"),
    processedAt: new Date("2026-11-01T01:00:00.123Z"),
    updatedAt: new Date("2026-11-01T01:05:00Z"),
    cancelledAt: null,
    currency: "JPY",
    totalPrice: 5160n,
    currentTotalPrice: 5160n,
    lines: [{ gid: `gid://shopify/LineItem/${n}1`, title: "緑茶 100g", sku: "0042", productGid: "gid://shopify/Product/1", variantGid: null, quantity: 2, unitPrice: 2580n }],
    ...overrides,
  };
}

describe("set-based writes", () => {
  it("knows its dialect inside a transaction", async () => {
    const { prisma } = await app();
    expect(await prisma.$transaction(async (tx) => sqlDialect(tx))).toBe(DB_KIND);
  });

  it("stores orders and lines exactly as Prisma reads them back: amounts beyond 2^53, millisecond times, text that looks like a number", async () => {
    const { prisma } = await app();
    const huge = 9007199254740993n;
    await prisma.$transaction((tx) =>
      saveOrderSnapshots(tx, SHOP, [{ snapshot: snapshot(1, { totalPrice: huge, currentTotalPrice: huge }), customerId: null, existingId: null }]),
    );
    const order = await prisma.order.findFirstOrThrow({ where: { shop: SHOP }, include: { lines: true } });
    expect(order).toMatchObject({ gid: "gid://shopify/Order/1", name: "#1", totalPrice: huge, currentTotal: huge, currency: "JPY", cancelledAt: null });
    expect(order.processedAt.toISOString()).toBe("2026-11-01T01:00:00.123Z");
    expect(order.sourceUpdatedAt.toISOString()).toBe("2026-11-01T01:05:00.000Z");
    expect(order.lines).toEqual([expect.objectContaining({ shop: SHOP, title: "緑茶 100g", sku: "0042", quantity: 2, unitPrice: 2580n, variantGid: null })]);
    // Prisma's own filters still compare the times we wrote.
    expect(await prisma.order.count({ where: { processedAt: { gte: new Date("2026-11-01T01:00:00.123Z") } } })).toBe(1);
    expect(await prisma.order.count({ where: { processedAt: { gt: new Date("2026-11-01T01:00:00.123Z") } } })).toBe(0);
  });

  it("updates only its own shop's orders and replaces their lines", async () => {
    const { prisma } = await app();
    await prisma.$transaction(async (tx) => {
      await saveOrderSnapshots(tx, SHOP, [{ snapshot: snapshot(2), customerId: null, existingId: null }]);
      await saveOrderSnapshots(tx, OTHER_SHOP, [{ snapshot: snapshot(2), customerId: null, existingId: null }]);
    });
    const mine = (await prisma.$transaction((tx) => findOrders(tx, SHOP, ["gid://shopify/Order/2"]))).get("gid://shopify/Order/2")!;
    const cancelled = snapshot(2, { cancelledAt: new Date("2026-11-02T00:00:00Z"), currentTotalPrice: 0n, updatedAt: new Date("2026-11-02T00:00:00Z"), lines: [] });
    await prisma.$transaction((tx) => saveOrderSnapshots(tx, SHOP, [{ snapshot: cancelled, customerId: null, existingId: mine.id }]));
    expect(await prisma.order.findMany({ orderBy: { shop: "asc" }, select: { shop: true, currentTotal: true, cancelledAt: true } })).toEqual([
      { shop: OTHER_SHOP, currentTotal: 5160n, cancelledAt: null },
      { shop: SHOP, currentTotal: 0n, cancelledAt: new Date("2026-11-02T00:00:00Z") },
    ]);
    expect(await prisma.orderLine.count({ where: { shop: SHOP } })).toBe(0);
    expect(await prisma.orderLine.count({ where: { shop: OTHER_SHOP } })).toBe(1);
  });

  it("creates customers once with their personal data; a later payload changes what it carries and keeps the rest", async () => {
    const { prisma } = await app();
    const gid = "gid://shopify/Customer/42";
    await ensureCustomers(prisma, SHOP, [{ gid, firstName: "花子", lastName: "山田", email: "hanako@example.com", countryCode: "JP" }]);
    await ensureCustomers(prisma, SHOP, [{ gid, firstName: "別人" }]); // already there: no change, no error
    await prisma.$transaction((tx) => upsertCustomers(tx, SHOP, [{ gid, lastName: "佐藤", email: null }]));
    expect(await prisma.customer.findMany({ select: { gid: true, firstName: true, lastName: true, email: true, countryCode: true } })).toEqual([
      { gid, firstName: "花子", lastName: "佐藤", email: null, countryCode: "JP" },
    ]);
  });
});

describe("sqlInsertRows", () => {
  const columns = { gid: "text", firstName: "text", orderCount: "int", lifetimeSpent: "bigint", firstOrderAt: "timestamp" } as const;
  const row = (n: number, extra: Partial<Record<keyof typeof columns, unknown>> = {}) => ({
    gid: `gid://shopify/Customer/${n}`,
    firstName: `客${n}`,
    orderCount: n,
    lifetimeSpent: 9007199254740993n + BigInt(n),
    firstOrderAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, n % 1000)),
    ...extra,
  });
  const insert = (tx: Parameters<typeof sqlInsertRows>[0], rows: Record<string, unknown>[]) =>
    sqlInsertRows(
      tx,
      { table: "Customer", columns, rows, constants: { shop: SHOP, updatedAt: new Date("2026-11-24T00:00:00Z") }, skipConflictsOn: ["shop", "gid"] },
      "gid",
    );

  it("returns each new row's id by its key, skips rows that conflict, and writes what Prisma reads back", async () => {
    const { prisma } = await app();
    const first = await prisma.$transaction((tx) => insert(tx, [row(1), row(2, { firstName: null, firstOrderAt: null })]));
    // 3,000 rows at once, two of them already stored: those keep their data and return no id.
    const many = Array.from({ length: 3000 }, (_, i) => row(i + 1, { firstName: "上書きしない" }));
    const second = await prisma.$transaction((tx) => insert(tx, many));

    expect([...first.keys()]).toEqual(["gid://shopify/Customer/1", "gid://shopify/Customer/2"]);
    expect(second.size).toBe(2998);
    expect(second.has("gid://shopify/Customer/1")).toBe(false);
    const stored = await prisma.customer.findMany({ where: { shop: SHOP }, select: { id: true, gid: true } });
    expect(stored).toHaveLength(3000);
    const idOf = new Map(stored.map((c) => [c.gid, c.id]));
    for (const [gid, id] of [...first, ...second]) expect(id).toBe(idOf.get(gid));

    expect(await prisma.customer.findUniqueOrThrow({ where: { shop_gid: { shop: SHOP, gid: "gid://shopify/Customer/1" } } })).toMatchObject({
      firstName: "客1",
      orderCount: 1,
      lifetimeSpent: 9007199254740994n,
      firstOrderAt: new Date("2026-01-01T00:00:00.001Z"),
      updatedAt: new Date("2026-11-24T00:00:00Z"),
    });
    expect(await prisma.customer.findUniqueOrThrow({ where: { shop_gid: { shop: SHOP, gid: "gid://shopify/Customer/2" } } })).toMatchObject({
      firstName: null,
      firstOrderAt: null,
    });
    expect(await prisma.customer.count({ where: { firstOrderAt: { gte: new Date("2026-01-01T00:00:00.500Z") } } })).toBe(1500);
  });

  it("writes nothing when the transaction rolls back", async () => {
    const { prisma } = await app();
    await expect(
      prisma.$transaction(async (tx) => {
        await insert(tx, [row(7)]);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await prisma.customer.count()).toBe(0);
  });
});

describe("sqlRunEach", () => {
  const insert = 'INSERT INTO "Customer" ("shop", "gid", "updatedAt") VALUES (?, ?, ?)';
  const at = "2026-11-25T00:00:00.000+00:00";

  it.runIf(DB_KIND === "sqlite")("runs the statement once per parameter list inside the transaction, and rolls back with it", async () => {
    const { prisma } = await app();
    const gids = ["gid://shopify/Customer/1", "gid://shopify/Customer/2", "gid://shopify/Customer/3"];
    expect(await prisma.$transaction((tx) => sqlRunEach(tx, insert, gids.map((gid) => [SHOP, gid, at])))).toBe(3);
    await expect(
      prisma.$transaction(async (tx) => {
        await sqlRunEach(tx, insert, [[SHOP, "gid://shopify/Customer/4", at]]);
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    const stored = await prisma.customer.findMany({ where: { shop: SHOP }, select: { gid: true }, orderBy: { gid: "asc" } });
    expect(stored.map((c) => c.gid)).toEqual(gids);
  });

  it.runIf(DB_KIND === "postgresql")("says it is for SQLite when called on PostgreSQL", async () => {
    const { prisma } = await app();
    await expect(prisma.$transaction((tx) => sqlRunEach(tx, insert, [[SHOP, "gid://shopify/Customer/1", at]]))).rejects.toThrow("sqlRunEach runs on SQLite only");
  });
});

describe("customer stats (SQLite: a prepared UPDATE per customer; PostgreSQL: one over JSON rows)", () => {
  it("writes what Prisma reads back, and moves rankSince only when the rank moves", async () => {
    const { db, queue, prisma } = await app();
    await prisma.rankTier.deleteMany({ where: { shop: SHOP } });
    await prisma.shop.deleteMany({ where: { shop: SHOP } });
    const huge = 9007199254740993n; // beyond 2^53: a float would round it
    const buyer = { gid: "gid://shopify/Customer/4242" };
    const ingest = async (order: OrderSnapshot, now: Date) => {
      await prepareOrderIngest(prisma, SHOP, [order]);
      await prisma.$transaction((tx) => ingestOrderSnapshots(tx, queue, SHOP, [order], { source: "orders/create", now }));
    };
    const stats = () =>
      prisma.customer.findUniqueOrThrow({
        where: { shop_gid: { shop: SHOP, gid: buyer.gid } },
        select: { orderCount: true, lifetimeSpent: true, windowSpent: true, firstOrderAt: true, secondOrderAt: true, lastOrderAt: true, rankKey: true, rankSince: true, statsAsOf: true },
      });

    const firstAt = new Date("2026-11-01T01:00:00.123Z");
    const t1 = new Date("2026-11-01T01:00:05.007Z");
    await ingest(snapshot(1, { customer: buyer, processedAt: firstAt, totalPrice: huge, currentTotalPrice: huge }), t1);
    expect(await stats()).toEqual({
      orderCount: 1, lifetimeSpent: huge, windowSpent: huge, firstOrderAt: firstAt, secondOrderAt: null, lastOrderAt: firstAt,
      rankKey: "vip", rankSince: t1, statsAsOf: t1,
    });

    // Recomputed later with nothing new: same rank, so rankSince stays; the stats are as of t2.
    const t2 = new Date("2026-11-20T00:00:00.999Z");
    await recomputeShop(db, queue, SHOP, t2);
    expect(await stats()).toMatchObject({ rankKey: "vip", rankSince: t1, statsAsOf: t2 });

    // Refunded to a small amount, then a second order: the rank moves, and rankSince with it.
    const secondAt = new Date("2026-11-21T09:30:00.456Z");
    const t3 = new Date("2026-11-21T09:30:01.001Z");
    await ingest(snapshot(1, { customer: buyer, processedAt: firstAt, updatedAt: new Date("2026-11-21T00:00:00Z"), totalPrice: huge, currentTotalPrice: 1000n }), t3);
    await ingest(snapshot(2, { customer: buyer, processedAt: secondAt, updatedAt: secondAt, totalPrice: 2500n, currentTotalPrice: 2500n }), t3);
    expect(await stats()).toEqual({
      orderCount: 2, lifetimeSpent: 3500n, windowSpent: 3500n, firstOrderAt: firstAt, secondOrderAt: secondAt, lastOrderAt: secondAt,
      rankKey: "second", rankSince: t3, statsAsOf: t3,
    });
  });
});

describe.runIf(DB_KIND === "sqlite")("SQLite query plans", () => {
  it("looks up each JSON row by primary key instead of scanning the shop's rows", async () => {
    const { prisma } = await app();
    // The shape of every UPDATE … FROM <json rows> in app/ (customer stats, personal data, orders).
    const j = jsonRowsSource("sqlite", { id: "int", n: "int" }, "j", 1);
    const plan = await prisma.$queryRawUnsafe<{ detail: string }[]>(
      `EXPLAIN QUERY PLAN UPDATE "Customer" AS c SET "orderCount" = ${j.col("n")} FROM ${j.from} WHERE ${shopFilter("sqlite", "c", 2)} AND c."id" = ${j.col("id")}`,
      "[]",
      SHOP,
    );
    const details = plan.map((row) => row.detail);
    expect(details).toContain("SEARCH c USING INTEGER PRIMARY KEY (rowid=?)");
    expect(details.some((d) => d.includes("Customer_shop"))).toBe(false);
  });
});
