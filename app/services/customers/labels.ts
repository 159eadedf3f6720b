/** Texts both customer pages show (browser-safe: no server imports). */
import { t, type Locale } from "../../locales";

/** RFM segment names come from the dashboard's texts; an unknown key shows as it is. */
export function segmentLabel(locale: Locale, segment: string): string {
  const key = `dashboard.rfm.segment.${segment}`;
  const text = t(locale, key);
  return text === key ? segment : text;
}

/** Family name first in Japanese, given name first in English. */
export function customerName(locale: Locale, c: { firstName: string | null; lastName: string | null }): string {
  const parts = locale === "ja" ? [c.lastName, c.firstName] : [c.firstName, c.lastName];
  return parts.filter(Boolean).join(" ");
}

/** A note's author as stored ("staff:<user id>" when only the session token's user is known). */
export function authorLabel(locale: Locale, author: string | null): string | null {
  if (!author) return null;
  const staff = /^staff:(\d+)$/.exec(author);
  return staff ? t(locale, "customers.notes.staff", { id: staff[1]! }) : author;
}
