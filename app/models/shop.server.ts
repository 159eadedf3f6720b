import { sqlDialect, sqlQuery, type PrismaClient, type Tx } from "../db.server";
import { placeholder } from "../db/json-rows";
import { defaultRankTiers, type RankTier } from "../domain/rank";
import type { MessageTemplates } from "../domain/messages";
import type { Milestone } from "../domain/milestones";
import { milestonesFromJson, templatesFromJson } from "../domain/settings-json";

/** What every ingestion needs to know about a shop, loaded once per transaction. */
export interface ShopContext {
  shop: string;
  currency: string;
  locale: string;
  windowMonths: number;
  tiers: RankTier[];
  milestones: Milestone[];
  templates: MessageTemplates;
  /** Handles of the Shopify Flow triggers with an active workflow in the shop (app/shopify/flow.server.ts). */
  flowTriggers: string[];
}

/**
 * Create the shop's settings and default rank tiers on first contact (a webhook may arrive
 * before anyone opens the app). Runs in its own transaction before the caller's: on PostgreSQL
 * a unique violation aborts the whole transaction, and two first deliveries can race here.
 * `currencyIfNew` is only used when the shop is new.
 */
export async function ensureShop(prisma: PrismaClient, shop: string, currencyIfNew = "JPY"): Promise<void> {
  // Hand-written: this runs before every batch of webhooks, and Prisma's query plans for these
  // two reads cost more than the reads (ADR 0031).
  const dialect = sqlDialect(prisma);
  const [found] = await sqlQuery<{ currency: string | null; tiers: number | bigint }>(
    prisma,
    `SELECT (SELECT "currency" FROM "Shop" WHERE "shop" = ${placeholder(dialect, 1)}) AS "currency",
            (SELECT COUNT(*) FROM "RankTier" WHERE "shop" = ${placeholder(dialect, 2)}) AS "tiers"`,
    shop,
    shop,
  );
  const row = found?.currency == null ? null : { currency: found.currency };
  const tiers = Number(found?.tiers ?? 0);
  if (row && tiers > 0) return;
  try {
    await prisma.$transaction(async (tx) => {
      const created = row ?? (await tx.shop.create({ data: { shop, currency: currencyIfNew }, select: { currency: true } }));
      if (tiers === 0) {
        await tx.rankTier.createMany({ data: defaultRankTiers(created.currency).map((t) => ({ ...t, shop })) });
      }
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error; // someone else created them first: fine
  }
}

/** The shop's currency (Shopify's, stored at install or by its first order); null for a shop not met yet. */
export async function findShopCurrency(prisma: PrismaClient, shop: string): Promise<string | null> {
  const row = await prisma.shop.findUnique({ where: { shop }, select: { currency: true } });
  return row?.currency ?? null;
}

/**
 * How mail and public pages name the shop: the sender name the merchant chose for mail, else
 * the shop's name in Shopify, else its myshopify handle (a shop installed before names were synced).
 */
export async function shopDisplayName(client: Tx, shop: string, senderName?: string | null): Promise<string> {
  if (senderName) return senderName;
  const row = await client.shop.findUnique({ where: { shop }, select: { name: true } });
  return row?.name || shop.replace(/\.myshopify\.com$/, "");
}

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

/** What every ingestion needs to know about a shop (call ensureShop first). */
export async function loadShopContext(tx: Tx, shop: string): Promise<ShopContext> {
  // Hand-written, as ensureShop: loaded at the start of every ingest transaction (ADR 0031).
  const p = placeholder(sqlDialect(tx), 1);
  const [rows, tiers, flowTriggers] = await Promise.all([
    sqlQuery<{ currency: string; locale: string; rankWindowMonths: number | bigint; milestones: string | null; messageTemplates: string | null }>(
      tx,
      `SELECT "currency", "locale", "rankWindowMonths", "milestones", "messageTemplates" FROM "Shop" WHERE "shop" = ${p}`,
      shop,
    ),
    sqlQuery<{ key: string; position: number | bigint; labelJa: string; labelEn: string; minOrders: number | bigint | null; minWindowSpent: number | bigint | null; combine: string }>(
      tx,
      `SELECT "key", "position", "labelJa", "labelEn", "minOrders", "minWindowSpent", "combine" FROM "RankTier" WHERE "shop" = ${p} ORDER BY "position"`,
      shop,
    ),
    sqlQuery<{ handle: string }>(tx, `SELECT "handle" FROM "FlowTriggerState" WHERE "shop" = ${p} AND "enabled" ORDER BY "handle"`, shop),
  ]);
  const row = rows[0];
  if (!row) throw new Error(`shop ${shop} has no settings row: call ensureShop before ingesting`);
  return {
    shop,
    currency: row.currency,
    locale: row.locale,
    windowMonths: Number(row.rankWindowMonths),
    milestones: milestonesFromJson(row.milestones),
    templates: templatesFromJson(row.messageTemplates),
    flowTriggers: flowTriggers.map((f) => f.handle),
    tiers: tiers.map((t) => ({
      key: t.key,
      position: Number(t.position),
      labelJa: t.labelJa,
      labelEn: t.labelEn,
      minOrders: t.minOrders === null ? null : Number(t.minOrders),
      minWindowSpent: t.minWindowSpent === null ? null : BigInt(t.minWindowSpent),
      combine: t.combine === "all" ? "all" : "any",
    })),
  };
}

export async function markShopUninstalled(tx: Tx, shop: string, at: Date): Promise<void> {
  await tx.session.deleteMany({ where: { shop } });
  await tx.shop.updateMany({ where: { shop }, data: { uninstalledAt: at } });
}

/** shop/redact (48 h after uninstall): everything Tokui holds for the shop goes. */
export async function deleteShopData(tx: Tx, shop: string): Promise<void> {
  // Children first; Order lines and rank changes cascade from their parents.
  await tx.order.deleteMany({ where: { shop } });
  await tx.refund.deleteMany({ where: { shop } });
  await tx.customer.deleteMany({ where: { shop } });
  // Survey answers of guest checkouts have no customer to cascade from.
  await tx.surveyResponse.deleteMany({ where: { shop } });
  await tx.rankTier.deleteMany({ where: { shop } });
  // A tag sync run keeps the list's filter, which may hold a searched name.
  await tx.tagSyncRun.deleteMany({ where: { shop } });
  await tx.flowTriggerState.deleteMany({ where: { shop } });
  // Follow-up mail: the send log cascades from customers; settings, campaigns, intervals do not.
  await tx.mailSend.deleteMany({ where: { shop } });
  await tx.mailSettings.deleteMany({ where: { shop } });
  await tx.campaign.deleteMany({ where: { shop } });
  await tx.productInterval.deleteMany({ where: { shop } });
  // The dashboard's precomputed figures (product titles among them) and the run records of
  // history imports and recomputes: shop data, if not personal data.
  await tx.analyticsSnapshot.deleteMany({ where: { shop } });
  await tx.backfillRun.deleteMany({ where: { shop } });
  await tx.recomputeRun.deleteMany({ where: { shop } });
  await tx.job.deleteMany({ where: { shop } });
  await tx.session.deleteMany({ where: { shop } });
  await tx.shop.deleteMany({ where: { shop } });
  // Webhook events keep no payload beyond this point: the redaction itself stays as a record.
  await tx.webhookEvent.deleteMany({ where: { shop, topic: { not: "shop/redact" } } });
}
