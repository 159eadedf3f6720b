import type { PrismaClient, Tx } from "../db.server";
import type { JobQueue } from "../queue/types";

export type RecomputeRunStatus = "queued" | "running" | "done" | "failed";

/** A run as the Ranks page shows it (dates as ISO strings: it crosses JSON). */
export interface RecomputeRunView {
  id: number;
  status: RecomputeRunStatus;
  total: number;
  done: number;
  changed: number;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

const STATUSES: readonly string[] = ["queued", "running", "done", "failed"];

/**
 * Ask for a recompute of the shop's ranks, in the caller's transaction (with the tier change
 * that makes it necessary). A run that is still queued will read the tiers when it starts, so
 * it is reused rather than followed by a second one — the queue keeps one waiting recompute
 * per shop (singletonKey) and would drop the second job anyway. Touching the queued row locks
 * it: on PostgreSQL a run starting at the same moment waits for this transaction (and then
 * reads the new tiers) or has already left "queued", and a new run is made.
 */
export async function requestRecomputeRun(tx: Tx, queue: JobQueue, shop: string): Promise<number> {
  const touched = await tx.recomputeRun.updateMany({ where: { shop, status: "queued" }, data: { error: null } });
  if (touched.count > 0) {
    const queued = await tx.recomputeRun.findFirst({ where: { shop, status: "queued" }, orderBy: { id: "desc" }, select: { id: true } });
    if (queued) return queued.id;
  }
  const run = await tx.recomputeRun.create({ data: { shop }, select: { id: true } });
  await queue.enqueue(tx, { queue: "recompute", shop, data: { runId: run.id }, singletonKey: shop });
  return run.id;
}

export async function latestRecomputeRun(prisma: PrismaClient, shop: string): Promise<RecomputeRunView | null> {
  const run = await prisma.recomputeRun.findFirst({ where: { shop }, orderBy: { id: "desc" } });
  if (!run) return null;
  return {
    id: run.id,
    status: (STATUSES.includes(run.status) ? run.status : "failed") as RecomputeRunStatus,
    total: run.total,
    done: run.done,
    changed: run.changed,
    error: run.error,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

/**
 * Take a run for the job: queued, or running (a crashed worker's run, taken again when its job
 * is retried — it starts over, which is safe because a recompute converges). False when the
 * run is finished or belongs to another shop.
 */
export async function claimRecomputeRun(prisma: PrismaClient, shop: string, runId: number, now: Date): Promise<boolean> {
  const claimed = await prisma.recomputeRun.updateMany({
    where: { id: runId, shop, status: { in: ["queued", "running"] } },
    data: { status: "running", startedAt: now, finishedAt: null, total: 0, done: 0, changed: 0, error: null },
  });
  return claimed.count > 0;
}

export async function recordRecomputeProgress(
  prisma: PrismaClient,
  runId: number,
  progress: { total: number; done: number; changed: number },
): Promise<void> {
  await prisma.recomputeRun.updateMany({ where: { id: runId, status: "running" }, data: progress });
}

export async function finishRecomputeRun(
  prisma: PrismaClient,
  runId: number,
  outcome: { status: "done" } | { status: "failed"; error: string },
  now: Date,
): Promise<void> {
  await prisma.recomputeRun.update({
    where: { id: runId },
    data: { status: outcome.status, error: outcome.status === "failed" ? outcome.error.slice(0, 2000) : null, finishedAt: now },
  });
}
