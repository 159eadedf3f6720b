import type { PrismaClient } from "../db.server";
import { logger } from "../logger.server";
import { ensureShop } from "../models/shop.server";
import { SHOP_SETTINGS_QUERY } from "../shopify/graphql/documents";
import type { AdminGraphql } from "../shopify/admin-client.server";

/**
 * After install (shopifyApp's afterAuth): take the shop's name, currency and time zone from Shopify
 * rather than guessing them from the first order. A shop that changed its currency keeps its
 * tiers' spend thresholds (they are in the old currency): the merchant is warned in the log.
 */
export async function syncShopSettings(prisma: PrismaClient, shop: string, graphql: AdminGraphql): Promise<void> {
  const response = await graphql(SHOP_SETTINGS_QUERY);
  const body = (await response.json()) as { data?: { shop?: { name?: string; currencyCode?: string; ianaTimezone?: string } } };
  const settings = body.data?.shop;
  if (!settings?.currencyCode) throw new Error(`Shopify returned no shop settings for ${shop}`);
  await ensureShop(prisma, shop, settings.currencyCode);
  const before = await prisma.shop.update({
    where: { shop },
    data: { name: settings.name ?? null, ianaTimezone: settings.ianaTimezone ?? null, uninstalledAt: null },
    select: { currency: true },
  });
  if (before.currency !== settings.currencyCode) {
    await prisma.shop.update({ where: { shop }, data: { currency: settings.currencyCode } });
    logger.warn("shop currency changed: review the rank tiers' spend thresholds", {
      shop,
      from: before.currency,
      to: settings.currencyCode,
    });
  }
}
