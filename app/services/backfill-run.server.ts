/**
 * BackfillRun rows: starting a run (one active run per shop), the page's view of the last runs,
 * and the ownership protocol of the job chain that works on a run
 * (docs/decisions/0016-historical-backfill.md):
 *
 * - Each "backfill" job carries the run's `step`; a job whose step is not the run's current one
 *   is stale (superseded by a wake-up or a resume) and does nothing.
 * - The job with the current step works only while it holds the lease (`leaseUntil`), renewed
 *   with every committed batch. A crash leaves the lease to expire; then the job's retry, or
 *   the wake-up enqueued when a worker starts, takes the run over where its progress says.
 * - A step ends by bumping `step`, dropping the lease and enqueueing the next job, in one
 *   transaction: there is always exactly one live job per active run.
 */
import type { Database, PrismaClient, Tx } from "../db.server";
import { ensureShop } from "../models/shop.server";
import type { JobQueue } from "../queue/types";
import { ACTIVE_STATUSES, FINAL_STATUSES, isActiveStatus, type BackfillPhase } from "../domain/backfill-progress";

export type BackfillStatus = BackfillPhase;

/** A run as the page shows it (dates as ISO strings: it crosses JSON). */
export interface BackfillRunView {
  id: number;
  status: BackfillStatus;
  /** Whether the current operation has finished and its file is being imported. */
  downloading: boolean;
  objectCount: number;
  linesDone: number;
  ordersImported: number;
  customersImported: number;
  badLines: number;
  badLineSamples: string[];
  /** "<code>: <detail>" (see BackfillErrorCode); on an active run, a note such as waiting. */
  error: string | null;
  allOrdersScope: boolean | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export type StartResult = { ok: true; runId: number } | { ok: false; reason: "active"; runId: number };

/**
 * Create a run and its first job, unless one is active. The shop row is touched first: on
 * PostgreSQL that row lock makes two simultaneous clicks take turns, so the second one sees the
 * first run; SQLite has one writer anyway.
 */
export async function startBackfillRun(
  db: Database,
  queue: JobQueue,
  shop: string,
  options: { allOrdersScope: boolean | null },
): Promise<StartResult> {
  await ensureShop(db.prisma, shop);
  const result = await db.prisma.$transaction(async (tx): Promise<StartResult> => {
    await tx.shop.updateMany({ where: { shop }, data: { updatedAt: new Date() } });
    const active = await tx.backfillRun.findFirst({
      where: { shop, status: { in: [...ACTIVE_STATUSES] } },
      orderBy: { id: "desc" },
      select: { id: true },
    });
    if (active) return { ok: false, reason: "active", runId: active.id };
    const run = await tx.backfillRun.create({ data: { shop, allOrdersScope: options.allOrdersScope }, select: { id: true, step: true } });
    await enqueueStep(tx, queue, shop, run.id, run.step);
    return { ok: true, runId: run.id };
  });
  if (result.ok) queue.kick();
  return result;
}

export async function enqueueStep(tx: Tx, queue: JobQueue, shop: string, runId: number, step: number, startAfter?: Date): Promise<void> {
  await queue.enqueue(tx, { queue: "backfill", shop, data: { runId, step }, ...(startAfter ? { startAfter } : {}) });
}

export async function recentBackfillRuns(prisma: PrismaClient, shop: string, take = 5): Promise<BackfillRunView[]> {
  const runs = await prisma.backfillRun.findMany({ where: { shop }, orderBy: { id: "desc" }, take });
  return runs.map((run) => ({
    id: run.id,
    status: ([...ACTIVE_STATUSES, ...FINAL_STATUSES] as readonly string[]).includes(run.status) ? (run.status as BackfillStatus) : "failed",
    downloading: run.resultUrl !== null,
    objectCount: run.objectCount,
    linesDone: run.linesDone,
    ordersImported: run.ordersImported,
    customersImported: run.customersImported,
    badLines: run.badLines,
    badLineSamples: samplesFrom(run.badLineSamples),
    error: run.error,
    allOrdersScope: run.allOrdersScope,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
  }));
}

export function samplesFrom(json: string | null): string[] {
  if (!json) return [];
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

export type ClaimOutcome =
  | { claimed: true }
  | { claimed: false; why: "stale" }
  | { claimed: false; why: "leased"; retryAfterMs: number };

/** Take the run for the job carrying `step`, for `leaseMs`. */
export async function claimRun(prisma: PrismaClient, shop: string, runId: number, step: number, now: Date, leaseMs: number): Promise<ClaimOutcome> {
  const claimed = await prisma.backfillRun.updateMany({
    where: {
      id: runId,
      shop,
      step,
      status: { in: [...ACTIVE_STATUSES] },
      OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }],
    },
    data: { leaseUntil: new Date(now.getTime() + leaseMs) },
  });
  if (claimed.count > 0) return { claimed: true };
  const run = await prisma.backfillRun.findFirst({ where: { id: runId, shop }, select: { step: true, status: true, leaseUntil: true } });
  if (!run || run.step !== step || !isActiveStatus(run.status) || !run.leaseUntil) return { claimed: false, why: "stale" };
  return { claimed: false, why: "leased", retryAfterMs: Math.max(1000, run.leaseUntil.getTime() - now.getTime() + 1000) };
}

