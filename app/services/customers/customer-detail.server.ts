/**
 * The customer page: header figures, progress to the next rank, and one timeline merging orders
 * (with their lines), refunds, rank changes, rewards, rank messages shown and the merchant's
 * notes, newest first. The page's id is Shopify's customer id (the GID's number), so links from
 * Shopify's own admin URLs and the CSV export line up; lookups go through (shop, gid), so
 * another shop's customer is simply not found.
 */
import type { PrismaClient } from "../../db.server";
import { localizedText } from "../../domain/survey";
import { surveyAnswersOfCustomer } from "../survey-data.server";
import { describeReason } from "../../domain/rank-change-reason";
import { rankProgress, type RankTier } from "../../domain/rank";
import type { Locale } from "../../locales";
import { listNotes, type CustomerNoteView } from "../../models/customer-note.server";
import { shopTimeZone } from "./customer-query.server";

/** Each kind of event is read up to this many, newest first: the page stays quick for a shop's biggest buyer. */
export const TIMELINE_LIMIT = 300;

export const customerGidFor = (shopifyId: string) => (/^\d{1,20}$/.test(shopifyId) ? `gid://shopify/Customer/${shopifyId}` : null);

export type TimelineEvent =
  | {
      kind: "order";
      at: string;
      id: string;
      name: string;
      total: string;
      currentTotal: string;
      currency: string;
      cancelled: boolean;
      lines: { title: string; sku: string | null; quantity: number; unitPrice: string }[];
    }
  | { kind: "refund"; at: string; id: string; orderName: string; amount: string; currency: string }
  | { kind: "rank"; at: string; id: string; from: string | null; to: string | null; direction: "up" | "down" | "same"; reason: string }
  | { kind: "reward"; at: string; id: string; event: "issued" | "redeemed" | "revoked" | "failed"; milestoneKey: string; rewardKind: string; code: string | null }
  | { kind: "message"; at: string; id: string; surface: string; rank: string | null; locale: string | null; orderName: string }
  | { kind: "note"; at: string; id: string; note: CustomerNoteView }
  /** A post-purchase survey answer; question and choice in the admin's language as the shop words them now. */
  | { kind: "survey"; at: string; id: string; question: string | null; choice: string | null; freeText: string | null; orderName: string };

const KIND_ORDER: Record<TimelineEvent["kind"], number> = { note: 0, survey: 0.5, message: 1, reward: 2, rank: 3, refund: 4, order: 5 };

/** Newest first; at the same instant a note above a message above a reward … above its order. */
export function sortTimeline(events: TimelineEvent[]): TimelineEvent[] {
  return [...events].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.id < b.id ? 1 : -1)));
}

export interface CustomerDetail {
  shopifyId: string;
  gid: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  countryCode: string | null;
  provinceCode: string | null;
  tags: string | null;
  currency: string;
  timeZone: string;
  orderCount: number;
  lifetimeSpent: string;
  windowSpent: string;
  windowMonths: number;
  firstOrderAt: string | null;
  secondOrderAt: string | null;
  lastOrderAt: string | null;
  rfmSegment: string | null;
  rank: { key: string; label: string } | null;
  rankSince: string | null;
  next: { key: string; label: string; ordersToNext: number | null; amountToNext: string | null; percent: number } | null;
  notes: CustomerNoteView[];
  timeline: TimelineEvent[];
}

const label = (tier: RankTier | undefined, key: string | null, locale: Locale) => (tier ? (locale === "ja" ? tier.labelJa : tier.labelEn) : key);

/** How far the customer is towards the next tier, 0–100 (the closer of its conditions when either suffices). */
function progressPercent(tier: RankTier, orderCount: number, windowSpent: bigint): number {
  const parts: number[] = [];
  if (tier.minOrders !== null && tier.minOrders > 0) parts.push(Math.min(1, orderCount / tier.minOrders));
  if (tier.minWindowSpent !== null && tier.minWindowSpent > 0n) parts.push(Math.min(1, Number((windowSpent * 1000n) / tier.minWindowSpent) / 1000));
  if (parts.length === 0) return 0;
  const value = tier.combine === "all" ? Math.min(...parts) : Math.max(...parts);
  return Math.round(value * 100);
}

