/**
 * The job worker on a thread of the web process (TOKUI_INLINE_WORKER=thread, ADR 0029): the
 * same worker as `tokui worker`, with its own event loop and its own database connection, so
 * webhook acknowledgements and page loads on the main thread never wait behind a job's
 * JavaScript, and a two-core machine uses both cores with a single `npm start`.
 *
 * scripts/worker-thread.mjs loads the server build on the thread and calls runWorkerThread;
 * scripts/serve.mjs starts it, restarts it if it dies and stops it on SIGTERM ("stop" message:
 * the jobs in hand finish, then the thread ends). The main thread's queue wakes it when it
 * enqueues (queue kick, app/queue/poll-loop.ts), as the inline worker is woken.
 */
import { parentPort } from "node:worker_threads";
import { createDatabase } from "./db.server";
import { createAppContext } from "./context.server";
import { logger } from "./logger.server";

export async function runWorkerThread(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error("runWorkerThread runs on a worker thread (scripts/worker-thread.mjs)");
  const db = createDatabase();
  const context = await createAppContext(db, { startWorker: true });
  port.on("message", (message: unknown) => {
    if (message !== "stop") return;
    void (async () => {
      try {
        await context.queue.stop();
        await context.walCheckpoints?.stop();
        // Pooled SMTP connections say QUIT rather than being cut (ADR 0020).
        const { closeMailTransports } = await import("./mail/transport.server");
        closeMailTransports();
        await db.prisma.$disconnect();
      } catch (error) {
        logger.error("worker thread: stopping failed", { error: String(error) });
      } finally {
        port.close(); // nothing else holds the thread: it ends
      }
    })();
  });
  port.postMessage("ready");
}
