import fs from "node:fs";
import readline from "node:readline";
import type { Database } from "../db.server";
import type { OrderSnapshot } from "../domain/types";
import type { JobQueue } from "../queue/types";
import { createBulkOrderAssembler } from "../shopify/bulk-import";
import { importReason } from "../domain/rank-change-reason";
import { ingestOrderSnapshots, prepareOrderIngest } from "./ingest-order.server";
import { refreshCustomersInChunks } from "./recompute.server";

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
}

/**
 * Import the JSONL of Shopify's bulkOperationRunQuery (ORDERS_BULK_QUERY) through the same
 * ingestion path as the webhooks. A bad line is reported with its number and skipped; every
 * good order is kept. Re-running an import is harmless (snapshots not newer are ignored).
 */
export async function importOrdersJsonl(
  db: Database,
  queue: JobQueue,
  input: NodeJS.ReadableStream | string,
  options: ImportOptions,
): Promise<ImportProgress> {
  const batchSize = options.batchSize ?? 500;
  const now = options.now ?? (() => new Date());
  const stream = typeof input === "string" ? fs.createReadStream(input, { encoding: "utf8" }) : input;
  const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
  const assembler = createBulkOrderAssembler();
  const progress: ImportProgress = { lines: 0, orders: 0, applied: 0, stale: 0, badLines: 0 };
  let batch: OrderSnapshot[] = [];
  // Each customer's stats and rank are computed once, after all their orders are in.
  const touched = new Set<number>();

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
  };
  const take = async (results: ReturnType<typeof assembler.end>) => {
    for (const r of results) {
      if (r.order) batch.push(r.order);
      if (r.error) {
        progress.badLines++;
        options.onBadLine?.(r.error.lineNumber, r.error.message);
      }
    }
    if (batch.length >= batchSize) await flush();
  };

  for await (const line of lines) {
    progress.lines++;
    await take(assembler.push(line, progress.lines));
  }
  await take(assembler.end());
  await flush();
  await refreshCustomersInChunks(db, queue, options.shop, [...touched], importReason(), now());
  return progress;
}
