/**
 * The filtered customer list as CSV (UTF-8 with BOM, RFC 4180, formulas defused: app/domain/csv.ts),
 * streamed: a page of customers is read only when the client has taken the previous one, so
 * 100,000 customers never sit in memory at once.
 */
import type { PrismaClient } from "../../db.server";
import { BOM, csvNumber, csvRow, type CsvCell } from "../../domain/csv";
import { dayIn, parseCustomerQuery } from "../../domain/customer-filter";
import { formatMinorUnits } from "../../domain/money";
import { regionName } from "../../domain/prefectures";
import { logger } from "../../logger.server";
import { t, type Locale } from "../../locales";
import { customerRecordPages, shopifyIdOf, type CustomerRecord } from "./customer-list.server";
import { shopTimeZone } from "./customer-query.server";

export const EXPORT_PAGE_SIZE = 500;

const COLUMNS = [
  "customerId",
  "lastName",
  "firstName",
  "email",
  "rank",
  "segment",
  "orders",
  "lifetimeSpent",
  "firstOrder",
  "lastOrder",
  "country",
  "region",
  "tags",
  "notes",
] as const;

export function csvHeader(locale: Locale, currency: string): string[] {
  return COLUMNS.map((c) => t(locale, `customers.csv.${c}`, { currency }));
}

export async function customerCsvResponse(prisma: PrismaClient, shop: string, params: URLSearchParams, locale: Locale): Promise<Response> {
  const query = parseCustomerQuery(params);
  if (query.errors.length > 0) {
    return new Response(query.errors.map((e) => e.message[locale]).join("\n"), { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  const { timeZone, currency } = await shopTimeZone(prisma, shop);
  const tiers = await prisma.rankTier.findMany({ where: { shop }, select: { key: true, labelJa: true, labelEn: true } });
  const rankLabel = new Map(tiers.map((tier) => [tier.key, locale === "ja" ? tier.labelJa : tier.labelEn]));
  const day = (at: Date | null) => (at ? dayIn(at, timeZone) : null);
  const row = (c: CustomerRecord): CsvCell[] => [
    shopifyIdOf(c.gid),
    c.lastName,
    c.firstName,
    c.email,
    c.rankKey ? (rankLabel.get(c.rankKey) ?? c.rankKey) : null,
    c.rfmSegment,
    c.orderCount,
    // A plain number in the shop currency ("12.50", "1980"): spreadsheets sum it.
    csvNumber(formatMinorUnits(c.lifetimeSpent, currency)),
    day(c.firstOrderAt),
    day(c.lastOrderAt),
    c.countryCode,
    c.provinceCode ? regionName(c.provinceCode, locale) : null,
    c.tags,
    c.noteCount,
  ];

  const encoder = new TextEncoder();
  const pages = customerRecordPages(prisma, shop, query.filter, query.order, timeZone, EXPORT_PAGE_SIZE);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(BOM + csvRow(csvHeader(locale, currency))));
    },
    async pull(controller) {
      try {
        const next = await pages.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value.map((c) => csvRow(row(c))).join("")));
      } catch (error) {
        logger.error("customer export failed", { shop, error: String(error) });
        controller.error(error);
      }
    },
    async cancel() {
      await pages.return(undefined);
    },
  });
  const stamp = new Date().toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="customers-${stamp}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
