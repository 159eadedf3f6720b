/**
 * The merchant dashboard (issue 4 §2): F2 conversion and the order-count funnel first (what
 * Japanese mail-order merchants read first), then the period's figures, the 20/80 check, ranks,
 * RFM segments, cohort retention and products by repeat rate. Every block says what it means and
 * which customers it covers; every chart has the table of its numbers beside it.
 */
import { Banner, BlockStack, Card, DataTable, EmptyState, InlineGrid, Layout, Text } from "@shopify/polaris";
import type { DashboardData, FunnelStep, RankData, RfmData } from "../../domain/analytics/types";
import { t, type Locale } from "../../locales";
import { BarsChart, FunnelChart, ParetoChart } from "./ClientChart";
import { CohortTable } from "./CohortTable";
import { FigureCard, StatTile } from "./FigureCard";
import { formatCount, formatDays, formatMoney, formatPercent, formatRatioText, formatShare } from "./format";
import { dateTimeInZone, type PeriodProblem, type ResolvedPeriod } from "./period";
import { PeriodChooser } from "./PeriodChooser";
import { VisuallyHidden } from "./VisuallyHidden";

export interface DashboardProps {
  data: DashboardData;
  period: ResolvedPeriod;
  problem: PeriodProblem | null;
  locale: Locale;
  /** The shop has no order at all yet (not merely none in the period). */
  empty: boolean;
  /** Where the order-history import lives. */
  backfillUrl: string;
}

export function Dashboard(props: DashboardProps) {
  const { data, period, problem, locale } = props;
  const tr = (key: string, vars?: Record<string, string | number>) => t(locale, `dashboard.${key}`, vars);
  return (
    <BlockStack gap="500">
      {problem ? (
        <Banner tone="warning" title={tr("period.problemTitle")}>
          <p>{describeProblem(problem, locale)}</p>
        </Banner>
      ) : null}
      <Card>
        <PeriodChooser period={period} locale={locale} />
      </Card>
      {props.empty ? (
        <EmptyDashboard locale={locale} backfillUrl={props.backfillUrl} />
      ) : (
        <Figures data={data} locale={locale} />
      )}
    </BlockStack>
  );
}

export function describeProblem(problem: PeriodProblem, locale: Locale): string {
  const tr = (key: string, vars?: Record<string, string | number>) => t(locale, `dashboard.${key}`, vars);
  // Japanese sentences follow each other without a space.
  const withFallback = (reason: string) => `${reason}${locale === "ja" ? "" : " "}${tr("period.fallback")}`;
  switch (problem.code) {
    case "unknownPeriod":
      return withFallback(tr("period.unknown", { value: problem.value }));
    case "badDate":
      return withFallback(tr(problem.field === "from" ? "period.badFrom" : "period.badTo", { value: problem.value }));
    case "fromAfterTo":
      return withFallback(tr("period.fromAfterToProblem", { from: problem.from, to: problem.to }));
    case "tooLong":
      return withFallback(tr("period.tooLong", { years: problem.maxYears }));
  }
}

// A small picture that needs no network (the admin's CDN images cannot load offline).
const EMPTY_IMAGE =
  "data:image/svg+xml;utf8," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" width="226" height="160" viewBox="0 0 226 160"><rect x="18" y="20" width="190" height="120" rx="12" fill="#f1f1f1"/><rect x="48" y="92" width="22" height="30" rx="3" fill="#b5b5b5"/><rect x="84" y="72" width="22" height="50" rx="3" fill="#b5b5b5"/><rect x="120" y="56" width="22" height="66" rx="3" fill="#8a8a8a"/><rect x="156" y="40" width="22" height="82" rx="3" fill="#047b5d"/></svg>',
  );

function EmptyDashboard({ locale, backfillUrl }: { locale: Locale; backfillUrl: string }) {
  return (
    <Card>
      <EmptyState
        heading={t(locale, "dashboard.empty.heading")}
        image={EMPTY_IMAGE}
        action={{ content: t(locale, "dashboard.empty.import"), url: backfillUrl }}
      >
        <p>{t(locale, "dashboard.empty.body")}</p>
      </EmptyState>
    </Card>
  );
}

