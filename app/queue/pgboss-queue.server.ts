import PgBoss from "pg-boss";
import type { Database, Tx } from "../db.server";
import { logger } from "../logger.server";
import {
  MAX_ATTEMPTS,
  type DrainResult,
  type JobHandlers,
  type JobInfo,
  type JobQueue,
  type JobRequest,
  type QueueName,
} from "./types";

const QUEUES: Record<QueueName, PgBoss.Queue> = {
  // Every event is processed; retries with exponential backoff.
  webhook: { name: "webhook", policy: "standard", retryLimit: MAX_ATTEMPTS, retryDelay: 2, retryBackoff: true },
  // "stately": at most one waiting job per customer; the handler reads the customer's current
  // state, so one run after the last change is enough.
  "rank-sync": { name: "rank-sync", policy: "stately", retryLimit: MAX_ATTEMPTS, retryDelay: 2, retryBackoff: true },
};

type BossData = JobRequest["data"] & { __shop: string };

/**
 * PostgreSQL: pg-boss (SELECT … FOR UPDATE SKIP LOCKED underneath), so any number of app
 * instances drain the same queues and no job runs twice at once. Jobs are inserted through the
 * caller's Prisma transaction (pg-boss's `db` option), keeping the outbox transactional.
 */
export class PgBossJobQueue implements JobQueue {
  private started = false;

  private constructor(private readonly boss: PgBoss) {}

  static async create(db: Database): Promise<PgBossJobQueue> {
    const boss = new PgBoss({ connectionString: db.url, schema: "pgboss", max: 4, supervise: true });
    boss.on("error", (error) => logger.error("pg-boss error", { error: String(error) }));
    await boss.start();
    for (const queue of Object.values(QUEUES)) {
      if (!(await boss.getQueue(queue.name))) await boss.createQueue(queue.name, queue);
    }
    return new PgBossJobQueue(boss);
  }

  async enqueue(tx: Tx, job: JobRequest): Promise<void> {
    const data: BossData = { ...job.data, __shop: job.shop };
    await this.boss.send(job.queue, data, {
      ...(job.singletonKey ? { singletonKey: job.singletonKey } : {}),
      ...(job.startAfter ? { startAfter: job.startAfter } : {}),
      db: {
        executeSql: async (text: string, values: unknown[]) => ({
          rows: await tx.$queryRawUnsafe<unknown[]>(text, ...values.map(toSqlParameter)),
        }),
      },
    });
  }

  async start(handlers: JobHandlers): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const name of Object.keys(QUEUES) as QueueName[]) {
      await this.boss.work<BossData>(
        name,
        { batchSize: 1, pollingIntervalSeconds: 0.5, includeMetadata: true },
        async ([job]) => {
          if (job) await handlers[name](toJobInfo(name, job.data, job.retryCount + 1));
        },
      );
    }
  }

  kick(): void {
    // pg-boss polls every 0.5 s; nothing to nudge.
  }

  async drain(handlers: JobHandlers): Promise<DrainResult> {
    const result: DrainResult = { done: 0, retried: 0, failed: 0 };
    for (;;) {
      let found = 0;
      for (const name of Object.keys(QUEUES) as QueueName[]) {
        const jobs = await this.boss.fetch<BossData>(name, { batchSize: 50, includeMetadata: true });
        for (const job of jobs) {
          found++;
          try {
            await handlers[name](toJobInfo(name, job.data, job.retryCount + 1));
            await this.boss.complete(name, job.id);
            result.done++;
          } catch (error) {
            await this.boss.fail(name, job.id, { message: String(error) });
            if (job.retryCount + 1 >= job.retryLimit) result.failed++;
            else result.retried++;
          }
        }
      }
      if (found === 0) return result;
    }
  }

  async counts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const name of Object.keys(QUEUES)) {
      counts[`${name}:waiting`] = await this.boss.getQueueSize(name);
    }
    return counts;
  }

  async stop(): Promise<void> {
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
