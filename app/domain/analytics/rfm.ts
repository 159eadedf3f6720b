/**
 * RFM: recency (time of the last counted order), frequency (counted orders), monetary (lifetime
 * spend), each scored 1–5 by quintile among the shop's customers with counted orders (5 best),
 * and a named segment from the recency × frequency grid (docs/decisions/0013-analytics.md).
 */
import type { RfmSegment } from "./types";

/**
 * Quintile score with ties kept together: 1 + floor(5 × below / n), where `below` is the number
 * of customers with a strictly worse value. Without ties this is NTILE(5) over the sorted values;
 * tied customers all get the score of the lowest of them (so the many one-time buyers share
 * frequency 1 instead of being spread over 1–3 by chance). The same formula runs in SQL:
 * 1 + (5 × (RANK() OVER (ORDER BY value) − 1)) / COUNT(*) OVER ().
 */
export function quintileScores(values: readonly bigint[]): number[] {
  const n = values.length;
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  // below(v) = index of v's first occurrence in the sorted list.
  const firstIndex = new Map<bigint, number>();
  sorted.forEach((v, i) => {
    if (!firstIndex.has(v)) firstIndex.set(v, i);
  });
  return values.map((v) => 1 + Math.floor((5 * firstIndex.get(v)!) / n));
}

/** One rule of the segment map: recency and frequency score ranges (inclusive). */
export interface RfmRule {
  segment: RfmSegment;
  recency: [number, number];
  frequency: [number, number];
}

/**
 * The recency × frequency map (the common 10-segment grid with "about to sleep" folded into
 * "need attention" and the coldest one-or-two-time buyers named "lost"). Every R, F pair in
 * 1–5 × 1–5 falls under exactly one rule (checked in the tests).
 */
export const RFM_RULES: readonly RfmRule[] = [
  { segment: "champions", recency: [5, 5], frequency: [4, 5] },
  { segment: "loyal", recency: [3, 4], frequency: [4, 5] },
  { segment: "potentialLoyalists", recency: [4, 5], frequency: [2, 3] },
  { segment: "new", recency: [5, 5], frequency: [1, 1] },
  { segment: "promising", recency: [4, 4], frequency: [1, 1] },
  { segment: "needAttention", recency: [3, 3], frequency: [1, 3] },
  { segment: "atRisk", recency: [1, 2], frequency: [3, 4] },
  { segment: "cannotLose", recency: [1, 2], frequency: [5, 5] },
  { segment: "hibernating", recency: [2, 2], frequency: [1, 2] },
  { segment: "lost", recency: [1, 1], frequency: [1, 2] },
];

export function rfmSegment(recency: number, frequency: number): RfmSegment {
  const rule = RFM_RULES.find(
    (r) => recency >= r.recency[0] && recency <= r.recency[1] && frequency >= r.frequency[0] && frequency <= r.frequency[1],
  );
  if (!rule) throw new RangeError(`RFM scores must be 1–5, got R${recency} F${frequency}`);
  return rule.segment;
}

export interface RfmInput {
  lastOrderAt: Date;
  orderCount: number;
  lifetimeSpent: bigint;
}

export interface RfmScores {
  recency: number;
  frequency: number;
  monetary: number;
  segment: RfmSegment;
}

/** Scores for every customer with counted orders (the caller leaves the others out), in input order. */
export function rfmScores(customers: readonly RfmInput[]): RfmScores[] {
  const r = quintileScores(customers.map((c) => BigInt(c.lastOrderAt.getTime())));
  const f = quintileScores(customers.map((c) => BigInt(c.orderCount)));
  const m = quintileScores(customers.map((c) => c.lifetimeSpent));
  return customers.map((_, i) => ({ recency: r[i]!, frequency: f[i]!, monetary: m[i]!, segment: rfmSegment(r[i]!, f[i]!) }));
}
