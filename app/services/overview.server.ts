import type { PrismaClient } from "../db.server";
import { shopReport } from "./report.server";

/** What the merchant overview page shows: the report, the top customers and recent rank moves. */
export async function shopOverview(prisma: PrismaClient, shop: string) {
  const [report, topCustomers, rankChanges, tiers] = await Promise.all([
    shopReport(prisma, shop),
    prisma.customer.findMany({
      where: { shop, orderCount: { gt: 0 } },
      orderBy: [{ lifetimeSpent: "desc" }, { id: "asc" }],
      take: 10,
      select: { gid: true, firstName: true, lastName: true, orderCount: true, lifetimeSpent: true, rankKey: true, lastOrderAt: true },
    }),
    prisma.rankChange.findMany({
      where: { shop },
      orderBy: { id: "desc" },
      take: 10,
      select: { fromRank: true, toRank: true, reason: true, createdAt: true, customer: { select: { firstName: true, lastName: true } } },
    }),
    prisma.rankTier.findMany({ where: { shop }, orderBy: { position: "asc" }, select: { key: true, labelJa: true, labelEn: true } }),
  ]);
  return {
    report,
    tiers,
    topCustomers: topCustomers.map((c) => ({ ...c, lifetimeSpent: c.lifetimeSpent.toString(), lastOrderAt: c.lastOrderAt?.toISOString() ?? null })),
    rankChanges: rankChanges.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
  };
}

export type ShopOverview = Awaited<ReturnType<typeof shopOverview>>;
