/**
 * How the dashboard writes numbers for people. Dates and times are written by hand (not with
 * Intl's date styles): the server and the browser must produce the same text for hydration, and
 * Node's and Chromium's ICU differ in small ways (spaces, month abbreviations).
 */
import { displayMoney } from "../../domain/money";
import type { MinorUnits, Share } from "../../domain/analytics/types";
import type { Locale } from "../../locales";

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: Locale, fractionDigits: number): Intl.NumberFormat {
  const key = `${locale}:${fractionDigits}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale === "ja" ? "ja-JP" : "en-US", {
      minimumFractionDigits: fractionDigits,
      maximumFractionDigits: fractionDigits,
    });
    numberFormats.set(key, format);
  }
  return format;
}

/** 12345 → "12,345". */
export function formatCount(n: number, locale: Locale): string {
  return numberFormat(locale, 0).format(n);
}

/**
 * A share as a percentage with one decimal: {21, 50} → "42.0%". A share without a denominator
 * has no value ("—"), which is not the same as 0%.
 */
export function formatShare(share: Share, locale: Locale): string {
  if (share.den <= 0) return "—";
  return formatPercent(share.num / share.den, locale);
}

/** 0.8123 → "81.2%" (display only: ratios of counts, never money). */
export function formatPercent(ratio: number, locale: Locale): string {
  return `${numberFormat(locale, 1).format(ratio * 100)}%`;
}

/** A 4-decimal ratio string from the analytics ("0.8123") → "81.2%". */
export function formatRatioText(ratio: string, locale: Locale): string {
  return formatPercent(Number(ratio), locale);
}

/** Minor units of the shop currency → "12,000円" (ja, JPY) / "¥12,000" (en). */
export function formatMoney(minor: MinorUnits, currency: string, locale: Locale): string {
  return displayMoney(BigInt(minor), currency, locale);
}

/** "23.4" days → "23.4日" / "23.4 days"; null → "—". */
export function formatDays(days: string | null, locale: Locale): string {
  if (days === null) return "—";
  const value = numberFormat(locale, 1).format(Number(days));
  return locale === "ja" ? `${value}日` : `${value} days`;
}

const MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2026-03" → "2026年3月" / "Mar 2026". */
export function formatMonth(month: string, locale: Locale): string {
  const [year, m] = month.split("-");
  const index = Number(m) - 1;
  return locale === "ja" ? `${year}年${index + 1}月` : `${MONTHS_EN[index] ?? m} ${year}`;
}

/** "2026-03-05" → "2026/03/05" (ja, as Japanese admin screens write dates) / "2026-03-05". */
export function formatDate(date: string, locale: Locale): string {
  return locale === "ja" ? date.replaceAll("-", "/") : date;
}
