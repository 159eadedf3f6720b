import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import enTranslations from "@shopify/polaris/locales/en.json";
import jaTranslations from "@shopify/polaris/locales/ja.json";
import { authenticate } from "../shopify.server";
import { localeFromRequest, t } from "../locales";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  return { apiKey: process.env.SHOPIFY_API_KEY || "", locale: localeFromRequest(request) };
};

export default function App() {
  const { apiKey, locale } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey} i18n={locale === "ja" ? jaTranslations : enTranslations}>
      <NavMenu>
        <Link to="/app" rel="home">
          {t(locale, "nav.home")}
        </Link>
        <Link to="/app/customers">{t(locale, "nav.customers")}</Link>
        <Link to="/app/ranks">{t(locale, "nav.ranks")}</Link>
        <Link to="/app/messages">{t(locale, "nav.messages")}</Link>
        <Link to="/app/rewards">{t(locale, "nav.rewards")}</Link>
        <Link to="/app/survey">{t(locale, "nav.survey")}</Link>
        <Link to="/app/email">{t(locale, "nav.email")}</Link>
        <Link to="/app/backfill">{t(locale, "nav.backfill")}</Link>
        <Link to="/app/journeys">{t(locale, "nav.followup")}</Link>
        <Link to="/app/campaign-results">{t(locale, "nav.results")}</Link>
        <Link to="/app/mail-log">{t(locale, "nav.mailLog")}</Link>
        <Link to="/app/mail-settings">{t(locale, "nav.mailSettings")}</Link>
      </NavMenu>
      <Outlet />
    </AppProvider>
  );
}

// Shopify needs Remix to catch thrown responses so that its headers reach the browser.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
