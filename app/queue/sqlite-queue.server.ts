import { logger } from "../logger.server";
import { drainLoops, kickOtherThreads, listenForKicks, type PollLoop } from "./poll-loop";
import { sqlExecute, sqlQuery, type PrismaClient, type Tx } from "../db.server";
import { sqliteDateTime, type SqliteConnection } from "../db/sqlite-writer.server";
import { jsonList, jsonRowsParam, jsonRowsSource, timestampLiteral } from "../db/json-rows";
import {
  EveryJobError,
  MAX_ATTEMPTS,
  RetryableJobError,
  backoffMs,
  isRetryable,
  queuesOf,
  type DrainResult,
  type JobHandlers,
  type Lane,
  type JobQueue,
  type JobRequest,
  type QueueName,
} from "./types";

const LEASE_MS = 5 * 60 * 1000;
const POLL_MS = 1000;
// Jobs per claim. A claimed job's lease (5 min) runs while the jobs before it are handled, and a
// batch path holds the write lock while it works, so claims stay small; 50 rather than 20 spreads
// a pass's fixed cost (claim, shop context, commits) over more webhooks: bench:ingest with
// `tokui worker` processed ~730 instead of ~640 orders/s, ack p99 at 500 requests/s unchanged
// (100 was slower and raised it).
const BATCH = 50;

/**
 * The queue for the embedded SQLite default: rows in the Job table, one worker loop in the
 * app process. A job left "running" by a crash is taken again once its lease expires.
 */
/**
 * Insert jobs without a singleton key through a direct connection (SqliteWriter), inside the
 * caller's transaction there — the same rows enqueue() writes through Prisma.
 */
export function insertJobRows(connection: SqliteConnection, jobs: JobRequest[], now: Date): void {
  const insert = connection.prepare(
    'INSERT INTO "Job" ("shop", "queue", "payload", "runAt", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)',
  );
  const at = sqliteDateTime(now);
  for (const job of jobs) {
    if (job.singletonKey) throw new Error("insertJobRows: singleton jobs go through enqueue()");
    insert.run(job.shop, job.queue, JSON.stringify(job.data), job.startAfter ? sqliteDateTime(job.startAfter) : at, at, at);
  }
}

const JOB_COLUMNS = { shop: "text", queue: "text", payload: "text", singletonKey: "text", runAt: "timestamp" } as const;