function Figures({ data, locale }: { data: DashboardData; locale: Locale }) {
  const tr = (key: string, vars?: Record<string, string | number>) => t(locale, `dashboard.${key}`, vars);
  const money = (minor: string) => formatMoney(minor, data.currency, locale);
  const count = (n: number) => formatCount(n, locale);
  const asOf = (instant: string | null) =>
    instant === null ? tr("asOf.never") : tr("asOf.at", { time: dateTimeInZone(new Date(instant), data.timeZone).replace(/-/g, locale === "ja" ? "/" : "-"), zone: data.timeZone });
  const { summary, f2 } = data;

  return (
    <BlockStack gap="500">
      {summary.orders === 0 ? (
        <Banner tone="info">
          <p>{tr("noOrdersInPeriod")}</p>
        </Banner>
      ) : null}
      <Layout>
        <Layout.Section>
          <FigureCard id="f2" title={tr("f2.title")} help={tr("f2.help")} scope={tr("scope.firstBuyersInPeriod")}>
            <BlockStack gap="300">
              <Text as="p">{tr("f2.cohort", { n: count(f2.cohort) })}</Text>
              <InlineGrid columns={{ xs: 2, md: 5 }} gap="300">
                {f2.horizons.map((h) => (
                  <StatTile
                    key={h.days}
                    id={`f2-${h.days}`}
                    label={tr("f2.within", { days: h.days })}
                    value={formatShare({ num: h.converted, den: h.eligible }, locale)}
                    detail={h.eligible === 0 ? tr("f2.notYet", { days: h.days }) : tr("f2.ofEligible", { converted: count(h.converted), eligible: count(h.eligible) })}
                    help={tr("f2.withinHelp", { days: h.days })}
                  />
                ))}
                <StatTile
                  id="f2-ever"
                  label={tr("f2.ever")}
                  value={formatShare({ num: f2.ever.converted, den: f2.ever.eligible }, locale)}
                  detail={tr("f2.ofEligible", { converted: count(f2.ever.converted), eligible: count(f2.ever.eligible) })}
                  help={tr("f2.everHelp")}
                />
              </InlineGrid>
            </BlockStack>
          </FigureCard>
        </Layout.Section>
        <Layout.Section>
          <FunnelCard funnel={data.funnel} locale={locale} />
        </Layout.Section>
        <Layout.Section>
          <FigureCard id="summary" title={tr("summary.title")} help={tr("summary.help")} scope={tr("scope.period")}>
            <InlineGrid columns={{ xs: 1, sm: 2, md: 3 }} gap="300">
              <StatTile
                id="customers"
                label={tr("summary.customers")}
                value={count(summary.customers)}
                detail={tr("summary.newCustomers", { n: count(summary.newCustomers) })}
                help={tr("summary.customersHelp")}
              />
              <StatTile
                id="orders"
                label={tr("summary.orders")}
                value={count(summary.orders)}
                detail={[
                  tr("summary.guestOrders", { n: count(summary.guestOrders) }),
                  summary.foreignCurrencyOrders > 0 ? tr("summary.foreignOrders", { n: count(summary.foreignCurrencyOrders), currency: data.currency }) : null,
                ]
                  .filter(Boolean)
                  .join(" · ")}
                help={tr("summary.ordersHelp")}
              />
              <StatTile id="revenue" label={tr("summary.revenue")} value={money(summary.revenue)} help={tr("summary.revenueHelp", { currency: data.currency })} />
              <StatTile
                id="repeat-rate"
                label={tr("summary.repeatRate")}
                value={formatShare(summary.repeatRate, locale)}
                detail={tr("summary.ofCustomers", { num: count(summary.repeatRate.num), den: count(summary.repeatRate.den) })}
                help={tr("summary.repeatRateHelp")}
              />
              <StatTile
                id="days-between-orders"
                label={tr("summary.daysBetween")}
                value={formatDays(summary.averageDaysBetweenOrders, locale)}
                detail={tr("summary.gaps", { n: count(summary.orderGaps) })}
                help={tr("summary.daysBetweenHelp")}
              />
              <StatTile
                id="ltv"
                label={tr("summary.ltv")}
                value={summary.averageLtv === null ? "—" : money(summary.averageLtv)}
                help={tr("summary.ltvHelp")}
              />
            </InlineGrid>
          </FigureCard>
        </Layout.Section>
        <Layout.Section>
          <ParetoCard data={data} locale={locale} />
        </Layout.Section>
        <Layout.Section>
          <RanksCard ranks={data.ranks} locale={locale} />
        </Layout.Section>
        <Layout.Section>
          <RfmCard rfm={data.rfm} currency={data.currency} locale={locale} asOf={asOf(data.rfm.asOf)} />
        </Layout.Section>
        <Layout.Section>
          <FigureCard
            id="cohorts"
            title={tr("cohorts.title")}
            help={tr("cohorts.help")}
            scope={tr("scope.cohortMonths")}
            note={<AsOfNote text={asOf(data.cohorts.asOf)} />}
          >
            {data.cohorts.rows.length > 0 ? <CohortTable rows={data.cohorts.rows} locale={locale} /> : null}
          </FigureCard>
        </Layout.Section>
        <Layout.Section>
          <FigureCard
            id="products"
            title={tr("products.title")}
            help={tr("products.help", { min: data.products.minBuyers })}
            scope={tr("scope.allTime")}
            note={<AsOfNote text={asOf(data.products.asOf)} />}
          >
            {data.products.items.length === 0 ? (
              // Not computed yet: the as-of note says so; "no product" would be a guess.
              data.products.asOf === null ? null : (
                <Text as="p" tone="subdued">
                  {tr("products.none", { min: data.products.minBuyers })}
                </Text>
              )
            ) : (
              <DataTable
                columnContentTypes={["text", "numeric", "numeric", "numeric"]}
                headings={[tr("products.product"), tr("products.buyers"), tr("products.repeatBuyers"), tr("products.repeatRate")]}
                rows={data.products.items.map((p) => [
                  p.title,
                  count(p.buyers),
                  count(p.repeatBuyers),
                  formatShare({ num: p.repeatBuyers, den: p.buyers }, locale),
                ])}
              />
            )}
          </FigureCard>
        </Layout.Section>
      </Layout>
    </BlockStack>
  );
}

