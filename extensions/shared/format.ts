/**
 * When a coupon stops working, in the shopper's language and time zone: "2026年9月30日 14:05" /
 * "September 30, 2026 at 2:05 PM". The time is shown because codes end at an instant, not at
 * midnight. null when the server sent no usable date (the line is then left out).
 */
export function formatExpiry(iso: string, languageTag: string, timeZone?: string): string | null {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  const options: Intl.DateTimeFormatOptions = { dateStyle: "long", timeStyle: "short" };
  try {
    return new Intl.DateTimeFormat(languageTag, { ...options, timeZone }).format(date);
  } catch {
    // An unknown tag or time zone is a RangeError; the shopper still deserves a date.
    try {
      return new Intl.DateTimeFormat(languageTag, options).format(date);
    } catch {
      return new Intl.DateTimeFormat(undefined, options).format(date);
    }
  }
}

/** Greeting text → one paragraph per non-blank line (components have no <br>). */
export function messageParagraphs(message: string): string[] {
  return message
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}
