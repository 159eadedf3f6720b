import { sqlExecute, sqlInsertRows, sqlQuery, sqlDialect, type PrismaClient, type Tx } from "../db.server";
import { dateFrom, jsonList, jsonRowsParam, jsonRowsSource, placeholder, timestampLiteral, shopFilter } from "../db/json-rows";
import type { CustomerRef } from "../domain/types";
import type { StatsOrder } from "../domain/customer-stats";
import { deleteCustomerNotes } from "./customer-note.server";
import { deleteSurveyAnswers } from "../services/survey-data.server";

type PersonalData = Pick<
  CustomerRef,
  "firstName" | "lastName" | "email" | "countryCode" | "provinceCode" | "tags" | "emailMarketingConsent" | "consentUpdatedAt" | "locale"
>;
const PII_FIELDS = ["firstName", "lastName", "email", "countryCode", "provinceCode", "tags", "emailMarketingConsent", "consentUpdatedAt", "locale"] as const;

const PII_COLUMNS = {
  id: "int",
  gid: "text",
  firstName: "text",
  lastName: "text",
  email: "text",
  countryCode: "text",
  provinceCode: "text",
  tags: "text",
  emailMarketingConsent: "text",
  consentUpdatedAt: "timestamp",
  locale: "text",
} as const;

/** One ref per customer, later refs filling in fields the earlier ones lacked. */
function mergeRefs(refs: CustomerRef[]): Map<string, CustomerRef> {
  const byGid = new Map<string, CustomerRef>();
  for (const ref of refs) {
    const earlier = byGid.get(ref.gid);
    const merged = (earlier ? { ...earlier, ...definedOnly(ref) } : definedOnly(ref)) as CustomerRef;
    // Consent: the newer statement wins, whatever order the payloads came in.
    if (earlier?.emailMarketingConsent !== undefined && !consentIsNewer(ref.consentUpdatedAt, earlier.consentUpdatedAt ?? null)) {
      merged.emailMarketingConsent = earlier.emailMarketingConsent;
      merged.consentUpdatedAt = earlier.consentUpdatedAt;
    }
    byGid.set(ref.gid, merged);
  }
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
  await insertNewCustomers(prisma, shop, [...byGid.values()]);
}

/** Returns gid → id of the rows it inserted (not of those another writer inserted first). */
async function insertNewCustomers(client: Tx, shop: string, refs: CustomerRef[]): Promise<Map<string, number>> {
  const now = new Date();
  const { id: _id, ...columns } = PII_COLUMNS;
  return sqlInsertRows(
    client,
    { table: "Customer", columns, rows: refs.map(personalRow), constants: { shop, createdAt: now, updatedAt: now }, skipConflictsOn: ["shop", "gid"] },
    "gid",
  );
}

type StoredPersonalData = { id: number; gid: string; redactedAt: unknown } & Record<Exclude<(typeof PII_FIELDS)[number], "consentUpdatedAt">, string | null> & {
  consentUpdatedAt: Date | null;
};

/** A consent statement dated `incoming` replaces one dated `stored` (undefined: the payload had none). */
function consentIsNewer(incoming: Date | null | undefined, stored: Date | null): boolean {
  if (incoming === undefined) return false;
  return stored === null || (incoming !== null && incoming.getTime() > stored.getTime());
}

const samePersonalValue = (a: unknown, b: unknown) =>
  a instanceof Date || b instanceof Date ? (a as Date | null)?.getTime() === (b as Date | null)?.getTime() : a === b;

