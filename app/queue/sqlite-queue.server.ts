import { logger } from "../logger.server";
import { drainLoops, kickOtherThreads, listenForKicks, type PollLoop } from "./poll-loop";
import { cachedStatement, sqlQuery, sqlExecuteNoSync, sqlQueryNoSync, sqlRunEach, type PrismaClient, type Tx } from "../db.server";
import { sqliteDateTime, type SqliteConnection } from "../db/sqlite-writer.server";
import { jsonList } from "../db/json-rows";
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
  const insert = cachedStatement(
    connection,
    'INSERT INTO "Job" ("shop", "queue", "payload", "runAt", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)',
  );
  const at = sqliteDateTime(now);
  for (const job of jobs) {
    if (job.singletonKey) throw new Error("insertJobRows: singleton jobs go through enqueue()");
    insert.run(job.shop, job.queue, JSON.stringify(job.data), job.startAfter ? sqliteDateTime(job.startAfter) : at, at, at);
  }
}

/** A claimed job; `attempts` counts this run. */
interface ClaimedJob {
  id: number;
  shop: string;
  queue: string;
  payload: string;
  attempts: number;
}

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
    // A prepared INSERT per job (an import queues thousands of rank syncs): no JSON to build.
    const at = sqliteDateTime(new Date());
    await sqlRunEach(
      tx,
      'INSERT INTO "Job" ("shop", "queue", "payload", "singletonKey", "runAt", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?)',
      fresh.map((job) => [job.shop, job.queue, JSON.stringify(job.data), job.singletonKey ?? null, job.startAfter ? sqliteDateTime(job.startAfter) : at, at, at]),
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

  /**
   * Take up to BATCH due jobs (queued and due, or running with an expired lease), oldest first:
   * one UPDATE … RETURNING, atomic on its own, so no transaction is needed and two workers on one
   * file never take the same job. Hand-written rather than through Prisma: its query compiler
   * spent ~0.7 ms per claim building a plan for these two statements, and every kick claims on
   * each lane (ADR 0031).
   */
  private async claim(now: Date, lane?: Lane): Promise<ClaimedJob[]> {
    const queues = lane ? ` AND "queue" IN ${jsonList("sqlite", "text", 1)}` : "";
    const at = sqliteDateTime(now);
    const rows = await sqlQueryNoSync<{ id: bigint | number; shop: string; queue: string; payload: string; attempts: bigint | number }>(
      this.prisma,
      `UPDATE "Job" SET "status" = 'running', "lockedUntil" = ?, "attempts" = "attempts" + 1, "updatedAt" = ?
       WHERE "id" IN (
         SELECT "id" FROM "Job"
         WHERE (("status" = 'queued' AND "runAt" <= ?) OR ("status" = 'running' AND "lockedUntil" < ?))${queues}
         ORDER BY "id" LIMIT ${BATCH}
       )
       RETURNING "id", "shop", "queue", "payload", "attempts"`,
      sqliteDateTime(new Date(now.getTime() + LEASE_MS)),
      at,
      at,
      at,
      ...(lane ? [JSON.stringify(queuesOf(lane))] : []),
    );
    // RETURNING gives no order: run them in the order they were enqueued.
    return rows
      .map((r) => ({ id: Number(r.id), shop: r.shop, queue: r.queue, payload: r.payload, attempts: Number(r.attempts) }))
      .sort((a, b) => a.id - b.id);
  }

  private async markDone(ids: number[]): Promise<void> {
    await sqlExecuteNoSync(
      this.prisma,
      `UPDATE "Job" SET "status" = 'done', "lockedUntil" = NULL, "lastError" = NULL, "updatedAt" = ? WHERE "id" IN ${jsonList("sqlite", "int", 1)}`,
      sqliteDateTime(new Date()),
      JSON.stringify(ids),
    );
  }

  /** Claim a batch of due jobs, run them, record the outcome of each. */
  private async runDueJobs(handlers: JobHandlers, lane?: Lane): Promise<DrainResult> {
    const now = new Date();
    const claimed = await this.claim(now, lane);
    const result: DrainResult = { done: 0, retried: 0, failed: 0 };
    const info = (job: (typeof claimed)[number]) => ({
      queue: job.queue as QueueName,
      shop: job.shop,
      data: JSON.parse(job.payload) as JobRequest["data"],
      attempt: job.attempts,
    });
    let single = claimed;
    for (const queue of new Set(claimed.map((j) => j.queue as QueueName))) {
      const batch = handlers[queue].batch;
      const jobs = claimed.filter((j) => j.queue === queue);
      if (!batch || jobs.length < 2) continue;
      try {
        await batch(jobs.map(info));
        await this.markDone(jobs.map((j) => j.id));
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
        // A job may have deleted its own row (shop/redact removes the shop's jobs): no error then.
        await this.markDone([job.id]);
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
  private async recordFailure(jobs: ClaimedJob[], error: unknown, result: DrainResult): Promise<void> {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const byAttempt = new Map<number, number[]>();
    for (const job of jobs) byAttempt.set(job.attempts, [...(byAttempt.get(job.attempts) ?? []), job.id]);
    for (const [attempt, ids] of byAttempt) {
      const giveUp = attempt >= MAX_ATTEMPTS || !isRetryable(error);
      const delay = error instanceof RetryableJobError && error.retryAfterMs !== undefined ? error.retryAfterMs : backoffMs(attempt);
      const at = sqliteDateTime(new Date());
      if (giveUp) {
        await sqlExecuteNoSync(
          this.prisma,
          `UPDATE "Job" SET "status" = 'failed', "lockedUntil" = NULL, "lastError" = ?, "updatedAt" = ? WHERE "id" IN ${jsonList("sqlite", "int", 1)}`,
          message,
          at,
          JSON.stringify(ids),
        );
      } else {
        await sqlExecuteNoSync(
          this.prisma,
          `UPDATE "Job" SET "status" = 'queued', "lockedUntil" = NULL, "lastError" = ?, "runAt" = ?, "updatedAt" = ? WHERE "id" IN ${jsonList("sqlite", "int", 1)}`,
          message,
          sqliteDateTime(new Date(Date.now() + delay)),
          at,
          JSON.stringify(ids),
        );
      }
      this.log(`[queue] ${jobs[0]!.queue} job${ids.length > 1 ? "s" : ""} ${ids.join(", ")} attempt ${attempt} ${giveUp ? "failed for good" : "will retry"}: ${message}`);
      if (giveUp) result.failed += ids.length;
      else result.retried += ids.length;
    }
  }
}
