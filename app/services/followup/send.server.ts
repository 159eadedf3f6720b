/**
 * Sending: claim due "scheduled" rows (status → "sending" with a lease), check once more that
 * the mail still makes sense, render, send with the row id as idempotency key (so every attempt
 * of one mail carries one Message-ID), record the outcome. ADR 0022.
 *
 * The claim is one UPDATE … RETURNING over a sub-select; on PostgreSQL the sub-select takes
 * its rows FOR UPDATE SKIP LOCKED, so concurrent workers take disjoint rows and a row another
 * worker claimed meanwhile is re-checked and skipped. Outcomes are written only while the claim
 * is still ours (status "sending" and our lease), so a worker whose lease ran out cannot
 * overwrite the row's newer fate.
 */
import { sqlDialect, sqlExecute, sqlQuery, type PrismaClient } from "../../db.server";
import { dateFrom, jsonList, jsonRowsParam, jsonRowsSource, placeholder, timestampLiteral } from "../../db/json-rows";
import { DEFAULT_MAX_LATE_DAYS, DEFAULT_SENDING_HOURS, nextSendTime } from "../../domain/journeys";
import { rankProgress, type RankTier } from "../../domain/rank";
import { SAME_PURCHASE_WITHIN_DAYS } from "../../domain/replenishment";
import { keyringFromEnv, type Keyring } from "../../lib/secret-box.server";
import { logger } from "../../logger.server";
import type { MailFailure } from "../../mail/failure";
import { mailVariables, renderMail, type MailLocale, type MailTemplate } from "../../mail/render";
import { sendMail } from "../../mail/send.server";
import { unsubscribeLink } from "../../mail/unsubscribe.server";
import { REPLENISHMENT_KEY, parseJourneyDefinition, parseReplenishmentDefinition } from "../followup-settings/definition";
import { countedOrderSql } from "./plan.server";
import type { SkipReason } from "./send-log";
import { readMailSettings } from "./settings.server";
import type { SendOptions, SendResult, ShopMailSettings } from "./types";
import { shopDisplayName } from "../../models/shop.server";

const DAY_MS = 86_400_000;
const DEFAULT_BATCH = 50;
const DEFAULT_LEASE_MS = 10 * 60_000;
export const DEFAULT_MAX_SEND_ATTEMPTS = 8;
const DEFAULT_TIME_ZONE = "Asia/Tokyo";

/** Wait before the next attempt of a mail that failed for now: 5 min, 10, 20 … at most 6 h. */
export function retryDelayMs(attempts: number): number {
  return Math.min(5 * 60_000 * 2 ** Math.max(0, attempts - 1), 6 * 3_600_000);
}

interface ClaimedRow {
  id: number;
  shop: string;
  campaignKey: string;
  step: number;
  referenceKey: string;
  scheduledFor: Date;
  attempts: number;
}

/** Claims up to `limit` due rows of shops whose sending is on and not paused. */
async function claim(prisma: PrismaClient, now: Date, lease: Date, limit: number, shop: string | undefined): Promise<ClaimedRow[]> {
  const dialect = sqlDialect(prisma);
  const nowSql = timestampLiteral(dialect, now);
  const rows = await sqlQuery<{ id: number | bigint; shop: string; campaignKey: string; step: number | bigint; referenceKey: string; scheduledFor: unknown; attempts: number | bigint }>(
    prisma,
    `UPDATE "MailSend" SET "status" = 'sending', "lockedUntil" = ${timestampLiteral(dialect, lease)},
       "attempts" = "attempts" + 1, "updatedAt" = ${nowSql}
     WHERE "id" IN (
       SELECT m."id" FROM "MailSend" m
       JOIN "MailSettings" s ON s."shop" = m."shop" AND s."enabled" = ${dialect === "sqlite" ? 1 : "true"} AND s."pausedAt" IS NULL
       WHERE ((m."status" = 'scheduled' AND m."scheduledFor" <= ${nowSql})
           -- a claim whose worker died: taken again once its lease has run out
           OR (m."status" = 'sending' AND m."lockedUntil" < ${nowSql}))
         ${shop === undefined ? "" : `AND m."shop" = ${placeholder(dialect, 1)}`}
       ORDER BY m."scheduledFor", m."id"
       LIMIT ${Math.trunc(limit)}
       ${dialect === "postgresql" ? "FOR UPDATE OF m SKIP LOCKED" : ""})
     RETURNING "id", "shop", "campaignKey", "step", "referenceKey", "scheduledFor", "attempts"`,
    ...(shop === undefined ? [] : [shop]),
  );
  return rows.map((r) => ({
    id: Number(r.id),
    shop: r.shop,
    campaignKey: r.campaignKey,
    step: Number(r.step),
    referenceKey: r.referenceKey,
    scheduledFor: dateFrom(r.scheduledFor),
    attempts: Number(r.attempts),
  }));
}

