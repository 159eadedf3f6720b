/**
 * The mail send log (/app/mail-log): the shop's MailSend rows, newest first, filtered by status
 * and campaign, one keyset page at a time (by id, so a page stays stable while the scheduler
 * adds rows). Texts are returned in both languages; the route picks the merchant's.
 */
import type { PrismaClient } from "../../db.server";
import { PHASE_LABELS, type Phase } from "../../domain/journeys";
import type { Localized } from "../../domain/messages";
import { MAIL_SEND_STATUSES, sendErrorText, type MailSendStatus } from "../followup/send-log";
import { REPLENISHMENT_KEY } from "../followup-settings/definition";

export const MAIL_LOG_PAGE_SIZE = 50;
const DEFAULT_TIME_ZONE = "Asia/Tokyo";

export interface MailLogQuery {
  status: MailSendStatus | null;
  campaign: string | null;
  /** Next page: rows with an id below this one. */
  after: number | null;
  /** Previous page: rows with an id above this one. */
  before: number | null;
}

export interface MailLogRow {
  id: number;
  /** The numeric part of the customer's GID (the customer page's path), null when the GID is not numeric. */
  customerId: string | null;
  customer: { firstName: string | null; lastName: string | null; email: string | null; erased: boolean };
  campaignKey: string;
  campaign: Localized;
  step: number;
  group: string;
  status: string;
  /** Shop-local "yyyy-mm-dd hh:mm". */
  scheduledFor: string;
  sentAt: string | null;
  attempts: number;
  error: Localized | null;
}

export interface MailLogPage {
  rows: MailLogRow[];
  /** Cursor for the next (older) page, or null on the last page. */
  next: number | null;
  /** Cursor for the previous (newer) page, or null on the first page. */
  previous: number | null;
  /** Rows matching the filters, over all pages. */
  total: number;
  campaigns: { key: string; label: Localized }[];
  timeZone: string;
}

/** A campaign key as the merchant knows it (journey:<phase>, replenishment; anything else as it is). */
export function campaignLabel(key: string): Localized {
  if (key === REPLENISHMENT_KEY) return { en: "Replenishment reminders", ja: "買い替え・補充のお知らせ" };
  const phase = key.startsWith("journey:") ? (key.slice("journey:".length) as Phase) : null;
  if (phase && phase in PHASE_LABELS) return PHASE_LABELS[phase];
  return { en: key, ja: key };
}

const positiveInt = (value: string | null): number | null => (value && /^\d{1,15}$/.test(value) && Number(value) > 0 ? Number(value) : null);

/**
 * The query from the page's URL. Values the page never writes (an unknown status, a cursor that
 * is not a number) are dropped: the merchant sees the unfiltered log rather than an error page.
 */
export function mailLogQueryFromUrl(url: URL): MailLogQuery {
  const status = url.searchParams.get("status");
  const campaign = url.searchParams.get("campaign");
  return {
    status: status && (MAIL_SEND_STATUSES as readonly string[]).includes(status) ? (status as MailSendStatus) : null,
    campaign: campaign && campaign.length <= 100 ? campaign : null,
    after: positiveInt(url.searchParams.get("after")),
    before: positiveInt(url.searchParams.get("before")),
  };
}

function shopLocalTime(timeZone: string): (at: Date) => string {
  let format: Intl.DateTimeFormat;
  const options: Intl.DateTimeFormatOptions = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  try {
    format = new Intl.DateTimeFormat("en-CA", { ...options, timeZone });
  } catch {
    format = new Intl.DateTimeFormat("en-CA", { ...options, timeZone: DEFAULT_TIME_ZONE });
  }
  return (at) => format.format(at).replace(",", "");
}

export async function loadMailLog(prisma: PrismaClient, shop: string, query: MailLogQuery, pageSize = MAIL_LOG_PAGE_SIZE): Promise<MailLogPage> {
  const filters = { shop, ...(query.status ? { status: query.status } : {}), ...(query.campaign ? { campaignKey: query.campaign } : {}) };
  // "before" walks towards newer rows (ascending), then the page is shown newest first again.
  const backwards = query.before !== null && query.after === null;
  const cursor = backwards ? { id: { gt: query.before! } } : query.after !== null ? { id: { lt: query.after } } : {};
  const [found, total, campaignKeys, settings] = await Promise.all([
    prisma.mailSend.findMany({
      where: { ...filters, ...cursor },
      orderBy: { id: backwards ? "asc" : "desc" },
      take: pageSize + 1,
      select: {
        id: true,
        campaignKey: true,
        step: true,
        group: true,
        status: true,
        scheduledFor: true,
        sentAt: true,
        attempts: true,
        error: true,
        smtpReply: true,
        customer: { select: { gid: true, firstName: true, lastName: true, email: true, redactedAt: true } },
      },
    }),
    prisma.mailSend.count({ where: filters }),
    prisma.mailSend.groupBy({ by: ["campaignKey"], where: { shop }, orderBy: { campaignKey: "asc" } }),
    prisma.shop.findUnique({ where: { shop }, select: { ianaTimezone: true } }),
  ]);
  const more = found.length > pageSize;
  const page = found.slice(0, pageSize);
  if (backwards) page.reverse();
  const timeZone = settings?.ianaTimezone || DEFAULT_TIME_ZONE;
  const local = shopLocalTime(timeZone);
  const first = page[0]?.id ?? null;
  const last = page.at(-1)?.id ?? null;
  return {
    rows: page.map((m) => ({
      id: m.id,
      customerId: /\/(\d+)$/.exec(m.customer.gid)?.[1] ?? null,
      customer: {
        firstName: m.customer.firstName,
        lastName: m.customer.lastName,
        email: m.customer.email,
        erased: m.customer.redactedAt !== null,
      },
      campaignKey: m.campaignKey,
      campaign: campaignLabel(m.campaignKey),
      step: m.step,
      group: m.group,
      status: m.status,
      scheduledFor: local(m.scheduledFor),
      sentAt: m.sentAt ? local(m.sentAt) : null,
      attempts: m.attempts,
      error: sendErrorText(m),
    })),
    // Going forwards, an older page exists when we found one row too many; going backwards,
    // there is one because we came from it.
    next: last !== null && (backwards || more) ? last : null,
    previous: first !== null && (backwards ? more : query.after !== null) ? first : null,
    total,
    campaigns: campaignKeys.map((c) => ({ key: c.campaignKey, label: campaignLabel(c.campaignKey) })),
    timeZone,
  };
}
