/**
 * Which rank message a customer was shown, for the customer timeline: one MessageView row per
 * (shop, order, surface), written when POST /api/post-purchase answers with a view. The
 * shopper's answer never waits for it and never fails because of it: rows are written by group
 * commit (one INSERT for everything that arrived meanwhile, ADR 0009's pattern), duplicates are
 * ignored by the unique key, and an error is logged and dropped.
 */
import { sqlDialect, type PrismaClient } from "../../db.server";
import { jsonRowsParam, jsonRowsSource } from "../../db/json-rows";
import { groupCommit } from "../../lib/group-commit";
import { logger } from "../../logger.server";

/** Where the extension showed the message: the thank-you page sends an OrderIdentity GID, the order status page an Order GID (extensions/shared/load.ts). */
export type MessageSurface = "thank-you" | "order-status";

export function surfaceOf(requestOrderId: string): MessageSurface {
  return requestOrderId.includes("/OrderIdentity/") ? "thank-you" : "order-status";
}

export interface MessageViewInput {
  shop: string;
  orderGid: string;
  surface: MessageSurface;
  rankKey: string | null;
  locale: string;
  shownAt: Date;
}

const COLUMNS = { shop: "text", orderGid: "text", surface: "text", rankKey: "text", locale: "text", shownAt: "timestamp" } as const;

/** One statement for a batch; the customer comes from the stored order (guest orders record nothing). */
async function insertMessageViews(prisma: PrismaClient, views: MessageViewInput[]): Promise<void> {
  const dialect = sqlDialect(prisma);
  const j = jsonRowsSource(dialect, COLUMNS, "j", 1);
  await prisma.$executeRawUnsafe(
    `INSERT INTO "MessageView" ("shop", "customerId", "orderGid", "surface", "rankKey", "locale", "shownAt")
     SELECT ${j.col("shop")}, o."customerId", ${j.col("orderGid")}, ${j.col("surface")}, ${j.col("rankKey")}, ${j.col("locale")}, ${j.col("shownAt")}
     FROM ${j.from} JOIN "Order" o ON o."shop" = ${j.col("shop")} AND o."gid" = ${j.col("orderGid")}
     WHERE o."customerId" IS NOT NULL
     ON CONFLICT ("shop", "orderGid", "surface") DO NOTHING`,
    jsonRowsParam(dialect, COLUMNS, views as unknown as Record<string, unknown>[]),
  );
}

const writers = new WeakMap<PrismaClient, (view: MessageViewInput) => Promise<void>>();
const pending = new Set<Promise<void>>();

/** Records a view in the background; resolves when written or dropped, never rejects. */
export function recordMessageView(prisma: PrismaClient, view: MessageViewInput): Promise<void> {
  let write = writers.get(prisma);
  if (!write) {
    const batched = groupCommit<MessageViewInput, void>(
      async (views) => {
        await insertMessageViews(prisma, views);
        return views.map(() => undefined);
      },
      { maxBatch: 500 },
    );
    write = batched;
    writers.set(prisma, write);
  }
  const done = write(view)
    .catch((error: unknown) => logger.warn("message view not recorded", { shop: view.shop, order: view.orderGid, error: String(error) }))
    .finally(() => pending.delete(done));
  pending.add(done);
  return done;
}

/** Waits for every view recorded so far (tests, shutdown). */
export async function messageViewsSettled(): Promise<void> {
  await Promise.all([...pending]);
}
