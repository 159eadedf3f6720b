import type { LoaderFunctionArgs } from "@remix-run/node";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useRouteLoaderData } from "@remix-run/react";
import { localeFromRequest } from "./locales";

// The document's language follows the admin's (?locale=ja-JP): browsers pick Japanese glyph
// forms and screen readers the right voice only when lang says ja.
export const loader = ({ request }: LoaderFunctionArgs) => ({ lang: localeFromRequest(request) });

export default function App() {
  const data = useRouteLoaderData<typeof loader>("root");
  return (
    <html lang={data?.lang ?? "en"}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <link rel="preconnect" href="https://cdn.shopify.com/" />
        <Meta />
        <Links />
      </head>
      <body>
        <Outlet />
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}
