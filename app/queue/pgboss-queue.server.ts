import PgBoss from "pg-boss";
import type { Database, Tx } from "../db.server";
import { logger } from "../logger.server";
import { drainLoops, kickOtherThreads, listenForKicks, type PollLoop } from "./poll-loop";
import {
  EveryJobError,
  MAX_ATTEMPTS,
  isRetryable,
  queuesOf,
  RetryableJobError,
  type DrainResult,
  type JobHandlers,
  type Lane,
  type JobInfo,
  type JobQueue,
  type JobRequest,
  type QueueName,
} from "./types";

const SCHEMA = "pgboss";
// retryLimit counts retries after the first run: MAX_ATTEMPTS runs in all, as on SQLite.
const RETRY_LIMIT = MAX_ATTEMPTS - 1;
// drain() runs a fetched batch one job at a time while pg-boss holds all of it "active": a small
// batch leaves the rest to other instances and strands less if this process dies meanwhile.
const DRAIN_BATCH = 10;
const POLL_MS = 500;

const QUEUES: Record<QueueName, PgBoss.Queue> = {
  // Every event is processed; retries with exponential backoff.
  webhook: { name: "webhook", policy: "standard", retryLimit: RETRY_LIMIT, retryDelay: 2, retryBackoff: true },
  // "stately": at most one waiting job per customer; the handler reads the customer's current
  // state, so one run after the last change is enough.
  "rank-sync": { name: "rank-sync", policy: "stately", retryLimit: RETRY_LIMIT, retryDelay: 2, retryBackoff: true },
  // One job per reward grant (singleton key = grant): tells Shopify (discount code, order tag).
  reward: { name: "reward", policy: "stately", retryLimit: RETRY_LIMIT, retryDelay: 2, retryBackoff: true },
  // One waiting recompute per shop: the run reads the tiers when it starts.
  recompute: { name: "recompute", policy: "stately", retryLimit: RETRY_LIMIT, retryDelay: 2, retryBackoff: true },
  // One batch of a tag sync run at a time (singleton key = run); each batch queues the next.
  "tag-sync": { name: "tag-sync", policy: "stately", retryLimit: RETRY_LIMIT, retryDelay: 2, retryBackoff: true },
  // The history import's job chain: the run's step and lease decide which job works
  // (app/services/backfill-run.server.ts), so a wake-up may wait beside a scheduled poll.
  backfill: { name: "backfill", policy: "standard", retryLimit: RETRY_LIMIT, retryDelay: 2, retryBackoff: true },
  // One job per Shopify Flow trigger event (rank changed, follow-up due): every event is sent.
  "flow-trigger": { name: "flow-trigger", policy: "standard", retryLimit: RETRY_LIMIT, retryDelay: 2, retryBackoff: true },
  // One waiting analytics refresh per shop (RFM scores, cohorts, product repeat rates): it reads
  // the shop's data when it runs, so one run after the last request is enough.
  "rfm-refresh": { name: "rfm-refresh", policy: "stately", retryLimit: RETRY_LIMIT, retryDelay: 2, retryBackoff: true },
  // One waiting consent update per customer (singleton key): tells Shopify the customer
  // unsubscribed (app/services/unsubscribe.server.ts); it reads the local consent when it runs.
  "consent-sync": { name: "consent-sync", policy: "stately", retryLimit: RETRY_LIMIT, retryDelay: 2, retryBackoff: true },
  // Follow-up planning per shop and sending (app/services/followup/jobs.server.ts): all their
  // state is in MailSend, so one waiting job per key is enough.
  "followup-plan": { name: "followup-plan", policy: "stately", retryLimit: RETRY_LIMIT, retryDelay: 2, retryBackoff: true },
  "followup-send": { name: "followup-send", policy: "stately", retryLimit: RETRY_LIMIT, retryDelay: 2, retryBackoff: true },
};

type BossData = JobRequest["data"] & { __shop: string };

/**
 * PostgreSQL: pg-boss (SELECT … FOR UPDATE SKIP LOCKED underneath), so any number of app
 * instances drain the same queues and no job runs twice at once. Jobs are inserted through the
 * caller's Prisma transaction (pg-boss's `db` option), keeping the outbox transactional.
 */
export class PgBossJobQueue implements JobQueue {
  private loops: PollLoop[] = [];
  private stopListening: (() => void) | undefined;

  private constructor(private readonly boss: PgBoss) {}

  static async create(db: Database): Promise<PgBossJobQueue> {
    const boss = new PgBoss({ connectionString: db.url, schema: SCHEMA, max: 4, supervise: true });
    boss.on("error", (error) => logger.error("pg-boss error", { error: String(error) }));
    await boss.start();
    for (const queue of Object.values(QUEUES)) {
      if (!(await boss.getQueue(queue.name))) await boss.createQueue(queue.name, queue);
    }
    return new PgBossJobQueue(boss);
  }

  async enqueue(tx: Tx, ...jobs: JobRequest[]): Promise<void> {
    if (jobs.length === 0) return;
    // One statement for all jobs. pg-boss's insert applies each queue's policy (a "stately"
    // queue's unique index with ON CONFLICT DO NOTHING drops a second waiting job per key) and
    // its retry settings, as send() does.
    await this.boss.insert(
      jobs.map((job) => ({
        name: job.queue,
        data: { ...job.data, __shop: job.shop } satisfies BossData,
        ...(job.singletonKey ? { singletonKey: job.singletonKey } : {}),
        ...(job.startAfter ? { startAfter: job.startAfter } : {}),
      })),
      {
        db: {
          executeSql: async (text: string, values: unknown[]) => ({
            rows: await tx.$queryRawUnsafe<unknown[]>(text, ...values.map(toSqlParameter)),
          }),
        },
      },
    );
  }

