import { database, prepareDatabase, type Database } from "./db.server";
import { sqlitePath } from "./database-url";
import { BACKSTOP_PAGES, startWalCheckpoints, type WalCheckpoints } from "./db/wal-checkpoints.server";
import { DEMO_SHOP } from "./demo.server";
import { logger } from "./logger.server";
import { createJobQueue } from "./queue/create-queue.server";
import { EveryJobError, type JobHandler, type JobHandlers, type JobQueue } from "./queue/types";
import { processWebhookEvent, processWebhookEvents } from "./services/process-webhook.server";
import { enableParsedOrderHandoff } from "./services/parsed-orders.server";
import { webhookEventStore, type IncomingWebhook, type StoreOutcome } from "./services/store-webhook-events.server";

/**
 * The process-wide services: database, job queue and the handlers that drain it. Routes, the
 * CLI and the tests all go through here, so they share one code path.
 */
export interface AppContext {
  db: Database;
  queue: JobQueue;
  handlers: JobHandlers;
  /** Stores a webhook delivery once, with its job; concurrent deliveries share a transaction. */
  storeWebhook: (event: IncomingWebhook) => Promise<StoreOutcome>;
  /** SQLite in a long-running process: checkpoints on a thread of their own (ADR 0032). */
  walCheckpoints?: WalCheckpoints;
}

export function jobHandlers(db: Database, queue: JobQueue): JobHandlers {
  const webhook: JobHandler = (job) => processWebhookEvent(db.prisma, queue, Number(job.data.eventId));
  webhook.batch = (jobs) => processWebhookEvents(db.prisma, queue, jobs.map((job) => Number(job.data.eventId)));
  // The local demo shop has no Shopify to sync to (app/demo.server.ts).
  const syncsToShopify = (shop: string) => !(shop === DEMO_SHOP && process.env.TOKUI_DEMO === "1");
  const rankSync: JobHandler = async (job) => {
    if (!syncsToShopify(job.shop)) return;
    // Imported lazily: only the rank sync needs Shopify credentials, not the CLI or the import.
    const { syncCustomerRankWithShopify } = await import("./services/rank-sync.server");
    await syncCustomerRankWithShopify(db.prisma, job.shop, Number(job.data.customerId));
  };
  rankSync.batch = async (jobs) => {
    const byShop = new Map<string, number[]>();
    for (const job of jobs) {
      if (syncsToShopify(job.shop)) byShop.set(job.shop, [...(byShop.get(job.shop) ?? []), Number(job.data.customerId)]);
    }
    const { syncCustomerRanksWithShopify } = await import("./services/rank-sync.server");
    for (const [shop, customerIds] of byShop) {
      try {
        await syncCustomerRanksWithShopify(db.prisma, shop, customerIds);
      } catch (error) {
        // EveryJobError speaks for every job of the batch: not so when other shops share it.
        if (error instanceof EveryJobError && byShop.size > 1) throw error.outcome;
        throw error;
      }
    }
  };
  return {
    webhook,
    "rank-sync": rankSync,
    reward: async (job) => {
      const { issueReward } = await import("./services/reward-issue.server");
      await issueReward(db.prisma, job.shop, Number(job.data.grantId));
    },
    recompute: async (job) => {
      const { runRecomputeJob } = await import("./services/recompute-job.server");
      await runRecomputeJob(db, queue, job.shop, Number(job.data.runId));
    },
    "tag-sync": async (job) => {
      const { runTagSyncBatch } = await import("./services/customers/tag-sync.server");
      await runTagSyncBatch(db, queue, job.shop, job.data);
    },
    backfill: async (job) => {
      const { runBackfillJob } = await import("./services/backfill.server");
      await runBackfillJob(db, queue, job.shop, { runId: Number(job.data.runId), step: Number(job.data.step), attempt: job.attempt });
    },
    "flow-trigger": async (job) => {
      const { runFlowTriggerJob } = await import("./shopify/flow.server");
      await runFlowTriggerJob(db.prisma, job);
    },
    "rfm-refresh": async (job) => {
      const { runRfmRefreshJob } = await import("./services/analytics/refresh.server");
      await runRfmRefreshJob(db.prisma, job.shop);
    },
    "consent-sync": async (job) => {
      const { runConsentSyncJob } = await import("./services/unsubscribe.server");
      await runConsentSyncJob(db.prisma, job.shop, Number(job.data.customerId));
    },
    "followup-plan": async (job) => {
      const { runFollowUpPlanJob } = await import("./services/followup/jobs.server");
      await runFollowUpPlanJob(db.prisma, queue, job);
    },
    "followup-send": async (job) => {
      const { runFollowUpSendJob } = await import("./services/followup/jobs.server");
      await runFollowUpSendJob(db.prisma, queue, job);
    },
  };
}

/** Start the background worker; history imports a dead worker left behind continue. */
export async function startWorker(context: Pick<AppContext, "db" | "queue" | "handlers">): Promise<void> {
  const { resumeBackfillRuns } = await import("./services/backfill-run.server");
  await resumeBackfillRuns(context.db.prisma, context.queue);
  // Webhooks acknowledged in this thread reach this worker already parsed (ADR 0033).
  enableParsedOrderHandoff();
  await context.queue.start(context.handlers);
  // Follow-up mail: plan and send every few minutes (TOKUI_FOLLOWUP_TICK_MINUTES, default 5).
  const { startFollowUpTicker } = await import("./services/followup/jobs.server");
  startFollowUpTicker(context.db, context.queue);
  // Ranks sliding with their window, old webhook bodies pruned: hourly check, daily work.
  const { startDailyMaintenance } = await import("./services/daily-maintenance.server");
  startDailyMaintenance(context.db, context.queue);
}

/**
 * `walCheckpoints` (default true): on SQLite, checkpoint the log on a background thread rather
 * than in whichever commit fills it (ADR 0032). One-shot CLI commands pass false.
 */
export async function createAppContext(db: Database, options: { startWorker: boolean; walCheckpoints?: boolean }): Promise<AppContext> {
  await prepareDatabase(db);
  let walCheckpoints: WalCheckpoints | undefined;
  if (db.kind === "sqlite" && (options.walCheckpoints ?? true)) {
    walCheckpoints = startWalCheckpoints(sqlitePath(db.url));
    await db.prisma.$queryRawUnsafe(`PRAGMA wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  }
  const queue = await createJobQueue(db);
  const handlers = jobHandlers(db, queue);
  if (options.startWorker) await startWorker({ db, queue, handlers });
  const storeWebhook = webhookEventStore(db, queue, { walAutocheckpointPages: walCheckpoints ? BACKSTOP_PAGES : undefined });
  return { db, queue, handlers, storeWebhook, walCheckpoints };
}

declare global {
  var tokuiContext: Promise<AppContext> | undefined;
}

/**
 * The web process's context; its worker runs inline with TOKUI_INLINE_WORKER=1 (the default),
 * on a thread of its own with "thread" (scripts/serve.mjs starts it), elsewhere with "0".
 */
export function appContext(): Promise<AppContext> {
  globalThis.tokuiContext ??= createAppContext(database(), {
    startWorker: (process.env.TOKUI_INLINE_WORKER || "1") === "1",
  }).catch((error: unknown) => {
    globalThis.tokuiContext = undefined;
    logger.error("could not start the app context", { error: String(error) });
    throw error;
  });
  return globalThis.tokuiContext;
}
