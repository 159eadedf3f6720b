/**
 * One process, one SQLite connection: the worker's two lanes and the web requests share it. A
 * statement run outside a transaction while another task's transaction is open must wait for
 * that transaction to end — run on the connection at once, it would become part of the
 * transaction and be rolled back with it, although its caller was told it succeeded. PostgreSQL
 * (a pool of connections) must behave the same; the suite runs on both.
 */
import { afterEach, describe, expect, it } from "vitest";
import { sqlExecute, sqlInsertRows, sqlQuery } from "~/db.server";
import { app } from "../helpers/app";

const SHOP = "concurrent-writes.myshopify.com";

afterEach(async () => {
  const { prisma } = await app();
  await prisma.shop.deleteMany({ where: { shop: { startsWith: "concurrent-" } } });
});

/** A transaction that writes, holds until told, then fails (so it rolls back). */
function failingTransaction(write: (tx: Parameters<Parameters<Awaited<ReturnType<typeof app>>["prisma"]["$transaction"]>[0]>[0]) => Promise<unknown>) {
  let entered!: () => void;
  let release!: () => void;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  const held = new Promise<void>((resolve) => (release = resolve));
  const done = app().then(({ prisma }) =>
    prisma.$transaction(async (tx) => {
      await write(tx);
      entered();
      await held;
      throw new Error("this transaction rolls back");
    }),
  );
  return { inside, release, done };
}

const exists = async (shop: string) => (await app()).prisma.shop.count({ where: { shop } });

describe("a statement outside a transaction does not join another task's open transaction", () => {
  it.each([
    ["a Prisma write", (shop: string) => app().then(({ prisma }) => prisma.shop.create({ data: { shop, currency: "JPY" } }))],
    ["a direct SQL write (sqlExecute)", (shop: string) => app().then(({ prisma }) => sqlExecute(prisma, `INSERT INTO "Shop" ("shop", "currency", "updatedAt") VALUES ('${shop}', 'JPY', CURRENT_TIMESTAMP)`))],
    [
      "a direct insert (sqlInsertRows)",
      (shop: string) =>
        app().then(({ prisma }) => sqlInsertRows(prisma, { table: "Shop", columns: { shop: "text", currency: "text" }, rows: [{ shop, currency: "JPY" }], constants: { updatedAt: new Date() } })),
    ],
  ])("%s made while it is open survives its rollback", async (_name, writeOutside) => {
    const tx = failingTransaction((t) => t.shop.create({ data: { shop: `${SHOP}-tx`, currency: "JPY" } }));
    await tx.inside;
    const outside = writeOutside(`concurrent-${_name.length}.myshopify.com`);
    await new Promise((resolve) => setTimeout(resolve, 30)); // the outside write has had every chance to run
    tx.release();
    await expect(tx.done).rejects.toThrow("this transaction rolls back");
    await outside;
    expect(await exists(`${SHOP}-tx`)).toBe(0);
    expect(await exists(`concurrent-${_name.length}.myshopify.com`)).toBe(1);
  });

  it("a read outside the transaction does not see its uncommitted write", async () => {
    const tx = failingTransaction((t) => t.shop.create({ data: { shop: `${SHOP}-dirty`, currency: "JPY" } }));
    await tx.inside;
    const read = app().then(({ prisma }) => sqlQuery<{ n: number | bigint }>(prisma, `SELECT count(*) AS n FROM "Shop" WHERE "shop" = '${SHOP}-dirty'`));
    await new Promise((resolve) => setTimeout(resolve, 30));
    tx.release();
    await expect(tx.done).rejects.toThrow();
    expect(Number((await read)[0]!.n)).toBe(0);
  });
});
