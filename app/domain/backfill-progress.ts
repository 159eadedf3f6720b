/**
 * How far a historical backfill is, as one progress bar, and its stored error split into a code
 * the page words in the merchant's language and Shopify's detail. Pure: runs in the browser.
 */

export const ACTIVE_STATUSES = ["queued", "customers", "orders", "importing", "recomputing"] as const;
export const FINAL_STATUSES = ["done", "failed", "cancelled"] as const;
export type BackfillPhase = (typeof ACTIVE_STATUSES)[number] | (typeof FINAL_STATUSES)[number];

/** A run still working (one per shop at a time). */
export const isActiveStatus = (status: string): boolean => (ACTIVE_STATUSES as readonly string[]).includes(status);

export interface BackfillProgressInput {
  status: BackfillPhase;
  /** The current operation has finished and its file is being imported. */
  downloading: boolean;
  /** Objects Shopify has exported so far (one per JSONL line: orders and line items alike). */
  objectCount: number;
  linesDone: number;
}

/**
 * Share of the bar per phase: the customers export is small, the orders export and its import
 * are most of the wait, the rank recompute is short. Each phase fills its band in order.
 */
const BANDS = {
  customersExport: [0, 5],
  customersImport: [5, 15],
  ordersExport: [15, 40],
  ordersImport: [40, 95],
  recompute: [95, 100],
} as const;

function within(band: readonly [number, number], fraction: number): number {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  return Math.round(band[0] + (band[1] - band[0]) * f);
}

/** 0–100. While Shopify exports, the total is unknown: the bar stays at the start of its band. */
export function backfillPercent(run: BackfillProgressInput): number {
  const fileShare = run.objectCount > 0 ? run.linesDone / run.objectCount : 0;
  switch (run.status) {
    case "queued":
      return 0;
    case "customers":
      return run.downloading ? within(BANDS.customersImport, fileShare) : within(BANDS.customersExport, 0);
    case "orders":
      return within(BANDS.ordersExport, 0);
    case "importing":
      return within(BANDS.ordersImport, fileShare);
    case "recomputing":
      return within(BANDS.recompute, 0);
    case "done":
      return 100;
    case "failed":
    case "cancelled":
      return 0;
  }
}

/** Error codes the backfill stores as "<code>: <detail>"; anything else shows as "internal". */
export const BACKFILL_ERROR_CODES = [
  "accessDenied",
  "exportFailed",
  "partialImported",
  "cancelled",
  "refused",
  "busy",
  "notInstalled",
  "download",
  "shopify",
  "internal",
] as const;
export type BackfillErrorCode = (typeof BACKFILL_ERROR_CODES)[number];

export function backfillError(code: BackfillErrorCode, detail: string): string {
  return `${code}: ${detail}`.slice(0, 2000);
}

export function parseBackfillError(error: string | null): { code: BackfillErrorCode; detail: string } | null {
  if (!error) return null;
  const colon = error.indexOf(":");
  const code = colon > 0 ? error.slice(0, colon) : "";
  if ((BACKFILL_ERROR_CODES as readonly string[]).includes(code)) {
    return { code: code as BackfillErrorCode, detail: error.slice(colon + 1).trim() };
  }
  return { code: "internal", detail: error };
}

/** Polls of a running export: 3 s, 6 s, 12 s … at most a minute (the finish webhook is faster). */
export function pollDelayMs(polls: number): number {
  return Math.min(3000 * 2 ** Math.max(0, polls), 60_000);
}