interface RowFacts {
  id: number;
  customerGid: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  locale: string | null;
  consent: string | null;
  redactedAt: unknown;
  orderCount: number;
  windowSpent: bigint;
  lastOrderAt: Date | null;
  /** The reference order (journey) or the order of the reminded purchase. */
  referenceAt: Date | null;
  referenceCounted: boolean;
  /** Replenishment: a later counted purchase of the product. */
  boughtAgain: boolean;
}

/** The customer and reference facts of claimed rows, one statement. */
async function rowFacts(prisma: PrismaClient, ids: number[]): Promise<Map<number, RowFacts>> {
  const dialect = sqlDialect(prisma);
  // Replenishment reference "productGid|orderGid"; journeys reference the order GID itself.
  const refOrder = dialect === "sqlite" ? `substr(m."referenceKey", instr(m."referenceKey", '|') + 1)` : `split_part(m."referenceKey", '|', -1)`;
  const refProduct = dialect === "sqlite" ? `substr(m."referenceKey", 1, instr(m."referenceKey", '|') - 1)` : `split_part(m."referenceKey", '|', 1)`;
  const sameWindow = dialect === "sqlite" ? `julianday(o2."processedAt") > julianday(r."processedAt") + ${SAME_PURCHASE_WITHIN_DAYS}` : `o2."processedAt" > r."processedAt" + interval '${SAME_PURCHASE_WITHIN_DAYS} day'`;
  const rows = await sqlQuery<Record<string, unknown>>(
    prisma,
    `SELECT m."id", c."gid", c."email", c."firstName", c."lastName", c."locale", c."emailMarketingConsent" AS "consent",
            c."redactedAt", c."orderCount", c."windowSpent", c."lastOrderAt",
            r."processedAt" AS "referenceAt",
            CASE WHEN r."id" IS NOT NULL AND ${countedOrderSql("r")} THEN 1 ELSE 0 END AS "referenceCounted",
            CASE WHEN m."campaignKey" = '${REPLENISHMENT_KEY}' AND r."id" IS NOT NULL AND EXISTS (
              SELECT 1 FROM "Order" o2 JOIN "OrderLine" l2 ON l2."orderId" = o2."id"
              WHERE o2."customerId" = c."id" AND l2."productGid" = ${refProduct} AND ${countedOrderSql("o2")} AND ${sameWindow}
            ) THEN 1 ELSE 0 END AS "boughtAgain"
     FROM "MailSend" m
     JOIN "Customer" c ON c."id" = m."customerId"
     LEFT JOIN "Order" r ON r."shop" = m."shop" AND r."gid" = ${refOrder}
     WHERE m."id" IN ${jsonList(dialect, "int", 1)}`,
    JSON.stringify(ids),
  );
  return new Map(
    rows.map((r) => [
      Number(r.id),
      {
        id: Number(r.id),
        customerGid: String(r.gid),
        email: (r.email as string | null) ?? null,
        firstName: (r.firstName as string | null) ?? null,
        lastName: (r.lastName as string | null) ?? null,
        locale: (r.locale as string | null) ?? null,
        consent: (r.consent as string | null) ?? null,
        redactedAt: r.redactedAt,
        orderCount: Number(r.orderCount),
        windowSpent: BigInt(r.windowSpent as bigint | number | string),
        lastOrderAt: r.lastOrderAt === null ? null : dateFrom(r.lastOrderAt),
        referenceAt: r.referenceAt === null ? null : dateFrom(r.referenceAt),
        referenceCounted: Number(r.referenceCounted) === 1,
        boughtAgain: Number(r.boughtAgain) === 1,
      },
    ]),
  );
}

