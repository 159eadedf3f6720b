import type { PrismaClient } from "../db.server";

/**
 * Webhook bodies carry personal data; once applied they are only useful for a while
 * (debugging, replay). Delete processed events and finished jobs older than `days`. Events that
 * failed or still wait are kept for the operator. Every worker runs it daily
 * (daily-maintenance.server.ts); `tokui prune` runs it by hand.
 */
export async function pruneOldEvents(prisma: PrismaClient, now: Date, days: number): Promise<{ events: number; jobs: number }> {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`--days must be a whole number of days ≥ 1, got ${days}`);
  const before = new Date(now.getTime() - days * 86_400_000);
  // "skipped": an event whose body customers/redact erased before it was applied.
  const events = await prisma.webhookEvent.deleteMany({ where: { status: { in: ["processed", "skipped"] }, processedAt: { lt: before } } });
  const jobs = await prisma.job.deleteMany({ where: { status: "done", updatedAt: { lt: before } } });
  return { events: events.count, jobs: jobs.count };
}
