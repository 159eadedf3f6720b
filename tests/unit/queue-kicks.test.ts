/**
 * Kicks across threads (app/queue/poll-loop.ts, ADR 0029): with TOKUI_INLINE_WORKER=thread the
 * web thread's queue has no worker of its own, so its kick must reach the worker thread's queue,
 * or a new webhook waits for the next poll. A real worker thread, a real BroadcastChannel.
 */
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { KICK_CHANNEL, kickOtherThreads, listenForKicks } from "~/queue/poll-loop";
import { SqliteJobQueue } from "~/queue/sqlite-queue.server";

const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
});

/** A thread that listens on `channel` and reports each message, then can post one itself. */
function thread(channel: string): Worker {
  const worker = new Worker(
    `const { parentPort, BroadcastChannel } = require("node:worker_threads");
     const channel = new BroadcastChannel(${JSON.stringify(channel)});
     channel.onmessage = () => parentPort.postMessage("kicked");
     parentPort.on("message", (m) => { if (m === "kick") channel.postMessage(null); });
     parentPort.postMessage("listening");`,
    { eval: true },
  );
  workers.push(worker);
  return worker;
}

const next = (worker: Worker, expected: string) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${expected}" from the thread`)), 5000);
    worker.on("message", (message) => {
      if (message !== expected) return;
      clearTimeout(timer);
      resolve();
    });
  });

describe("queue kicks between threads", () => {
  it("a kick on this thread reaches a listener on another thread", async () => {
    const worker = thread(KICK_CHANNEL);
    await next(worker, "listening");
    const kicked = next(worker, "kicked");
    kickOtherThreads();
    await kicked;
  });

  it("a queue with no worker of its own (the web thread's) passes its kick on to the worker thread", async () => {
    const worker = thread(KICK_CHANNEL);
    await next(worker, "listening");
    const kicked = next(worker, "kicked");
    new SqliteJobQueue({} as never).kick(); // kick() touches no database
    await kicked;
  });

  it("a kick from another thread calls this thread's listener, until it unsubscribes", async () => {
    let kicks = 0;
    const stop = listenForKicks(() => kicks++);
    const worker = thread(KICK_CHANNEL);
    await next(worker, "listening");
    worker.postMessage("kick");
    for (let waited = 0; kicks === 0 && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    expect(kicks).toBe(1);

    stop();
    // A second listener, subscribed now, sees the next kicks: by then the first would have too.
    let later = 0;
    const probe = listenForKicks(() => later++);
    worker.postMessage("kick");
    worker.postMessage("kick");
    for (let waited = 0; later < 2 && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    probe();
    expect(later).toBe(2);
    expect(kicks).toBe(1);
  });
});