interface Outcome {
  id: number;
  status: "sent" | "scheduled" | "failed" | "skipped";
  scheduledFor?: Date;
  sentAt?: Date;
  messageId?: string | null;
  error?: string | null;
  smtpReply?: string | null;
  /** Back to "scheduled" without counting the attempt (released by a paused shop). */
  release?: boolean;
}

const OUTCOME_COLUMNS = {
  id: "int",
  status: "text",
  scheduledFor: "timestamp",
  sentAt: "timestamp",
  messageId: "text",
  error: "text",
  smtpReply: "text",
  release: "int",
} as const;

/** Writes outcomes of rows still claimed by us (status sending, our lease). */
async function record(prisma: PrismaClient, outcomes: Outcome[], lease: Date, now: Date): Promise<void> {
  if (outcomes.length === 0) return;
  const dialect = sqlDialect(prisma);
  const j = jsonRowsSource(dialect, OUTCOME_COLUMNS, "j", 1);
  await sqlExecute(
    prisma,
    `UPDATE "MailSend" AS m SET
       "status" = ${j.col("status")},
       "scheduledFor" = COALESCE(${j.col("scheduledFor")}, m."scheduledFor"),
       "sentAt" = COALESCE(${j.col("sentAt")}, m."sentAt"),
       "messageId" = COALESCE(${j.col("messageId")}, m."messageId"),
       "error" = ${j.col("error")},
       "smtpReply" = COALESCE(${j.col("smtpReply")}, m."smtpReply"),
       "attempts" = CASE WHEN ${j.col("release")} = 1 THEN m."attempts" - 1 ELSE m."attempts" END,
       "lockedUntil" = NULL,
       "updatedAt" = ${timestampLiteral(dialect, now)}
     FROM ${j.from}
     WHERE m."id" = ${j.col("id")} AND m."status" = 'sending' AND m."lockedUntil" = ${timestampLiteral(dialect, lease)}`,
    jsonRowsParam(
      dialect,
      OUTCOME_COLUMNS,
      outcomes.map((o) => ({ ...o, release: o.release ? 1 : 0 })),
    ),
  );
}

interface ShopSendContext {
  /** app/uninstalled arrived: nothing more is sent, although the rows stay until shop/redact. */
  uninstalled: boolean;
  settings: ShopMailSettings | null;
  settingsError: string | null;
  timeZone: string;
  currency: string;
  shopLocale: MailLocale;
  tiers: RankTier[];
  campaigns: Map<string, { enabled: boolean; definition: string }>;
}

async function shopSendContext(prisma: PrismaClient, shop: string, keyring: () => Keyring): Promise<ShopSendContext> {
  const [shopRow, tierRows, campaigns] = await Promise.all([
    prisma.shop.findUnique({ where: { shop }, select: { ianaTimezone: true, currency: true, locale: true, uninstalledAt: true } }),
    prisma.rankTier.findMany({ where: { shop }, orderBy: { position: "asc" } }),
    prisma.campaign.findMany({ where: { shop }, select: { key: true, enabled: true, definition: true } }),
  ]);
  let settings: ShopMailSettings | null = null;
  let settingsError: string | null = null;
  try {
    settings = await readMailSettings(prisma, shop, keyring());
  } catch (error) {
    settingsError = error instanceof Error ? error.message : String(error);
  }
  return {
    uninstalled: Boolean(shopRow?.uninstalledAt),
    settings,
    settingsError,
    timeZone: shopRow?.ianaTimezone || DEFAULT_TIME_ZONE,
    currency: shopRow?.currency ?? "JPY",
    shopLocale: shopRow?.locale === "en" ? "en" : "ja",
    tiers: tierRows.map((t) => ({ ...t, combine: t.combine === "all" ? "all" : "any" })),
    campaigns: new Map(campaigns.map((c) => [c.key, c])),
  };
}

function mailLocale(customerLocale: string | null, shopLocale: MailLocale): MailLocale {
  const language = customerLocale?.toLowerCase().split(/[-_]/)[0];
  return language === "ja" || language === "en" ? language : shopLocale;
}