async function findCustomersByGid(tx: Tx, shop: string, gids: string[]): Promise<StoredPersonalData[]> {
  const dialect = sqlDialect(tx);
  const rows = await sqlQuery<StoredPersonalData>(
    tx,
    `SELECT "id", "gid", "redactedAt", ${PII_FIELDS.map((f) => `"${f}"`).join(", ")} FROM "Customer"
     WHERE "shop" = ${placeholder(dialect, 1)} AND "gid" IN ${jsonList(dialect, "text", 2)}`,
    shop,
    JSON.stringify(gids),
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), consentUpdatedAt: r.consentUpdatedAt === null ? null : dateFrom(r.consentUpdatedAt) }));
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

  const existing = await findCustomersByGid(tx, shop, gids);
  const known = new Map(existing.map((c) => [c.gid, c]));
  const missing = gids.filter((gid) => !known.has(gid));
  const inserted = missing.length > 0 ? await insertNewCustomers(tx, shop, missing.map((gid) => byGid.get(gid)!)) : new Map<string, number>();
  // A redacted customer's personal data never comes back through later payloads.
  const changed = existing.filter((row) => {
    if (row.redactedAt) return false;
    const changes = personalData(byGid.get(row.gid)!);
    if (changes.emailMarketingConsent !== undefined && !consentIsNewer(changes.consentUpdatedAt, row.consentUpdatedAt)) {
      delete changes.emailMarketingConsent;
      delete changes.consentUpdatedAt;
    }
    return PII_FIELDS.some((f) => changes[f] !== undefined && !samePersonalValue(changes[f], row[f]));
  });
  if (changed.length > 0) {
    const dialect = sqlDialect(tx);
    const rows = jsonRowsSource(dialect, PII_COLUMNS, "j", 1);
    // Consent moves only forward in time, also against a write that raced this one.
    const newer = `(c."consentUpdatedAt" IS NULL OR (${rows.col("consentUpdatedAt")} IS NOT NULL AND ${rows.col("consentUpdatedAt")} > c."consentUpdatedAt"))`;
    const set = PII_FIELDS.map((f) =>
      f === "emailMarketingConsent" || f === "consentUpdatedAt"
        ? `"${f}" = CASE WHEN ${newer} THEN ${rows.col(f)} ELSE c."${f}" END`
        : `"${f}" = ${rows.col(f)}`,
    ).join(", ");
    await sqlExecute(
      tx,
      `UPDATE "Customer" AS c SET ${set}, "updatedAt" = ${timestampLiteral(dialect, new Date())}
       FROM ${rows.from}
       WHERE ${shopFilter(dialect, "c", 2)} AND c."id" = ${rows.col("id")}`,
      // Fields a payload does not carry keep their stored value; null in a payload clears one.
      jsonRowsParam(dialect, PII_COLUMNS, changed.map((row) => ({ ...row, ...personalData(byGid.get(row.gid)!) }))),
      shop,
    );
  }
  // Inserted by someone else since we looked (PostgreSQL): read their ids.
  const raced = missing.filter((gid) => !inserted.has(gid));
  const others = raced.length > 0 ? await findCustomersByGid(tx, shop, raced) : [];
  return new Map([...existing.map((c) => [c.gid, c.id] as const), ...inserted, ...others.map((c) => [c.gid, c.id] as const)]);
}

function personalRow(ref: CustomerRef): Record<string, unknown> {
  return { gid: ref.gid, ...personalData(ref) };
}

function definedOnly(ref: CustomerRef): Partial<CustomerRef> {
  // A loop, not Object.entries/fromEntries: an import merges thousands of refs per batch.
  const defined: Record<string, unknown> = {};
  for (const key of Object.keys(ref)) {
    const value = ref[key as keyof CustomerRef];
    if (value !== undefined) defined[key] = value;
  }
  return defined as Partial<CustomerRef>;
}

function personalData(ref: CustomerRef): PersonalData {
  const data: PersonalData = {};
  for (const f of PII_FIELDS) if (ref[f] !== undefined) (data as Record<string, unknown>)[f] = ref[f];
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
  const dialect = sqlDialect(tx);
  const ids = JSON.stringify(customerIds);
  const inIds = jsonList(dialect, "int", 2);
  // shopFilter keeps SQLite on the id / customerId lookups: left to itself it walks one of the
  // shop's indexes — every customer or order of the shop, for each batch.
  if (dialect === "postgresql") {
    await sqlExecute(
      tx,
      `UPDATE "Customer" AS c SET "updatedAt" = ${timestampLiteral(dialect, new Date())} WHERE ${shopFilter(dialect, "c", 1)} AND c."id" IN ${inIds}`,
      shop,
      ids,
    );
  }
  // SQLite needs no row locks: the transaction took the database's write lock at BEGIN IMMEDIATE
  // (patched adapter, ADR 0009), so no other writer commits between this read and the update.
  type CustomerRow = { id: number | bigint; rankKey: string | null; orderCount: number | bigint; windowSpent: bigint | number | string };
  type OrderRow = { customerId: number | bigint; processedAt: unknown; totalPrice: bigint | number | string; currentTotal: bigint | number | string; cancelledAt: unknown; currency: string };
  const [customers, orders] = await Promise.all([
    sqlQuery<CustomerRow>(
      tx,
      `SELECT c."id", c."rankKey", c."orderCount", c."windowSpent" FROM "Customer" AS c WHERE ${shopFilter(dialect, "c", 1)} AND c."id" IN ${inIds}`,
      shop,
      ids,
    ),
    sqlQuery<OrderRow>(
      tx,
      `SELECT o."customerId", o."processedAt", o."totalPrice", o."currentTotal", o."cancelledAt", o."currency" FROM "Order" AS o
       WHERE ${shopFilter(dialect, "o", 1)} AND o."customerId" IN ${inIds}`,
      shop,
      ids,
    ),
  ]);
  const byCustomer = new Map<number, StatsOrder[]>();
  for (const o of orders) {
    const customerId = Number(o.customerId);
    const list = byCustomer.get(customerId) ?? [];
    list.push({
      processedAt: dateFrom(o.processedAt),
      totalPrice: BigInt(o.totalPrice),
      currentTotal: BigInt(o.currentTotal),
      cancelledAt: o.cancelledAt === null ? null : dateFrom(o.cancelledAt),
      currency: o.currency,
    });
    byCustomer.set(customerId, list);
  }
  return customers.map((c) => ({
    id: Number(c.id),
    rankKey: c.rankKey,
    orderCount: Number(c.orderCount),
    windowSpent: BigInt(c.windowSpent),
    orders: byCustomer.get(Number(c.id)) ?? [],
  }));
}

