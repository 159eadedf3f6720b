import type { PrismaClient } from "../db.server";

/** The "reward" job: tell Shopify about a granted reward (discount code, sample order tag). */
export async function issueReward(_prisma: PrismaClient, shop: string, grantId: number): Promise<void> {
  throw new Error(`reward ${grantId} of ${shop}: not implemented yet`);
}