function templateFor(row: ClaimedRow, campaign: { enabled: boolean; definition: string } | undefined): MailTemplate | SkipReason {
  if (!campaign?.enabled) return "campaign-disabled";
  if (row.campaignKey === REPLENISHMENT_KEY) {
    const d = parseReplenishmentDefinition(campaign.definition);
    return d ? { subject: d.subject, body: d.body } : "campaign-changed";
  }
  const step = parseJourneyDefinition(campaign.definition)?.steps[row.step - 1];
  return step ? { subject: step.subject, body: step.body } : "campaign-changed";
}

/** Why a claimed row must not be sent any more, or null. */
function skipReason(row: ClaimedRow, facts: RowFacts | undefined, now: Date): SkipReason | null {
  if (!facts) return "reference-gone";
  if (facts.redactedAt !== null && facts.redactedAt !== undefined) return "redacted";
  if (!facts.email) return "no-email";
  if (facts.consent !== "SUBSCRIBED") return "unsubscribed";
  if (facts.referenceAt === null || !facts.referenceCounted) return "reference-gone";
  if (row.campaignKey === REPLENISHMENT_KEY) {
    if (facts.boughtAgain) return "bought-again";
  } else if (facts.lastOrderAt === null || facts.lastOrderAt.getTime() !== facts.referenceAt.getTime()) {
    // A newer order ends the run; an older last order means the reference was cancelled or refunded.
    return facts.lastOrderAt !== null && facts.lastOrderAt > facts.referenceAt ? "ordered-again" : "reference-gone";
  }
  if (now.getTime() - row.scheduledFor.getTime() > DEFAULT_MAX_LATE_DAYS * DAY_MS) return "too-late";
  return null;
}

function pauseReasonJson(failure: MailFailure): string {
  return JSON.stringify(failure.message);
}

/**
 * One sending pass until nothing is due (or `limit` rows): claim a batch, send it, record it.
 * Safe to run in several processes at once.
 */
