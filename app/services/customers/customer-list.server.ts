/**
 * The Customers page's list and the CSV export's pages: ids from customer-query (keyset), then
 * the rows themselves through Prisma.
 */
import type { PrismaClient } from "../../db.server";
import { encodeCursor, type Cursor, type CustomerFilter, type CustomerOrder, type ParsedCustomerQuery } from "../../domain/customer-filter";
import { countCustomers, cursorFor, customerPageIds, shopTimeZone } from "./customer-query.server";

export const PAGE_SIZE = 50;

const ROW_SELECT = {
  id: true,
  gid: true,
  firstName: true,
  lastName: true,
  email: true,
  countryCode: true,
  provinceCode: true,
  tags: true,
  orderCount: true,
  lifetimeSpent: true,
  firstOrderAt: true,
  lastOrderAt: true,
  rankKey: true,
  rfmSegment: true,
  _count: { select: { notes: true } },
} as const;

export interface CustomerRecord {
  id: number;
  gid: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  countryCode: string | null;
  provinceCode: string | null;
  tags: string | null;
  orderCount: number;
  lifetimeSpent: bigint;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  rankKey: string | null;
  rfmSegment: string | null;
  noteCount: number;
}

async function recordsFor(prisma: PrismaClient, shop: string, ids: number[]): Promise<CustomerRecord[]> {
  if (ids.length === 0) return [];
  const rows = await prisma.customer.findMany({ where: { shop, id: { in: ids } }, select: ROW_SELECT });
  const byId = new Map(rows.map(({ _count, ...r }) => [r.id, { ...r, noteCount: _count.notes }]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** The Shopify customer id: the page URL's id (/app/customers/<id>). */
export const shopifyIdOf = (gid: string) => gid.slice(gid.lastIndexOf("/") + 1);

/** A row as the page receives it (JSON: bigint and Date as strings). */
export interface CustomerListRow {
  shopifyId: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  countryCode: string | null;
  provinceCode: string | null;
  tags: string | null;
  orderCount: number;
  lifetimeSpent: string;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
  rankKey: string | null;
  rfmSegment: string | null;
  noteCount: number;
}

export interface CustomerListPage {
  rows: CustomerListRow[];
  total: number;
  /** Cursors for the pagination links, or null at either end. */
  next: string | null;
  previous: string | null;
  currency: string;
  timeZone: string;
}

export async function customerListPage(prisma: PrismaClient, shop: string, query: ParsedCustomerQuery, limit = PAGE_SIZE): Promise<CustomerListPage> {
  const { timeZone, currency } = await shopTimeZone(prisma, shop);
  const [page, total] = await Promise.all([
    customerPageIds(prisma, shop, { filter: query.filter, order: query.order, after: query.after, before: query.before, limit, timeZone }),
    countCustomers(prisma, shop, query.filter, timeZone),
  ]);
  const records = await recordsFor(prisma, shop, page.rows.map((r) => r.id));
  const nameKeys = new Map(page.rows.map((r) => [r.id, r.nameKey]));
  const first = records[0];
  const last = records[records.length - 1];
  return {
    rows: records.map(toListRow),
    total,
    next: page.hasNext && last ? encodeCursor(cursorFor(query.order, last, nameKeys.get(last.id) ?? null)) : null,
    previous: page.hasPrevious && first ? encodeCursor(cursorFor(query.order, first, nameKeys.get(first.id) ?? null)) : null,
    currency,
    timeZone,
  };
}

function toListRow(r: CustomerRecord): CustomerListRow {
  return {
    shopifyId: shopifyIdOf(r.gid),
    firstName: r.firstName,
    lastName: r.lastName,
    email: r.email,
    countryCode: r.countryCode,
    provinceCode: r.provinceCode,
    tags: r.tags,
    orderCount: r.orderCount,
    lifetimeSpent: r.lifetimeSpent.toString(),
    firstOrderAt: r.firstOrderAt?.toISOString() ?? null,
    lastOrderAt: r.lastOrderAt?.toISOString() ?? null,
    rankKey: r.rankKey,
    rfmSegment: r.rfmSegment,
    noteCount: r.noteCount,
  };
}

/**
 * Every matching customer in the list's order, `pageSize` at a time (the CSV export): only one
 * page is held at once, however many customers match.
 */
export async function* customerRecordPages(
  prisma: PrismaClient,
  shop: string,
  filter: CustomerFilter,
  order: CustomerOrder,
  timeZone: string,
  pageSize = 500,
): AsyncGenerator<CustomerRecord[]> {
  let after: Cursor | null = null;
  for (;;) {
    const page = await customerPageIds(prisma, shop, { filter, order, after, before: null, limit: pageSize, timeZone });
    const records = await recordsFor(prisma, shop, page.rows.map((r) => r.id));
    if (records.length > 0) yield records;
    const last = records[records.length - 1];
    if (!page.hasNext || !last) return;
    after = cursorFor(order, last, page.rows[page.rows.length - 1]!.nameKey);
  }
}

export interface ListOptions {
  ranks: { key: string; labelJa: string; labelEn: string }[];
  segments: string[];
  countries: string[];
  regions: string[];
}

/** What the filter controls offer: the shop's ranks and the segments, countries and regions its customers have. */
export async function customerListOptions(prisma: PrismaClient, shop: string, country: string | null): Promise<ListOptions> {
  const live = { shop, redactedAt: null };
  const [tiers, segments, countries, regions] = await Promise.all([
    prisma.rankTier.findMany({ where: { shop }, orderBy: { position: "asc" }, select: { key: true, labelJa: true, labelEn: true } }),
    prisma.customer.groupBy({ by: ["rfmSegment"], where: { ...live, rfmSegment: { not: null } } }),
    prisma.customer.groupBy({ by: ["countryCode"], where: { ...live, countryCode: { not: null } } }),
    country ? prisma.customer.groupBy({ by: ["provinceCode"], where: { ...live, countryCode: country, provinceCode: { not: null } } }) : Promise.resolve([]),
  ]);
  return {
    ranks: tiers,
    segments: segments.map((s) => s.rfmSegment!).sort(),
    countries: countries.map((c) => c.countryCode!).sort(),
    regions: regions.map((r) => r.provinceCode!).sort(),
  };
}
