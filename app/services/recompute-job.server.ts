import type { Database } from "../db.server";
import type { JobQueue } from "../queue/types";

/**
 * The "recompute" job: recompute every rank of a shop after its tiers changed, recording
 * progress in RecomputeRun (runId) for the Ranks page.
 */
export async function runRecomputeJob(_db: Database, _queue: JobQueue, shop: string, runId: number): Promise<void> {
  throw new Error(`recompute job for ${shop} (run ${runId}) is not implemented yet`);
}
