/**
 * Tests about rewards being issued (not measured): a milestone without a reward Campaign row
 * holds out 10% of its customers (ADR 0011, reward holdout), so such tests set the share to 0%.
 */
import { defaultMilestones } from "~/domain/milestones";
import { milestonesFromJson } from "~/domain/settings-json";
import { rewardCampaignKey } from "~/services/milestone-grants.server";
import { app } from "./app";
import { TEST_SHOP } from "./shopify";

/** Rewards everyone (a 0% holdout row) for these milestones: by default the shop's stored ones and the default ones. */
export async function rewardEveryone(shop = TEST_SHOP, milestoneKeys?: readonly string[]): Promise<void> {
  const { prisma } = await app();
  let keys = milestoneKeys;
  if (!keys) {
    const row = await prisma.shop.findUnique({ where: { shop }, select: { milestones: true } });
    keys = [...new Set([...defaultMilestones(), ...(row ? milestonesFromJson(row.milestones) : [])].map((m) => m.key))];
  }
  for (const key of keys) {
    const data = { kind: "reward", enabled: true, holdoutPercent: 0, definition: "{}" };
    await prisma.campaign.upsert({
      where: { shop_key: { shop, key: rewardCampaignKey(key) } },
      create: { shop, key: rewardCampaignKey(key), ...data },
      update: data,
    });
  }
}
