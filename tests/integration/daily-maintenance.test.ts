/**
 * The workers' daily maintenance (app/services/daily-maintenance.server.ts): ranks slide with
 * their 12-month window without an operator's cron, and old webhook bodies are deleted.
 */
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runCli } from "~/cli/tokui";
import { dailyMaintenance, RANK_REFRESH_EVERY_MS } from "~/services/daily-maintenance.server";
import { recomputeShop } from "~/services/recompute.server";
import { app, customerByGid } from "../helpers/app";

const SHOP = "maintained.myshopify.com";
const GONE = "uninstalled.myshopify.com";
const HANAKO = "gid://shopify/Customer/7409876543299"; // two orders in 2025 in the fixture, ¥9,900
const FIXTURE = path.join(process.cwd(), "tests/fixtures/bulk/orders.jsonl");
const quiet = { out: { write: () => {} }, err: { write: () => {} } };

beforeEach(async () => {
  const { prisma } = await app();
  for (const table of ["orderLine", "order", "rankChange", "customer", "rankTier", "recomputeRun", "webhookEvent", "job", "shop"] as const) {
    await (prisma[table] as { deleteMany: () => Promise<unknown> }).deleteMany();
  }
});

describe("daily maintenance", () => {
  it("recomputes a shop's ranks once a day, so a VIP by spend moves down when the window slides past their orders", async () => {
    const { db, queue, prisma, drain } = await app();
    expect(await runCli(["import", "--shop", SHOP, "--file", FIXTURE], quiet)).toBe(0);
    await prisma.shop.create({ data: { shop: GONE, uninstalledAt: new Date() } });
    // As the ranks stood at New Year, when ¥9,000 within 12 months made a VIP.
    await prisma.rankTier.update({ where: { shop_key: { shop: SHOP, key: "vip" } }, data: { minWindowSpent: 9000n } });
    await recomputeShop(db, queue, SHOP, new Date("2026-01-01T00:00:00Z"));
    expect(await customerByGid(HANAKO, SHOP)).toMatchObject({ rankKey: "vip", windowSpent: 9900n });

    const now = new Date();
    const result = await dailyMaintenance(db, queue, now);
    expect(result.recomputes).toEqual([SHOP]); // not the uninstalled shop
    await drain();
    expect(await customerByGid(HANAKO, SHOP)).toMatchObject({ rankKey: "second", windowSpent: 0n, lifetimeSpent: 9900n });
    expect(await prisma.recomputeRun.findFirstOrThrow({ where: { shop: SHOP } })).toMatchObject({ status: "done", changed: 1 });

    // Asked for today: not again until a day has passed.
    expect((await dailyMaintenance(db, queue, new Date(now.getTime() + 3_600_000))).recomputes).toEqual([]);
    expect((await dailyMaintenance(db, queue, new Date(now.getTime() + RANK_REFRESH_EVERY_MS + 60_000))).recomputes).toEqual([SHOP]);
    // A run still waiting is reused rather than doubled.
    expect((await dailyMaintenance(db, queue, new Date(now.getTime() + 2 * RANK_REFRESH_EVERY_MS + 60_000))).recomputes).toEqual([SHOP]);
    expect(await prisma.recomputeRun.count({ where: { shop: SHOP, status: "queued" } })).toBe(1);
  });

  it("deletes applied webhook bodies older than 30 days, and keeps failed and recent ones", async () => {
    const { db, queue, prisma } = await app();
    const now = new Date("2026-11-25T00:00:00Z");
    const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
    const event = (eventId: string, status: string, processedAt: Date | null) => ({
      shop: SHOP, eventId, topic: "orders/create", payload: "{}", status, processedAt,
    });
    await prisma.webhookEvent.createMany({
      data: [event("old", "processed", daysAgo(31)), event("recent", "processed", daysAgo(29)), event("failed", "failed", daysAgo(60))],
    });
    const result = await dailyMaintenance(db, queue, now);
    expect(result.pruned.events).toBe(1);
    expect((await prisma.webhookEvent.findMany({ select: { eventId: true }, orderBy: { eventId: "asc" } })).map((e) => e.eventId)).toEqual([
      "failed",
      "recent",
    ]);
  });
});