function AsOfNote({ text }: { text: string }) {
  return (
    <Text as="p" variant="bodySm" tone="subdued">
      {text}
    </Text>
  );
}

function stepLabel(step: FunnelStep, locale: Locale): string {
  return step.orders === 5 ? t(locale, "dashboard.funnel.stepLast") : t(locale, "dashboard.funnel.step", { n: step.orders });
}

function FunnelCard({ funnel, locale }: { funnel: FunnelStep[]; locale: Locale }) {
  const tr = (key: string, vars?: Record<string, string | number>) => t(locale, `dashboard.${key}`, vars);
  const count = (n: number) => formatCount(n, locale);
  return (
    <FigureCard id="funnel" title={tr("funnel.title")} help={tr("funnel.help")} scope={tr("scope.allTime")}>
      <FunnelChart
        steps={funnel.map((s) => ({ label: stepLabel(s, locale), value: s.reached }))}
        seriesName={tr("funnel.reached")}
        reachedLabel={tr("funnel.reached")}
        droppedLabel={tr("funnel.dropOff")}
        formatPercent={(ratio) => formatPercent(ratio, locale)}
      />
      <DataTable
        columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric"]}
        headings={[tr("funnel.stepHeading"), tr("funnel.reached"), tr("funnel.fromPrevious"), tr("funnel.dropOff"), tr("funnel.stopped")]}
        rows={funnel.map((s) => [
          stepLabel(s, locale),
          count(s.reached),
          s.orders === 1 ? "—" : formatShare(s.fromPrevious, locale),
          s.orders === 1 ? "—" : count(s.dropOff),
          count(s.stopped),
        ])}
      />
    </FigureCard>
  );
}

function ParetoCard({ data, locale }: { data: DashboardData; locale: Locale }) {
  const tr = (key: string, vars?: Record<string, string | number>) => t(locale, `dashboard.${key}`, vars);
  const { pareto } = data;
  const money = (minor: string) => formatMoney(minor, data.currency, locale);
  // The hidden table reads every tenth percent: 101 rows would drown a screen reader.
  const tableRows = pareto.points.filter((p) => p.percent % 10 === 0 && p.percent > 0);
  return (
    <FigureCard id="pareto" title={tr("pareto.title")} help={tr("pareto.help")} scope={tr("scope.allTime")}>
      {pareto.customers === 0 ? (
        <Text as="p" tone="subdued">
          {tr("pareto.none")}
        </Text>
      ) : (
        <>
          <Text as="p" variant="headingLg">
            {tr("pareto.headline", {
              customers: formatCount(pareto.top20.customers, locale),
              share: formatRatioText(pareto.top20.share.ratio, locale),
            })}
          </Text>
          <Text as="p">
            {tr("pareto.detail", {
              part: money(pareto.top20.share.part),
              total: money(pareto.top20.share.total),
              customers: formatCount(pareto.customers, locale),
            })}
          </Text>
          <ParetoChart
            points={pareto.points.map((p) => ({ percent: p.percent, share: Number(p.ratio) * 100 }))}
            curveName={tr("pareto.curve")}
            equalName={tr("pareto.equal")}
            top20Label={tr("pareto.top20Mark")}
            formatPercent={(ratio) => formatPercent(ratio, locale)}
          />
          <VisuallyHidden>
            <DataTable
              columnContentTypes={["numeric", "numeric", "numeric", "numeric"]}
              headings={[tr("pareto.topPercent"), tr("pareto.customers"), tr("pareto.revenue"), tr("pareto.share")]}
              rows={tableRows.map((p) => [`${p.percent}%`, formatCount(p.customers, locale), money(p.revenue), formatRatioText(p.ratio, locale)])}
            />
          </VisuallyHidden>
        </>
      )}
    </FigureCard>
  );
}

