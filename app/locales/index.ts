import en from "./en.json";
import ja from "./ja.json";

export type Locale = "en" | "ja";
const messages: Record<Locale, Record<string, string>> = { en, ja };

/** Shopify passes the admin user's locale as ?locale=ja-JP; anything Japanese gets ja. */
export function localeFromRequest(request: Request): Locale {
  const requested = new URL(request.url).searchParams.get("locale") ?? request.headers.get("accept-language") ?? "";
  return requested.toLowerCase().startsWith("ja") ? "ja" : "en";
}

export function t(locale: Locale, key: string): string {
  return messages[locale][key] ?? messages.en[key] ?? key;
}