export async function customerDetail(prisma: PrismaClient, shop: string, shopifyId: string, locale: Locale): Promise<CustomerDetail | null> {
  const gid = customerGidFor(shopifyId);
  if (!gid) return null;
  const customer = await prisma.customer.findUnique({ where: { shop_gid: { shop, gid } } });
  if (!customer || customer.redactedAt) return null;
  const [{ timeZone, currency }, shopRow, tierRows, orders, rankChanges, grants, views, notes] = await Promise.all([
    shopTimeZone(prisma, shop),
    prisma.shop.findUnique({ where: { shop }, select: { rankWindowMonths: true } }),
    prisma.rankTier.findMany({ where: { shop }, orderBy: { position: "asc" } }),
    prisma.order.findMany({
      where: { shop, customerId: customer.id },
      orderBy: [{ processedAt: "desc" }, { id: "desc" }],
      take: TIMELINE_LIMIT,
      include: { lines: { orderBy: { id: "asc" } } },
    }),
    prisma.rankChange.findMany({ where: { shop, customerId: customer.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: TIMELINE_LIMIT }),
    prisma.rewardGrant.findMany({ where: { shop, customerId: customer.id }, orderBy: { id: "desc" }, take: TIMELINE_LIMIT }),
    prisma.messageView.findMany({ where: { shop, customerId: customer.id }, orderBy: [{ shownAt: "desc" }, { id: "desc" }], take: TIMELINE_LIMIT }),
    listNotes(prisma, shop, customer.id),
  ]);
  const tiers: RankTier[] = tierRows.map((t) => ({ ...t, combine: t.combine === "all" ? "all" : "any" }));
  const byKey = new Map(tiers.map((t) => [t.key, t]));
  const orderGids = orders.map((o) => o.gid);
  const [refunds, orderNames] = await Promise.all([
    orderGids.length === 0 ? [] : prisma.refund.findMany({ where: { shop, orderGid: { in: orderGids } } }),
    // Orders named by rewards and messages may be older than the orders read above.
    prisma.order.findMany({
      where: { shop, gid: { in: [...new Set([...grants.map((g) => g.orderGid), ...views.map((v) => v.orderGid)])] } },
      select: { gid: true, name: true },
    }),
  ]);
  const nameOf = new Map([...orders, ...orderNames].map((o) => [o.gid, o.name ?? o.gid.split("/").pop()!]));
  const orderName = (orderGid: string) => nameOf.get(orderGid) ?? `#${orderGid.split("/").pop()}`;

  const events: TimelineEvent[] = [];
  for (const o of orders) {
    events.push({
      kind: "order",
      at: o.processedAt.toISOString(),
      id: `order-${o.id}`,
      name: orderName(o.gid),
      total: o.totalPrice.toString(),
      currentTotal: o.currentTotal.toString(),
      currency: o.currency,
      cancelled: o.cancelledAt !== null,
      lines: o.lines.map((l) => ({ title: l.title, sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice.toString() })),
    });
  }
  for (const r of refunds) {
    events.push({ kind: "refund", at: r.createdAt.toISOString(), id: `refund-${r.id}`, orderName: orderName(r.orderGid), amount: r.amount.toString(), currency: r.currency });
  }
  for (const c of rankChanges) {
    const from = byKey.get(c.fromRank ?? "");
    const to = byKey.get(c.toRank ?? "");
    const a = from?.position ?? 0;
    const b = to?.position ?? 0;
    events.push({
      kind: "rank",
      at: c.createdAt.toISOString(),
      id: `rank-${c.id}`,
      from: label(from, c.fromRank, locale),
      to: label(to, c.toRank, locale),
      direction: b > a ? "up" : b < a ? "down" : "same",
      reason: describeReason(c.reason, locale),
    });
  }
  for (const g of grants) {
    if (g.status === "held") continue; // in the reward's holdout group: the customer was given nothing
    const base = { kind: "reward" as const, milestoneKey: g.milestoneKey, rewardKind: g.kind, code: g.code };
    events.push({ ...base, at: (g.issuedAt ?? g.createdAt).toISOString(), id: `reward-${g.id}-issued`, event: g.status === "failed" ? "failed" : "issued" });
    if (g.redeemedAt) events.push({ ...base, at: g.redeemedAt.toISOString(), id: `reward-${g.id}-redeemed`, event: "redeemed" });
    if (g.revokedAt) events.push({ ...base, at: g.revokedAt.toISOString(), id: `reward-${g.id}-revoked`, event: "revoked" });
  }
  for (const v of views) {
    events.push({
      kind: "message",
      at: v.shownAt.toISOString(),
      id: `message-${v.id}`,
      surface: v.surface,
      rank: v.rankKey ? label(byKey.get(v.rankKey), v.rankKey, locale) : null,
      locale: v.locale,
      orderName: orderName(v.orderGid),
    });
  }
  for (const n of notes) events.push({ kind: "note", at: n.createdAt, id: `note-${n.id}`, note: n });
  for (const a of await surveyAnswersOfCustomer(prisma, shop, customer.id)) {
    events.push({
      kind: "survey",
      at: a.createdAt.toISOString(),
      id: `survey-${a.id}`,
      question: a.question ? localizedText(a.question, locale) : null,
      // A choice the shop no longer has shows by its key.
      choice: a.choice ? localizedText(a.choice, locale) : a.choiceKey,
      freeText: a.freeText,
      orderName: orderName(a.orderGid),
    });
  }

  const progress = rankProgress({ orderCount: customer.orderCount, windowSpent: customer.windowSpent }, tiers);
  const current = customer.rankKey ? byKey.get(customer.rankKey) : undefined;
  return {
    shopifyId,
    gid,
    firstName: customer.firstName,
    lastName: customer.lastName,
    email: customer.email,
    countryCode: customer.countryCode,
    provinceCode: customer.provinceCode,
    tags: customer.tags,
    currency,
    timeZone,
    orderCount: customer.orderCount,
    lifetimeSpent: customer.lifetimeSpent.toString(),
    windowSpent: customer.windowSpent.toString(),
    windowMonths: shopRow?.rankWindowMonths ?? 12,
    firstOrderAt: customer.firstOrderAt?.toISOString() ?? null,
    secondOrderAt: customer.secondOrderAt?.toISOString() ?? null,
    lastOrderAt: customer.lastOrderAt?.toISOString() ?? null,
    rfmSegment: customer.rfmSegment,
    rank: customer.rankKey ? { key: customer.rankKey, label: label(current, customer.rankKey, locale)! } : null,
    rankSince: customer.rankSince?.toISOString() ?? null,
    next: progress.next
      ? {
          key: progress.next.key,
          label: label(progress.next, progress.next.key, locale)!,
          ordersToNext: progress.ordersToNext,
          amountToNext: progress.amountToNext?.toString() ?? null,
          percent: progressPercent(progress.next, customer.orderCount, customer.windowSpent),
        }
      : null,
    notes,
    timeline: sortTimeline(events),
  };
}

/** The customer's row id for note changes (scoped by shop), or null. */
export async function customerIdFor(prisma: PrismaClient, shop: string, shopifyId: string): Promise<number | null> {
  const gid = customerGidFor(shopifyId);
  if (!gid) return null;
  const row = await prisma.customer.findUnique({ where: { shop_gid: { shop, gid } }, select: { id: true, redactedAt: true } });
  return row && !row.redactedAt ? row.id : null;
}
