/**
 * bench:analytics' synthetic shop: what it writes must be a valid bulk-operation export (read by
 * the app's own assembler without a bad line), hold exactly the orders and customers asked for,
 * have the advertised shape, and be the same bytes for the same seed (runs are compared).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeShopHistory } from "../../bench/lib/shop-history";
import { createBulkOrderAssembler, type BulkImportResult } from "~/shopify/bulk-import";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tokui-shop-history-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const NOW = new Date("2026-11-24T00:00:00Z");
const options = { customers: 1_000, orders: 10_000, seed: 7, now: NOW };

function readBack(file: string) {
  const assembler = createBulkOrderAssembler();
  const results: BulkImportResult[] = [];
  fs.readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => results.push(...assembler.push(line, i + 1)));
  results.push(...assembler.end());
  return { orders: results.flatMap((r) => (r.order ? [r.order] : [])), errors: results.flatMap((r) => (r.error ? [r.error] : [])) };
}

describe("synthetic shop history", () => {
  it("is a bulk export the import reads without a bad line, with exactly the orders and customers asked for", async () => {
    const file = path.join(dir, "a.jsonl");
    const summary = await writeShopHistory(file, options);
    const { orders, errors } = readBack(file);

    expect(errors).toEqual([]);
    expect(orders).toHaveLength(10_000);
    expect(summary.orders).toBe(10_000);
    const customers = new Set(orders.flatMap((o) => (o.customer ? [o.customer.gid] : [])));
    expect(customers.size).toBe(1_000);
    expect(orders.filter((o) => !o.customer)).toHaveLength(summary.guestOrders);
    expect(orders.reduce((n, o) => n + o.lines.length, 0)).toBe(summary.lines);
    expect(new Set(orders.map((o) => o.gid)).size).toBe(10_000);

    // Shape: ~3 % guests, cancelled and refunded; 60 % one-time buyers; every order inside the three years.
    expect(summary.guestOrders).toBe(300);
    expect(orders.filter((o) => o.cancelledAt).length / 10_000).toBeCloseTo(0.03, 1);
    expect(orders.filter((o) => !o.cancelledAt && o.currentTotalPrice < o.totalPrice).length / 10_000).toBeCloseTo(0.03, 1);
    expect(summary.customersByOrders["1"]).toBe(600);
    const perCustomer = new Map<string, number>();
    for (const o of orders) if (o.customer) perCustomer.set(o.customer.gid, (perCustomer.get(o.customer.gid) ?? 0) + 1);
    expect([...perCustomer.values()].filter((n) => n === 1)).toHaveLength(600);
    const times = orders.map((o) => o.processedAt.getTime());
    expect(Math.max(...times)).toBeLessThan(NOW.getTime());
    expect(Math.min(...times)).toBeGreaterThanOrEqual(NOW.getTime() - 3 * 365 * 86_400_000);
    // Orders come in time order with growing ids, as Shopify numbers them.
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Money: whole yen, lines 1–4, current total never above the total.
    for (const o of orders) {
      expect(o.currency).toBe("JPY");
      expect(o.lines.length).toBeGreaterThanOrEqual(1);
      expect(o.lines.length).toBeLessThanOrEqual(4);
      expect(o.currentTotalPrice <= o.totalPrice).toBe(true);
      const subtotal = o.lines.reduce((s, l) => s + l.unitPrice * BigInt(l.quantity), 0n);
      expect(o.totalPrice).toBe(subtotal + (subtotal >= 5000n ? 0n : 600n)); // free shipping from ¥5,000
    }
  });

  it("writes the same bytes for the same seed and other bytes for another", async () => {
    const a = path.join(dir, "same-1.jsonl");
    const b = path.join(dir, "same-2.jsonl");
    const c = path.join(dir, "other.jsonl");
    await writeShopHistory(a, { ...options, orders: 2_000, customers: 300 });
    await writeShopHistory(b, { ...options, orders: 2_000, customers: 300 });
    await writeShopHistory(c, { ...options, orders: 2_000, customers: 300, seed: 8 });
    expect(fs.readFileSync(a, "utf8")).toBe(fs.readFileSync(b, "utf8"));
    expect(fs.readFileSync(a, "utf8")).not.toBe(fs.readFileSync(c, "utf8"));
  });
});
