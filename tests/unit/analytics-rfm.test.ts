import { describe, expect, it } from "vitest";
import { RFM_RULES, quintileScores, rfmScores, rfmSegment } from "../../app/domain/analytics/rfm";
import { RFM_SEGMENTS } from "../../app/domain/analytics/types";

describe("quintileScores", () => {
  it.each([
    // distinct values: NTILE(5) — 1 + ⌊5·below/n⌋
    ["ten distinct", [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n], [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]],
    ["five distinct, any order", [50n, 10n, 40n, 20n, 30n], [5, 1, 4, 2, 3]],
    // ties share the lowest score they reach: seven one-time buyers all get 1, then below = 7
    ["ties kept together", [1n, 1n, 1n, 1n, 1n, 1n, 1n, 2n, 2n, 5n], [1, 1, 1, 1, 1, 1, 1, 4, 4, 5]],
    ["all tied", [3n, 3n, 3n], [1, 1, 1]],
    ["alone", [42n], [1]],
    ["three", [1n, 2n, 3n], [1, 2, 4]],
    ["empty", [], []],
  ] as [string, bigint[], number[]][])("%s", (_, values, expected) => {
    expect(quintileScores(values)).toEqual(expected);
  });
});

describe("segment map", () => {
  it("names every recency × frequency pair exactly once", () => {
    for (let r = 1; r <= 5; r++) {
      for (let f = 1; f <= 5; f++) {
        const matching = RFM_RULES.filter((x) => r >= x.recency[0] && r <= x.recency[1] && f >= x.frequency[0] && f <= x.frequency[1]);
        expect(matching, `R${r} F${f}`).toHaveLength(1);
      }
    }
    expect(new Set(RFM_RULES.map((x) => x.segment))).toEqual(new Set(RFM_SEGMENTS));
  });

  it.each([
    [5, 5, "champions"],
    [5, 4, "champions"],
    [4, 5, "loyal"],
    [3, 4, "loyal"],
    [5, 2, "potentialLoyalists"],
    [4, 3, "potentialLoyalists"],
    [5, 1, "new"],
    [4, 1, "promising"],
    [3, 1, "needAttention"],
    [3, 3, "needAttention"],
    [2, 3, "atRisk"],
    [1, 4, "atRisk"],
    [1, 5, "cannotLose"],
    [2, 2, "hibernating"],
    [1, 1, "lost"],
    [1, 2, "lost"],
  ] as const)("R%i F%i → %s", (r, f, segment) => {
    expect(rfmSegment(r, f)).toBe(segment);
  });

  it("refuses scores outside 1–5", () => {
    expect(() => rfmSegment(0, 3)).toThrow(RangeError);
    expect(() => rfmSegment(3, 6)).toThrow(RangeError);
  });
});

describe("rfmScores", () => {
  it("scores recency by the last order, frequency by orders, monetary by spend", () => {
    const day = (d: number) => new Date(Date.UTC(2026, 4, d));
    const scores = rfmScores([
      { lastOrderAt: day(30), orderCount: 9, lifetimeSpent: 90_000n }, // most recent, most orders
      { lastOrderAt: day(1), orderCount: 9, lifetimeSpent: 80_000n }, // long ago, many orders
      { lastOrderAt: day(29), orderCount: 1, lifetimeSpent: 1_000n }, // recent first-timer
      { lastOrderAt: day(2), orderCount: 1, lifetimeSpent: 2_000n },
      { lastOrderAt: day(15), orderCount: 2, lifetimeSpent: 5_000n },
    ]);
    expect(scores).toEqual([
      { recency: 5, frequency: 4, monetary: 5, segment: "champions" },
      { recency: 1, frequency: 4, monetary: 4, segment: "atRisk" },
      { recency: 4, frequency: 1, monetary: 1, segment: "promising" },
      { recency: 2, frequency: 1, monetary: 2, segment: "hibernating" },
      { recency: 3, frequency: 3, monetary: 3, segment: "needAttention" },
    ]);
  });
});
