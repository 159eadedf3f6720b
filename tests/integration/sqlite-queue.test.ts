/**
 * The SQLite job queue's own statements (app/queue/sqlite-queue.server.ts, ADR 0031): a claim is
 * one UPDATE … RETURNING, so jobs run in the order they were enqueued, at most a batch at a
 * time, and two workers on one file (two connections, as two processes would have) never take
 * the same job. Outcomes: done, retried later, failed for good. SQLite only (PostgreSQL runs
 * pg-boss).
 */
import { afterEach, describe, expect, it } from "vitest";
import { createDatabase, sqlQuery, sqlQueryNoSync } from "~/db.server";
import { SqliteJobQueue } from "~/queue/sqlite-queue.server";
import { PermanentJobError, QUEUE_LANES, RetryableJobError, type JobHandler, type JobHandlers, type JobInfo, type QueueName } from "~/queue/types";
import { app } from "../helpers/app";
import { TEST_SHOP } from "../helpers/shopify";

const DB_KIND = process.env.TOKUI_TEST_DB ?? "sqlite";

/** Handlers for every queue; `run` decides what each job does. */
function handlers(run: (job: JobInfo) => Promise<void>): JobHandlers {
  return Object.fromEntries((Object.keys(QUEUE_LANES) as QueueName[]).map((queue) => [queue, run as JobHandler])) as JobHandlers;
}

afterEach(async () => {
  const { prisma } = await app();
  await prisma.job.deleteMany();
});

describe.runIf(DB_KIND === "sqlite")("SQLite job queue", () => {
  async function enqueue(count: number, queue: QueueName = "flow-trigger") {
    const { prisma, queue: jobs } = await app();
    const requests = Array.from({ length: count }, (_, n) => ({ queue, shop: TEST_SHOP, data: { n } }));
    await prisma.$transaction((tx) => jobs.enqueue(tx, ...requests));
  }

  it("runs jobs in the order they were enqueued, first attempt, and marks each done", async () => {
    const { prisma } = await app();
    await enqueue(120);
    const queue = new SqliteJobQueue(prisma, () => undefined);
    const seen: { n: unknown; attempt: number }[] = [];
    const result = await queue.drain(handlers(async (job) => void seen.push({ n: job.data.n, attempt: job.attempt })));
    expect(result).toEqual({ done: 120, retried: 0, failed: 0 });
    expect(seen.map((s) => s.n)).toEqual(Array.from({ length: 120 }, (_, n) => n));
    expect(new Set(seen.map((s) => s.attempt))).toEqual(new Set([1]));
    const rows = await prisma.job.findMany();
    expect(rows.every((r) => r.status === "done" && r.attempts === 1 && r.lockedUntil === null && r.lastError === null)).toBe(true);
  });

  it("takes at most 50 jobs per claim, leaving the rest queued", async () => {
    const { prisma } = await app();
    await enqueue(70);
    const queue = new SqliteJobQueue(prisma, () => undefined);
    let running = -1;
    await queue.drain(
      handlers(async () => {
        if (running === -1) running = await prisma.job.count({ where: { status: "running" } });
      }),
    );
    expect(running).toBe(50);
  });

  it("two workers on one database file never run the same job", async () => {
    const { db } = await app();
    await enqueue(300);
    const other = createDatabase(db.url); // a second connection, as a second process would have
    try {
      const runs = new Map<unknown, number>();
      const run = async (job: JobInfo) => {
        runs.set(job.data.n, (runs.get(job.data.n) ?? 0) + 1);
        await new Promise((resolve) => setImmediate(resolve)); // let the other worker claim meanwhile
      };
      const [a, b] = await Promise.all([
        new SqliteJobQueue(db.prisma, () => undefined).drain(handlers(run)),
        new SqliteJobQueue(other.prisma, () => undefined).drain(handlers(run)),
      ]);
      expect(a.done + b.done).toBe(300);
      expect(a.done).toBeGreaterThan(0);
      expect(b.done).toBeGreaterThan(0);
      expect(runs.size).toBe(300);
      expect([...runs.values()].every((count) => count === 1)).toBe(true);
    } finally {
      await other.prisma.$disconnect();
    }
  });

  it("retries a retryable failure later and gives up on a permanent one, with the reason", async () => {
    const { prisma } = await app();
    await enqueue(2);
    const queue = new SqliteJobQueue(prisma, () => undefined);
    const before = Date.now();
    const result = await queue.drain(
      handlers(async (job) => {
        if (job.data.n === 0) throw new RetryableJobError("THROTTLED", 60_000);
        throw new PermanentJobError("no offline session");
      }),
    );
    expect(result).toEqual({ done: 0, retried: 1, failed: 1 });
    const [retried, failed] = await prisma.job.findMany({ orderBy: { id: "asc" } });
    expect(retried).toMatchObject({ status: "queued", attempts: 1, lockedUntil: null, lastError: "RetryableJobError: THROTTLED" });
    expect(retried!.runAt.getTime()).toBeGreaterThanOrEqual(before + 60_000);
    expect(failed).toMatchObject({ status: "failed", attempts: 1, lockedUntil: null, lastError: "PermanentJobError: no offline session" });
    // Not due yet: a second drain leaves it alone.
    expect(await queue.drain(handlers(async () => undefined))).toEqual({ done: 0, retried: 0, failed: 0 });
  });
});

describe.runIf(DB_KIND === "sqlite")("queue bookkeeping without waiting for the disk (ADR 0034)", () => {
  const synchronous = async (run: (sql: string) => Promise<{ synchronous: bigint | number }[]>) =>
    Number((await run("SELECT synchronous FROM pragma_synchronous"))[0]!.synchronous);

  it("runs its statement with synchronous NORMAL and puts FULL back", async () => {
    const { prisma } = await app();
    expect(await synchronous((sql) => sqlQuery(prisma, sql))).toBe(2); // FULL, as prepareDatabase sets it
    expect(await synchronous((sql) => sqlQueryNoSync(prisma, sql))).toBe(1); // NORMAL for this one
    expect(await synchronous((sql) => sqlQuery(prisma, sql))).toBe(2);
  });

  it("puts FULL back when the statement fails", async () => {
    const { prisma } = await app();
    await expect(sqlQueryNoSync(prisma, 'UPDATE "NoSuchTable" SET x = 1')).rejects.toThrow(/no such table/);
    expect(await synchronous((sql) => sqlQuery(prisma, sql))).toBe(2);
  });

  it("leaves the connection at FULL while a job runs: the job's own writes wait for the disk", async () => {
    const { prisma } = await app();
    await prisma.$transaction((tx) => new SqliteJobQueue(prisma, () => undefined).enqueue(tx, { queue: "flow-trigger", shop: TEST_SHOP, data: { n: 1 } }));
    const seen: number[] = [];
    const queue = new SqliteJobQueue(prisma, () => undefined);
    await queue.drain(
      handlers(async () => {
        // Inside a job, the connection is back to FULL: the job's own writes wait for the disk.
        seen.push(await synchronous((sql) => sqlQuery(prisma, sql)));
      }),
    );
    expect(seen).toEqual([2]);
    expect(await prisma.job.findFirst({ select: { status: true } })).toEqual({ status: "done" });
  });
});
