import { BlockStack, Card, DataTable, Layout, Text } from "@shopify/polaris";
import { displayMoney, toMinorUnits } from "../domain/money";
import { describeReason } from "../domain/rank-change-reason";
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
  const money = (minor: string) => displayMoney(BigInt(minor), report.currency, locale);
  // Customers by rank in the ladder's order, then anything else (e.g. "none").
  const byRank = Object.entries(report.rankDistribution).sort(
    ([a], [b]) => rankOrder(a) - rankOrder(b),
  );
  function rankOrder(key: string) {
    const i = tiers.findIndex((x) => x.key === key);
    return i < 0 ? tiers.length : i;
  }

  return (
    <Layout>
      <Layout.Section>
        <TableCard
          title={t(locale, "report.title")}
          types={["text", "numeric"]}
          headings={[t(locale, "overview.figure"), t(locale, "overview.value")]}
          rows={[
            [t(locale, "report.customers"), String(report.customers)],
            [t(locale, "report.orders"), String(report.orders)],
            [t(locale, "report.revenue"), displayMoney(toMinorUnits(report.revenue, report.currency), report.currency, locale)],
            [t(locale, "report.repeatRate"), pct(report.repeatRate)],
            [t(locale, "report.paretoTop20Share"), pct(report.paretoTop20Share)],
          ]}
        />
      </Layout.Section>
      <Layout.Section variant="oneThird">
        <TableCard
          title={t(locale, "report.rankDistribution")}
          types={["text", "numeric"]}
          headings={[t(locale, "overview.rank"), t(locale, "overview.customers")]}
          rows={byRank.map(([key, n]) => [label(key), String(n)])}
        />
      </Layout.Section>
      <Layout.Section>
        <TableCard
          title={t(locale, "overview.topCustomers")}
          types={["text", "text", "numeric", "numeric"]}
          headings={[t(locale, "overview.customer"), t(locale, "overview.rank"), t(locale, "overview.orders"), t(locale, "overview.spend")]}
          rows={topCustomers.map((c) => [name(c), label(c.rankKey), String(c.orderCount), money(c.lifetimeSpent)])}
        />
      </Layout.Section>
      <Layout.Section>
        <TableCard
          title={t(locale, "overview.rankChanges")}
          types={["text", "text", "text"]}
          headings={[t(locale, "overview.customer"), t(locale, "overview.move"), t(locale, "overview.reason")]}
          rows={rankChanges.map((r) => [name(r.customer), `${label(r.fromRank)} → ${label(r.toRank)}`, describeReason(r.reason, locale)])}
        />
      </Layout.Section>
    </Layout>
  );
}

/** A titled card holding one table: the shape of every block on the overview. */
function TableCard(props: { title: string; types: ("text" | "numeric")[]; headings: string[]; rows: string[][] }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {props.title}
        </Text>
        <DataTable columnContentTypes={props.types} headings={props.headings} rows={props.rows} />
      </BlockStack>
    </Card>
  );
}
