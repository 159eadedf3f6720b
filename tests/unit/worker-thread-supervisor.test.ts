/**
 * The worker thread of `npm start` with TOKUI_INLINE_WORKER=thread (scripts/serve.mjs) is started
 * again after it dies, and stops when asked: run on real threads with a stand-in worker script.
 */
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { superviseWorkerThread } from "../../scripts/worker-thread-supervisor.mjs";

const FLAKY = new URL("../fixtures/threads/flaky-worker.mjs", import.meta.url);

interface Supervisor {
  readonly starts: number;
  readonly thread: Worker | undefined;
  stop(): Promise<boolean>;
}

/** A supervisor of the stand-in, whose first `crashes` threads die at once; `ready` resolves with the first that stays. */
function supervise(crashes: number, lines: string[]): { supervisor: Supervisor; ready: Promise<Worker> } {
  let start = 0;
  let resolveReady!: (thread: Worker) => void;
  const ready = new Promise<Worker>((resolve) => (resolveReady = resolve));
  const supervisor = superviseWorkerThread(
    () => {
      const thread = new Worker(FLAKY, { workerData: { start: ++start, crashes } });
      thread.once("message", (message) => message === "ready" && resolveReady(thread));
      return thread;
    },
    { restartDelayMs: 20, log: (line: string) => lines.push(line) },
  ) as Supervisor;
  return { supervisor, ready };
}

describe("the worker thread supervisor", () => {
  it("starts a thread that died again, each time, and logs why", async () => {
    const lines: string[] = [];
    const { supervisor, ready } = supervise(2, lines);
    await ready;
    expect(supervisor.starts).toBe(3);
    expect(lines).toEqual([
      "[tokui] worker thread ended (exit code 3); starting it again in 0.02 s",
      "[tokui] worker thread ended (exit code 3); starting it again in 0.02 s",
    ]);
    expect(await supervisor.stop()).toBe(true);
  });

  it("stops the thread when asked and does not start it again", async () => {
    const lines: string[] = [];
    const { supervisor, ready } = supervise(0, lines);
    const thread = await ready;
    const exited = once(thread, "exit");
    expect(await supervisor.stop()).toBe(true);
    await exited;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(supervisor.starts).toBe(1);
    expect(supervisor.thread).toBeUndefined();
    expect(lines).toEqual([]);
  });
});
