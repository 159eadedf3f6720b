import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { Link as RemixLink, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Card, DataTable, InlineStack, Layout, List, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { appContext } from "../context.server";
import { reasonText, verdictText, type Measurement, type SampleNeed, type Verdict } from "../domain/holdout";
import { localeFromRequest, t, type Locale } from "../locales";
import { ensureShop, loadShopContext } from "../models/shop.server";
import { loadCampaignResults } from "../services/followup-results/results.server";
import { authenticate } from "../shopify.server";
import { displayMoney, toMinorUnits } from "../domain/money";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db } = await appContext();
  await ensureShop(db.prisma, session.shop);
  const ctx = await loadShopContext(db.prisma, session.shop);
  const campaigns = await loadCampaignResults(db.prisma, session.shop, ctx.currency);
  const locale = localeFromRequest(request);
  // Verdict words are made here, from the one place that defines them (domain/holdout.ts).
  const words = (v: Verdict) => ({
    kind: v.kind,
    text: verdictText(v)[locale],
    reasons: v.kind === "not-conclusive" ? v.reasons.map((r) => reasonText(r)[locale]) : [],
  });
  const view = (m: Measurement) => ({
    treated: m.treated,
    holdout: m.holdout,
    conversion: { uplift: m.conversion.uplift, ci: m.conversion.ci, verdict: words(m.conversion.verdict), need: m.conversion.need },
    revenue: { uplift: m.revenuePerCustomer.uplift, ci: m.revenuePerCustomer.ci, verdict: words(m.revenuePerCustomer.verdict), need: m.revenuePerCustomer.need },
  });
  return json({
    locale,
    currency: ctx.currency,
    campaigns: campaigns.map((c) => ({
      key: c.key,
      label: c.label[locale],
      enabled: c.enabled,
      holdoutPercent: c.holdoutPercent,
      attributionDays: c.attributionDays,
      overall: view(c.overall),
      steps: c.steps.map((s) => ({ step: s.step, delayDays: s.delayDays, ...view(s.measurement) })),
    })),
  });
};

type View = ReturnType<typeof useLoaderData<typeof loader>>["campaigns"][number]["overall"];

const pct = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)}%`);
const points = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(1)}`;
const signed = (amount: string) => (amount.startsWith("-") ? `−${amount.slice(1)}` : `+${amount}`);

const TONE: Record<string, "success" | "critical" | "attention" | undefined> = {
  better: "success",
  worse: "critical",
  "not-conclusive": "attention",
  "no-holdout": undefined,
};

export default function CampaignResults() {
  const data = useLoaderData<typeof loader>();
  const { locale, currency } = data;
  return (
    <Page>
      <TitleBar title={t(locale, "results.title")} />
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                {t(locale, "results.how.title")}
              </Text>
              <Text as="p">{t(locale, "results.how.body")}</Text>
              <List>
                <List.Item>{t(locale, "results.help.customers")}</List.Item>
                <List.Item>{t(locale, "results.help.conversion")}</List.Item>
                <List.Item>{t(locale, "results.help.revenue")}</List.Item>
                <List.Item>{t(locale, "results.help.uplift")}</List.Item>
                <List.Item>{t(locale, "results.help.ci")}</List.Item>
                <List.Item>{t(locale, "results.help.need")}</List.Item>
                <List.Item>{t(locale, "results.help.verdict")}</List.Item>
              </List>
              <Text as="p" tone="subdued">
                {t(locale, "results.help.steps")}
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        {data.campaigns.length === 0 ? (
          <Layout.Section>
            <Banner tone="info" title={t(locale, "results.empty.title")}>
              <Text as="p">
                {t(locale, "results.empty.body")} <RemixLink to="/app/journeys">{t(locale, "nav.followup")}</RemixLink>
              </Text>
            </Banner>
          </Layout.Section>
        ) : null}
        {data.campaigns.map((c) => (
          <Layout.Section key={c.key}>
            <Card>
              <BlockStack gap="400">
                <InlineStack align="space-between" blockAlign="center">
                  <Text as="h2" variant="headingMd">
                    {c.label}
                  </Text>
                  <InlineStack gap="200">
                    {!c.enabled ? <Badge>{t(locale, "results.off")}</Badge> : null}
                    <Badge>{t(locale, "results.settings", { holdout: c.holdoutPercent, days: c.attributionDays })}</Badge>
                  </InlineStack>
                </InlineStack>
                <Comparison locale={locale} currency={currency} view={c.overall} holdoutPercent={c.holdoutPercent} />
                {c.steps.length > 1 || (c.steps.length === 1 && c.key !== "replenishment") ? (
                  <BlockStack gap="300">
                    <Text as="h3" variant="headingSm">
                      {t(locale, "results.steps")}
                    </Text>
                    {c.steps.map((s) => (
                      <Box key={s.step} borderColor="border" borderWidth="025" borderRadius="200" padding="300">
                        <BlockStack gap="200">
                          <Text as="h4" variant="headingXs">
                            {s.delayDays === null ? t(locale, "results.step", { n: s.step }) : t(locale, "results.stepDays", { n: s.step, days: s.delayDays })}
                          </Text>
                          <Comparison locale={locale} currency={currency} view={s} holdoutPercent={c.holdoutPercent} />
                        </BlockStack>
                      </Box>
                    ))}
                  </BlockStack>
                ) : null}
              </BlockStack>
            </Card>
          </Layout.Section>
        ))}
      </Layout>
    </Page>
  );
}

