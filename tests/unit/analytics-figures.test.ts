import { describe, expect, it } from "vitest";
import {
  averageDays,
  divideRounded,
  fixedRatio,
  funnelSteps,
  paretoData,
  paretoRanks,
  topCount,
  topProducts,
} from "../../app/domain/analytics/figures";
import { assertTimeZone, monthIndexOf, monthStart, yearMonth } from "../../app/domain/analytics/zoned-time";

describe("rounding", () => {
  it.each([
    [7n, 2n, 4n],
    [5n, 2n, 3n],
    [-5n, 2n, -3n],
    [4n, 3n, 1n],
    [0n, 9n, 0n],
  ])("divideRounded(%s, %s) = %s", (num, den, expected) => {
    expect(divideRounded(num, den)).toBe(expected);
  });

  it.each([
    [1n, 3n, 4, "0.3333"],
    [2n, 3n, 4, "0.6667"],
    [1n, 8n, 2, "0.13"], // 0.125 half up
    [5n, 5n, 4, "1.0000"],
    [1n, 0n, 4, "0.0000"],
    [7n, 2n, 0, "4"],
  ])("fixedRatio(%s, %s, %i) = %s", (num, den, decimals, expected) => {
    expect(fixedRatio(num, den, decimals)).toBe(expected);
  });

  it("averages days between orders to one decimal", () => {
    expect(averageDays(BigInt(3 * 86_400_000 + 3_600_000), 2)).toBe("1.5"); // 1.52 days
    expect(averageDays(BigInt(86_400_000 / 20), 1)).toBe("0.1"); // 0.05 half up
    expect(averageDays(0n, 0)).toBeNull();
  });
});

describe("Pareto helpers", () => {
  it("rounds the top count up", () => {
    expect([topCount(20, 1), topCount(20, 5), topCount(20, 6), topCount(20, 10), topCount(0, 10)]).toEqual([1, 1, 2, 2, 0]);
  });

  it("asks for each distinct rank once", () => {
    expect(paretoRanks(3)).toEqual([1, 2, 3]);
    expect(paretoRanks(1000)).toHaveLength(100);
  });

  it("builds the curve from cumulative sums", () => {
    const cumulative = [0n, 60n, 90n, 100n];
    const data = paretoData(3, (k) => cumulative[k]!);
    expect(data.top20).toEqual({ customers: 1, share: { part: "60", total: "100", ratio: "0.6000" } });
    expect(data.points[34]).toEqual({ percent: 34, customers: 2, revenue: "90", ratio: "0.9000" });
  });
});

describe("funnelSteps", () => {
  it("derives reached, stopped and drop-off", () => {
    const steps = funnelSteps(new Map([[1, 60], [2, 20], [3, 10], [4, 4], [5, 6]]));
    expect(steps.map((s) => [s.orders, s.reached, s.stopped, s.dropOff, `${s.fromPrevious.num}/${s.fromPrevious.den}`])).toEqual([
      [1, 100, 60, 0, "100/100"],
      [2, 40, 20, 60, "40/100"],
      [3, 20, 10, 20, "20/40"],
      [4, 10, 4, 10, "10/20"],
      [5, 6, 6, 4, "6/10"],
    ]);
  });
});

describe("topProducts", () => {
  it("orders by exact repeat rate, then buyers, then GID", () => {
    const p = (gid: string, buyers: number, repeatBuyers: number) => ({ productGid: gid, title: gid, buyers, repeatBuyers });
    const ranked = topProducts([p("a", 3, 1), p("b", 30, 10), p("c", 2, 2), p("d", 9, 3), p("e", 1, 1)], 2);
    // c 100 %; b, d, a all 1/3: b (30 buyers) before d (9) before a (3); e below the minimum
    expect(ranked.map((x) => x.productGid)).toEqual(["c", "b", "d", "a"]);
  });
});

describe("months in the shop's time zone", () => {
  const index = (y: number, m: number) => y * 12 + m - 1;

  it.each([
    ["2026-03-31T14:59:59.999Z", "Asia/Tokyo", "2026-03"],
    ["2026-03-31T15:00:00.000Z", "Asia/Tokyo", "2026-04"],
    ["2025-12-31T15:00:00.000Z", "Asia/Tokyo", "2026-01"],
    ["2026-04-01T03:59:59.999Z", "America/New_York", "2026-03"],
    ["2026-04-01T04:00:00.000Z", "America/New_York", "2026-04"],
    ["2026-03-31T23:00:00.000Z", "UTC", "2026-03"],
  ])("%s in %s is %s", (instant, zone, month) => {
    expect(yearMonth(monthIndexOf(new Date(instant), zone))).toBe(month);
  });

  it.each([
    [2026, 4, "Asia/Tokyo", "2026-03-31T15:00:00.000Z"],
    [2026, 1, "Asia/Tokyo", "2025-12-31T15:00:00.000Z"],
    // New York: EST (−5) in March, EDT (−4) from the second Sunday of March
    [2026, 3, "America/New_York", "2026-03-01T05:00:00.000Z"],
    [2026, 4, "America/New_York", "2026-04-01T04:00:00.000Z"],
    [2026, 11, "America/New_York", "2026-11-01T04:00:00.000Z"],
    [2026, 12, "America/New_York", "2026-12-01T05:00:00.000Z"],
    [2026, 5, "UTC", "2026-05-01T00:00:00.000Z"],
  ])("%i-%i begins in %s at %s", (year, month, zone, instant) => {
    expect(monthStart(index(year, month), zone).toISOString()).toBe(instant);
  });

  it("refuses an unknown zone", () => {
    expect(() => assertTimeZone("Mars/Olympus")).toThrow(RangeError);
  });
});
