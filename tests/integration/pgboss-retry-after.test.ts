/**
 * PostgreSQL's queue (pg-boss) waits as long as a retryable failure asks — Shopify's Retry-After
 * on THROTTLED or 429, a held lease — rather than pg-boss's own 2-second backoff, as the SQLite
 * queue does (tests/integration/sqlite-queue.test.ts).
 */
import { afterEach, describe, expect, it } from "vitest";
import { sqlQuery } from "~/db.server";
import { QUEUE_LANES, RetryableJobError, type JobHandler, type JobHandlers, type JobInfo, type QueueName } from "~/queue/types";
import { app } from "../helpers/app";
import { TEST_SHOP } from "../helpers/shopify";

const DB_KIND = process.env.TOKUI_TEST_DB ?? "sqlite";

function handlers(run: (job: JobInfo) => Promise<void>): JobHandlers {
  return Object.fromEntries((Object.keys(QUEUE_LANES) as QueueName[]).map((queue) => [queue, run as JobHandler])) as JobHandlers;
}

afterEach(async () => {
  const { prisma } = await app();
  if (DB_KIND === "postgresql") await prisma.$executeRawUnsafe(`DELETE FROM pgboss.job WHERE name = 'flow-trigger'`);
});

describe.runIf(DB_KIND === "postgresql")("pg-boss queue, a retryable failure with a wait", () => {
  it("is not retried before the wait it asked for; one without a wait keeps pg-boss's backoff", async () => {
    const { prisma, queue } = await app();
    await prisma.$transaction((tx) =>
      queue.enqueue(tx, { queue: "flow-trigger", shop: TEST_SHOP, data: { n: 0 } }, { queue: "flow-trigger", shop: TEST_SHOP, data: { n: 1 } }),
    );
    const result = await queue.drain(
      handlers(async (job) => {
        throw new RetryableJobError("THROTTLED", job.data.n === 0 ? 60_000 : undefined);
      }),
      "remote",
    );
    expect(result).toEqual({ done: 0, retried: 2, failed: 0 });
    const rows = await sqlQuery<{ n: number; state: string; wait: number }>(
      prisma,
      `SELECT (data->>'n')::int AS n, state::text AS state, EXTRACT(EPOCH FROM start_after - now())::float8 AS wait
       FROM pgboss.job WHERE name = 'flow-trigger' ORDER BY n`,
    );
    expect(rows.map((r) => [r.n, r.state])).toEqual([
      [0, "retry"],
      [1, "retry"],
    ]);
    expect(rows[0]!.wait).toBeGreaterThan(55);
    expect(rows[1]!.wait).toBeLessThan(10);
  });
});
