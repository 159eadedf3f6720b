/**
 * Campaign results (効果検証): treated vs holdout per campaign and per step, from the send log
 * (MailSend) and the shop's counted orders, then measure() (app/domain/holdout.ts) for the
 * intervals, "customers still needed" and the verdict. ADR 0019 (the statistics), ADR 0023.
 *
 * Exposure: a sent mail's sentAt; a held-out row's scheduledFor (when its mail would have
 * gone); a failed mail counts as treated too (intention to treat) at its sentAt or scheduled
 * time. Scheduled, sending and skipped rows were never exposed and are not counted.
 * Converted: a counted order (not cancelled, not fully refunded) in (exposure, exposure +
 * attribution days], the campaign's current window; revenue is those orders' current totals.
 *
 * Units: per step, one send-log row (a customer who went through a journey twice counts twice);
 * per campaign, one customer, converted when an order falls in the window after any of their
 * mails of the campaign (each order counted once).
 *
 * The database returns one row per (campaign, step, group, converted, revenue) with a count, so
 * the sums of revenue and of its squares are made here in bigint: exact, whatever the shop size.
 */
import type { PrismaClient } from "../../db.server";
import { DEFAULT_ATTRIBUTION_DAYS, emptyTotals, measure, type Group, type GroupTotals, type Measurement } from "../../domain/holdout";
import { REWARD_HOLDOUT_DEFAULT } from "../../domain/reward-holdout";
import { PHASE_LABELS, type Phase } from "../../domain/journeys";
import type { Localized } from "../../domain/messages";
import { counted, sqlFor, big, num } from "../analytics/sql.server";
import { sqlQuery } from "../../db.server";
import { parseJourneyDefinition, REPLENISHMENT_KEY } from "../followup-settings/definition";
import { ordinalEn } from "../../domain/ordinal";

export interface StepResult {
  step: number;
  /** Days after the last order, when the journey still has the step. */
  delayDays: number | null;
  measurement: Measurement;
}

export interface CampaignResult {
  key: string;
  label: Localized;
  enabled: boolean;
  holdoutPercent: number;
  attributionDays: number;
  overall: Measurement;
  steps: StepResult[];
}

type Row = { campaignKey: string; step: unknown; grp: string; converted: unknown; revenue: unknown; n: unknown };

function exposedCte(s: ReturnType<typeof sqlFor>): string {
  return `exposed AS (
    SELECT m."id", m."campaignKey", m."step", m."group" AS grp, m."customerId",
           CASE WHEN m."status" = 'held' THEN m."scheduledFor" ELSE COALESCE(m."sentAt", m."scheduledFor") END AS "exposedAt",
           CAST(c."attributionDays" AS BIGINT) * 86400000 AS "windowMs"
      FROM "MailSend" m
      JOIN "Campaign" c ON c."shop" = m."shop" AND c."key" = m."campaignKey"
     WHERE m."shop" = ${s.param(1)} AND m."status" IN ('sent', 'held', 'failed')
  )`;
}

function within(s: ReturnType<typeof sqlFor>, order: string, exposure: string): string {
  return `${order}."processedAt" > ${exposure}."exposedAt" AND ${s.msBetween(`${order}."processedAt"`, `${exposure}."exposedAt"`)} <= ${exposure}."windowMs"`;
}

/** Per step: one unit per exposed send-log row. */
async function stepRows(prisma: PrismaClient, shop: string): Promise<Row[]> {
  const s = sqlFor(prisma);
  return sqlQuery<Row>(
    prisma,
    `WITH ${exposedCte(s)},
     units AS (
       SELECT e."id", e."campaignKey", e."step", e.grp, COUNT(o."id") AS orders, COALESCE(SUM(o."currentTotal"), 0) AS revenue
         FROM exposed e
         LEFT JOIN "Order" o ON o."customerId" = e."customerId" AND ${within(s, "o", "e")} AND ${counted("o")}
        GROUP BY e."id", e."campaignKey", e."step", e.grp
     )
     SELECT "campaignKey", "step", grp, CASE WHEN orders > 0 THEN 1 ELSE 0 END AS converted, revenue, COUNT(*) AS n
       FROM units
      GROUP BY "campaignKey", "step", grp, CASE WHEN orders > 0 THEN 1 ELSE 0 END, revenue`,
    shop,
  );
}

