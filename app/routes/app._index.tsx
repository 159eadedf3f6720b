import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Page } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { appContext, type AppContext } from "../context.server";
import { Dashboard } from "../components/dashboard/Dashboard";
import { isTimeZone, periodFromSearch } from "../components/dashboard/period";
import { VisuallyHidden } from "../components/dashboard/VisuallyHidden";
import { SurveyCard } from "../components/dashboard/SurveyCard";
import { localeFromRequest, t } from "../locales";
import { dashboardSettings, DEFAULT_TIME_ZONE, loadDashboard } from "../services/analytics/dashboard.server";
import { surveyResults } from "../services/survey-results.server";
import { authenticate } from "../shopify.server";

export const links = () => [{ rel: "stylesheet", href: vizStyles }];

/** The dashboard for the period the URL asks for, in the shop's currency and time zone. */
async function dashboardPage({ db, queue }: Pick<AppContext, "db" | "queue">, shop: string, search: URLSearchParams, now: Date) {
  const settings = await dashboardSettings(db.prisma, shop);
  // A zone this runtime does not know would make every date on the page wrong: use the default.
  const timeZone = isTimeZone(settings.timeZone) ? settings.timeZone : DEFAULT_TIME_ZONE;
  const { period, problem } = periodFromSearch(search, now, timeZone);
  const data = await loadDashboard(
    db.prisma,
    { shop, from: new Date(period.start), to: new Date(period.end), now, currency: settings.currency, timeZone },
    // Opening the page refreshes RFM, cohorts and products in the background when they are stale.
    { queue },
  );
  // No customer and no order in the period: nothing has arrived yet (an import or the first order fills it).
  const empty = data.pareto.customers === 0 && data.summary.orders === 0;
  return { data, period, problem, empty };
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const locale = localeFromRequest(request);
  const ctx = await appContext();
  const page = await dashboardPage(ctx, session.shop, new URL(request.url).searchParams, new Date());
  // The post-purchase survey's answers in the same period (app/services/survey-results.server.ts).
  const survey = await surveyResults(ctx.db.prisma, {
    shop: session.shop,
    from: new Date(page.period.start),
    to: new Date(page.period.end),
    locale,
    freeTextOnlyLabel: t(locale, "survey.card.freeTextOnly"),
  });
  return json({ locale, ...page, survey });
};

export default function Index() {
  const { locale, data, period, problem, empty, survey } = useLoaderData<typeof loader>();
  return (
    <Page>
      <TitleBar title={t(locale, "dashboard.title")} />
      {/* The admin shows the title in its own bar; the page keeps a heading for screen readers. */}
      <VisuallyHidden>
        <h1>{t(locale, "dashboard.title")}</h1>
      </VisuallyHidden>
      <Dashboard data={data} period={period} problem={problem} locale={locale} empty={empty} backfillUrl="/app/backfill" />
      {/* A shop with nothing imported yet sees only the invitation to import. */}
      {empty ? null : (
        <div style={{ marginTop: "var(--p-space-500)" }}>
          <SurveyCard results={survey} locale={locale} timeZone={period.timeZone} />
        </div>
      )}
    </Page>
  );
}
