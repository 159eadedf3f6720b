/**
 * Keeps one worker thread running (TOKUI_INLINE_WORKER=thread, ADR 0029): starts it, starts it
 * again `restartDelayMs` after it ends on its own (jobs are durable: one cut off runs again), and
 * on stop() asks it to finish the jobs in hand ("stop" message) and waits for it to end.
 * scripts/serve.mjs uses it; tests/unit/worker-thread-supervisor.test.ts runs it on real threads.
 */
/* global console, setTimeout, clearTimeout */

/**
 * @param {() => import("node:worker_threads").Worker} startThread
 * @param {{ restartDelayMs?: number, stopTimeoutMs?: number, log?: (line: string) => void }} [options]
 */
export function superviseWorkerThread(startThread, options = {}) {
  const { restartDelayMs = 1000, stopTimeoutMs = 9000, log = (line) => console.error(line) } = options;
  let thread;
  let stopping = false;
  let restartTimer;
  let starts = 0;
  const start = () => {
    restartTimer = undefined;
    starts += 1;
    thread = startThread();
    thread.on("error", (error) => log(`[tokui] worker thread failed: ${error?.stack ?? error}`));
    thread.on("exit", (code) => {
      thread = undefined;
      if (stopping) return;
      log(`[tokui] worker thread ended (exit code ${code}); starting it again in ${restartDelayMs / 1000} s`);
      restartTimer = setTimeout(start, restartDelayMs);
      restartTimer.unref();
    });
  };
  start();
  return {
    /** How many times a thread was started (the first one included). */
    get starts() {
      return starts;
    },
    get thread() {
      return thread;
    },
    /** Ask the thread to finish the jobs in hand and end; resolves true once it has ended. */
    stop() {
      stopping = true;
      clearTimeout(restartTimer);
      return new Promise((resolve) => {
        if (!thread) return resolve(true);
        const ending = thread;
        const timer = setTimeout(() => resolve(false), stopTimeoutMs);
        ending.once("exit", () => {
          clearTimeout(timer);
          resolve(true);
        });
        ending.postMessage("stop");
      });
    },
  };
}
