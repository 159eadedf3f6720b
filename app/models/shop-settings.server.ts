import type { PrismaClient, Tx } from "../db.server";
import type { MessageTemplates } from "../domain/messages";
import type { Milestone } from "../domain/milestones";
import type { RankTier } from "../domain/rank";
import { milestonesToJson, templatesToJson } from "../domain/settings-json";

/** Replace the shop's whole ladder and its rank window (the Ranks editor saves both at once). */
export async function replaceRankTiers(tx: Tx, shop: string, tiers: RankTier[], windowMonths: number): Promise<void> {
  // Delete first: (shop, key) and (shop, position) are unique, and rows swap both.
  await tx.rankTier.deleteMany({ where: { shop } });
  await tx.rankTier.createMany({
    data: tiers.map((t) => ({
      shop,
      key: t.key,
      position: t.position,
      labelJa: t.labelJa,
      labelEn: t.labelEn,
      minOrders: t.minOrders,
      minWindowSpent: t.minWindowSpent,
      combine: t.combine,
    })),
  });
  await tx.shop.update({ where: { shop }, data: { rankWindowMonths: windowMonths } });
}

export async function saveMessageTemplates(prisma: PrismaClient, shop: string, templates: MessageTemplates): Promise<void> {
  await prisma.shop.update({ where: { shop }, data: { messageTemplates: templatesToJson(templates) } });
}

export async function saveMilestones(prisma: PrismaClient, shop: string, milestones: Milestone[]): Promise<void> {
  await prisma.shop.update({ where: { shop }, data: { milestones: milestonesToJson(milestones) } });
}
