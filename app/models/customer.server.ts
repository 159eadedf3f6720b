import { sqlDialect, type PrismaClient, type Tx } from "../db.server";
import { jsonRowsParam, jsonRowsSource, placeholder, timestampLiteral, shopFilter } from "../db/json-rows";
import type { CustomerRef } from "../domain/types";
import type { StatsOrder } from "../domain/customer-stats";

type PersonalData = Pick<CustomerRef, "firstName" | "lastName" | "email" | "countryCode" | "provinceCode" | "tags">;
const PII_FIELDS = ["firstName", "lastName", "email", "countryCode", "provinceCode", "tags"] as const;

const PII_COLUMNS = {
  id: "int",
  gid: "text",
  firstName: "text",
  lastName: "text",
  email: "text",
  countryCode: "text",
  provinceCode: "text",
  tags: "text",
} as const;

/** One ref per customer, later refs filling in fields the earlier ones lacked. */
function mergeRefs(refs: CustomerRef[]): Map<string, CustomerRef> {
  const byGid = new Map<string, CustomerRef>();
  for (const ref of refs) byGid.set(ref.gid, { ...byGid.get(ref.gid), ...definedOnly(ref) } as CustomerRef);
  return byGid;
}

/**
 * Create the rows of customers seen for the first time (with their personal data), outside the
 * ingest transaction: on PostgreSQL two first orders of one new customer can race to insert it,
 * and ON CONFLICT DO NOTHING lets the loser carry on instead of aborting its transaction.
 */
export async function ensureCustomers(prisma: PrismaClient, shop: string, refs: CustomerRef[]): Promise<void> {
  const byGid = mergeRefs(refs);
  if (byGid.size === 0) return;
  const dialect = sqlDialect(prisma);
  const rows = jsonRowsSource(dialect, PII_COLUMNS, "j", 2);
  const ts = timestampLiteral(dialect, new Date());
  await prisma.$executeRawUnsafe(
    `INSERT INTO "Customer" ("shop", "gid", ${PII_FIELDS.map((f) => `"${f}"`).join(", ")}, "createdAt", "updatedAt")
     SELECT ${placeholder(dialect, 1)}, ${rows.col("gid")}, ${PII_FIELDS.map(rows.col).join(", ")}, ${ts}, ${ts}
     FROM ${rows.from}
     WHERE true -- SQLite: without a WHERE, "ON CONFLICT" would parse as a join constraint
     ON CONFLICT ("shop", "gid") DO NOTHING`,
    shop,
    jsonRowsParam(dialect, PII_COLUMNS, [...byGid.values()].map(personalRow)),
  );
}

/**
 * Make sure every referenced customer has a row (ensureCustomers normally did that already)
 * and write personal data that changed — one statement for all of them.
 * Returns gid → row id.
 */
export async function upsertCustomers(tx: Tx, shop: string, refs: CustomerRef[]): Promise<Map<string, number>> {
  const byGid = mergeRefs(refs);
  const gids = [...byGid.keys()].sort();
  if (gids.length === 0) return new Map();

  const existing = await tx.customer.findMany({
    where: { shop, gid: { in: gids } },
    select: { id: true, gid: true, redactedAt: true, firstName: true, lastName: true, email: true, countryCode: true, provinceCode: true, tags: true },
  });
  const known = new Map(existing.map((c) => [c.gid, c]));
  const missing = gids.filter((gid) => !known.has(gid));
  if (missing.length > 0) {
    await tx.customer.createMany({
      data: missing.map((gid) => ({ shop, gid, ...personalData(byGid.get(gid)!) })),
    });
  }
  // A redacted customer's personal data never comes back through later payloads.
  const changed = existing.filter((row) => {
    if (row.redactedAt) return false;
    const changes = personalData(byGid.get(row.gid)!);
    return PII_FIELDS.some((f) => changes[f] !== undefined && changes[f] !== row[f]);
  });
  if (changed.length > 0) {
    const dialect = sqlDialect(tx);
    const rows = jsonRowsSource(dialect, PII_COLUMNS, "j", 1);
    const set = PII_FIELDS.map((f) => `"${f}" = ${rows.col(f)}`).join(", ");
    await tx.$executeRawUnsafe(
      `UPDATE "Customer" AS c SET ${set}, "updatedAt" = ${timestampLiteral(dialect, new Date())}
       FROM ${rows.from}
       WHERE ${shopFilter(dialect, "c", 2)} AND c."id" = ${rows.col("id")}`,
      // Fields a payload does not carry keep their stored value; null in a payload clears one.
      jsonRowsParam(dialect, PII_COLUMNS, changed.map((row) => ({ ...row, ...personalData(byGid.get(row.gid)!) }))),
      shop,
    );
  }
  const ids = missing.length > 0
    ? await tx.customer.findMany({ where: { shop, gid: { in: missing } }, select: { id: true, gid: true } })
    : [];
  return new Map([...existing, ...ids].map((c) => [c.gid, c.id]));
}

function personalRow(ref: CustomerRef): Record<string, unknown> {
  return { gid: ref.gid, ...personalData(ref) };
}

function definedOnly(ref: CustomerRef): Partial<CustomerRef> {
  return Object.fromEntries(Object.entries(ref).filter(([, v]) => v !== undefined));
}

function personalData(ref: CustomerRef): PersonalData {
  const data: PersonalData = {};
  for (const f of PII_FIELDS) if (ref[f] !== undefined) data[f] = ref[f];
  return data;
}

export interface CustomerStatsState {
  id: number;
  rankKey: string | null;
  orderCount: number;
  windowSpent: bigint;
  orders: StatsOrder[];
}

/**
 * Lock the customers' rows (an UPDATE holds its row locks on PostgreSQL until commit; SQLite
 * runs one writer at a time anyway), then read them with every one of their orders. Reading
 * only after the lock is what makes concurrent deliveries for one customer lose no update:
 * whoever locks last sees every order committed before it (docs/decisions/0003-webhook-ingestion.md).
 */
export async function lockCustomersWithOrders(tx: Tx, shop: string, customerIds: number[]): Promise<CustomerStatsState[]> {
  await tx.customer.updateMany({ where: { shop, id: { in: customerIds } }, data: { updatedAt: new Date() } });
  const [customers, orders] = await Promise.all([
    tx.customer.findMany({
      where: { shop, id: { in: customerIds } },
      select: { id: true, rankKey: true, orderCount: true, windowSpent: true },
    }),
    tx.order.findMany({
      where: { shop, customerId: { in: customerIds } },
      select: { customerId: true, processedAt: true, totalPrice: true, currentTotal: true, cancelledAt: true, currency: true },
    }),
  ]);
  const byCustomer = new Map<number, StatsOrder[]>();
  for (const { customerId, ...order } of orders) {
    const list = byCustomer.get(customerId!) ?? [];
    list.push(order);
    byCustomer.set(customerId!, list);
  }
  return customers.map((c) => ({ ...c, orders: byCustomer.get(c.id) ?? [] }));
}

export async function redactCustomer(tx: Tx, shop: string, customerGid: string, at: Date): Promise<boolean> {
  const result = await tx.customer.updateMany({
    where: { shop, gid: customerGid },
    data: { firstName: null, lastName: null, email: null, countryCode: null, provinceCode: null, tags: null, redactedAt: at },
  });
  return result.count > 0;
}
