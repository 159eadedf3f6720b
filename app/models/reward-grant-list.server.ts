import type { PrismaClient } from "../db.server";
import { GRANT_STATUSES, isGrantStatus, type GrantStatus } from "../domain/grant-status";

export type { GrantStatus };

/** One row of the Rewards page's list (dates as ISO strings: it crosses JSON). */
export interface RewardGrantRow {
  id: number;
  customer: { gid: string; firstName: string | null; lastName: string | null; email: string | null; redacted: boolean };
  milestoneKey: string;
  kind: string;
  orderGid: string;
  /** "#1005", when Tokui has the order. */
  orderName: string | null;
  status: GrantStatus;
  code: string | null;
  expiresAt: string | null;
  createdAt: string;
  issuedAt: string | null;
  redeemedAt: string | null;
  revokedAt: string | null;
  error: string | null;
}

/** Newest first; `status` null = all. */
export async function listRewardGrants(
  prisma: PrismaClient,
  shop: string,
  options: { status: GrantStatus | null; offset: number; limit: number },
): Promise<{ rows: RewardGrantRow[]; total: number }> {
  const where = { shop, ...(options.status ? { status: options.status } : {}) };
  const [grants, total] = await Promise.all([
    prisma.rewardGrant.findMany({
      where,
      orderBy: { id: "desc" },
      skip: options.offset,
      take: options.limit,
      include: { customer: { select: { gid: true, firstName: true, lastName: true, email: true, redactedAt: true } } },
    }),
    prisma.rewardGrant.count({ where }),
  ]);
  const orders = await prisma.order.findMany({
    where: { shop, gid: { in: [...new Set(grants.map((g) => g.orderGid))] } },
    select: { gid: true, name: true },
  });
  const orderNames = new Map(orders.map((o) => [o.gid, o.name]));
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    total,
    rows: grants.map((g) => ({
      id: g.id,
      customer: {
        gid: g.customer.gid,
        firstName: g.customer.firstName,
        lastName: g.customer.lastName,
        email: g.customer.email,
        redacted: g.customer.redactedAt !== null,
      },
      milestoneKey: g.milestoneKey,
      kind: g.kind,
      orderGid: g.orderGid,
      orderName: orderNames.get(g.orderGid) ?? null,
      status: isGrantStatus(g.status) ? g.status : "failed",
      code: g.code,
      expiresAt: iso(g.expiresAt),
      createdAt: g.createdAt.toISOString(),
      issuedAt: iso(g.issuedAt),
      redeemedAt: iso(g.redeemedAt),
      revokedAt: iso(g.revokedAt),
      error: g.error,
    })),
  };
}

export interface RewardGrantCounts {
  /** Grants per current status (every status present, 0 when none). */
  byStatus: Record<GrantStatus, number>;
  /** Ever issued to the customer (issuedAt set), including those since redeemed or revoked. */
  issued: number;
  /** Ever redeemed (redeemedAt set). */
  redeemed: number;
}

export async function rewardGrantCounts(prisma: PrismaClient, shop: string): Promise<RewardGrantCounts> {
  const [groups, issued, redeemed] = await Promise.all([
    prisma.rewardGrant.groupBy({ by: ["status"], where: { shop }, _count: { _all: true } }),
    prisma.rewardGrant.count({ where: { shop, issuedAt: { not: null } } }),
    prisma.rewardGrant.count({ where: { shop, redeemedAt: { not: null } } }),
  ]);
  const byStatus = Object.fromEntries(GRANT_STATUSES.map((s) => [s, 0])) as Record<GrantStatus, number>;
  for (const g of groups) if (isGrantStatus(g.status)) byStatus[g.status] = g._count._all;
  return { byStatus, issued, redeemed };
}

/** Milestone keys that have grants: their key is the grants' identity and must not change. */
export async function grantedMilestoneKeys(prisma: PrismaClient, shop: string): Promise<string[]> {
  const rows = await prisma.rewardGrant.findMany({ where: { shop }, distinct: ["milestoneKey"], select: { milestoneKey: true } });
  return rows.map((r) => r.milestoneKey).sort();
}
