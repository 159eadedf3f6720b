import { describe, expect, it } from "vitest";
import { backoffMs, MAX_ATTEMPTS } from "~/queue/types";

describe("job retries", () => {
  it.each([
    [1, 2_000],
    [2, 4_000],
    [11, 2_048_000],
    [12, 3_600_000], // capped at an hour
    [40, 3_600_000],
  ])("after attempt %i wait %i ms", (attempt, ms) => {
    expect(backoffMs(attempt)).toBe(ms);
  });

  it("outlast a Shopify incident of four hours before a job fails for good (SQLite's schedule)", () => {
    const waits = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => backoffMs(i + 1));
    const hours = waits.reduce((sum, ms) => sum + ms, 0) / 3_600_000;
    expect(hours).toBeGreaterThan(4);
    expect(hours).toBeLessThan(12); // and a job that cannot succeed stops within the day
  });
});
