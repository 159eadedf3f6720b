import { describe, expect, it } from "vitest";
import {
  estimateInterval,
  learnIntervals,
  median,
  mergedPurchases,
  parseIntervalOverride,
  planReminder,
  repurchasePairs,
  type IntervalEstimate,
  type ProductPurchase,
} from "~/domain/replenishment";

const SHAMPOO = "gid://shopify/Product/1";
const SOAP = "gid://shopify/Product/2";
const c = (n: number) => `gid://shopify/Customer/${n}`;
const buy = (customer: number, iso: string, quantity = 1, product = SHAMPOO): ProductPurchase => ({
  customerGid: c(customer),
  productGid: product,
  processedAt: new Date(iso),
  quantity,
});

// Hand-computed pairs (days between purchases ÷ units bought the first time), 2026:
//   customer 1: Jan 1 ×1 → Jan 31 ×2: 30 / 1 = 30;  Jan 31 ×2 → Mar 31: 59 days / 2 = 29.5
//   customer 2: Feb 1 10:00 ×1 + Feb 1 15:00 ×1 (add-on, one purchase of 2) → Apr 4 10:00: 62 / 2 = 31
//   customer 3: Jan 10 → Feb 7: 28;  Feb 7 → Mar 9: 30
// sorted 28, 29.5, 30, 30, 31 → median 30
const HISTORY: ProductPurchase[] = [
  buy(1, "2026-01-01T03:00:00Z"),
  buy(1, "2026-01-31T03:00:00Z", 2),
  buy(1, "2026-03-31T03:00:00Z"),
  buy(2, "2026-02-01T10:00:00Z"),
  buy(2, "2026-02-01T15:00:00Z"),
  buy(2, "2026-04-04T10:00:00Z"),
  buy(3, "2026-01-10T00:00:00Z"),
  buy(3, "2026-02-07T00:00:00Z"),
  buy(3, "2026-03-09T00:00:00Z"),
  // One soap purchase each: no pairs.
  buy(1, "2026-01-01T03:00:00Z", 1, SOAP),
  buy(2, "2026-03-01T03:00:00Z", 1, SOAP),
];

