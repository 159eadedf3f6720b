/**
 * The unsubscribe link of every follow-up mail: public (no admin, no App Bridge, no script), a
 * resource route that writes its own small HTML page in the customer's language.
 * - GET shows a confirm button and never unsubscribes (mail scanners open links).
 * - POST unsubscribes: the confirm button, or a mail provider's RFC 8058 one-click POST with
 *   the body "List-Unsubscribe=One-Click". The signed token in the URL is the only proof.
 * A link we did not sign (altered, truncated) gets 400 and changes nothing; an expired one still
 * offers the button (opting out is always honoured). ADR 0023.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { appContext } from "../context.server";
import { escapeHtml } from "../domain/messages";
import { t } from "../locales";
import { checkUnsubscribe, unsubscribeCustomer, type UnsubscribeLocale } from "../services/unsubscribe.server";

const MAX_BODY = 4096;

function browserLocale(request: Request): UnsubscribeLocale {
  return (request.headers.get("accept-language") ?? "").toLowerCase().startsWith("ja") ? "ja" : "en";
}

function page(locale: UnsubscribeLocale, status: number, title: string, body: string): Response {
  const html = `<!DOCTYPE html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,-apple-system,"Hiragino Sans","Noto Sans JP",sans-serif;background:#f6f6f7;color:#202223;margin:0;padding:2rem 1rem;line-height:1.7}
main{max-width:32rem;margin:0 auto;background:#fff;border-radius:12px;padding:1.5rem 1.75rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.25rem;margin:0 0 1rem}
button{font:inherit;font-weight:600;background:#303030;color:#fff;border:0;border-radius:8px;padding:.6rem 1.2rem;cursor:pointer}
.note{color:#616161;font-size:.875rem}
</style>
</head>
<body><main>
<h1>${escapeHtml(title)}</h1>
${body}
</main></body>
</html>
`;
  return new Response(html, {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      // The token is in the URL: it must not leave in a Referer.
      "Referrer-Policy": "no-referrer",
      "X-Robots-Tag": "noindex",
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    },
  });
}

const p = (text: string, className?: string) => `<p${className ? ` class="${className}"` : ""}>${escapeHtml(text)}</p>`;

function invalidPage(locale: UnsubscribeLocale, reason: string): Response {
  const key = reason === "no-key" ? "unsubscribe.unavailable" : "unsubscribe.invalid";
  return page(locale, reason === "no-key" ? 503 : 400, t(locale, `${key}.title`), p(t(locale, `${key}.body`)));
}

function donePage(locale: UnsubscribeLocale, shopName: string): Response {
  return page(locale, 200, t(locale, "unsubscribe.done.title"), p(t(locale, "unsubscribe.done.body", { shop: shopName })) + p(t(locale, "unsubscribe.done.note"), "note"));
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { db } = await appContext();
  const token = new URL(request.url).searchParams.get("token") ?? "";
  const check = await checkUnsubscribe(db.prisma, token, { fallbackLocale: browserLocale(request) });
  if (!check.ok) return invalidPage(check.locale, check.reason);
  const { locale, shopName } = check;
  if (check.alreadyUnsubscribed) return donePage(locale, shopName);
  const action = `/unsubscribe?token=${encodeURIComponent(token)}`;
  const body = [
    p(t(locale, "unsubscribe.confirm.body", { shop: shopName })),
    check.expired ? p(t(locale, "unsubscribe.confirm.expired"), "note") : "",
    `<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="confirm" value="1"><button type="submit">${escapeHtml(t(locale, "unsubscribe.confirm.button"))}</button></form>`,
  ].join("\n");
  return page(locale, 200, t(locale, "unsubscribe.confirm.title", { shop: shopName }), body);
};

export const action = async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return new Response("Method Not Allowed", { status: 405, headers: { Allow: "GET, POST" } });
  const { db, queue } = await appContext();
  const url = new URL(request.url);
  // Form bodies only (one-click is "List-Unsubscribe=One-Click"; the page sends "confirm=1"), small.
  const text = (await request.text()).slice(0, MAX_BODY);
  const form = new URLSearchParams(text);
  const token = url.searchParams.get("token") ?? form.get("token") ?? "";
  const oneClick = form.get("List-Unsubscribe") === "One-Click";
  const check = await checkUnsubscribe(db.prisma, token, { fallbackLocale: browserLocale(request) });
  if (!check.ok) return invalidPage(check.locale, check.reason);
  if (!oneClick && form.get("confirm") !== "1") return invalidPage(check.locale, "malformed");
  await unsubscribeCustomer(db.prisma, queue, check.claims);
  queue.kick();
  return donePage(check.locale, check.shopName);
};
