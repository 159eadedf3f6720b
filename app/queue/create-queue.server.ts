import type { Database } from "../db.server";
import { SqliteJobQueue } from "./sqlite-queue.server";
import type { JobQueue } from "./types";

export async function createJobQueue(db: Database): Promise<JobQueue> {
  if (db.kind === "sqlite") return new SqliteJobQueue(db.prisma);
  const { PgBossJobQueue } = await import("./pgboss-queue.server");
  return PgBossJobQueue.create(db);
}
