import { describe, expect, it } from "vitest";
import { RateLimiter } from "~/lib/rate-limit";

describe("RateLimiter", () => {
  it("allows a burst, then refills at the rate, per key", () => {
    let now = 0;
    const limiter = new RateLimiter(2, 3, () => now);
    expect([1, 2, 3].map(() => limiter.take("a"))).toEqual([0, 0, 0]);
    expect(limiter.take("a")).toBe(1); // empty: wait for the next token
    expect(limiter.take("b")).toBe(0); // another shop has its own bucket
    now += 500; // one token back at 2/s
    expect(limiter.take("a")).toBe(0);
    expect(limiter.take("a")).toBe(1);
    now += 10_000; // refills up to the burst only
    expect([1, 2, 3, 4].map(() => limiter.take("a"))).toEqual([0, 0, 0, 1]);
  });
});