export class SqliteJobQueue implements JobQueue {
  private loops: PollLoop[] = [];
  private stopListening: (() => void) | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly log: (message: string) => void = (m) => logger.warn(m),
  ) {}

  async enqueue(tx: Tx, ...jobs: JobRequest[]): Promise<void> {
    const keys = jobs.flatMap((j) => (j.singletonKey ? [j.singletonKey] : []));
    // A job whose singleton key already waits is dropped; so is a second one in this call.
    const waiting = new Set(
      keys.length === 0
        ? []
        : (
            // One JSON parameter however many keys (an import refreshes thousands of customers).
            await sqlQuery<{ queue: string; singletonKey: string }>(
              tx,
              `SELECT "queue", "singletonKey" FROM "Job" WHERE "status" = 'queued' AND "singletonKey" IN ${jsonList("sqlite", "text", 1)}`,
              JSON.stringify(keys),
            )
          ).map((j) => `${j.queue}|${j.singletonKey}`),
    );
    const fresh = jobs.filter((j) => {
      if (!j.singletonKey) return true;
      const key = `${j.queue}|${j.singletonKey}`;
      if (waiting.has(key)) return false;
      waiting.add(key);
      return true;
    });
    if (fresh.length === 0) return;
    // One statement for any number of jobs (an import queues thousands of rank syncs).
    const now = new Date();
    const j = jsonRowsSource("sqlite", JOB_COLUMNS, "j", 1);
    await sqlExecute(
      tx,
      `INSERT INTO "Job" ("shop", "queue", "payload", "singletonKey", "runAt", "createdAt", "updatedAt")
       SELECT ${["shop", "queue", "payload", "singletonKey", "runAt"].map(j.col).join(", ")}, ${timestampLiteral("sqlite", now)}, ${timestampLiteral("sqlite", now)}
       FROM ${j.from}`,
      jsonRowsParam(
        "sqlite",
        JOB_COLUMNS,
        fresh.map((job) => ({ ...job, payload: JSON.stringify(job.data), runAt: job.startAfter ?? now })),
      ),
    );
  }

  async start(handlers: JobHandlers): Promise<void> {
    if (this.loops.length === 0) this.loops = drainLoops(this, handlers, POLL_MS, (error) => this.log(`[queue] worker pass failed: ${String(error)}`));
    for (const loop of this.loops) loop.start();
    this.stopListening ??= listenForKicks(() => this.kick());
  }

  /** Run due jobs now: this queue's worker, or the one on the worker thread (ADR 0029). */
  kick(): void {
    if (this.loops.length === 0) kickOtherThreads();
    for (const loop of this.loops) loop.kick();
  }

  async drain(handlers: JobHandlers, lane?: Lane): Promise<DrainResult> {
    const total: DrainResult = { done: 0, retried: 0, failed: 0 };
    for (;;) {
      const pass = await this.runDueJobs(handlers, lane);
      total.done += pass.done;
      total.retried += pass.retried;
      total.failed += pass.failed;
      if (pass.done + pass.retried + pass.failed === 0) return total;
    }
  }

  async counts(): Promise<Record<string, number>> {
    const rows = await this.prisma.job.groupBy({ by: ["queue", "status"], _count: { _all: true } });
    // "waiting" for queued jobs, as pg-boss's counts say.
    return Object.fromEntries(rows.map((r) => [`${r.queue}:${r.status === "queued" ? "waiting" : r.status}`, r._count._all]));
  }

  async stop(): Promise<void> {
    this.stopListening?.();
    this.stopListening = undefined;
    await Promise.all(this.loops.map((loop) => loop.stop()));
  }

  /** Claim a batch of due jobs, run them, record the outcome of each. */
  private async runDueJobs(handlers: JobHandlers, lane?: Lane): Promise<DrainResult> {
    const now = new Date();
    const claimed = await this.prisma.$transaction(async (tx) => {
      const due = await tx.job.findMany({
        where: {
          ...(lane ? { queue: { in: queuesOf(lane) } } : {}),
          OR: [
            { status: "queued", runAt: { lte: now } },
            { status: "running", lockedUntil: { lt: now } },
          ],
        },
        orderBy: { id: "asc" },
        take: BATCH,
      });
      if (due.length === 0) return due;
      await tx.job.updateMany({
        where: { id: { in: due.map((j) => j.id) } },
        data: { status: "running", lockedUntil: new Date(now.getTime() + LEASE_MS), attempts: { increment: 1 } },
      });
      return due;
    });

    const result: DrainResult = { done: 0, retried: 0, failed: 0 };
    const info = (job: (typeof claimed)[number]) => ({
      queue: job.queue as QueueName,
      shop: job.shop,
      data: JSON.parse(job.payload) as JobRequest["data"],
      attempt: job.attempts + 1,
    });
    let single = claimed;
    for (const queue of new Set(claimed.map((j) => j.queue as QueueName))) {
      const batch = handlers[queue].batch;
      const jobs = claimed.filter((j) => j.queue === queue);
      if (!batch || jobs.length < 2) continue;
      try {
        await batch(jobs.map(info));
        await this.prisma.job.updateMany({ where: { id: { in: jobs.map((j) => j.id) } }, data: { status: "done", lockedUntil: null, lastError: null } });
        result.done += jobs.length;
        single = single.filter((j) => j.queue !== queue);
      } catch (error) {
        if (error instanceof EveryJobError) {
          await this.recordFailure(jobs, error.outcome, result);
          single = single.filter((j) => j.queue !== queue);
        } else {
          this.log(`[queue] ${queue} batch of ${jobs.length} failed, running them one by one: ${String(error)}`);
        }
      }
    }
    for (const job of single) {
      try {
        await handlers[job.queue as QueueName](info(job));
        // updateMany: a job may have deleted its own row (shop/redact removes the shop's jobs).
        await this.prisma.job.updateMany({ where: { id: job.id }, data: { status: "done", lockedUntil: null, lastError: null } });
        result.done++;
      } catch (error) {
        await this.recordFailure([job], error, result);
      }
    }
    return result;
  }

  /**
   * Claimed jobs threw `error`: retry each later, or give up when retrying cannot help. Jobs
   * with the same outcome (all of an EveryJobError batch, usually) share one UPDATE.
   */
  private async recordFailure(jobs: { id: number; queue: string; attempts: number }[], error: unknown, result: DrainResult): Promise<void> {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const byAttempt = new Map<number, number[]>();
    for (const job of jobs) byAttempt.set(job.attempts + 1, [...(byAttempt.get(job.attempts + 1) ?? []), job.id]);
    for (const [attempt, ids] of byAttempt) {
      const giveUp = attempt >= MAX_ATTEMPTS || !isRetryable(error);
      const delay = error instanceof RetryableJobError && error.retryAfterMs !== undefined ? error.retryAfterMs : backoffMs(attempt);
      await this.prisma.job.updateMany({
        where: { id: { in: ids } },
        data: giveUp
          ? { status: "failed", lockedUntil: null, lastError: message }
          : { status: "queued", lockedUntil: null, lastError: message, runAt: new Date(Date.now() + delay) },
      });
      this.log(`[queue] ${jobs[0]!.queue} job${ids.length > 1 ? "s" : ""} ${ids.join(", ")} attempt ${attempt} ${giveUp ? "failed for good" : "will retry"}: ${message}`);
      if (giveUp) result.failed += ids.length;
      else result.retried += ids.length;
    }
  }
}
