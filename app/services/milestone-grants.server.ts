import { sqlQuery, sqlDialect, type Tx } from "../db.server";
import { jsonList, jsonRowsParam, jsonRowsSource, placeholder, timestampLiteral } from "../db/json-rows";
import { codeInfix, discountCode, milestonesReached, rewardOnOrderReversed, type MilestoneState } from "../domain/milestones";
import { holdoutPercentProblem, isInHoldout } from "../domain/holdout";
import { REWARD_HOLDOUT_DEFAULT } from "../domain/reward-holdout";
import { milestoneToJson } from "../domain/settings-json";
import type { ShopContext } from "../models/shop.server";
import type { JobQueue } from "../queue/types";

export interface GrantCandidate {
  customerId: number;
  before: MilestoneState;
  after: MilestoneState;
  /** The order whose arrival moved the customer. */
  orderGid: string;
}

const GRANT_COLUMNS = {
  customerId: "int",
  milestoneKey: "text",
  milestone: "text",
  kind: "text",
  orderGid: "text",
  code: "text",
  expiresAt: "timestamp",
  status: "text",
} as const;

/** A reward's measurement campaign (Campaign.key), one per milestone: ADR 0011, reward holdout. */
export const rewardCampaignKey = (milestoneKey: string) => `reward:${milestoneKey}`;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Grant the milestones these customers just reached, each at most once: the unique
 * (shop, customer, activeSlot) key decides, so a duplicate delivery, a concurrent one or the
 * thank-you page racing the webhook can only ever insert one grant (ON CONFLICT DO NOTHING).
 * A discount's code and expiry are fixed here, so the thank-you page can show them at once;
 * the "reward" job then tells Shopify. Returns the new grants' ids.
 */
export async function grantMilestones(tx: Tx, queue: JobQueue, ctx: ShopContext, candidates: GrantCandidate[], now: Date): Promise<number[]> {
  if (ctx.milestones.length === 0 || candidates.length === 0) return [];
  // Cheap first pass without the database: most orders reach no milestone.
  const possible = candidates.filter((c) => milestonesReached(c.before, c.after, ctx.milestones, new Set(), ctx.tiers).length > 0);
  if (possible.length === 0) return [];

  // Hand-written reads here and in holdoutDecider: this runs in most webhook batches, and
  // through Prisma building each query's plan cost more than the read (ADR 0031).
  const dialect = sqlDialect(tx);
  const active = await sqlQuery<{ customerId: number | bigint; milestoneKey: string }>(
    tx,
    `SELECT "customerId", "milestoneKey" FROM "RewardGrant"
     WHERE "shop" = ${placeholder(dialect, 1)} AND "customerId" IN ${jsonList(dialect, "int", 2)} AND "activeSlot" IS NOT NULL`,
    ctx.shop,
    JSON.stringify(possible.map((c) => c.customerId)),
  );
  const granted = new Map<number, Set<string>>();
  for (const g of active) {
    const customerId = Number(g.customerId);
    granted.set(customerId, (granted.get(customerId) ?? new Set()).add(g.milestoneKey));
  }

  const reached = possible.flatMap((c) =>
    milestonesReached(c.before, c.after, ctx.milestones, granted.get(c.customerId) ?? new Set(), ctx.tiers).map((m) => ({ c, m })),
  );
  if (reached.length === 0) return [];
  const isHeld = await holdoutDecider(tx, ctx.shop, reached);

  const rows = reached.map(({ c, m }) => {
    // A held-out customer gets a "held" grant: it keeps the milestone's slot (never granted
    // twice) and is the comparison group, but has no code, no job and is never shown.
    const held = isHeld(c.customerId, m.key);
    const discount = m.reward.kind === "discount" && !held ? m.reward : null;
    return {
      customerId: c.customerId,
      milestoneKey: m.key,
      milestone: milestoneToJson(m),
      kind: m.reward.kind,
      orderGid: c.orderGid,
      // Same grant → same code (a retried job recreates the same discount); a grant earned again
      // after a revocation comes from another order, so it gets a new code.
      code: discount ? discountCode(`${ctx.shop}|${c.customerId}|${m.key}|${c.orderGid}`, codeInfix(m.trigger)) : null,
      expiresAt: discount ? new Date(now.getTime() + discount.expiresInDays * DAY_MS) : null,
      status: held ? "held" : "pending",
    };
  });

  const j = jsonRowsSource(dialect, GRANT_COLUMNS, "j", 2);
  const at = timestampLiteral(dialect, now);
  const inserted = await sqlQuery<{ id: number | bigint; status: string }>(
    tx,
    `INSERT INTO "RewardGrant" ("shop", "customerId", "milestoneKey", "activeSlot", "milestone", "kind", "orderGid", "code", "expiresAt", "status", "createdAt", "updatedAt")
     SELECT ${placeholder(dialect, 1)}, ${j.col("customerId")}, ${j.col("milestoneKey")}, ${j.col("milestoneKey")}, ${j.col("milestone")}, ${j.col("kind")},
            ${j.col("orderGid")}, ${j.col("code")}, ${j.col("expiresAt")}, ${j.col("status")}, ${at}, ${at}
     FROM ${j.from}
     WHERE true -- SQLite: without a WHERE, "ON CONFLICT" would parse as a join constraint
     ON CONFLICT ("shop", "customerId", "activeSlot") DO NOTHING
     RETURNING "id", "status"`,
    ctx.shop,
    jsonRowsParam(dialect, GRANT_COLUMNS, rows),
  );
  await enqueueRewardJobs(
    tx,
    queue,
    ctx.shop,
    inserted.filter((r) => r.status !== "held").map((r) => Number(r.id)),
  );
  return inserted.map((r) => Number(r.id));
}

