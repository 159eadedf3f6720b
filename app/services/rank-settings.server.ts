import type { Database, PrismaClient } from "../db.server";
import type { FieldErrors } from "../domain/form-input";
import { rankKeysUsedByMilestones } from "../domain/milestone-form";
import { parseRankForm, rankFormFrom, sameRankSettings, type RankForm } from "../domain/rank-form";
import { latestRecomputeRun, requestRecomputeRun, type RecomputeRunView } from "../models/recompute-run.server";
import { ensureShop, loadShopContext } from "../models/shop.server";
import { replaceRankTiers } from "../models/shop-settings.server";
import type { JobQueue } from "../queue/types";

export interface RankSettings {
  currency: string;
  form: RankForm;
  /** The latest recompute, for the progress card. */
  run: RecomputeRunView | null;
  customers: number;
}

export async function loadRankSettings(prisma: PrismaClient, shop: string): Promise<RankSettings> {
  await ensureShop(prisma, shop);
  const [ctx, run, customers] = await Promise.all([
    loadShopContext(prisma, shop),
    latestRecomputeRun(prisma, shop),
    prisma.customer.count({ where: { shop } }),
  ]);
  return { currency: ctx.currency, form: rankFormFrom(ctx.tiers, ctx.windowMonths, ctx.currency), run, customers };
}

export type SaveRankResult = { ok: true; runId: number | null } | { ok: false; errors: FieldErrors };

/**
 * Save the ladder and window, and recompute every customer's rank in the background (the
 * recompute job) — in one transaction, so the run exists exactly when the new tiers do.
 * Saving what is already stored changes nothing and starts no run (runId null).
 */
export async function saveRankSettings(db: Database, queue: JobQueue, shop: string, form: RankForm): Promise<SaveRankResult> {
  await ensureShop(db.prisma, shop);
  const ctx = await loadShopContext(db.prisma, shop);
  const parsed = parseRankForm(form, ctx.currency, rankKeysUsedByMilestones(ctx.milestones));
  if (!parsed.ok) return parsed;
  if (sameRankSettings(parsed, { tiers: ctx.tiers, windowMonths: ctx.windowMonths })) return { ok: true, runId: null };
  const runId = await db.prisma.$transaction(async (tx) => {
    await replaceRankTiers(tx, shop, parsed.tiers, parsed.windowMonths);
    return requestRecomputeRun(tx, queue, shop);
  });
  queue.kick();
  return { ok: true, runId };
}

/** "Run again" after a failed run (or to refresh ranks as the window slides). */
export async function startRecompute(db: Database, queue: JobQueue, shop: string): Promise<number> {
  await ensureShop(db.prisma, shop);
  const runId = await db.prisma.$transaction((tx) => requestRecomputeRun(tx, queue, shop));
  queue.kick();
  return runId;
}
