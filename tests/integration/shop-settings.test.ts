/** After install, the shop's currency and time zone come from Shopify (afterAuth hook). */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { setupServer } from "msw/node";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { unauthenticated } from "~/shopify.server";
import { syncShopSettings } from "~/services/shop-settings.server";
import type { AdminGraphql } from "~/shopify/admin-client.server";
import { app } from "../helpers/app";
import { adminApiMock } from "../mocks/admin-api";

const SHOP = "settings-shop.myshopify.com";
const TOKEN = "shpat_settings0000000000000000000000";
const shopify = adminApiMock();
const server = setupServer(...shopify.handlers);

beforeAll(() => {
  server.listen({ onUnhandledRequest: "error" });
  setAbstractFetchFunc(globalThis.fetch);
});
afterAll(() => server.close());
beforeEach(async () => {
  const { prisma } = await app();
  await prisma.rankTier.deleteMany({ where: { shop: SHOP } });
  await prisma.shop.deleteMany({ where: { shop: SHOP } });
  await prisma.session.deleteMany({ where: { shop: SHOP } });
  await prisma.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", accessToken: TOKEN, scope: "read_orders" } });
  shopify.reset();
  shopify.install(SHOP, TOKEN);
});
afterEach(() => expect(shopify.violations).toEqual([]));

async function sync() {
  const { prisma } = await app();
  const { admin } = await unauthenticated.admin(SHOP);
  await syncShopSettings(prisma, SHOP, admin.graphql as AdminGraphql);
  return prisma.shop.findUniqueOrThrow({ where: { shop: SHOP } });
}

it("creates a new shop with Shopify's currency, time zone and matching default tiers", async () => {
  shopify.setShop(SHOP, { name: "Sencha & Co.", currencyCode: "USD", ianaTimezone: "America/New_York" });
  expect(await sync()).toMatchObject({ name: "Sencha & Co.", currency: "USD", ianaTimezone: "America/New_York", uninstalledAt: null });
  const { prisma } = await app();
  const vip = await prisma.rankTier.findUniqueOrThrow({ where: { shop_key: { shop: SHOP, key: "vip" } } });
  expect(vip.minWindowSpent).toBe(100000n); // $1,000.00
});

it("updates a shop that reinstalls, and follows a currency change", async () => {
  const { prisma } = await app();
  await prisma.shop.create({ data: { shop: SHOP, currency: "JPY", uninstalledAt: new Date("2026-11-01T00:00:00Z") } });
  shopify.setShop(SHOP, { currencyCode: "EUR", ianaTimezone: "Europe/Berlin" });
  expect(await sync()).toMatchObject({ currency: "EUR", ianaTimezone: "Europe/Berlin", uninstalledAt: null });
});
