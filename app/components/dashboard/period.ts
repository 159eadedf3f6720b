/**
 * The dashboard's period: what the URL says (?period=30d | 90d | 12m | ytd | custom&from=&to=),
 * checked, and turned into calendar days and instants in the shop's time zone. Pure (no clock,
 * no process.env): `now` and the zone are arguments, so the loader and the tests agree.
 * Runs in the browser too (the period chooser), hence no Node imports.
 */

export const PERIOD_PRESETS = ["30d", "90d", "12m", "ytd"] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];
export type PeriodKind = PeriodPreset | "custom";
// Twelve months, not thirty days: F2 within 30–180 days and repeat rates need customers whose
// first purchase is long enough ago; in a 30-day window they would almost always read "—".
export const DEFAULT_PERIOD: PeriodPreset = "12m";

/** A calendar date, "YYYY-MM-DD". */
export type CalendarDate = string;

export interface ResolvedPeriod {
  kind: PeriodKind;
  /** First day in the period, in the shop's zone (inclusive). */
  fromDate: CalendarDate;
  /** Last day in the period, in the shop's zone (inclusive). */
  toDate: CalendarDate;
  /** Start of `fromDate` in the shop's zone, as an instant (ISO, UTC). */
  start: string;
  /** Start of the day after `toDate` in the shop's zone (exclusive end), ISO UTC. */
  end: string;
  timeZone: string;
}

/** Why the URL's period was not used (the page says so and shows the default). */
export type PeriodProblem =
  | { code: "unknownPeriod"; value: string }
  | { code: "badDate"; field: "from" | "to"; value: string }
  | { code: "fromAfterTo"; from: string; to: string }
  | { code: "tooLong"; maxYears: number };

export interface PeriodChoice {
  period: ResolvedPeriod;
  problem: PeriodProblem | null;
}

// Longer ranges are not a dashboard question and would only make the cohort table unwieldy.
export const MAX_PERIOD_YEARS = 10;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "2026-02-30" → null; "2026-02-28" → [2026, 2, 28]. */
export function parseCalendarDate(text: string): [number, number, number] | null {
  const match = DATE.exec(text);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1) return null;
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d > daysInMonth ? null : [y, m, d];
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");
const formatDate = (y: number, m: number, d: number): CalendarDate => `${pad(y, 4)}-${pad(m)}-${pad(d)}`;

/** Date arithmetic on calendar days (UTC is only the carrier here, no zone is involved). */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  const [y, m, d] = parseCalendarDate(date)!;
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return formatDate(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** The same day `months` later, clamped to the month's end (2026-03-31 − 1 month → 2026-02-28). */
export function addMonths(date: CalendarDate, months: number): CalendarDate {
  const [y, m, d] = parseCalendarDate(date)!;
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return formatDate(year, month, Math.min(d, last));
}

const formatterCache = new Map<string, Intl.DateTimeFormat>();
function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatterCache.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatterCache.set(timeZone, formatter);
  }
  return formatter;
}

/** True if the runtime knows the IANA zone ("Asia/Tokyo"); Shopify's names are IANA names. */
export function isTimeZone(timeZone: string): boolean {
  try {
    zoneFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

function wallClock(instant: number, timeZone: string) {
  const parts = Object.fromEntries(zoneFormatter(timeZone).formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return {
    y: Number(parts.year),
    m: Number(parts.month),
    d: Number(parts.day),
    // The wall-clock time read as if it were UTC: the difference to `instant` is the zone offset.
    asUtc: Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)),
  };
}

/** The calendar date in `timeZone` at `instant`. */
export function dateInZone(instant: Date, timeZone: string): CalendarDate {
  const { y, m, d } = wallClock(instant.getTime(), timeZone);
  return formatDate(y, m, d);
}

/** The wall-clock date and time in `timeZone` at `instant`: "2026-03-16 01:30". */
export function dateTimeInZone(instant: Date, timeZone: string): string {
  const clock = new Date(wallClock(instant.getTime(), timeZone).asUtc);
  return `${clock.toISOString().slice(0, 10)} ${clock.toISOString().slice(11, 16)}`;
}

/**
 * The instant at which `date` begins in `timeZone`. Offsets are found by asking Intl for the wall
 * clock (twice, so a DST change between the guess and the answer is taken into account); a day
 * that begins inside a DST gap begins at the first instant after it.
 */
export function startOfDayInZone(date: CalendarDate, timeZone: string): Date {
  const [y, m, d] = parseCalendarDate(date)!;
  const target = Date.UTC(y, m - 1, d);
  let guess = target;
  for (let i = 0; i < 3; i++) {
    const offset = wallClock(guess, timeZone).asUtc - guess;
    const next = target - offset;
    if (next === guess) break;
    guess = next;
  }
  // In a gap the wall clock at `guess` lies after midnight of `date` or before it; step to the day.
  while (wallClock(guess, timeZone).asUtc < target) guess += 60_000;
  return new Date(guess);
}

function resolve(kind: PeriodKind, fromDate: CalendarDate, toDate: CalendarDate, timeZone: string): ResolvedPeriod {
  return {
    kind,
    fromDate,
    toDate,
    start: startOfDayInZone(fromDate, timeZone).toISOString(),
    end: startOfDayInZone(addDays(toDate, 1), timeZone).toISOString(),
    timeZone,
  };
}

/** A preset ending today (inclusive) in the shop's zone. */
export function presetPeriod(kind: PeriodPreset, now: Date, timeZone: string): ResolvedPeriod {
  const today = dateInZone(now, timeZone);
  const from =
    kind === "30d" ? addDays(today, -29)
    : kind === "90d" ? addDays(today, -89)
    : kind === "12m" ? addDays(addMonths(today, -12), 1)
    : `${today.slice(0, 4)}-01-01`;
  return resolve(kind, from, today, timeZone);
}

/**
 * The period the URL asks for. Anything unusable falls back to the default preset and says why,
 * so a mistyped shared link still opens the dashboard.
 */
export function periodFromSearch(search: URLSearchParams, now: Date, timeZone: string): PeriodChoice {
  const fallback = (problem: PeriodProblem): PeriodChoice => ({ period: presetPeriod(DEFAULT_PERIOD, now, timeZone), problem });
  const raw = search.get("period");
  if (raw === null || raw === "") return { period: presetPeriod(DEFAULT_PERIOD, now, timeZone), problem: null };
  if ((PERIOD_PRESETS as readonly string[]).includes(raw)) {
    return { period: presetPeriod(raw as PeriodPreset, now, timeZone), problem: null };
  }
  if (raw !== "custom") return fallback({ code: "unknownPeriod", value: raw.slice(0, 40) });
  const from = search.get("from") ?? "";
  const to = search.get("to") ?? "";
  if (!parseCalendarDate(from)) return fallback({ code: "badDate", field: "from", value: from.slice(0, 40) });
  if (!parseCalendarDate(to)) return fallback({ code: "badDate", field: "to", value: to.slice(0, 40) });
  if (from > to) return fallback({ code: "fromAfterTo", from, to });
  if (addMonths(from, MAX_PERIOD_YEARS * 12) <= to) return fallback({ code: "tooLong", maxYears: MAX_PERIOD_YEARS });
  return { period: resolve("custom", from, to, timeZone), problem: null };
}

/** The query string that reproduces `period` (what the chooser writes into the URL). */
export function periodSearch(kind: PeriodKind, from?: CalendarDate, to?: CalendarDate): URLSearchParams {
  const search = new URLSearchParams({ period: kind });
  if (kind === "custom") {
    search.set("from", from ?? "");
    search.set("to", to ?? "");
  }
  return search;
}
