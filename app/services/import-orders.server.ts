import type { Database } from "../db.server";
import type { JobQueue } from "../queue/types";
import { bulkOrderChunks } from "../shopify/bulk-chunks";
import { asLineBlocks, fileLineBlocks, lineBlocks } from "../shopify/line-blocks";
import { importReason } from "../domain/rank-change-reason";
import { ingestOrderSnapshots, prepareOrderIngest } from "./ingest-order.server";
import { refreshCustomersInChunks } from "./recompute.server";
import { enqueueAnalyticsRefresh } from "./analytics/refresh.server";

export interface ImportProgress {
  lines: number;
  orders: number;
  applied: number;
  stale: number;
  badLines: number;
}

export interface ImportOptions {
  shop: string;
  /**
   * Orders per transaction: large enough to amortise, small enough to keep locks short. The
   * default, 5,000, holds SQLite's write lock ~0.2 s at a time; the backfill, which shares the
   * database with webhooks, passes its own smaller size.
   */
  batchSize?: number;
  now?: () => Date;
  onBadLine?: (lineNumber: number, message: string) => void;
  onProgress?: (progress: ImportProgress) => void;
  /** Lines imported before `input` starts (a resumed download): line numbers continue after them. */
  lineOffset?: number;
  /**
   * Awaited after each batch's transaction: the first `lines` lines of `input` are imported. They
   * end where the next order begins, so an import resumed right after them loses nothing.
   */
  onCommitted?: (committed: { lines: number; orders: number }) => void | Promise<void>;
}

/** Input: a file path, a stream of JSONL text, or its lines (the backfill's download). */
export type ImportInput = NodeJS.ReadableStream | string | { lines: AsyncIterable<string> };

/**
 * Import the JSONL of Shopify's bulkOperationRunQuery (ORDERS_BULK_QUERY) through the same
 * ingestion path as the webhooks. A bad line is reported with its number and skipped; every
 * good order is kept. Re-running an import is harmless (snapshots not newer are ignored).
 */
export async function importOrdersJsonl(
  db: Database,
  queue: JobQueue,
  input: ImportInput,
  options: ImportOptions,
): Promise<ImportProgress> {
  const chunkOptions = { batchSize: options.batchSize ?? 5000, lineOffset: options.lineOffset ?? 0 };
  const now = options.now ?? (() => new Date());
  const blocks =
    typeof input === "string" ? fileLineBlocks(input) : "lines" in input ? asLineBlocks(input.lines) : lineBlocks(input as AsyncIterable<string | Buffer>);
  const chunks = bulkOrderChunks(blocks, chunkOptions);
  const progress: ImportProgress = { lines: 0, orders: 0, applied: 0, stale: 0, badLines: 0 };
  // Each customer's stats and rank are computed once, after all their orders are in.
  const touched = new Set<number>();

  for await (const chunk of chunks) {
    progress.lines = chunk.lines;
    for (const error of chunk.errors) {
      progress.badLines++;
      options.onBadLine?.(error.lineNumber, error.message);
    }
    const orders = chunk.orders;
    if (orders.length > 0) {
      await prepareOrderIngest(db.prisma, options.shop, orders);
      const result = await db.prisma.$transaction(
        (tx) => ingestOrderSnapshots(tx, queue, options.shop, orders, { source: "import", now: now(), deferRefresh: true }),
        { timeout: 120_000, maxWait: 30_000 },
      );
      for (const id of result.touchedCustomerIds) touched.add(id);
      progress.orders += orders.length;
      progress.applied += result.applied;
      progress.stale += result.stale;
      options.onProgress?.({ ...progress });
    }
    await options.onCommitted?.({ lines: chunk.complete, orders: progress.orders });
  }
  await refreshCustomersInChunks(db, queue, options.shop, [...touched], importReason(), now());
  // New history: the dashboard's RFM scores, cohorts and product figures follow in the background.
  await enqueueAnalyticsRefresh(db.prisma, queue, options.shop);
  return progress;
}