/** Per campaign: one unit per customer and group; an order counts once, inside any of their windows. */
async function campaignRows(prisma: PrismaClient, shop: string): Promise<Row[]> {
  const s = sqlFor(prisma);
  return sqlQuery<Row>(
    prisma,
    `WITH ${exposedCte(s)},
     members AS (SELECT DISTINCT "campaignKey", "customerId", grp FROM exposed),
     units AS (
       SELECT x."campaignKey", x."customerId", x.grp, COUNT(o."id") AS orders, COALESCE(SUM(o."currentTotal"), 0) AS revenue
         FROM members x
         LEFT JOIN "Order" o ON o."customerId" = x."customerId" AND ${counted("o")}
              AND EXISTS (SELECT 1 FROM exposed e
                           WHERE e."campaignKey" = x."campaignKey" AND e."customerId" = x."customerId" AND e.grp = x.grp
                             AND ${within(s, "o", "e")})
        GROUP BY x."campaignKey", x."customerId", x.grp
     )
     SELECT "campaignKey", 0 AS "step", grp, CASE WHEN orders > 0 THEN 1 ELSE 0 END AS converted, revenue, COUNT(*) AS n
       FROM units
      GROUP BY "campaignKey", grp, CASE WHEN orders > 0 THEN 1 ELSE 0 END, revenue`,
    shop,
  );
}

/**
 * Reward campaigns (ADR 0011, reward holdout): one unit per grant (a customer holds at most one
 * live grant per milestone), exposed when the milestone was reached (the grant's createdAt).
 * Treated = granted (pending, issued, redeemed); holdout = "held". Converted = a counted order
 * other than the earning one in (createdAt, createdAt + attribution days]. A milestone without a
 * Campaign row runs at the default share (10%) and window (14 days) from its first grant, so all
 * its grants count. With a row, only grants made since the row exists: the merchant's share
 * applies from then, and mixing it with the default era would compare groups drawn at
 * different shares and times.
 */
async function rewardRows(prisma: PrismaClient, shop: string): Promise<Row[]> {
  const s = sqlFor(prisma);
  return sqlQuery<Row>(
    prisma,
    `WITH exposed AS (
       SELECT g."id", 'reward:' || g."milestoneKey" AS "campaignKey", CASE WHEN g."status" = 'held' THEN 'holdout' ELSE 'treated' END AS grp,
              g."customerId", g."orderGid", g."createdAt" AS "exposedAt",
              CAST(COALESCE(c."attributionDays", ${DEFAULT_ATTRIBUTION_DAYS}) AS BIGINT) * 86400000 AS "windowMs"
         FROM "RewardGrant" g
         LEFT JOIN "Campaign" c ON c."shop" = g."shop" AND c."kind" = 'reward' AND c."key" = 'reward:' || g."milestoneKey"
        WHERE g."shop" = ${s.param(1)} AND g."status" IN ('pending', 'issued', 'redeemed', 'held') AND (c."id" IS NULL OR g."createdAt" >= c."createdAt")
     ),
     units AS (
       SELECT e."id", e."campaignKey", e.grp, COUNT(o."id") AS orders, COALESCE(SUM(o."currentTotal"), 0) AS revenue
         FROM exposed e
         LEFT JOIN "Order" o ON o."customerId" = e."customerId" AND o."gid" <> e."orderGid" AND ${within(s, "o", "e")} AND ${counted("o")}
        GROUP BY e."id", e."campaignKey", e.grp
     )
     SELECT "campaignKey", 0 AS "step", grp, CASE WHEN orders > 0 THEN 1 ELSE 0 END AS converted, revenue, COUNT(*) AS n
       FROM units
      GROUP BY "campaignKey", grp, CASE WHEN orders > 0 THEN 1 ELSE 0 END, revenue`,
    shop,
  );
}

