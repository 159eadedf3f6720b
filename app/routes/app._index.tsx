import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Card, DataTable, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { authenticate } from "../shopify.server";
import { appContext } from "../context.server";
import { shopReport } from "../services/report.server";
import { localeFromRequest, t } from "../locales";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db } = await appContext();
  const report = await shopReport(db.prisma, session.shop);
  return { report, locale: localeFromRequest(request) };
};

export default function Index() {
  const { report, locale } = useLoaderData<typeof loader>();
  const figures: [string, string][] = [
    [t(locale, "report.customers"), String(report.customers)],
    [t(locale, "report.orders"), String(report.orders)],
    [t(locale, "report.revenue"), `${report.revenue} ${report.currency}`],
    [t(locale, "report.repeatRate"), `${(report.repeatRate * 100).toFixed(1)}%`],
    [t(locale, "report.paretoTop20Share"), `${(report.paretoTop20Share * 100).toFixed(1)}%`],
  ];
  return (
    <Page>
      <TitleBar title="Tokui" />
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t(locale, "report.title")}
              </Text>
              <DataTable columnContentTypes={["text", "numeric"]} headings={["", ""]} rows={figures} />
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t(locale, "report.rankDistribution")}
              </Text>
              <DataTable
                columnContentTypes={["text", "numeric"]}
                headings={["", ""]}
                rows={Object.entries(report.rankDistribution).map(([rank, n]) => [rank, String(n)])}
              />
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