/** Another worker took the run over (our lease had expired): stop without writing anything. */
export class LostRunError extends Error {
  override name = "LostRunError";
}

/**
 * Record progress and renew the lease, only while `step` still owns the run (throws
 * LostRunError otherwise). Inside the caller's transaction when given one.
 */
export async function recordProgress(
  client: Tx,
  runId: number,
  step: number,
  data: Parameters<PrismaClient["backfillRun"]["updateMany"]>[0]["data"],
  leaseUntil: Date,
): Promise<void> {
  const updated = await client.backfillRun.updateMany({ where: { id: runId, step }, data: { ...data, leaseUntil } });
  if (updated.count === 0) throw new LostRunError(`backfill run ${runId} was taken over by another worker`);
}

/** Drop the lease without ending the step: the job's retry takes the run again at once. */
export async function releaseRun(prisma: PrismaClient, runId: number, step: number): Promise<void> {
  await prisma.backfillRun.updateMany({ where: { id: runId, step }, data: { leaseUntil: null } });
}

/** Wake a run's job chain now (resume after a restart, the finish webhook). */
export async function wakeRun(tx: Tx, queue: JobQueue, run: { id: number; shop: string; step: number }): Promise<void> {
  await enqueueStep(tx, queue, run.shop, run.id, run.step);
}

/**
 * When a worker starts: every active run gets a job for its current step, so a run whose worker
 * died continues as soon as its lease has expired (not only when the queue retries the dead
 * job). A run that is fine meanwhile just makes one extra status poll.
 */
export async function resumeBackfillRuns(prisma: PrismaClient, queue: JobQueue): Promise<number> {
  const runs = await prisma.backfillRun.findMany({
    where: { status: { in: [...ACTIVE_STATUSES] } },
    select: { id: true, shop: true, step: true },
  });
  if (runs.length === 0) return 0;
  await prisma.$transaction(async (tx) => {
    for (const run of runs) await wakeRun(tx, queue, run);
  });
  return runs.length;
}

/** The finish webhook: the run that follows this operation (if any) polls now instead of later. */
export async function wakeRunForOperation(tx: Tx, queue: JobQueue, shop: string, operationGid: string): Promise<number | null> {
  const run = await tx.backfillRun.findFirst({
    where: { shop, bulkOperationGid: operationGid, status: { in: [...ACTIVE_STATUSES] } },
    select: { id: true, shop: true, step: true },
  });
  if (!run) return null;
  await wakeRun(tx, queue, run);
  return run.id;
}
