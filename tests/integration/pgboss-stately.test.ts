/**
 * pg-boss's "stately" queues (rank-sync and the other per-key queues) with a key already running:
 * another instance must still get every other key's jobs at once. Unpatched pg-boss 10.4.2 tries
 * to set the key's waiting job active too, hits the stately unique index, swallows the error and
 * returns no job at all, so the whole queue waits until the running job ends (ADR 0037,
 * patches/pg-boss+10.4.2.patch). PostgreSQL only (SQLite has its own queue, one instance).
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { createDatabase } from "~/db.server";
import { createJobQueue } from "~/queue/create-queue.server";
import { QUEUE_LANES, RetryableJobError, type JobHandler, type JobHandlers, type JobInfo, type JobQueue, type QueueName } from "~/queue/types";
import { app } from "../helpers/app";
import { TEST_SHOP } from "../helpers/shopify";

const DB_KIND = process.env.TOKUI_TEST_DB ?? "sqlite";
const X = 9101;
const Y = 9102;

/** Handlers for every queue; `run` decides what each job does. */
function handlers(run: (job: JobInfo) => Promise<void>): JobHandlers {
  return Object.fromEntries((Object.keys(QUEUE_LANES) as QueueName[]).map((queue) => [queue, run as JobHandler])) as JobHandlers;
}

async function enqueueSync(queue: JobQueue, customerId: number) {
  const { prisma } = await app();
  await prisma.$transaction((tx) => queue.enqueue(tx, { queue: "rank-sync", shop: TEST_SHOP, data: { customerId }, singletonKey: `${TEST_SHOP}:${customerId}` }));
}

/** The rank-sync jobs' states per customer, e.g. { 9101: ["active", "created"] }. */
async function states(): Promise<Record<number, string[]>> {
  const { prisma } = await app();
  const rows = await prisma.$queryRawUnsafe<{ customer: number; state: string }[]>(
    `SELECT (data->>'customerId')::int AS customer, state::text AS state FROM pgboss.job WHERE name = 'rank-sync' ORDER BY 1, 2`,
  );
  const result: Record<number, string[]> = {};
  for (const row of rows) (result[row.customer] ??= []).push(row.state);
  return result;
}

beforeEach(async () => {
  const { db, prisma } = await app();
  if (db.kind === "postgresql") await prisma.$executeRawUnsafe("DELETE FROM pgboss.job");
});

describe.runIf(DB_KIND === "postgresql")("a stately queue while one of its keys is running", () => {
  /**
   * Instance A runs customer X's sync and holds it; meanwhile X changes again (a second X job
   * waits, as stately allows) and Y changes. Instance B drains: it must run Y now, and not X.
   */
  async function withHeldX(prepare: (a: JobQueue) => Promise<void>, check: (a: JobQueue) => Promise<void> = async () => {}) {
    const { db } = await app();
    const dbB = createDatabase(db.url);
    const [a, b] = await Promise.all([createJobQueue(db), createJobQueue(dbB)]);
    const ran: { instance: "a" | "b"; customer: number }[] = [];
    let running = 0;
    let overlapped = false;
    let entered = false;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const run = (instance: "a" | "b") =>
      handlers(async (job) => {
        const customer = Number(job.data.customerId);
        if (customer === X && running++ > 0) overlapped = true;
        ran.push({ instance, customer });
        if (customer === X && instance === "a" && !entered) {
          entered = true;
          await held;
        }
        if (customer === X) running--;
      });
    let drainA: Promise<unknown> = Promise.resolve();
    try {
      await prepare(a);
      drainA = a.drain(run("a"), "remote");
      await vi.waitFor(() => expect(entered).toBe(true), { timeout: 8000, interval: 20 });
      await check(a);
      await enqueueSync(a, Y);

      const started = Date.now();
      const resultB = await b.drain(run("b"), "remote");
      expect(ran.filter((r) => r.instance === "b").map((r) => r.customer)).toEqual([Y]);
      expect(resultB).toEqual({ done: 1, retried: 0, failed: 0 });
      expect(Date.now() - started).toBeLessThan(5000);
      // X's waiting job is still there, for after the running one.
      expect((await states())[X]).toEqual(["active", expect.stringMatching(/^(created|retry)$/)]);
    } finally {
      release();
      await drainA;
      await Promise.all([a.stop(), b.stop()]);
      await dbB.prisma.$disconnect();
    }
    // Once X's running job ended, A ran X's waiting one; never two of X at once.
    expect(ran.filter((r) => r.customer === X).map((r) => r.instance)).toEqual(["a", "a"]);
    expect(overlapped).toBe(false);
    expect(await states()).toEqual({ [X]: ["completed", "completed"], [Y]: ["completed"] });
  }

  it("another instance runs a different customer's sync while X's runs and X has a newer one waiting", async () => {
    await withHeldX(
      async (a) => enqueueSync(a, X),
      async (a) => {
        // X changed again while its sync runs: stately keeps one waiting job beside the active one.
        await enqueueSync(a, X);
        expect(await states()).toEqual({ [X]: ["active", "created"] });
      },
    );
  });

  // pg-boss #535: a key with a job in retry and a newer one created. 10.4.2 activates one of them
  // per fetch (row_number per key); the other must not block the queue while the first runs.
  it("a key with one job in retry and one created: one runs, the other waits without holding up other keys", async () => {
    const { prisma } = await app();
    await withHeldX(async (a) => {
      await enqueueSync(a, X);
      const failed = await a.drain(
        handlers(async () => {
          throw new RetryableJobError("THROTTLED");
        }),
        "remote",
      );
      expect(failed).toEqual({ done: 0, retried: 1, failed: 0 });
      await enqueueSync(a, X);
      await prisma.$executeRawUnsafe("UPDATE pgboss.job SET start_after = now() - interval '1 second' WHERE state = 'retry'");
      expect(await states()).toEqual({ [X]: ["created", "retry"] });
    });
  });
});
