import type { PrismaClient, Tx } from "../db.server";
import { isUniqueViolation } from "./shop.server";
import type { CustomerRef } from "../domain/types";
import type { StatsOrder } from "../domain/customer-stats";

type PersonalData = Pick<CustomerRef, "firstName" | "lastName" | "email" | "countryCode">;
const PII_FIELDS = ["firstName", "lastName", "email", "countryCode"] as const;

/**
 * Create the rows of customers seen for the first time, outside the ingest transaction: on
 * PostgreSQL two first orders of one new customer can race to insert it, and a unique
 * violation would abort the whole ingest transaction. Losing the race is fine: look again.
 */
export async function ensureCustomers(prisma: PrismaClient, shop: string, gids: string[]): Promise<void> {
  const wanted = [...new Set(gids)];
  for (let attempt = 1; wanted.length > 0; attempt++) {
    const known = await prisma.customer.findMany({ where: { shop, gid: { in: wanted } }, select: { gid: true } });
    const knownGids = new Set(known.map((c) => c.gid));
    const missing = wanted.filter((gid) => !knownGids.has(gid));
    if (missing.length === 0) return;
    try {
      await prisma.customer.createMany({ data: missing.map((gid) => ({ shop, gid })) });
      return;
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 3) throw error;
    }
  }
}

/**
 * Make sure every referenced customer has a row (ensureCustomers normally did that already)
 * and write personal data that changed.
 * Returns gid → row id.
 */
export async function upsertCustomers(tx: Tx, shop: string, refs: CustomerRef[]): Promise<Map<string, number>> {
  const byGid = new Map<string, CustomerRef>();
  for (const ref of refs) byGid.set(ref.gid, { ...byGid.get(ref.gid), ...definedOnly(ref) } as CustomerRef);
  const gids = [...byGid.keys()].sort();
  if (gids.length === 0) return new Map();

  const existing = await tx.customer.findMany({
    where: { shop, gid: { in: gids } },
    select: { id: true, gid: true, redactedAt: true, firstName: true, lastName: true, email: true, countryCode: true },
  });
  const known = new Map(existing.map((c) => [c.gid, c]));
  const missing = gids.filter((gid) => !known.has(gid));
  if (missing.length > 0) {
    await tx.customer.createMany({
      data: missing.map((gid) => ({ shop, gid, ...personalData(byGid.get(gid)!) })),
    });
  }
  for (const row of existing) {
    // A redacted customer's personal data never comes back through later payloads.
    if (row.redactedAt) continue;
    const changes = personalData(byGid.get(row.gid)!);
    const differs = PII_FIELDS.some((f) => changes[f] !== undefined && changes[f] !== row[f]);
    if (differs) await tx.customer.update({ where: { id: row.id }, data: changes });
  }
  const ids = missing.length > 0
    ? await tx.customer.findMany({ where: { shop, gid: { in: missing } }, select: { id: true, gid: true } })
    : [];
  return new Map([...existing, ...ids].map((c) => [c.gid, c.id]));
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
    data: { firstName: null, lastName: null, email: null, countryCode: null, redactedAt: at },
  });
  return result.count > 0;
}
