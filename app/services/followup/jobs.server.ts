/**
 * The follow-up jobs and the worker's tick (ADR 0022). Every few minutes the worker queues one
 * "followup-plan" job per shop with an enabled campaign (singleton per shop) and one
 * "followup-send" job (singleton): planning and sending read all their state from the database,
 * so a restart, a lost tick or a second instance changes nothing but who does the work.
 */
import type { Database, PrismaClient, Tx } from "../../db.server";
import { logger } from "../../logger.server";
import type { JobInfo, JobQueue } from "../../queue/types";
import { REPLENISHMENT_KEY } from "../followup-settings/definition";
import { learnIntervals } from "./intervals.server";
import { planFollowUps } from "./plan.server";
import { sendDueMail } from "./send.server";
import { FOLLOWUP_PLAN_QUEUE, FOLLOWUP_SEND_QUEUE } from "./types";

export const DEFAULT_TICK_MS = 5 * 60_000;
/** Rows one send job handles before it hands over to the next (keeps jobs short). */
const SEND_JOB_LIMIT = 2_000;

/** Queue planning for one shop now (e.g. after the merchant saved a journey). */
export async function queueFollowUpPlan(tx: Tx, queue: JobQueue, shop: string): Promise<void> {
  await queue.enqueue(tx, { queue: FOLLOWUP_PLAN_QUEUE, shop, data: {}, singletonKey: `followup-plan:${shop}` });
}

export async function queueFollowUpSend(tx: Tx, queue: JobQueue, shop = "*"): Promise<void> {
  await queue.enqueue(tx, { queue: FOLLOWUP_SEND_QUEUE, shop, data: {}, singletonKey: `followup-send:${shop}` });
}

/** One tick: a plan job per shop with an enabled journey or reminder campaign, and a send job. */
export async function followUpTick(prisma: PrismaClient, queue: JobQueue): Promise<number> {
  const shops = await prisma.campaign.findMany({
    where: { enabled: true, kind: { in: ["journey", "replenishment"] } },
    select: { shop: true },
    distinct: ["shop"],
  });
  // Nothing configured and nothing waiting: no jobs (most installs, and tests of other parts).
  if (shops.length === 0 && (await prisma.mailSend.count({ where: { status: { in: ["scheduled", "sending"] } } })) === 0) return 0;
  await prisma.$transaction(async (tx) => {
    for (const { shop } of shops) await queueFollowUpPlan(tx, queue, shop);
    await queueFollowUpSend(tx, queue);
  });
  queue.kick();
  return shops.length;
}

/** Intervals are re-learned at most this often (they move slowly; learning reads every order line). */
export const LEARN_EVERY_MS = 24 * 3_600_000;

/** Re-learn the shop's product intervals when reminders are on and the last learning is a day old. */
export async function learnIntervalsIfStale(prisma: PrismaClient, shop: string, now: Date): Promise<boolean> {
  const reminders = await prisma.campaign.findFirst({ where: { shop, key: REPLENISHMENT_KEY, enabled: true }, select: { id: true } });
  if (!reminders) return false;
  const latest = await prisma.productInterval.aggregate({ where: { shop }, _max: { learnedAt: true } });
  const at = latest._max.learnedAt;
  if (at !== null && now.getTime() - at.getTime() < LEARN_EVERY_MS) return false;
  await learnIntervals(prisma, shop, now);
  return true;
}

export async function runFollowUpPlanJob(prisma: PrismaClient, queue: JobQueue, job: Pick<JobInfo, "shop">): Promise<void> {
  await learnIntervalsIfStale(prisma, job.shop, new Date());
  const result = await planFollowUps(prisma, job.shop, new Date(), { queue });
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  const planned = total(result.scheduled);
  if (planned + total(result.viaFlow) > 0) logger.info("follow-up planned", { shop: job.shop, scheduled: result.scheduled, viaFlow: result.viaFlow, held: result.held });
  // Rows delivered through Flow are done already; only SMTP rows need the sender.
  if (planned > 0) await prisma.$transaction((tx) => queueFollowUpSend(tx, queue));
}

export async function runFollowUpSendJob(prisma: PrismaClient, queue: JobQueue, job: Pick<JobInfo, "shop">): Promise<void> {
  const shop = job.shop === "*" ? undefined : job.shop;
  const result = await sendDueMail(prisma, new Date(), { shop, limit: SEND_JOB_LIMIT });
  if (result.claimed > 0) logger.info("follow-up mail sent", { ...result });
  // More may be due: the next job continues (another instance may take it).
  if (result.claimed >= SEND_JOB_LIMIT) await prisma.$transaction((tx) => queueFollowUpSend(tx, queue, job.shop));
}

/** The worker's periodic tick; the timer never keeps the process alive. Returns stop(). */
export function startFollowUpTicker(db: Database, queue: JobQueue, everyMs: number | null = tickMsFromEnv()): () => void {
  if (everyMs === null) return () => {};
  const tick = () =>
    void followUpTick(db.prisma, queue).catch((error: unknown) => logger.error("follow-up tick failed", { error: String(error) }));
  const first = setTimeout(tick, 1_000);
  const timer = setInterval(tick, everyMs);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}

/** TOKUI_FOLLOWUP_TICK_MINUTES (default 5); "off" for a worker that must not plan or send follow-ups. */
function tickMsFromEnv(): number | null {
  if (process.env.TOKUI_FOLLOWUP_TICK_MINUTES === "off") return null;
  const minutes = Number(process.env.TOKUI_FOLLOWUP_TICK_MINUTES);
  return Number.isFinite(minutes) && minutes > 0 ? minutes * 60_000 : DEFAULT_TICK_MS;
}
