/**
 * The bulk-operation JSONL as batches of complete orders, for the import: the assembler
 * (bulk-import.ts) run over blocks of lines (line-blocks.ts), cut into chunks of `batchSize`
 * orders, each with the bad lines met on the way and how far a resumed import may skip.
 */
import type { OrderSnapshot } from "../domain/types";
import { createBulkOrderAssembler, type BulkImportResult } from "./bulk-import";

export interface BulkChunk {
  /** Complete orders, in file order. */
  orders: OrderSnapshot[];
  /** Bad lines met since the previous chunk, in line order. */
  errors: { lineNumber: number; message: string }[];
  /** Lines read so far (not counting lineOffset). */
  lines: number;
  /**
   * Lines up to the end of the last order in `orders` (the last chunk: every line). They end
   * where the next order begins, so an import resumed right after them loses nothing.
   */
  complete: number;
}

export interface BulkChunkOptions {
  batchSize: number;
  /** Lines before `lines` starts (a resumed download): line numbers continue after them. */
  lineOffset?: number;
}

/** `blocks`: the lines, many at a time (line-blocks.ts). */
export async function* bulkOrderChunks(blocks: AsyncIterable<readonly string[]>, options: BulkChunkOptions): AsyncGenerator<BulkChunk> {
  const lineOffset = options.lineOffset ?? 0;
  const assembler = createBulkOrderAssembler();
  let chunk: BulkChunk = { orders: [], errors: [], lines: 0, complete: 0 };
  let read = 0;
  let complete = 0;
  /** completeThrough: the lines an order found in `results` ends with. */
  const take = (results: readonly BulkImportResult[], completeThrough: number) => {
    for (const r of results) {
      if (r.order) {
        chunk.orders.push(r.order);
        complete = completeThrough;
      }
      if (r.error) chunk.errors.push(r.error);
    }
  };
  const cut = (): BulkChunk => {
    const done = { ...chunk, lines: read, complete };
    chunk = { orders: [], errors: [], lines: 0, complete: 0 };
    return done;
  };

  for await (const block of blocks) {
    for (const line of block) {
      read++;
      // An order is complete when the next one starts, on this line.
      take(assembler.push(line, lineOffset + read), read - 1);
      if (chunk.orders.length >= options.batchSize) yield cut();
    }
  }
  take(assembler.end(), read);
  complete = read; // trailing bad lines too
  yield cut();
}