/** Adds grouped rows into per-(campaign, step) totals of both groups. */
export function totalsFromRows(rows: readonly Row[]): Map<string, Record<Group, GroupTotals>> {
  const out = new Map<string, Record<Group, GroupTotals>>();
  for (const r of rows) {
    const key = `${r.campaignKey}\n${num(r.step)}`;
    let totals = out.get(key);
    if (!totals) out.set(key, (totals = { treated: emptyTotals(), holdout: emptyTotals() }));
    const group: Group = r.grp === "holdout" ? "holdout" : "treated";
    const n = num(r.n);
    const revenue = big(r.revenue);
    const t = totals[group];
    t.customers += n;
    if (num(r.converted) === 1) t.converted += n;
    t.revenue += revenue * BigInt(n);
    t.revenueSquares += revenue * revenue * BigInt(n);
  }
  return out;
}

export function campaignLabel(key: string): Localized {
  if (key === REPLENISHMENT_KEY) return { en: "Replenishment reminders", ja: "買い替え・補充のお知らせ" };
  const phase = key.startsWith("journey:") ? (key.slice("journey:".length) as Phase) : null;
  if (phase && phase in PHASE_LABELS) return PHASE_LABELS[phase];
  if (key.startsWith("reward:")) {
    // The default milestones are "order-<n>": name them as the Rewards page does.
    const nth = /^order-(\d+)$/.exec(key.slice(7));
    if (nth) return { en: `${ordinalEn(Number(nth[1]))}-order reward`, ja: `${nth[1]}回目のご購入特典` };
    return { en: `Reward ${key.slice(7)}`, ja: `特典 ${key.slice(7)}` };
  }
  return { en: key, ja: key };
}

export async function loadCampaignResults(prisma: PrismaClient, shop: string, currency: string): Promise<CampaignResult[]> {
  const [campaigns, steps, overall, rewards] = await Promise.all([
    prisma.campaign.findMany({ where: { shop }, orderBy: { id: "asc" } }),
    stepRows(prisma, shop),
    campaignRows(prisma, shop),
    rewardRows(prisma, shop),
  ]);
  const stepTotals = totalsFromRows(steps);
  const overallTotals = totalsFromRows([...overall, ...rewards]);
  // A reward milestone without a Campaign row is measured at the defaults once it has grants.
  const rewardKeysWithoutRow = [...new Set(rewards.map((r) => r.campaignKey))]
    .filter((key) => !campaigns.some((c) => c.key === key))
    .sort();
  const defaultRewardCampaigns = rewardKeysWithoutRow.map((key) => ({
    key,
    kind: "reward",
    enabled: true,
    definition: "{}",
    holdoutPercent: REWARD_HOLDOUT_DEFAULT,
    attributionDays: DEFAULT_ATTRIBUTION_DAYS,
  }));
  const results: CampaignResult[] = [];
  for (const c of [...campaigns, ...defaultRewardCampaigns]) {
    const stepNumbers = [...stepTotals.keys()]
      .filter((k) => k.startsWith(`${c.key}\n`))
      .map((k) => Number(k.slice(c.key.length + 1)))
      .sort((a, b) => a - b);
    // A campaign that never ran and is off has nothing to show.
    if (!c.enabled && stepNumbers.length === 0) continue;
    const definition = c.kind === "journey" ? parseJourneyDefinition(c.definition) : null;
    const measureTotals = (t: Record<Group, GroupTotals> | undefined) =>
      measure({ treated: t?.treated ?? emptyTotals(), holdout: t?.holdout ?? emptyTotals(), holdoutPercent: c.holdoutPercent, currency });
    results.push({
      key: c.key,
      label: campaignLabel(c.key),
      enabled: c.enabled,
      holdoutPercent: c.holdoutPercent,
      attributionDays: c.attributionDays,
      overall: measureTotals(overallTotals.get(`${c.key}\n0`)),
      steps: stepNumbers.map((step) => ({
        step,
        delayDays: definition?.steps[step - 1]?.delayDays ?? null,
        measurement: measureTotals(stepTotals.get(`${c.key}\n${step}`)),
      })),
    });
  }
  return results;
}