describe("learning the interval", () => {
  it("pairs consecutive purchases per customer, scaled by the first purchase's quantity", () => {
    const pairs = repurchasePairs(HISTORY);
    expect(pairs.get(SHAMPOO)!.map((p) => [p.customerGid, p.daysPerUnit])).toEqual([
      [c(1), 30],
      [c(1), 29.5],
      [c(2), 31],
      [c(3), 28],
      [c(3), 30],
    ]);
    expect(pairs.get(SOAP)).toEqual([]);
  });

  it("takes the median, so one customer who came back after most of a year does not move it", () => {
    const withStraggler = [...HISTORY, buy(4, "2026-01-01T00:00:00Z"), buy(4, "2026-12-01T00:00:00Z")];
    // 28, 29.5, 30, 30, 31, 334 → (30 + 30) / 2 = 30 (the mean would be 80.4)
    expect(learnIntervals(withStraggler).get(SHAMPOO)).toEqual({ kind: "learned", daysPerUnit: 30, pairs: 6, customers: 4 });
  });

  it("reports not enough data below the minimum pairs or customers", () => {
    const estimates = learnIntervals(HISTORY);
    expect(estimates.get(SHAMPOO)).toEqual({ kind: "learned", daysPerUnit: 30, pairs: 5, customers: 3 });
    expect(estimates.get(SOAP)).toEqual({ kind: "not-enough-data", pairs: 0, customers: 0, minPairs: 5, minCustomers: 3 });
    expect(learnIntervals(HISTORY.slice(1)).get(SHAMPOO)).toMatchObject({ kind: "not-enough-data", pairs: 4 });
    // Five pairs from only two customers describe those two.
    const twoCustomers = HISTORY.filter((p) => p.customerGid !== c(3)).concat(buy(1, "2026-05-01T03:00:00Z"), buy(1, "2026-06-01T03:00:00Z"));
    expect(learnIntervals(twoCustomers).get(SHAMPOO)).toMatchObject({ kind: "not-enough-data", pairs: 5, customers: 2 });
    expect(learnIntervals(twoCustomers, new Map(), { minCustomers: 2 }).get(SHAMPOO)).toMatchObject({ kind: "learned", daysPerUnit: 31 }); // 29.5, 30, 31, 31, 31
  });

  it("lets the merchant's days per unit win, also for products nobody bought twice", () => {
    const estimates = learnIntervals(HISTORY, new Map([[SHAMPOO, 45], ["gid://shopify/Product/3", 60]]));
    expect(estimates.get(SHAMPOO)).toEqual({ kind: "override", daysPerUnit: 45 });
    expect(estimates.get("gid://shopify/Product/3")).toEqual({ kind: "override", daysPerUnit: 60 });
    expect(() => estimateInterval([], 0)).toThrow(RangeError);
  });

  it("merges add-on orders within a day and ignores lines with nothing bought", () => {
    expect(
      mergedPurchases([
        { processedAt: new Date("2026-01-02T00:00:00Z"), quantity: 1 },
        { processedAt: new Date("2026-01-01T00:00:00Z"), quantity: 2 },
        { processedAt: new Date("2026-01-01T23:59:59Z"), quantity: 1 },
        { processedAt: new Date("2026-01-05T00:00:00Z"), quantity: 0 },
      ]),
    ).toEqual([
      { at: new Date("2026-01-01T00:00:00Z"), quantity: 3 },
      { at: new Date("2026-01-02T00:00:00Z"), quantity: 1 },
    ]);
  });

  it.each([
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
  ])("median(%j) = %d", (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});

describe("planReminder", () => {
  const learned: IntervalEstimate = { kind: "learned", daysPerUnit: 30, pairs: 5, customers: 3 };
  const plan = (purchases: ProductPurchase[], now: string, extra: Partial<Parameters<typeof planReminder>[0]> = {}) =>
    planReminder({ customerGid: c(9), productGid: SHAMPOO, purchases, estimate: learned, now: new Date(now), ...extra });
  const twoPack = buy(9, "2026-05-01T01:00:00Z", 2);

  it("reminds the lead days before a 2-pack runs out (30 days × 2 = 60 days)", () => {
    expect(plan([twoPack, buy(8, "2026-05-20T00:00:00Z"), buy(9, "2026-05-20T00:00:00Z", 1, SOAP)], "2026-05-10T00:00:00Z")).toEqual({
      kind: "remind",
      referenceAt: new Date("2026-05-01T01:00:00Z"),
      quantity: 2,
      runOutAt: new Date("2026-06-30T01:00:00Z"),
      remindAt: new Date("2026-06-23T01:00:00Z"),
    });
  });

  it("uses fractional intervals and the merchant's lead days", () => {
    const result = plan([buy(9, "2026-05-01T00:00:00Z")], "2026-05-01T00:00:00Z", {
      estimate: { kind: "learned", daysPerUnit: 29.5, pairs: 5, customers: 3 },
      leadDays: 3,
    });
    expect(result).toMatchObject({ runOutAt: new Date("2026-05-30T12:00:00Z"), remindAt: new Date("2026-05-27T12:00:00Z") });
  });

  it("sends a reminder found a little late now, and drops one found too late", () => {
    // Ideal 2026-06-23T01:00Z; grace 3 days → still sent until 2026-06-26T01:00Z.
    expect(plan([twoPack], "2026-06-25T00:00:00Z")).toMatchObject({ kind: "remind", remindAt: new Date("2026-06-25T00:00:00Z") });
    expect(plan([twoPack], "2026-06-26T01:00:00Z")).toMatchObject({ kind: "remind" });
    expect(plan([twoPack], "2026-06-26T01:00:01Z")).toEqual({ kind: "none", reason: "too-late" });
    expect(plan([twoPack], "2026-06-24T00:00:00Z", { graceDays: 0 })).toEqual({ kind: "none", reason: "too-late" });
  });

  it("cancels a planned reminder once the customer bought the product again", () => {
    const reference = new Date("2026-05-01T01:00:00Z");
    expect(plan([twoPack, buy(9, "2026-06-20T00:00:00Z")], "2026-06-23T01:00:00Z", { referenceAt: reference })).toEqual({
      kind: "none",
      reason: "bought-again",
    });
    // Buying something else does not cancel it; an add-on the same day joins the purchase (3 units → 90 days).
    expect(
      plan([twoPack, buy(9, "2026-06-20T00:00:00Z", 1, SOAP), buy(9, "2026-05-01T05:00:00Z")], "2026-05-02T00:00:00Z", {
        referenceAt: reference,
      }),
    ).toMatchObject({ kind: "remind", quantity: 3, runOutAt: new Date("2026-07-30T01:00:00Z") });
  });

  it("plans from the merchant's override", () => {
    expect(plan([twoPack], "2026-05-10T00:00:00Z", { estimate: { kind: "override", daysPerUnit: 10 } })).toMatchObject({
      runOutAt: new Date("2026-05-21T01:00:00Z"),
      remindAt: new Date("2026-05-14T01:00:00Z"),
    });
  });

  it.each<[string, ProductPurchase[], Partial<Parameters<typeof planReminder>[0]>, string]>([
    ["no data", [twoPack], { estimate: { kind: "not-enough-data", pairs: 2, customers: 2, minPairs: 5, minCustomers: 3 } }, "not-enough-data"],
    ["no purchase of this product", [buy(9, "2026-05-01T00:00:00Z", 1, SOAP)], {}, "no-purchase"],
    ["a reference before any purchase", [twoPack], { referenceAt: new Date("2026-04-01T00:00:00Z") }, "no-purchase"],
  ])("no reminder: %s", (_name, purchases, extra, reason) => {
    expect(plan(purchases, "2026-05-10T00:00:00Z", extra)).toEqual({ kind: "none", reason });
  });

  it.each([[-1], [61], [1.5]])("refuses %d lead days", (leadDays) => {
    expect(() => plan([twoPack], "2026-05-10T00:00:00Z", { leadDays })).toThrow(RangeError);
  });
});

describe("parseIntervalOverride", () => {
  it.each([
    ["", null],
    ["30", 30],
    ["３０日", 30],
    ["45 days", 45],
  ])("%j → %j", (text, value) => {
    expect(parseIntervalOverride(text)).toEqual({ ok: true, value });
  });

  it.each([["0"], ["731"], ["2.5"], ["monthly"]])("%j is refused in both languages", (text) => {
    const result = parseIntervalOverride(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message.ja).toMatch(/[ぁ-んァ-ン一-龥]/);
  });
});
