import type { Database } from "../db.server";
import { logger } from "../logger.server";
import {
  claimRecomputeRun,
  finishRecomputeRun,
  recordRecomputeProgress,
} from "../models/recompute-run.server";
import { PermanentJobError, type JobQueue } from "../queue/types";
import { recomputeShop } from "./recompute.server";

/**
 * The "recompute" job: recompute every rank of a shop after its tiers changed, recording
 * progress in RecomputeRun (runId) for the Ranks page. The work is recomputeShop's (the CLI's
 * `tokui recompute`), chunk by chunk; each chunk reads the shop's tiers when it starts.
 *
 * A failure marks the run failed with its message and is not retried by the queue: the Ranks
 * page shows it and offers to run again. A run already finished (or unknown) is skipped, so a
 * duplicate delivery of the job does nothing.
 */
export async function runRecomputeJob(
  db: Database,
  queue: JobQueue,
  shop: string,
  runId: number,
  now: () => Date = () => new Date(),
): Promise<void> {
  const { prisma } = db;
  if (!(await claimRecomputeRun(prisma, shop, runId, now()))) return;
  try {
    await recomputeShop(db, queue, shop, now(), ({ done, total, rankChanges }) =>
      recordRecomputeProgress(prisma, runId, { done, total, changed: rankChanges }),
    );
    await finishRecomputeRun(prisma, runId, { status: "done" }, now());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.error("recompute run failed", { shop, runId, error: message });
    await finishRecomputeRun(prisma, runId, { status: "failed", error: message }, now());
    throw new PermanentJobError(`recompute run ${runId} for ${shop} failed: ${message}`);
  }
}
