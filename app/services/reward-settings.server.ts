import type { PrismaClient } from "../db.server";
import type { FieldErrors } from "../domain/form-input";
import { milestoneRowFrom, newMilestoneRow, parseMilestoneForm, type MilestoneRow } from "../domain/milestone-form";
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

export const GRANTS_PER_PAGE = 20;

export interface RewardSettings {
  currency: string;
  tiers: { key: string; labelJa: string; labelEn: string }[];
  rows: MilestoneRow[];
  /** A fresh row for "Add reward" (built here: the browser does not load milestones.ts). */
  blankRow: MilestoneRow;
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
  const [grants, counts, lockedKeys] = await Promise.all([
    listRewardGrants(prisma, shop, { status: list.status, offset: (page - 1) * GRANTS_PER_PAGE, limit: GRANTS_PER_PAGE }),
    rewardGrantCounts(prisma, shop),
    grantedMilestoneKeys(prisma, shop),
  ]);
  return {
    currency: ctx.currency,
    tiers: ctx.tiers.map(({ key, labelJa, labelEn }) => ({ key, labelJa, labelEn })),
    rows: ctx.milestones.map((m) => milestoneRowFrom(m, ctx.currency)),
    blankRow: newMilestoneRow([], ctx.tiers[0]?.key ?? ""),
    lockedKeys,
    grants: { ...grants, page, pages: Math.max(1, Math.ceil(grants.total / GRANTS_PER_PAGE)), status: list.status },
    counts,
  };
}

export type SaveRewardsResult = { ok: true } | { ok: false; errors: FieldErrors };

export async function saveRewardSettings(prisma: PrismaClient, shop: string, rows: MilestoneRow[]): Promise<SaveRewardsResult> {
  await ensureShop(prisma, shop);
  const ctx = await loadShopContext(prisma, shop);
  const parsed = parseMilestoneForm(rows, ctx.currency, ctx.tiers);
  if (!parsed.ok) return parsed;
  await saveMilestones(prisma, shop, parsed.milestones);
  return { ok: true };
}