export async function sendDueMail(prisma: PrismaClient, now: Date, options: SendOptions = {}): Promise<SendResult> {
  const result: SendResult = { claimed: 0, sent: 0, retried: 0, failed: 0, skipped: 0, paused: [] };
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_SEND_ATTEMPTS;
  const appUrl = options.appUrl ?? process.env.SHOPIFY_APP_URL ?? "";
  let keys: Keyring | undefined = options.keyring;
  const keyring = () => (keys ??= keyringFromEnv());
  const contexts = new Map<string, Promise<ShopSendContext>>();

  while (options.limit === undefined || result.claimed < options.limit) {
    const take = options.limit === undefined ? batchSize : Math.min(batchSize, options.limit - result.claimed);
    // Relative to the real clock, so a pass called with a past `now` still holds its claim.
    const lease = new Date(Math.max(now.getTime(), Date.now()) + leaseMs);
    const claimed = await claim(prisma, now, lease, take, options.shop);
    if (claimed.length === 0) break;
    result.claimed += claimed.length;
    const facts = await rowFacts(prisma, claimed.map((r) => r.id));
    const outcomes: Outcome[] = [];
    const pausedNow = new Set<string>();

    const byShop = new Map<string, ClaimedRow[]>();
    for (const row of claimed) byShop.set(row.shop, [...(byShop.get(row.shop) ?? []), row]);

    for (const [shop, rows] of byShop) {
      let contextPromise = contexts.get(shop);
      if (!contextPromise) contexts.set(shop, (contextPromise = shopSendContext(prisma, shop, keyring)));
      const context = await contextPromise;
      if (context.uninstalled) {
        // Planning stops at app/uninstalled (plan.server.ts); mails planned before it stop here.
        for (const row of rows) outcomes.push({ id: row.id, status: "skipped", error: "uninstalled" });
        continue;
      }
      const settings = context.settings;
      if (!settings || context.settingsError) {
        // The password no longer opens (key changed) or the settings vanished: pause, keep the rows.
        await pauseShop(prisma, shop, { en: `Mail settings cannot be used: ${context.settingsError ?? "none saved"}`, ja: `メール設定を使用できません：${context.settingsError ?? "未設定"}` }, now);
        pausedNow.add(shop);
        for (const row of rows) outcomes.push({ id: row.id, status: "scheduled", release: true });
        continue;
      }
      const hours = settings.hours ?? DEFAULT_SENDING_HOURS;
      const shopName = await shopDisplayName(prisma, shop, settings.smtp.fromName);
      let pausedBy: MailFailure | null = null;

      await Promise.all(
        rows.map(async (row) => {
          const fact = facts.get(row.id);
          const template = templateFor(row, context.campaigns.get(row.campaignKey));
          const skip = typeof template === "string" ? template : skipReason(row, fact, now);
          if (skip !== null || typeof template === "string") {
            outcomes.push({ id: row.id, status: "skipped", error: skip });
            return;
          }
          const f = fact!;
          const locale = mailLocale(f.locale, context.shopLocale);
          const variables = mailVariables({
            customer: { firstName: f.firstName, lastName: f.lastName },
            rank: rankProgress({ orderCount: f.orderCount, windowSpent: f.windowSpent }, context.tiers),
            currency: context.currency,
            shopName,
            locale,
          });
          const link = unsubscribeLink({ keyring: keyring(), appUrl, shop, customerGid: f.customerGid, campaign: row.campaignKey, now });
          const mail = renderMail(template, locale, variables, { unsubscribeUrl: link.url });
          const sent = await sendMail(
            settings.smtp,
            { to: { address: f.email!, name: variables.customer_name === null ? null : String(variables.customer_name) }, ...mail, unsubscribe: { url: link.url } },
            { shop, idempotencyKey: `mail-send:${row.id}`, transports: options.transports },
          );
          if (sent.status === "sent") {
            outcomes.push({ id: row.id, status: "sent", sentAt: new Date(Math.max(now.getTime(), Date.now())), messageId: sent.messageId, error: null, smtpReply: sent.smtpReply });
            return;
          }
          const failure = sent.failure;
          if (failure.affectsAllMail) {
            pausedBy ??= failure;
            outcomes.push({ id: row.id, status: "scheduled", release: true, error: failure.kind, smtpReply: failure.smtpReply, messageId: sent.messageId });
          } else if (sent.status === "retry" && row.attempts < maxAttempts) {
            const at = nextSendTime(new Date(now.getTime() + retryDelayMs(row.attempts)), context.timeZone, hours);
            outcomes.push({ id: row.id, status: "scheduled", scheduledFor: at, error: failure.kind, smtpReply: failure.smtpReply, messageId: sent.messageId });
          } else {
            outcomes.push({ id: row.id, status: "failed", error: sent.status === "retry" ? "max-attempts" : failure.kind, smtpReply: failure.smtpReply, messageId: sent.messageId });
          }
        }),
      );
      if (pausedBy !== null) {
        const failure: MailFailure = pausedBy;
        logger.warn("follow-up mail paused for the shop", { shop, kind: failure.kind, reply: failure.smtpReply });
        await pauseShop(prisma, shop, failure.message, now, pauseReasonJson(failure));
        pausedNow.add(shop);
      }
    }
    await record(prisma, outcomes, lease, now);
    for (const o of outcomes) {
      if (o.status === "sent") result.sent++;
      else if (o.status === "skipped") result.skipped++;
      else if (o.status === "failed") result.failed++;
      else if (!o.release) result.retried++;
    }
    for (const shop of pausedNow) if (!result.paused.includes(shop)) result.paused.push(shop);
    if (claimed.length < take) break;
  }
  return result;
}

async function pauseShop(prisma: PrismaClient, shop: string, message: { en: string; ja: string }, now: Date, json?: string): Promise<void> {
  await prisma.mailSettings.updateMany({
    where: { shop, pausedAt: null },
    data: { pausedAt: now, pauseReason: json ?? JSON.stringify(message) },
  });
}

/** Shops with mail due now and sending on (for the worker's tick). */
export async function shopsWithDueMail(prisma: PrismaClient, now: Date): Promise<string[]> {
  const dialect = sqlDialect(prisma);
  const rows = await sqlQuery<{ shop: string }>(
    prisma,
    `SELECT DISTINCT m."shop" FROM "MailSend" m
     JOIN "MailSettings" s ON s."shop" = m."shop" AND s."enabled" = ${dialect === "sqlite" ? 1 : "true"} AND s."pausedAt" IS NULL
     WHERE m."status" IN ('scheduled', 'sending') AND m."scheduledFor" <= ${timestampLiteral(dialect, now)}`,
  );
  return rows.map((r) => r.shop);
}
