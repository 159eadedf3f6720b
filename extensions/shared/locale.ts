import type { Locale } from "./post-purchase";

/** The server writes Japanese or English: "ja", "ja-JP" → ja; every other language → en. */
export function pickLocale(isoCode: string | null | undefined): Locale {
  return isoCode?.trim().toLowerCase().startsWith("ja") ? "ja" : "en";
}

/**
 * The BCP 47 tag to format dates with. The shopper's own tag when it is a variant of the text
 * language ("en-GB" keeps day-month order), else the text language, so an English sentence
 * never carries a French date.
 */
export function formattingLocale(isoCode: string | null | undefined, locale: Locale): string {
  const tag = isoCode?.trim() ?? "";
  return pickLocale(tag) === locale && tag.toLowerCase().startsWith(locale) ? tag : locale;
}
