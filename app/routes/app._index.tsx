import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Page } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { authenticate } from "../shopify.server";
import { appContext } from "../context.server";
import { shopOverview } from "../services/overview.server";
import { ShopOverview } from "../components/ShopOverview";
import { localeFromRequest } from "../locales";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db } = await appContext();
  return { overview: await shopOverview(db.prisma, session.shop), locale: localeFromRequest(request) };
};

export default function Index() {
  const { overview, locale } = useLoaderData<typeof loader>();
  return (
    <Page>
      <TitleBar title="Tokui" />
      <ShopOverview overview={overview} locale={locale} />
    </Page>
  );
}