/**
 * Who is held out of which milestone's reward: holdout.ts's deterministic hash of the campaign
 * key `reward:<milestone>` and the customer GID, at the share of that Campaign row, or at
 * REWARD_HOLDOUT_DEFAULT (10%) when the milestone has no row; a row at 0% rewards everyone
 * (ADR 0011, reward holdout).
 */
async function holdoutDecider(
  tx: Tx,
  shop: string,
  reached: { c: GrantCandidate; m: { key: string } }[],
): Promise<(customerId: number, milestoneKey: string) => boolean> {
  const dialect = sqlDialect(tx);
  const campaigns = await sqlQuery<{ key: string; holdoutPercent: number | bigint }>(
    tx,
    `SELECT "key", "holdoutPercent" FROM "Campaign" WHERE "shop" = ${placeholder(dialect, 1)} AND "key" IN ${jsonList(dialect, "text", 2)}`,
    shop,
    JSON.stringify([...new Set(reached.map((r) => rewardCampaignKey(r.m.key)))]),
  );
  const percentOf = new Map(campaigns.map((c) => [c.key, Number(c.holdoutPercent)]));
  const percentFor = (key: string) => percentOf.get(key) ?? REWARD_HOLDOUT_DEFAULT;
  if (reached.every((r) => percentFor(rewardCampaignKey(r.m.key)) === 0)) return () => false;
  const customers = await sqlQuery<{ id: number | bigint; gid: string }>(
    tx,
    `SELECT "id", "gid" FROM "Customer" WHERE "shop" = ${placeholder(dialect, 1)} AND "id" IN ${jsonList(dialect, "int", 2)}`,
    shop,
    JSON.stringify([...new Set(reached.map((r) => r.c.customerId))]),
  );
  const gidOf = new Map(customers.map((c) => [Number(c.id), c.gid]));
  return (customerId, milestoneKey) => {
    const key = rewardCampaignKey(milestoneKey);
    const percent = percentFor(key);
    const gid = gidOf.get(customerId);
    // A share outside 0–50 (edited by hand) must not stop the ingest: it is treated as no holdout.
    return percent > 0 && holdoutPercentProblem(percent) === null && gid !== undefined && isInHoldout(key, gid, percent);
  };
}

/**
 * The orders were cancelled or fully refunded: apply the reversal policy (domain/milestones.ts
 * rewardOnOrderReversed) to the grants they earned. A revoked grant frees its milestone
 * (activeSlot NULL) and its job withdraws it from Shopify. `stateOf` is the customer's state
 * after the reversal.
 */
export async function reviewGrantsOfReversedOrders(
  tx: Tx,
  queue: JobQueue,
  ctx: ShopContext,
  orderGids: string[],
  stateOf: (customerId: number) => MilestoneState | undefined,
  now: Date,
): Promise<number[]> {
  if (orderGids.length === 0) return [];
  const grants = await tx.rewardGrant.findMany({
    // A held grant gave nothing, so there is nothing to take back; it keeps its slot (and its
    // place in the measurement) whatever happens to the order.
    where: { shop: ctx.shop, orderGid: { in: orderGids }, activeSlot: { not: null }, status: { not: "held" } },
    select: { id: true, customerId: true, milestoneKey: true, kind: true, status: true },
  });
  const revoke = grants.filter((g) => {
    const milestone = ctx.milestones.find((m) => m.key === g.milestoneKey);
    const state = stateOf(g.customerId);
    const stillQualifies = milestone && state ? qualifies(milestone.trigger, state, ctx) : false;
    const decision = rewardOnOrderReversed({
      kind: g.kind === "freeSample" ? "freeSample" : "discount",
      status: g.status === "redeemed" ? "redeemed" : "issued",
      earningOrder: "cancelled",
      stillQualifies,
    });
    return decision === "revoke";
  });
  if (revoke.length === 0) return [];
  const ids = revoke.map((g) => g.id);
  await tx.rewardGrant.updateMany({ where: { id: { in: ids } }, data: { status: "revoked", activeSlot: null, revokedAt: now } });
  await enqueueRewardJobs(tx, queue, ctx.shop, ids);
  return ids;
}

/** A later order that used a reward's code: the grant is redeemed (and is never taken back). */
export async function markCodesRedeemed(tx: Tx, shop: string, codes: string[], at: Date): Promise<number> {
  if (codes.length === 0) return 0;
  const result = await tx.rewardGrant.updateMany({
    where: { shop, code: { in: codes.map((c) => c.toUpperCase()) }, status: { in: ["pending", "issued"] } },
    data: { status: "redeemed", redeemedAt: at },
  });
  return result.count;
}

function qualifies(trigger: { kind: "orderCount"; count: number } | { kind: "rank"; rankKey: string }, state: MilestoneState, ctx: ShopContext): boolean {
  if (trigger.kind === "orderCount") return state.orderCount >= trigger.count;
  const position = (key: string | null) => ctx.tiers.find((t) => t.key === key)?.position ?? 0;
  const target = ctx.tiers.find((t) => t.key === trigger.rankKey);
  return target !== undefined && position(state.rankKey) >= target.position;
}

async function enqueueRewardJobs(tx: Tx, queue: JobQueue, shop: string, grantIds: number[]): Promise<void> {
  if (grantIds.length === 0) return;
  await queue.enqueue(tx, ...grantIds.map((id) => ({ queue: "reward" as const, shop, data: { grantId: id }, singletonKey: `${shop}:grant:${id}` })));
}
