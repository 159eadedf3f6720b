import type { Tx } from "../db.server";

/**
 * A durable job queue. Jobs are enqueued inside the caller's database transaction, so a job
 * exists exactly when the data it is about does (the transactional outbox). SQLite runs a
 * table-backed queue in one process; PostgreSQL runs pg-boss so that several app instances
 * never run one job twice (docs/decisions/0004-job-queue.md).
 */
export type QueueName = "webhook" | "rank-sync" | "reward" | "recompute" | "tag-sync" | "backfill" | "rfm-refresh" | "flow-trigger" | "consent-sync" | "followup-plan" | "followup-send";

/**
 * The worker drains its queues in three lanes that run side by side, so that nothing slow holds
 * up webhook processing (ADR 0027):
 * - "ingest": the webhooks, which the thank-you page and every rank wait on;
 * - "bulk": long database work — a shop's recompute, RFM refresh or follow-up planning takes
 *   seconds to minutes on a large shop;
 * - "remote": jobs that wait on Shopify or a mail server — ~100 ms and more per request, seconds
 *   under throttling, and a history import queues a rank sync per customer.
 */
export type Lane = "ingest" | "bulk" | "remote";
export const LANES: readonly Lane[] = ["ingest", "bulk", "remote"];

/** Each queue's lane (a Record, so a new queue does not compile without one). */
export const QUEUE_LANES: Record<QueueName, Lane> = {
  webhook: "ingest",
  recompute: "bulk",
  "rfm-refresh": "bulk",
  "followup-plan": "bulk",
  "rank-sync": "remote",
  reward: "remote",
  "tag-sync": "remote",
  backfill: "remote", // polls Shopify and downloads its export
  "flow-trigger": "remote",
  "consent-sync": "remote",
  "followup-send": "remote", // SMTP
};

/** The queues a lane drains; without a lane, every queue. */
export function queuesOf(lane?: Lane): QueueName[] {
  return (Object.keys(QUEUE_LANES) as QueueName[]).filter((queue) => lane === undefined || QUEUE_LANES[queue] === lane);
}

export interface JobRequest {
  queue: QueueName;
  shop: string;
  data: Record<string, string | number | boolean | null>;
  /** At most one *waiting* job per key: a second request while one waits is dropped. */
  singletonKey?: string;
  startAfter?: Date;
}

export interface JobInfo {
  queue: QueueName;
  shop: string;
  data: JobRequest["data"];
  attempt: number;
}

export type JobHandler = ((job: JobInfo) => Promise<void>) & {
  /**
   * Optional: run several due jobs of this queue at once (e.g. webhook events in one
   * transaction). If it throws, the queue falls back to running the jobs one by one, so one
   * bad job never holds the others back — unless it throws EveryJobError.
   */
  batch?: (jobs: JobInfo[]) => Promise<void>;
};
export type JobHandlers = Record<QueueName, JobHandler>;

/** Throw from a handler for a failure worth retrying later (THROTTLED, 5xx, network). */
export class RetryableJobError extends Error {
  override name = "RetryableJobError";
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Throw from a handler when retrying cannot help (refused input, shop not installed). */
export class PermanentJobError extends Error {
  override name = "PermanentJobError";
}

/**
 * Thrown by a batch handler when one cause decides every job of the batch (the shop has no
 * offline session, say): each job gets `cause` as its own outcome (retried or failed as if it
 * had thrown it alone), and the jobs are not run again one by one.
 */
export class EveryJobError extends Error {
  override name = "EveryJobError";
  constructor(readonly outcome: Error) {
    super(outcome.message);
  }
}

/** Everything is retried except errors that say retrying cannot help. */
export function isRetryable(error: unknown): boolean {
  return !(error instanceof Error && (error.name === "PayloadError" || error.name === "PermanentJobError"));
}

export interface DrainResult {
  done: number;
  retried: number;
  failed: number;
}

export interface JobQueue {
  /** Enqueue several jobs in the caller's transaction (same rules as enqueue, fewer queries). */
  enqueue(tx: Tx, ...jobs: JobRequest[]): Promise<void>;
  /** Poll and run due jobs in the background until stop(). */
  start(handlers: JobHandlers): Promise<void>;
  /** Nudge a started worker to look for work now instead of at its next poll. */
  kick(): void;
  /** Run every job that is due now, then return (CLI, tests, benchmarks). */
  drain(handlers: JobHandlers, lane?: Lane): Promise<DrainResult>;
  /** Jobs per queue and status. */
  counts(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** Exponential backoff: 2s, 4s, 8s … capped at an hour. */
export function backoffMs(attempt: number): number {
  return Math.min(2 ** attempt * 1000, 60 * 60 * 1000);
}

/**
 * Runs of a job before it fails for good. With backoffMs, a job retries for ~5 hours on SQLite
 * (pg-boss's uncapped backoff: about a day), so a Shopify incident of a few hours loses no rank
 * sync, consent update or reward; 12 attempts at a 10-minute cap gave up after 37 minutes.
 */
export const MAX_ATTEMPTS = 16;
