import en from "./en.json";
import ja from "./ja.json";

export type Locale = "en" | "ja";
const messages: Record<Locale, Record<string, string>> = { en, ja };

/** Shopify passes the admin user's locale as ?locale=ja-JP; anything Japanese gets ja. */
export function localeFromRequest(request: Request): Locale {
  const requested = new URL(request.url).searchParams.get("locale") ?? request.headers.get("accept-language") ?? "";
  return requested.toLowerCase().startsWith("ja") ? "ja" : "en";
}

/** The text for `key`, with {name} placeholders filled from `vars`. */
export function t(locale: Locale, key: string, vars?: Record<string, string | number>): string {
  const text = messages[locale][key] ?? messages.en[key] ?? key;
  return vars ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole)) : text;
}