  /**
   * The background worker is our own poll loop over drain() rather than boss.work(): work()
   * waits a full polling interval after every job, which would cap a queue at 2 jobs/s.
   */
  async start(handlers: JobHandlers): Promise<void> {
    if (this.loops.length === 0) this.loops = drainLoops(this, handlers, POLL_MS, (error) => logger.error("pg-boss worker pass failed", { error: String(error) }));
    for (const loop of this.loops) loop.start();
    this.stopListening ??= listenForKicks(() => this.kick());
  }

  /** Run due jobs now: this queue's worker, or the one on the worker thread (ADR 0029). */
  kick(): void {
    if (this.loops.length === 0) kickOtherThreads();
    for (const loop of this.loops) loop.kick();
  }

  async drain(handlers: JobHandlers, lane?: Lane): Promise<DrainResult> {
    const result: DrainResult = { done: 0, retried: 0, failed: 0 };
    for (;;) {
      let found = 0;
      for (const name of queuesOf(lane)) {
        const jobs = await this.boss.fetch<BossData>(name, { batchSize: DRAIN_BATCH, includeMetadata: true });
        found += jobs.length;
        const batch = handlers[name].batch;
        if (batch && jobs.length > 1) {
          try {
            await batch(jobs.map((job) => toJobInfo(name, job.data, job.retryCount + 1)));
            await this.boss.complete(name, jobs.map((job) => job.id));
            result.done += jobs.length;
            continue;
          } catch (error) {
            if (error instanceof EveryJobError) {
              await this.recordFailure(name, jobs, error.outcome, result);
              continue;
            }
            logger.warn("batch failed, running its jobs one by one", { queue: name, jobs: jobs.length, error: String(error) });
          }
        }
        for (const job of jobs) {
          try {
            await handlers[name](toJobInfo(name, job.data, job.retryCount + 1));
            await this.boss.complete(name, job.id);
            result.done++;
          } catch (error) {
            await this.recordFailure(name, [job], error, result);
          }
        }
      }
      if (found === 0) return result;
    }
  }

  /** Fetched jobs threw `error`: pg-boss retries each, unless retrying cannot help. */
  private async recordFailure(
    name: QueueName,
    jobs: { id: string; retryCount: number; retryLimit: number }[],
    error: unknown,
    result: DrainResult,
  ): Promise<void> {
    const permanent = !isRetryable(error);
    const ids = jobs.map((job) => job.id);
    if (permanent) await this.noMoreRetries(name, ids);
    // pg-boss 10 fails a list of ids with one output (manager.js fail); its types list that form without data.
    const boss = this.boss as unknown as { fail(name: string, ids: string[], data: object): Promise<unknown> };
    await boss.fail(name, ids, { message: String(error) });
    // Shopify's Retry-After (THROTTLED, 429) or a lease's end: no sooner than that, whatever
    // pg-boss's own backoff says (the SQLite queue does the same).
    const retryAfterMs = !permanent && error instanceof RetryableJobError ? error.retryAfterMs : undefined;
    if (retryAfterMs !== undefined) {
      await this.boss
        .getDb()
        .executeSql(
          `UPDATE ${SCHEMA}.job SET start_after = GREATEST(start_after, now() + $3 * interval '1 millisecond')
           WHERE name = $1 AND id = ANY($2::uuid[]) AND state = 'retry'`,
          [name, ids, retryAfterMs],
        );
    }
    for (const job of jobs) {
      if (permanent || job.retryCount >= job.retryLimit) result.failed++;
      else result.retried++;
    }
  }

  /**
   * pg-boss retries every failed job until its retryLimit and has no "do not retry" flag; a
   * PermanentJobError must not be retried. Lowering this active job's retry limit to the
   * retries it already had makes the following fail() record it as failed for good (state
   * "failed", error in its output, dead letter queue if any) rather than schedule a retry.
   */
  private async noMoreRetries(name: QueueName, ids: string[]): Promise<void> {
    await this.boss
      .getDb()
      .executeSql(`UPDATE ${SCHEMA}.job SET retry_limit = retry_count WHERE name = $1 AND id = ANY($2::uuid[]) AND state = 'active'`, [name, ids]);
  }

  async counts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const name of Object.keys(QUEUES)) {
      counts[`${name}:waiting`] = await this.boss.getQueueSize(name);
    }
    return counts;
  }

  async stop(): Promise<void> {
    this.stopListening?.();
    this.stopListening = undefined;
    await Promise.all(this.loops.map((loop) => loop.stop()));
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }
}

function toJobInfo(queue: QueueName, data: BossData, attempt: number): JobInfo {
  const { __shop, ...rest } = data;
  return { queue, shop: __shop, data: rest, attempt };
}

// pg-boss hands node-postgres values; Prisma's raw query wants JSON as text.
function toSqlParameter(value: unknown): unknown {
  if (value !== null && typeof value === "object" && !(value instanceof Date)) return JSON.stringify(value);
  return value;
}
