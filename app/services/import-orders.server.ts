import fs from "node:fs";
import readline from "node:readline";
import type { Database } from "../db.server";
import type { OrderSnapshot } from "../domain/types";
import type { JobQueue } from "../queue/types";
import { createBulkOrderAssembler } from "../shopify/bulk-import";
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
  /** Orders per transaction: large enough to amortise, small enough to keep locks short. */
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
  const batchSize = options.batchSize ?? 2000;
  const now = options.now ?? (() => new Date());
  const lineOffset = options.lineOffset ?? 0;
  const lines =
    typeof input === "object" && "lines" in input
      ? input.lines
      : readline.createInterface({ input: typeof input === "string" ? fs.createReadStream(input, { encoding: "utf8" }) : input, crlfDelay: Infinity });
  const assembler = createBulkOrderAssembler();
  const progress: ImportProgress = { lines: 0, orders: 0, applied: 0, stale: 0, badLines: 0 };
  let batch: OrderSnapshot[] = [];
  // Each customer's stats and rank are computed once, after all their orders are in.
  const touched = new Set<number>();
  // Lines up to the end of the last complete order taken into `batch`.
  let complete = 0;

  const flush = async () => {
    if (batch.length === 0) return;
    const orders = batch;
    batch = [];
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
    await options.onCommitted?.({ lines: complete, orders: progress.orders });
  };
  /** completeThrough: the lines an order found in `results` ends with. */
  const take = async (results: ReturnType<typeof assembler.end>, completeThrough: number) => {
    for (const r of results) {
      if (r.order) {
        batch.push(r.order);
        complete = completeThrough;
      }
      if (r.error) {
        progress.badLines++;
        options.onBadLine?.(r.error.lineNumber, r.error.message);
      }
    }
    if (batch.length >= batchSize) await flush();
  };

  for await (const line of lines) {
    progress.lines++;
    // An order is complete when the next one starts, on this line.
    await take(assembler.push(line, lineOffset + progress.lines), progress.lines - 1);
  }
  await take(assembler.end(), progress.lines);
  complete = progress.lines; // trailing bad lines too
  await flush();
  await refreshCustomersInChunks(db, queue, options.shop, [...touched], importReason(), now());
  // New history: the dashboard's RFM scores, cohorts and product figures follow in the background.
  await enqueueAnalyticsRefresh(db.prisma, queue, options.shop);
  return progress;
}
