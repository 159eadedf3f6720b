import type { PrismaClient } from "../db.server";
import type { FieldErrors } from "../domain/form-input";
import { milestoneRowFrom, newMilestoneRow, parseMilestoneForm, type MilestoneRow } from "../domain/milestone-form";
import { DEFAULT_ATTRIBUTION_DAYS } from "../domain/holdout";
import { parseRewardHoldouts, REWARD_HOLDOUT_DEFAULT, rewardHoldoutForm, type RewardHoldoutForm } from "../domain/reward-holdout";
import {
  grantedMilestoneKeys,
  listRewardGrants,
  rewardGrantCounts,
  type GrantStatus,
  type RewardGrantCounts,
  type RewardGrantRow,
} from "../models/reward-grant-list.server";
import { ensureShop, loadShopContext } from "../models/shop.server";
import { saveMilestones } from "../models/shop-settings.server";
import { rewardCampaignKey } from "./milestone-grants.server";

export const GRANTS_PER_PAGE = 20;

/** A milestone as the editor shows it, with its holdout measurement (Campaign `reward:<key>`). */
export type RewardRow = MilestoneRow & RewardHoldoutForm;

export interface RewardSettings {
  currency: string;
  tiers: { key: string; labelJa: string; labelEn: string }[];
  rows: RewardRow[];
  /** A fresh row for "Add reward" (built here: the browser does not load milestones.ts). */
  blankRow: RewardRow;
  /** Keys with grants: fixed, because a grant is identified by its milestone key. */
  lockedKeys: string[];
  grants: { rows: RewardGrantRow[]; total: number; page: number; pages: number; status: GrantStatus | null };
  counts: RewardGrantCounts;
}

export async function loadRewardSettings(
  prisma: PrismaClient,
  shop: string,
  list: { status: GrantStatus | null; page: number },
): Promise<RewardSettings> {
  await ensureShop(prisma, shop);
  const ctx = await loadShopContext(prisma, shop);
  const page = Math.max(1, Math.floor(list.page) || 1);
  const [grants, counts, lockedKeys, campaigns] = await Promise.all([
    listRewardGrants(prisma, shop, { status: list.status, offset: (page - 1) * GRANTS_PER_PAGE, limit: GRANTS_PER_PAGE }),
    rewardGrantCounts(prisma, shop),
    grantedMilestoneKeys(prisma, shop),
    prisma.campaign.findMany({ where: { shop, kind: "reward" }, select: { key: true, holdoutPercent: true, attributionDays: true } }),
  ]);
  const campaignOf = new Map(campaigns.map((c) => [c.key, c]));
  return {
    currency: ctx.currency,
    tiers: ctx.tiers.map(({ key, labelJa, labelEn }) => ({ key, labelJa, labelEn })),
    rows: ctx.milestones.map((m) => ({ ...milestoneRowFrom(m, ctx.currency), ...rewardHoldoutForm(campaignOf.get(rewardCampaignKey(m.key))) })),
    blankRow: { ...newMilestoneRow([], ctx.tiers[0]?.key ?? ""), ...rewardHoldoutForm(undefined) },
    lockedKeys,
    grants: { ...grants, page, pages: Math.max(1, Math.ceil(grants.total / GRANTS_PER_PAGE)), status: list.status },
    counts,
  };
}

export type SaveRewardsResult = { ok: true } | { ok: false; errors: FieldErrors };

export async function saveRewardSettings(prisma: PrismaClient, shop: string, rows: RewardRow[]): Promise<SaveRewardsResult> {
  await ensureShop(prisma, shop);
  const ctx = await loadShopContext(prisma, shop);
  const parsed = parseMilestoneForm(rows, ctx.currency, ctx.tiers);
  const holdouts = parseRewardHoldouts(rows);
  if (!parsed.ok || !holdouts.ok) return { ok: false, errors: { ...(parsed.ok ? {} : parsed.errors), ...(holdouts.ok ? {} : holdouts.errors) } };
  await saveMilestones(prisma, shop, parsed.milestones);
  const existing = new Set(
    (await prisma.campaign.findMany({ where: { shop, kind: "reward" }, select: { key: true } })).map((c) => c.key),
  );
  for (const h of holdouts.settings) {
    const key = rewardCampaignKey(h.milestoneKey);
    // No row = the default share and window: a row is made only once the merchant changes one.
    if (h.holdoutPercent === REWARD_HOLDOUT_DEFAULT && h.attributionDays === DEFAULT_ATTRIBUTION_DAYS && !existing.has(key)) continue;
    const data = { holdoutPercent: h.holdoutPercent, attributionDays: h.attributionDays, enabled: true };
    await prisma.campaign.upsert({
      where: { shop_key: { shop, key } },
      create: { shop, key, kind: "reward", definition: "{}", ...data },
      update: data,
    });
  }
  return { ok: true };
}
