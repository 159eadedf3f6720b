/**
 * Learns each product's repurchase interval from the shop's counted orders (replenishment.ts:
 * median days per unit over consecutive purchases, minimum sample) into ProductInterval.learned*.
 * The merchant's override lives in the same row and is never touched here.
 */
import { sqlDialect, sqlQuery, type PrismaClient } from "../../db.server";
import { dateFrom, placeholder } from "../../db/json-rows";
import { learnIntervals as learnFromPurchases, type ProductPurchase } from "../../domain/replenishment";
import { countedOrderSql } from "./plan.server";
import type { LearnResult } from "./types";

export async function learnIntervals(prisma: PrismaClient, shop: string, now: Date): Promise<LearnResult> {
  const dialect = sqlDialect(prisma);
  const lines = await sqlQuery<{ customerGid: string; productGid: string; processedAt: unknown; quantity: number | bigint; title: string }>(
    prisma,
    `SELECT c."gid" AS "customerGid", l."productGid", o."processedAt", l."quantity", l."title"
     FROM "OrderLine" l
     JOIN "Order" o ON o."id" = l."orderId"
     JOIN "Customer" c ON c."id" = o."customerId"
     WHERE l."shop" = ${placeholder(dialect, 1)} AND l."productGid" IS NOT NULL AND ${countedOrderSql("o")}
     ORDER BY o."processedAt"`,
    shop,
  );
  const purchases: ProductPurchase[] = lines.map((l) => ({
    customerGid: l.customerGid,
    productGid: l.productGid,
    processedAt: dateFrom(l.processedAt),
    quantity: Number(l.quantity),
  }));
  const titles = new Map(lines.map((l) => [l.productGid, l.title])); // the newest line's title wins
  const existing = new Set((await prisma.productInterval.findMany({ where: { shop }, select: { productGid: true } })).map((r) => r.productGid));
  // Overrides are the merchant's and win when scheduling; here only what the data says is learned.
  const estimates = learnFromPurchases(purchases);
  const result: LearnResult = { products: 0, learned: 0, notEnoughData: 0 };
  for (const [productGid, estimate] of estimates) {
    if (estimate.kind === "override") continue;
    const learned = estimate.kind === "learned";
    // Products nobody bought twice get no row unless the merchant already made one.
    if (!learned && estimate.pairs === 0 && !existing.has(productGid)) continue;
    result.products++;
    if (learned) result.learned++;
    else result.notEnoughData++;
    const data = {
      title: titles.get(productGid) ?? null,
      learnedDaysPerUnit: learned ? Math.max(1, Math.round(estimate.daysPerUnit)) : null,
      samplePairs: estimate.pairs,
      sampleCustomers: estimate.customers,
      learnedAt: now,
    };
    await prisma.productInterval.upsert({
      where: { shop_productGid: { shop, productGid } },
      create: { shop, productGid, ...data },
      update: data,
    });
  }
  return result;
}