function RanksCard({ ranks, locale }: { ranks: RankData; locale: Locale }) {
  const tr = (key: string, vars?: Record<string, string | number>) => t(locale, `dashboard.${key}`, vars);
  const count = (n: number) => formatCount(n, locale);
  const label = (key: string | null) => {
    if (key === null || key === "none") return tr("ranks.none");
    const bucket = ranks.distribution.find((b) => b.key === key);
    return (locale === "ja" ? bucket?.labelJa : bucket?.labelEn) ?? key;
  };
  const direction = (d: "up" | "down" | "other") => tr(`ranks.direction.${d}`);
  return (
    <FigureCard id="ranks" title={tr("ranks.title")} help={tr("ranks.help")} scope={tr("scope.ranks")}>
      <Layout>
        <Layout.Section variant="oneHalf">
          <BlockStack gap="300">
            <Text as="h3" variant="headingSm">
              {tr("ranks.distribution")}
            </Text>
            <BarsChart
              horizontal
              height={80 + ranks.distribution.length * 48}
              seriesName={tr("ranks.customers")}
              bars={ranks.distribution.map((b) => ({ label: label(b.key), value: b.customers }))}
              format={(n) => formatCount(n, locale)}
            />
            <DataTable
              columnContentTypes={["text", "numeric"]}
              headings={[tr("ranks.rank"), tr("ranks.customers")]}
              rows={ranks.distribution.map((b) => [label(b.key), count(b.customers)])}
            />
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneHalf">
          <BlockStack gap="300">
            <Text as="h3" variant="headingSm">
              {tr("ranks.moves")}
            </Text>
            <Text as="p" variant="bodySm" tone="subdued">
              {tr("ranks.movesHelp")}
            </Text>
            <InlineGrid columns={ranks.moves.other > 0 ? 3 : 2} gap="300">
              <StatTile id="rank-up" label={tr("ranks.up")} value={count(ranks.moves.up)} help={tr("ranks.upHelp")} />
              <StatTile id="rank-down" label={tr("ranks.down")} value={count(ranks.moves.down)} help={tr("ranks.downHelp")} />
              {ranks.moves.other > 0 ? (
                <StatTile id="rank-other" label={tr("ranks.other")} value={count(ranks.moves.other)} help={tr("ranks.otherHelp")} />
              ) : null}
            </InlineGrid>
            {ranks.transitions.length > 0 ? (
              <DataTable
                columnContentTypes={["text", "text", "text", "numeric"]}
                headings={[tr("ranks.from"), tr("ranks.to"), tr("ranks.directionHeading"), tr("ranks.count")]}
                rows={ranks.transitions.map((x) => [label(x.from), label(x.to), direction(x.direction), count(x.count)])}
              />
            ) : (
              <Text as="p" tone="subdued">
                {tr("ranks.noMoves")}
              </Text>
            )}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </FigureCard>
  );
}

function RfmCard({ rfm, currency, locale, asOf }: { rfm: RfmData; currency: string; locale: Locale; asOf: string }) {
  const tr = (key: string, vars?: Record<string, string | number>) => t(locale, `dashboard.${key}`, vars);
  const count = (n: number) => formatCount(n, locale);
  const notes = [asOf];
  if (rfm.stale) notes.push(tr("rfm.stale"));
  if (rfm.unscored > 0) notes.push(tr("rfm.unscored", { n: count(rfm.unscored) }));
  return (
    <FigureCard
      id="rfm"
      title={tr("rfm.title")}
      help={tr("rfm.help")}
      scope={tr("scope.allCustomers")}
      note={
        <BlockStack gap="050">
          {notes.map((note) => (
            <AsOfNote key={note} text={note} />
          ))}
        </BlockStack>
      }
    >
      {rfm.scored === 0 ? (
        <Text as="p" tone="subdued">
          {tr("rfm.none")}
        </Text>
      ) : (
        <>
          <BarsChart
            horizontal
            height={80 + rfm.segments.length * 40}
            seriesName={tr("rfm.customers")}
            bars={rfm.segments.map((s) => ({ label: tr(`rfm.segment.${s.segment}`), value: s.customers }))}
            format={(n) => formatCount(n, locale)}
          />
          <DataTable
            columnContentTypes={["text", "text", "numeric", "numeric"]}
            headings={[tr("rfm.segmentHeading"), tr("rfm.meaningHeading"), tr("rfm.customers"), tr("rfm.revenue")]}
            rows={rfm.segments.map((s) => [
              tr(`rfm.segment.${s.segment}`),
              tr(`rfm.meaning.${s.segment}`),
              count(s.customers),
              formatMoney(s.revenue, currency, locale),
            ])}
          />
        </>
      )}
    </FigureCard>
  );
}
