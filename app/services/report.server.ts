import type { PrismaClient } from "../db.server";
import { buildReport } from "../domain/report";

/** The figures behind `tokui report` and the admin overview, for one shop. */
export async function shopReport(prisma: PrismaClient, shop: string) {
  const settings = await prisma.shop.findUnique({ where: { shop }, select: { currency: true } });
  const currency = settings?.currency ?? "JPY";
  const [orders, revenue, customers] = await Promise.all([
    prisma.order.count({ where: { shop, cancelledAt: null } }),
    // Amounts in another currency cannot be added to the shop's; they are left out of revenue.
    prisma.order.aggregate({ where: { shop, cancelledAt: null, currency }, _sum: { currentTotal: true } }),
    prisma.customer.findMany({
      where: { shop, orderCount: { gt: 0 } },
      select: { orderCount: true, lifetimeSpent: true, rankKey: true },
    }),
  ]);
  return buildReport({
    currency,
    orders,
    revenue: revenue._sum.currentTotal ?? 0n,
    customers: customers.map((c) => ({ orderCount: c.orderCount, spent: c.lifetimeSpent, rankKey: c.rankKey })),
  });
}
