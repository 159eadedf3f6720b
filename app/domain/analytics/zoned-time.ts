/**
 * Calendar months in the shop's time zone (cohorts are by first-purchase month as the merchant
 * sees the calendar: an order at 2026-03-31T16:00Z is an April order in Tokyo). Pure, no
 * dependencies beyond Intl, so it also runs in the browser.
 */
import type { YearMonth } from "./types";

/** A month as a single integer: year × 12 + (month − 1). Consecutive months differ by 1. */
export type MonthIndex = number;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws RangeError for an unknown zone: better than silently using UTC.
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock fields of an instant in a time zone. */
function wallClock(instant: Date, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const fields: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  return {
    year: fields.year!,
    month: fields.month!,
    day: fields.day!,
    hour: fields.hour! % 24,
    minute: fields.minute!,
    second: fields.second!,
  };
}

/** Offset of the zone from UTC at an instant, in ms (Tokyo: +9 h). Whole seconds only. */
function offsetMs(instant: Date, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const truncated = Math.floor(instant.getTime() / 1000) * 1000;
  return asUtc - truncated;
}

export function monthIndexOf(instant: Date, timeZone: string): MonthIndex {
  const w = wallClock(instant, timeZone);
  return w.year * 12 + (w.month - 1);
}

export function yearMonth(index: MonthIndex): YearMonth {
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`;
}

/**
 * The instant the month begins in the zone (local midnight on the 1st). Where a DST change
 * skips local midnight, the first instant after the gap.
 */
export function monthStart(index: MonthIndex, timeZone: string): Date {
  const year = Math.floor(index / 12);
  const month = index - year * 12;
  const localMidnightAsUtc = Date.UTC(year, month, 1);
  // Two rounds: the offset at the guess may differ from the offset at the answer across a DST change.
  let guess = localMidnightAsUtc - offsetMs(new Date(localMidnightAsUtc), timeZone);
  guess = localMidnightAsUtc - offsetMs(new Date(guess), timeZone);
  if (monthIndexOf(new Date(guess), timeZone) < index) {
    // Local midnight does not exist (skipped by DST): the month starts at the gap's end.
    guess = localMidnightAsUtc - offsetMs(new Date(guess + 3 * 3_600_000), timeZone);
  }
  return new Date(guess);
}

/** Throws RangeError when the zone is not a valid IANA time zone. */
export function assertTimeZone(timeZone: string): void {
  formatter(timeZone);
}
