import { BlockStack, Card, DataTable, Layout, Text } from "@shopify/polaris";
import { formatMinorUnits } from "../domain/money";
import { t, type Locale } from "../locales";
import type { ShopOverview as Overview } from "../services/overview.server";

/** The merchant overview: repeat-business figures, customers by rank, top customers, rank moves. */
export function ShopOverview({ overview, locale }: { overview: Overview; locale: Locale }) {
  const { report, tiers, topCustomers, rankChanges } = overview;
  const label = (key: string | null) => {
    const tier = tiers.find((x) => x.key === key);
    if (!tier) return key ?? "—";
    return locale === "ja" ? tier.labelJa : tier.labelEn;
  };
  const name = (c: { firstName: string | null; lastName: string | null }) =>
    [locale === "ja" ? c.lastName : c.firstName, locale === "ja" ? c.firstName : c.lastName].filter(Boolean).join(" ") || "—";
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const money = (minor: string) => `${formatMinorUnits(BigInt(minor), report.currency)} ${report.currency}`;

  return (
    <Layout>
      <Layout.Section>
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              {t(locale, "report.title")}
            </Text>
            <DataTable
              columnContentTypes={["text", "numeric"]}
              headings={[t(locale, "overview.figure"), t(locale, "overview.value")]}
              rows={[
                [t(locale, "report.customers"), String(report.customers)],
                [t(locale, "report.orders"), String(report.orders)],
                [t(locale, "report.revenue"), `${report.revenue} ${report.currency}`],
                [t(locale, "report.repeatRate"), pct(report.repeatRate)],
                [t(locale, "report.paretoTop20Share"), pct(report.paretoTop20Share)],
              ]}
            />
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
              headings={[t(locale, "overview.rank"), t(locale, "overview.customers")]}
              rows={Object.entries(report.rankDistribution).map(([key, n]) => [label(key), String(n)])}
            />
          </BlockStack>
        </Card>
      </Layout.Section>
      <Layout.Section>
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              {t(locale, "overview.topCustomers")}
            </Text>
            <DataTable
              columnContentTypes={["text", "text", "numeric", "numeric"]}
              headings={[t(locale, "overview.customer"), t(locale, "overview.rank"), t(locale, "overview.orders"), t(locale, "overview.spend")]}
              rows={topCustomers.map((c) => [name(c), label(c.rankKey), String(c.orderCount), money(c.lifetimeSpent)])}
            />
          </BlockStack>
        </Card>
      </Layout.Section>
      <Layout.Section>
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              {t(locale, "overview.rankChanges")}
            </Text>
            <DataTable
              columnContentTypes={["text", "text", "text"]}
              headings={[t(locale, "overview.customer"), t(locale, "overview.move"), t(locale, "overview.reason")]}
              rows={rankChanges.map((r) => [name(r.customer), `${label(r.fromRank)} → ${label(r.toRank)}`, r.reason])}
            />
          </BlockStack>
        </Card>
      </Layout.Section>
    </Layout>
  );
}