function Comparison({ locale, currency, view, holdoutPercent }: { locale: Locale; currency: string; view: View; holdoutPercent: number }) {
  // 1,333円 / ¥1,333 as everywhere else in the admin; a value money cannot hold stays as computed.
  const money = (amount: string | null) => {
    if (amount === null) return "—";
    try {
      return displayMoney(toMinorUnits(amount, currency), currency, locale);
    } catch {
      return `${amount} ${currency}`;
    }
  };
  const conversionUplift =
    view.conversion.uplift === null
      ? "—"
      : `${points(view.conversion.uplift)} ${t(locale, "results.points")}` +
        (view.conversion.ci ? ` (${points(view.conversion.ci.low)} … ${points(view.conversion.ci.high)})` : "");
  const revenueUplift =
    view.revenue.uplift === null
      ? "—"
      : `${signed(view.revenue.uplift)} ${currency}` + (view.revenue.ci ? ` (${signed(view.revenue.ci.low)} … ${signed(view.revenue.ci.high)})` : "");
  return (
    <BlockStack gap="300">
      <DataTable
        columnContentTypes={["text", "numeric", "numeric", "numeric"]}
        headings={["", t(locale, "results.treated"), t(locale, "results.holdout"), t(locale, "results.difference")]}
        rows={[
          [t(locale, "results.customers"), String(view.treated.customers), String(view.holdout.customers), ""],
          [
            t(locale, "results.conversion"),
            `${pct(view.treated.conversionRate)} (${view.treated.converted})`,
            `${pct(view.holdout.conversionRate)} (${view.holdout.converted})`,
            conversionUplift,
          ],
          [t(locale, "results.revenuePerCustomer"), money(view.treated.revenuePerCustomer), money(view.holdout.revenuePerCustomer), revenueUplift],
        ]}
      />
      <InlineStack gap="400" wrap>
        <VerdictBlock locale={locale} title={t(locale, "results.conversion")} verdict={view.conversion.verdict} need={view.conversion.need} holdoutPercent={holdoutPercent} />
        <VerdictBlock locale={locale} title={t(locale, "results.revenuePerCustomer")} verdict={view.revenue.verdict} need={view.revenue.need} holdoutPercent={holdoutPercent} />
      </InlineStack>
    </BlockStack>
  );
}

function VerdictBlock(props: {
  locale: Locale;
  title: string;
  verdict: { kind: string; text: string; reasons: string[] };
  need: SampleNeed | null;
  holdoutPercent: number;
}) {
  const { locale, verdict, need } = props;
  return (
    <Box minWidth="16rem" maxWidth="28rem">
      <BlockStack gap="100">
        <InlineStack gap="200" blockAlign="center">
          <Text as="span" variant="bodySm" tone="subdued">
            {props.title}
          </Text>
          <Badge tone={TONE[verdict.kind]}>{verdict.text}</Badge>
        </InlineStack>
        {verdict.reasons.map((r) => (
          <Text key={r} as="p" variant="bodySm">
            {r}
          </Text>
        ))}
        {verdict.kind === "not-conclusive" && need && need.moreCustomers > 0 ? (
          <Text as="p" variant="bodySm" tone="subdued">
            {t(locale, need.basis === "observed" ? "results.need.observed" : "results.need.minimum", {
              more: need.moreCustomers.toLocaleString(locale === "ja" ? "ja-JP" : "en-US"),
              treated: need.missing.treated.toLocaleString(locale === "ja" ? "ja-JP" : "en-US"),
              holdout: need.missing.holdout.toLocaleString(locale === "ja" ? "ja-JP" : "en-US"),
            })}
          </Text>
        ) : null}
        {verdict.kind === "not-conclusive" && need && need.moreCustomers > 0 && props.holdoutPercent < 20 ? (
          <Text as="p" variant="bodySm" tone="subdued">
            {t(locale, "results.need.largerHoldout")}
          </Text>
        ) : null}
        {verdict.kind === "no-holdout" ? (
          <Text as="p" variant="bodySm" tone="subdued">
            {t(locale, "results.noHoldout")}
          </Text>
        ) : null}
      </BlockStack>
    </Box>
  );
}
