import type { Database } from "../db.server";
import { logger } from "../logger.server";
import { requestRecomputeRun } from "../models/recompute-run.server";
import type { JobQueue } from "../queue/types";
import { pruneOldEvents } from "./prune.server";

/**
 * What would otherwise be the operator's daily cron, done by every worker:
 *  - Ranks slide with their trailing window even when no order comes: a VIP by spend drops when
 *    last year's orders leave the window. Each installed shop whose last recompute was asked
 *    for more than a day ago gets one (the same run the Ranks page starts, and shows).
 *  - Applied webhook bodies (personal data) and finished jobs older than 30 days are deleted.
 * Checked hourly; a check with nothing due costs two small queries. Several workers may check
 * at once: a queued run is reused (requestRecomputeRun), and deleting twice deletes nothing.
 */
export const RANK_REFRESH_EVERY_MS = 24 * 3_600_000;
export const PRUNE_AFTER_DAYS = 30;
const CHECK_EVERY_MS = 3_600_000;
// Not at start-up: a worker restarted in a loop, or a test's, should not start a recompute.
const FIRST_CHECK_AFTER_MS = 10 * 60_000;

export interface MaintenanceResult {
  /** Shops whose recompute was asked for. */
  recomputes: string[];
  pruned: { events: number; jobs: number };
}

export async function dailyMaintenance(db: Database, queue: JobQueue, now: Date): Promise<MaintenanceResult> {
  const { prisma } = db;
  const installed = await prisma.shop.findMany({ where: { uninstalledAt: null }, select: { shop: true }, orderBy: { shop: "asc" } });
  const latestRuns = await prisma.recomputeRun.groupBy({ by: ["shop"], _max: { createdAt: true } });
  const lastAsked = new Map(latestRuns.map((run) => [run.shop, run._max.createdAt]));
  const due = installed
    .map(({ shop }) => shop)
    .filter((shop) => {
      const at = lastAsked.get(shop);
      return !at || now.getTime() - at.getTime() >= RANK_REFRESH_EVERY_MS;
    });
  for (const shop of due) await prisma.$transaction((tx) => requestRecomputeRun(tx, queue, shop));
  if (due.length > 0) queue.kick();
  const pruned = await pruneOldEvents(prisma, now, PRUNE_AFTER_DAYS);
  return { recomputes: due, pruned };
}

/** Start the hourly check on this worker; returns a function that stops it. */
export function startDailyMaintenance(db: Database, queue: JobQueue): () => void {
  const check = () =>
    void dailyMaintenance(db, queue, new Date())
      .then((result) => {
        if (result.recomputes.length > 0 || result.pruned.events + result.pruned.jobs > 0) logger.info("daily maintenance", { ...result });
      })
      .catch((error: unknown) => logger.error("daily maintenance failed", { error: String(error) }));
  let timer: NodeJS.Timeout | undefined;
  const first = setTimeout(() => {
    check();
    timer = setInterval(check, CHECK_EVERY_MS);
    timer.unref();
  }, FIRST_CHECK_AFTER_MS);
  first.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
