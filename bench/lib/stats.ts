/** Small helpers for the figures: percentiles, status tallies, number formatting. */
import type { Outcome } from "./http";

/** Nearest-rank percentile of unsorted values (p in 0..100). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function summarize(values: number[]): LatencySummary {
  return { p50: percentile(values, 50), p90: percentile(values, 90), p99: percentile(values, 99), max: percentile(values, 100) };
}

/** "20000 × 200" or "19990 × 200, 10 × 503, 0 × network error (first: …)". */
export function tallyStatuses(outcomes: Outcome[]): { ok: number; notOk: number; byStatus: Record<string, number>; firstError?: string } {
  const byStatus: Record<string, number> = {};
  let firstError: string | undefined;
  for (const o of outcomes) {
    const key = o.status === 0 ? "error" : String(o.status);
    byStatus[key] = (byStatus[key] ?? 0) + 1;
    if (o.status !== 200 && !firstError) firstError = o.error ?? `HTTP ${o.status}`;
  }
  const ok = byStatus["200"] ?? 0;
  return { ok, notOk: outcomes.length - ok, byStatus, ...(firstError ? { firstError } : {}) };
}

export function fmt(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return "n/a";
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export const round = (value: number, digits = 2): number => (Number.isFinite(value) ? Number(value.toFixed(digits)) : value);
