import en from "./en.json";
import ja from "./ja.json";
import backfillEn from "./backfill.en.json";
import backfillJa from "./backfill.ja.json";
import customersEn from "./customers.en.json";
import customersJa from "./customers.ja.json";
import dashboardEn from "./dashboard.en.json";
import dashboardJa from "./dashboard.ja.json";
import surveyEn from "./survey.en.json";
import surveyJa from "./survey.ja.json";
import followupEn from "./followup.en.json";
import followupJa from "./followup.ja.json";

export type Locale = "en" | "ja";
// One file per feature and language beside the common one, so features can grow apart.
const messages: Record<Locale, Record<string, string>> = {
  en: { ...en, ...dashboardEn, ...customersEn, ...backfillEn, ...surveyEn, ...followupEn },
  ja: { ...ja, ...dashboardJa, ...customersJa, ...backfillJa, ...surveyJa, ...followupJa },
};

/** Shopify passes the admin user's locale as ?locale=ja-JP; anything Japanese gets ja. */
export function localeFromRequest(request: Request): Locale {
  const requested = new URL(request.url).searchParams.get("locale") ?? request.headers.get("accept-language") ?? "";
  return requested.toLowerCase().startsWith("ja") ? "ja" : "en";
}

/**
 * The text for `key`, with {name} placeholders filled from `vars`. When vars.count is 1, an
 * English `<key>_one` is used if there is one ("1 customer"); Japanese has no plural forms.
 */
export function t(locale: Locale, key: string, vars?: Record<string, string | number>): string {
  const singular = vars !== undefined && String(vars.count) === "1" ? messages[locale][`${key}_one`] : undefined;
  const text = singular ?? messages[locale][key] ?? messages.en[key] ?? key;
  return vars ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole)) : text;
}
