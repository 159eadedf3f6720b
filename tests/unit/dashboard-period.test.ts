/** The dashboard period from the URL: presets, custom ranges, bad input, and the shop's time zone. */
import { describe, expect, it } from "vitest";
import {
  addMonths,
  dateInZone,
  parseCalendarDate,
  periodFromSearch,
  periodSearch,
  presetPeriod,
  startOfDayInZone,
} from "~/components/dashboard/period";

const q = (text: string) => new URLSearchParams(text);
// 2026-03-15 16:30 UTC = 2026-03-16 01:30 in Tokyo (UTC+9): the shop's "today" is already the 16th.
const NOW = new Date("2026-03-15T16:30:00Z");

describe("calendar dates", () => {
  it.each([
    ["2026-02-28", [2026, 2, 28]],
    ["2024-02-29", [2024, 2, 29]],
    ["2026-02-29", null],
    ["2026-13-01", null],
    ["2026-4-1", null],
    ["yesterday", null],
    ["", null],
  ])("%s → %j", (text, expected) => {
    expect(parseCalendarDate(text)).toEqual(expected);
  });

  it.each([
    ["2026-03-31", -1, "2026-02-28"],
    ["2024-03-31", -1, "2024-02-29"],
    ["2026-01-15", -12, "2025-01-15"],
    ["2026-12-31", 2, "2027-02-28"],
  ])("%s %+d months → %s", (date, months, expected) => {
    expect(addMonths(date, months)).toBe(expected);
  });
});

describe("time zones", () => {
  it("reads today's date in the shop's zone, not the server's", () => {
    expect(dateInZone(NOW, "Asia/Tokyo")).toBe("2026-03-16");
    expect(dateInZone(NOW, "America/Los_Angeles")).toBe("2026-03-15");
    expect(dateInZone(NOW, "UTC")).toBe("2026-03-15");
  });

  it.each([
    ["2026-03-16", "Asia/Tokyo", "2026-03-15T15:00:00.000Z"],
    ["2026-03-16", "UTC", "2026-03-16T00:00:00.000Z"],
    // Los Angeles: PST (−8) before 8 March 2026, PDT (−7) after.
    ["2026-03-01", "America/Los_Angeles", "2026-03-01T08:00:00.000Z"],
    ["2026-03-09", "America/Los_Angeles", "2026-03-09T07:00:00.000Z"],
    ["2026-03-08", "America/Los_Angeles", "2026-03-08T08:00:00.000Z"],
    // India +5:30, Nepal +5:45
    ["2026-01-01", "Asia/Kolkata", "2025-12-31T18:30:00.000Z"],
    ["2026-01-01", "Asia/Kathmandu", "2025-12-31T18:15:00.000Z"],
    // Santiago enters DST at midnight (00:00 → 01:00): that day begins at 01:00 local (04:00 UTC).
    ["2026-09-06", "America/Santiago", "2026-09-06T04:00:00.000Z"],
  ])("%s begins in %s at %s", (date, zone, instant) => {
    expect(startOfDayInZone(date, zone).toISOString()).toBe(instant);
  });
});

describe("presets end today (inclusive) in the shop's zone", () => {
  it.each([
    ["30d", "2026-02-15", "2026-03-16"],
    ["90d", "2025-12-17", "2026-03-16"],
    ["12m", "2025-03-17", "2026-03-16"],
    ["ytd", "2026-01-01", "2026-03-16"],
  ] as const)("%s in Tokyo: %s … %s", (kind, from, to) => {
    const period = presetPeriod(kind, NOW, "Asia/Tokyo");
    expect(period).toMatchObject({ kind, fromDate: from, toDate: to, timeZone: "Asia/Tokyo" });
    expect(period.start).toBe(startOfDayInZone(from, "Asia/Tokyo").toISOString());
    // Half-open: the end is the start of the next day.
    expect(period.end).toBe("2026-03-16T15:00:00.000Z");
  });

  it("the same instant is a day earlier for a shop in Los Angeles", () => {
    expect(presetPeriod("30d", NOW, "America/Los_Angeles")).toMatchObject({
      fromDate: "2026-02-14",
      toDate: "2026-03-15",
      start: "2026-02-14T08:00:00.000Z",
      end: "2026-03-16T07:00:00.000Z",
    });
  });
});

describe("periodFromSearch", () => {
  const tokyo = (text: string) => periodFromSearch(q(text), NOW, "Asia/Tokyo");

  it("defaults to the last 12 months without a problem when nothing is asked", () => {
    expect(tokyo("")).toEqual({ period: presetPeriod("12m", NOW, "Asia/Tokyo"), problem: null });
    expect(tokyo("period=")).toEqual({ period: presetPeriod("12m", NOW, "Asia/Tokyo"), problem: null });
  });

  it("takes every preset", () => {
    for (const kind of ["30d", "90d", "12m", "ytd"] as const) {
      expect(tokyo(`period=${kind}`)).toEqual({ period: presetPeriod(kind, NOW, "Asia/Tokyo"), problem: null });
    }
  });

  it("takes a custom range, both days inclusive", () => {
    expect(tokyo("period=custom&from=2025-10-01&to=2025-12-31")).toEqual({
      period: {
        kind: "custom",
        fromDate: "2025-10-01",
        toDate: "2025-12-31",
        start: "2025-09-30T15:00:00.000Z",
        end: "2025-12-31T15:00:00.000Z",
        timeZone: "Asia/Tokyo",
      },
      problem: null,
    });
    expect(tokyo("period=custom&from=2026-01-05&to=2026-01-05").period).toMatchObject({ fromDate: "2026-01-05", toDate: "2026-01-05" });
  });

  it.each([
    ["period=7d", { code: "unknownPeriod", value: "7d" }],
    ["period=custom&from=2026-02-30&to=2026-03-01", { code: "badDate", field: "from", value: "2026-02-30" }],
    ["period=custom&from=2026-01-01", { code: "badDate", field: "to", value: "" }],
    ["period=custom&from=2026-03-01&to=2026-01-01", { code: "fromAfterTo", from: "2026-03-01", to: "2026-01-01" }],
    ["period=custom&from=2010-01-01&to=2026-01-01", { code: "tooLong", maxYears: 10 }],
  ])("%s falls back to the last 12 months and says why", (text, problem) => {
    expect(tokyo(text)).toEqual({ period: presetPeriod("12m", NOW, "Asia/Tokyo"), problem });
  });

  it("cuts a very long bad value so the message stays short", () => {
    const choice = tokyo(`period=${"x".repeat(500)}`);
    expect(choice.problem).toEqual({ code: "unknownPeriod", value: "x".repeat(40) });
  });

  it("round-trips through periodSearch", () => {
    const search = periodSearch("custom", "2025-10-01", "2025-12-31");
    expect(search.toString()).toBe("period=custom&from=2025-10-01&to=2025-12-31");
    expect(periodFromSearch(search, NOW, "Asia/Tokyo").period.fromDate).toBe("2025-10-01");
    expect(periodSearch("90d").toString()).toBe("period=90d");
  });
});
