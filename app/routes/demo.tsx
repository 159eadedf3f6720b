import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { AppProvider, Banner, BlockStack, Page } from "@shopify/polaris";
import enTranslations from "@shopify/polaris/locales/en.json";
import jaTranslations from "@shopify/polaris/locales/ja.json";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { appContext } from "../context.server";
import { DEMO_SHOP, requireDemo } from "../demo.server";
import { shopOverview } from "../services/overview.server";
import { ShopOverview } from "../components/ShopOverview";
import { localeFromRequest, t } from "../locales";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

// The merchant overview of the local demo shop, outside the Shopify admin (no App Bridge).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  requireDemo(request);
  const { db } = await appContext();
  return { shop: DEMO_SHOP, overview: await shopOverview(db.prisma, DEMO_SHOP), locale: localeFromRequest(request) };
};

export default function DemoOverview() {
  const { shop, overview, locale } = useLoaderData<typeof loader>();
  return (
    <AppProvider i18n={locale === "ja" ? jaTranslations : enTranslations}>
      <Page title={`${t(locale, "demo.title")} — ${shop}`}>
        <BlockStack gap="400">
          <Banner tone="info">{t(locale, "demo.banner")}</Banner>
          <ShopOverview overview={overview} locale={locale} />
        </BlockStack>
      </Page>
    </AppProvider>
  );
}
