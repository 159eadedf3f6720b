import { cachedStatement, type Database } from "../db.server";
import { SqliteWriter, sqliteDateTime, type SqliteConnection } from "../db/sqlite-writer.server";
import { insertJobRows } from "../queue/sqlite-queue.server";
import { groupCommit } from "../lib/group-commit";
import { isUniqueViolation } from "../models/shop.server";
import type { JobQueue } from "../queue/types";

export interface IncomingWebhook {
  shop: string;
  eventId: string;
  topic: string;
  resourceGid: string | null;
  /** The raw body exactly as Shopify signed it. */
  payload: string;
}

export type StoreOutcome = "stored" | "duplicate";

/** At most this many events per transaction: well under SQLite's 999 bound values per statement. */
const MAX_BATCH = 200;

/**
 * Store webhook deliveries — each event once (deduplicated on shop + event id), together with
 * the job that processes it, in one transaction per batch of concurrent requests (group
 * commit). Resolves when the event is durable, so the route can acknowledge.
 */
export function webhookEventStore(
  db: Database,
  queue: JobQueue,
  options: { walAutocheckpointPages?: number } = {},
): (event: IncomingWebhook) => Promise<StoreOutcome> {
  // SQLite: plain SQL on a direct connection, ~10× cheaper than through Prisma here; one
  // writer at a time anyway, so no instance can race us to the unique key.
  if (db.kind === "sqlite") {
    const writer = new SqliteWriter(db.url, options);
    return groupCommit((events: IncomingWebhook[]) => writer.write((c) => storeWebhookEventsSql(c, events, new Date())), { maxBatch: MAX_BATCH });
  }
  return groupCommit(
    async (events: IncomingWebhook[]) => {
      try {
        return await storeWebhookEvents(db, queue, events);
      } catch (error) {
        // Another instance stored one of these events between our read and our insert
        // (PostgreSQL): redo them one by one, so only that event turns out a duplicate.
        if (!isUniqueViolation(error)) throw error;
        const outcomes: StoreOutcome[] = [];
        for (const event of events) {
          outcomes.push(await storeWebhookEvents(db, queue, [event]).then(([o]) => o!, (e: unknown) => {
            if (isUniqueViolation(e)) return "duplicate" as const;
            throw e;
          }));
        }
        return outcomes;
      }
    },
    { maxBatch: MAX_BATCH },
  );
}

/** Which events of a batch are new: not stored before, and the first copy within the batch. */
function classify(events: IncomingWebhook[], known: { shop: string; eventId: string }[]): StoreOutcome[] {
  const key = (e: { shop: string; eventId: string }) => `${e.shop}\n${e.eventId}`;
  const seen = new Set(known.map(key));
  return events.map((e): StoreOutcome => {
    if (seen.has(key(e))) return "duplicate";
    seen.add(key(e));
    return "stored";
  });
}

/** storeWebhookEvents for SQLite, inside a SqliteWriter transaction: same rows, plain SQL. */
export function storeWebhookEventsSql(connection: SqliteConnection, events: IncomingWebhook[], now: Date): StoreOutcome[] {
  const find = cachedStatement(connection, 'SELECT "shop", "eventId" FROM "WebhookEvent" WHERE "shop" = ? AND "eventId" = ?');
  const known = events.flatMap((e) => find.all(e.shop, e.eventId) as { shop: string; eventId: string }[]);
  const outcomes = classify(events, known);
  const insert = cachedStatement(
    connection,
    'INSERT INTO "WebhookEvent" ("shop", "eventId", "topic", "resourceGid", "payload", "receivedAt") VALUES (?, ?, ?, ?, ?, ?) RETURNING "id"',
  );
  const at = sqliteDateTime(now);
  const jobs = events.flatMap((e, i) => {
    if (outcomes[i] !== "stored") return [];
    const { id } = insert.get(e.shop, e.eventId, e.topic, e.resourceGid, e.payload, at) as { id: number };
    return [{ queue: "webhook" as const, shop: e.shop, data: { eventId: id } }];
  });
  insertJobRows(connection, jobs, now);
  return outcomes;
}

/** One transaction: find the events already stored, insert the rest with one job each. */
export async function storeWebhookEvents(db: Database, queue: JobQueue, events: IncomingWebhook[]): Promise<StoreOutcome[]> {
  const idsByShop = new Map<string, string[]>();
  for (const e of events) idsByShop.set(e.shop, [...(idsByShop.get(e.shop) ?? []), e.eventId]);

  return db.prisma.$transaction(async (tx) => {
    const known = await tx.webhookEvent.findMany({
      where: { OR: [...idsByShop].map(([shop, eventIds]) => ({ shop, eventId: { in: eventIds } })) },
      select: { shop: true, eventId: true },
    });
    const outcomes = classify(events, known);
    const fresh = events.filter((_, i) => outcomes[i] === "stored");
    if (fresh.length === 0) return outcomes;
    const created = await tx.webhookEvent.createManyAndReturn({ data: fresh, select: { id: true, shop: true } });
    await queue.enqueue(tx, ...created.map((event) => ({ queue: "webhook" as const, shop: event.shop, data: { eventId: event.id } })));
    return outcomes;
  });
}
