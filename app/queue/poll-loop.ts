import { BroadcastChannel } from "node:worker_threads";
import { LANES, type JobHandlers, type JobQueue } from "./types";

/**
 * Kicks across the threads of one process: with TOKUI_INLINE_WORKER=thread the web thread
 * enqueues and the worker thread runs the jobs (ADR 0029). A queue with no loops of its own
 * passes its kick on; a started queue listens. Neither end keeps the process alive.
 */
export const KICK_CHANNEL = "tokui:queue-kick";
let kickSender: BroadcastChannel | undefined;

export function kickOtherThreads(): void {
  if (!kickSender) {
    kickSender = new BroadcastChannel(KICK_CHANNEL);
    kickSender.unref();
  }
  kickSender.postMessage(null);
}

/** Calls `kick` whenever another thread's queue is kicked; returns the unsubscribe. */
export function listenForKicks(kick: () => void): () => void {
  const channel = new BroadcastChannel(KICK_CHANNEL);
  channel.unref();
  channel.onmessage = () => kick();
  return () => channel.close();
}

/** The background worker of a queue: one drain() poll loop per lane, side by side. */
export function drainLoops(queue: Pick<JobQueue, "drain">, handlers: JobHandlers, pollMs: number, onError: (error: unknown) => void): PollLoop[] {
  return LANES.map(
    (lane) =>
      new PollLoop(
        async () => {
          const r = await queue.drain(handlers, lane);
          return r.done + r.retried + r.failed;
        },
        pollMs,
        onError,
      ),
  );
}

/**
 * The background worker of both queues: run a pass over due jobs, again at once while passes
 * find work, otherwise every `pollMs`; kick() asks for a pass now. One pass at a time.
 */
export class PollLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private kicked = false;

  constructor(
    /** Runs the due jobs; returns how many it handled. */
    private readonly pass: () => Promise<number>,
    private readonly pollMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) this.kicked = true; // look again as soon as the current pass ends
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delay: number) {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delay);
    // The worker never keeps the process alive on its own: when the HTTP server closes on
    // SIGTERM, the process ends after the pass in flight (jobs left are durable).
    this.timer.unref();
  }

  private async tick() {
    if (this.stopped || this.running) return;
    let found = 0;
    this.running = this.pass().then(
      (n) => void (found = n),
      (error: unknown) => this.onError(error),
    );
    await this.running;
    this.running = undefined;
    if (this.stopped) return;
    const again = this.kicked || found > 0;
    this.kicked = false;
    this.schedule(again ? 0 : this.pollMs);
  }
}
