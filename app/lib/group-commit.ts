/**
 * Group commit: callers submit items one at a time and each waits for its own result, but
 * the items are written in batches — one transaction for everything that arrived while the
 * previous transaction was being written. An idle writer starts at once (no added latency at
 * low load); under load the batches grow by themselves, so the per-transaction cost (BEGIN,
 * COMMIT, fsync, query compilation) is shared (docs/decisions/0009-webhook-group-commit.md).
 *
 * `write` must return one result per item, in order. If it throws, every item of that batch
 * rejects with the error; the next batch is unaffected.
 */
export function groupCommit<T, R>(write: (items: T[]) => Promise<R[]>, options: { maxBatch: number }): (item: T) => Promise<R> {
  let waiting: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  let writing = false;

  const writeAll = async () => {
    writing = true;
    try {
      while (waiting.length > 0) {
        const batch = waiting.slice(0, options.maxBatch);
        waiting = waiting.slice(batch.length);
        try {
          const results = await write(batch.map((w) => w.item));
          if (results.length !== batch.length) throw new Error(`group commit: ${results.length} results for ${batch.length} items`);
          batch.forEach((w, i) => w.resolve(results[i]!));
        } catch (error) {
          for (const w of batch) w.reject(error);
        }
      }
    } finally {
      writing = false;
    }
  };

  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!writing) {
        writing = true;
        // Start on the next turn of the event loop, not now: with a synchronous driver
        // (better-sqlite3) a whole transaction runs without yielding to I/O, so only requests
        // already read in this turn can join; waiting for setImmediate lets them in.
        setImmediate(() => void writeAll());
      }
    });
}
