import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { logger } from "../logger.server";

/**
 * SQLite's WAL checkpoints on a thread of their own (docs/decisions/0032-background-checkpoints.md).
 *
 * Left to itself, SQLite checkpoints inside the COMMIT that takes the log past 1,000 pages: that
 * commit copies ~4 MB into the database file and fsyncs it, ~10 ms during which the process's
 * event loop — acknowledgements, the inline worker — stands still (1 commit in 8 under webhook
 * load, 2/3 of all the time spent committing). Here a thread with its own connection runs a
 * PASSIVE checkpoint every `everyMs`: it never waits for, nor blocks, the writers, and the
 * writers' commits only append to the log. The process's connections keep SQLite's own
 * checkpoint, raised to BACKSTOP_PAGES (createAppContext), so the log stays bounded should this
 * thread stop.
 */
export const BACKSTOP_PAGES = 10_000;

// Plain CommonJS, run with `eval`: the thread loads nothing of the app, only the driver.
const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
let db;
let timer;
const fail = (error) => {
  parentPort.postMessage({ error: String((error && error.message) || error) });
  if (db && db.open) db.close();
  parentPort.close();
};
const tick = () => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch (error) {
    return fail(error);
  }
  timer = setTimeout(tick, workerData.everyMs);
};
parentPort.on("message", () => {
  clearTimeout(timer);
  if (db && db.open) db.close();
  parentPort.close();
});
try {
  db = new Database(workerData.file, { fileMustExist: true });
  tick();
} catch (error) {
  fail(error);
}
`;

export interface WalCheckpoints {
  stop(): Promise<void>;
}

const logStopped = (reason: string, file: string) =>
  logger.warn("background WAL checkpoints stopped; SQLite checkpoints in the committing connections again", { file, reason });

/** `onStopped`: the thread ended by itself (the file went away, a disk error); logged by default. */
export function startWalCheckpoints(file: string, everyMs = 100, onStopped: (reason: string, file: string) => void = logStopped): WalCheckpoints {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const thread = new Worker(THREAD_SOURCE, { eval: true, workerData: { file, driver, everyMs } });
  // Never what keeps the process alive; an exit kills it, and SQLite recovers the log on open.
  thread.unref();
  thread.on("message", (message: { error?: string }) => onStopped(message.error ?? "unknown", file));
  thread.on("error", (error) => onStopped(String(error), file));
  const ended = new Promise<void>((resolve) => thread.once("exit", () => resolve()));
  return {
    stop() {
      thread.postMessage("stop");
      return ended;
    },
  };
}