export async function redactCustomer(tx: Tx, shop: string, customerGid: string, at: Date, ordersToRedact: string[] = []): Promise<boolean> {
  // The merchant's notes on the customer are personal data too (customer-note.server.ts).
  await deleteCustomerNotes(tx, shop, customerGid);
  // So are survey answers (free text in the customer's words), also those on the orders named.
  await deleteSurveyAnswers(tx, shop, { customerGid, orderGids: ordersToRedact });
  // An SMTP server's reply may quote the recipient ("550 5.1.1 <hanako@…>: unknown user").
  await tx.mailSend.updateMany({ where: { shop, customer: { shop, gid: customerGid }, smtpReply: { not: null } }, data: { smtpReply: null } });
  const result = await tx.customer.updateMany({
    where: { shop, gid: customerGid },
    data: { firstName: null, lastName: null, email: null, countryCode: null, provinceCode: null, tags: null, emailMarketingConsent: null, consentUpdatedAt: null, locale: null, redactedAt: at },
  });
  return result.count > 0;
}

const SYNCED_COLUMNS = { id: "int", fingerprint: "text" } as const;

/**
 * Record what a successful rank sync wrote to Shopify (rankSyncFingerprint), or RANK_SYNC_GONE
 * for a customer Shopify no longer has. One statement for a whole batch.
 */
export async function recordRankSynced(client: Tx, shop: string, synced: { id: number; fingerprint: string }[]): Promise<void> {
  if (synced.length === 0) return;
  const dialect = sqlDialect(client);
  const j = jsonRowsSource(dialect, SYNCED_COLUMNS, "j", 1);
  await sqlExecute(
    client,
    `UPDATE "Customer" AS c SET "rankSyncedFingerprint" = ${j.col("fingerprint")}
     FROM ${j.from}
     WHERE ${shopFilter(dialect, "c", 2)} AND c."id" = ${j.col("id")}`,
    jsonRowsParam(dialect, SYNCED_COLUMNS, synced),
    shop,
  );
}

export interface RankSyncState {
  id: number;
  orderCount: number;
  windowSpent: bigint;
  rankSyncedFingerprint: string | null;
}

/** A page of a shop's customers (id > afterId, by id) with what their rank sync needs. */
export async function rankSyncStates(client: Tx, shop: string, afterId: number, limit: number): Promise<RankSyncState[]> {
  const dialect = sqlDialect(client);
  const rows = await sqlQuery<{ id: number | bigint; orderCount: number | bigint; windowSpent: number | bigint | string; rankSyncedFingerprint: string | null }>(
    client,
    `SELECT "id", "orderCount", "windowSpent", "rankSyncedFingerprint" FROM "Customer"
     WHERE "shop" = ${placeholder(dialect, 1)} AND "id" > ${placeholder(dialect, 2)} ORDER BY "id" LIMIT ${placeholder(dialect, 3)}`,
    shop,
    afterId,
    limit,
  );
  return rows.map((r) => ({ id: Number(r.id), orderCount: Number(r.orderCount), windowSpent: BigInt(r.windowSpent), rankSyncedFingerprint: r.rankSyncedFingerprint }));
}
