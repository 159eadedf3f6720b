/**
 * Planning: find the follow-up work that is due from the database and record it as MailSend
 * rows — "scheduled" for the treated group, "held" for the holdout (recorded, never sent). The
 * rows are the whole state: a restart loses nothing, and planning again plans nothing new
 * (INSERT … ON CONFLICT DO NOTHING on the send log's unique key). ADR 0022.
 *
 * The delivery channel is decided here, per shop and pass: SMTP settings saved and switched on →
 * mail (rows wait for the sender); else an active Flow workflow on "Customer follow up due" →
 * Flow (the treated row is recorded "sent" when its trigger is queued, messageId
 * FLOW_MESSAGE_ID); else nothing is planned — a holdout without a treated group measures nothing.
 */
import { sqlDialect, sqlQuery, type PrismaClient, type Tx } from "../../db.server";
import { dateFrom, jsonList, jsonRowsSource, jsonRowsParam, placeholder, timestampLiteral, type SqlDialect } from "../../db/json-rows";
import { FOLLOW_UP_DUE_TRIGGER } from "../../domain/flow-payloads";
import { isInHoldout } from "../../domain/holdout";
import { DEFAULT_MAX_LATE_DAYS, DEFAULT_SENDING_HOURS, DEFAULT_VIP_RANK_KEYS, nextSendTime, type Phase, type SendingHours } from "../../domain/journeys";
import { planReminder, type IntervalEstimate, type ProductPurchase } from "../../domain/replenishment";
import { fireFollowUpDue } from "../../shopify/flow.server";
import {
  REPLENISHMENT_KEY,
  parseJourneyDefinition,
  parseReplenishmentDefinition,
  type JourneyDefinition,
} from "../followup-settings/definition";
import { FLOW_MESSAGE_ID } from "./send-log";
import type { DeliveryChannel, PlanOptions, PlanResult } from "./types";

const DAY_MS = 86_400_000;
const DEFAULT_TIME_ZONE = "Asia/Tokyo";
const INSERT_BATCH = 2_000;

/** Counted order (customer-stats.ts isCountedOrder) in SQL. */
export const countedOrderSql = (o: string) => `${o}."cancelledAt" IS NULL AND NOT (${o}."totalPrice" > 0 AND ${o}."currentTotal" <= 0)`;

/** May receive marketing mail at all (consent is re-checked when sending). */
const reachableSql = (c: string) => `${c}."emailMarketingConsent" = 'SUBSCRIBED' AND ${c}."email" IS NOT NULL AND ${c}."email" <> '' AND ${c}."redactedAt" IS NULL`;

export interface PlannedRow {
  customerId: number;
  customerGid: string;
  referenceKey: string;
  step: number;
  group: "treated" | "holdout";
  scheduledFor: Date;
  /** For the Flow trigger. */
  lastOrderAt: Date;
}

interface ShopContext {
  timeZone: string;
  hours: SendingHours;
  vipRankKeys: string[];
}

async function shopContext(client: Tx, shop: string): Promise<ShopContext | null> {
  const [row, settings, top] = await Promise.all([
    client.shop.findUnique({ where: { shop }, select: { ianaTimezone: true, uninstalledAt: true } }),
    client.mailSettings.findUnique({ where: { shop }, select: { sendFromHour: true, sendToHour: true } }),
    client.rankTier.findFirst({ where: { shop }, orderBy: { position: "desc" }, select: { key: true } }),
  ]);
  if (!row || row.uninstalledAt) return null;
  return {
    timeZone: row.ianaTimezone || DEFAULT_TIME_ZONE,
    hours: settings ? { from: settings.sendFromHour, to: settings.sendToHour } : DEFAULT_SENDING_HOURS,
    // VIP = the merchant's top tier (ADR 0019); without tiers, the default ladder's "vip".
    vipRankKeys: top ? [top.key] : [...DEFAULT_VIP_RANK_KEYS],
  };
}

function phaseSql(dialect: SqlDialect, phase: Phase, vipParam: number): string {
  const vip = `c."rankKey" IN ${jsonList(dialect, "text", vipParam)}`;
  const notVip = `(c."rankKey" IS NULL OR NOT ${vip})`;
  switch (phase) {
    case "vip":
      return `c."orderCount" >= 1 AND ${vip}`;
    case "first":
      return `c."orderCount" = 1 AND ${notVip}`;
    case "second":
      return `c."orderCount" = 2 AND ${notVip}`;
    case "regular":
      return `c."orderCount" >= 3 AND ${notVip}`;
  }
}

/**
 * Journey steps due at `now`, as journeys.ts dueSteps decides per customer, for the whole shop
 * in one statement per step: step i is due when its time has come, it is at most maxLateDays
 * late, the next step's time has not come (after downtime only the latest due step goes), and
 * nothing of this run (same reference order) was planned for step i or later.
 */
async function dueJourneySteps(
  client: Tx,
  shop: string,
  campaignKey: string,
  definition: JourneyDefinition,
  context: ShopContext,
  now: Date,
): Promise<Omit<PlannedRow, "group" | "scheduledFor">[]> {
  const dialect = sqlDialect(client);
  const p = (n: number) => placeholder(dialect, n);
  const rows: Omit<PlannedRow, "group" | "scheduledFor">[] = [];
  const steps = definition.steps;
  for (let i = 0; i < steps.length; i++) {
    const delay = steps[i]!.delayDays;
    const dueBefore = new Date(now.getTime() - delay * DAY_MS);
    const lateLimit = new Date(dueBefore.getTime() - DEFAULT_MAX_LATE_DAYS * DAY_MS);
    const next = steps[i + 1];
    const nextDue = next ? new Date(now.getTime() - next.delayDays * DAY_MS) : null;
    const found = await sqlQuery<{ id: number | bigint; gid: string; lastOrderAt: unknown; referenceKey: string }>(
      client,
      `SELECT c."id", c."gid", c."lastOrderAt", r."gid" AS "referenceKey"
       FROM "Customer" c
       JOIN "Order" r ON r."id" = (
         SELECT o."id" FROM "Order" o
         WHERE o."customerId" = c."id" AND o."processedAt" = c."lastOrderAt" AND ${countedOrderSql("o")}
         ORDER BY o."id" DESC LIMIT 1)
       WHERE c."shop" = ${p(1)} AND ${reachableSql("c")} AND ${phaseSql(dialect, definition.phase, 2)}
         AND c."lastOrderAt" <= ${timestampLiteral(dialect, dueBefore)}
         AND c."lastOrderAt" >= ${timestampLiteral(dialect, lateLimit)}
         ${nextDue ? `AND c."lastOrderAt" > ${timestampLiteral(dialect, nextDue)}` : ""}
         AND NOT EXISTS (
           SELECT 1 FROM "MailSend" m
           WHERE m."shop" = c."shop" AND m."campaignKey" = ${p(3)} AND m."customerId" = c."id"
             AND m."referenceKey" = r."gid" AND m."step" >= ${p(4)})`,
      shop,
      JSON.stringify(context.vipRankKeys),
      campaignKey,
      i + 1,
    );
    for (const row of found) {
      rows.push({
        customerId: Number(row.id),
        customerGid: row.gid,
        referenceKey: row.referenceKey,
        step: i + 1,
        lastOrderAt: dateFrom(row.lastOrderAt),
      });
    }
  }
  return rows;
}

/**
 * Replenishment reminders due at `now`: for every product with an interval (the merchant's
 * override or a learned one) and every reachable customer who bought it, planReminder on the
 * customer's purchases of it. Reference = product + the order that started the last purchase.
 */
async function dueReminders(client: Tx, shop: string, leadDays: number, now: Date): Promise<Omit<PlannedRow, "group" | "scheduledFor">[]> {
  const intervals = await client.productInterval.findMany({
    where: { shop, OR: [{ overrideDaysPerUnit: { not: null } }, { learnedDaysPerUnit: { not: null } }] },
  });
  if (intervals.length === 0) return [];
  const estimates = new Map<string, IntervalEstimate>(
    intervals.map((i) => [
      i.productGid,
      i.overrideDaysPerUnit !== null
        ? { kind: "override", daysPerUnit: i.overrideDaysPerUnit }
        : { kind: "learned", daysPerUnit: i.learnedDaysPerUnit!, pairs: i.samplePairs, customers: i.sampleCustomers },
    ]),
  );
  const dialect = sqlDialect(client);
  const lines = await sqlQuery<{ customerId: number | bigint; customerGid: string; productGid: string; orderGid: string; processedAt: unknown; quantity: number | bigint; lastOrderAt: unknown }>(
    client,
    `SELECT c."id" AS "customerId", c."gid" AS "customerGid", l."productGid", o."gid" AS "orderGid", o."processedAt", l."quantity", c."lastOrderAt"
     FROM "OrderLine" l
     JOIN "Order" o ON o."id" = l."orderId"
     JOIN "Customer" c ON c."id" = o."customerId"
     WHERE l."shop" = ${placeholder(dialect, 1)} AND l."productGid" IN ${jsonList(dialect, "text", 2)}
       AND ${countedOrderSql("o")} AND ${reachableSql("c")}
     ORDER BY c."id", l."productGid", o."processedAt"`,
    shop,
    JSON.stringify([...estimates.keys()]),
  );
  const groups = new Map<string, typeof lines>();
  for (const line of lines) {
    const key = `${String(line.customerId)}|${line.productGid}`;
    const list = groups.get(key);
    if (list) list.push(line);
    else groups.set(key, [line]);
  }
  const due: Omit<PlannedRow, "group" | "scheduledFor">[] = [];
  for (const list of groups.values()) {
    const first = list[0]!;
    const purchases: ProductPurchase[] = list.map((l) => ({
      customerGid: l.customerGid,
      productGid: l.productGid,
      processedAt: dateFrom(l.processedAt),
      quantity: Number(l.quantity),
    }));
    const plan = planReminder({
      customerGid: first.customerGid,
      productGid: first.productGid,
      purchases,
      estimate: estimates.get(first.productGid)!,
      now,
      leadDays,
    });
    if (plan.kind !== "remind" || plan.remindAt.getTime() > now.getTime()) continue;
    const reference = list.find((l) => dateFrom(l.processedAt).getTime() === plan.referenceAt.getTime())!;
    due.push({
      customerId: Number(first.customerId),
      customerGid: first.customerGid,
      referenceKey: `${first.productGid}|${reference.orderGid}`,
      step: 1,
      lastOrderAt: dateFrom(first.lastOrderAt),
    });
  }
  return due;
}

const MAIL_SEND_COLUMNS = {
  customerId: "int",
  referenceKey: "text",
  step: "int",
  group: "text",
  status: "text",
  scheduledFor: "timestamp",
} as const;

/** Inserts the rows not planned yet; returns those it inserted, with their ids. */
async function insertPlanned(tx: Tx, shop: string, campaignKey: string, rows: PlannedRow[], now: Date): Promise<(PlannedRow & { id: number })[]> {
  const dialect = sqlDialect(tx);
  const j = jsonRowsSource(dialect, MAIL_SEND_COLUMNS, "j", 3);
  const ts = timestampLiteral(dialect, now);
  const inserted = await sqlQuery<{ id: number | bigint; customerId: number | bigint; referenceKey: string; step: number | bigint }>(
    tx,
    `INSERT INTO "MailSend" ("shop", "campaignKey", "customerId", "referenceKey", "step", "group", "status", "scheduledFor", "attempts", "createdAt", "updatedAt")
     SELECT ${placeholder(dialect, 1)}, ${placeholder(dialect, 2)}, ${["customerId", "referenceKey", "step", "group", "status", "scheduledFor"].map(j.col).join(", ")}, 0, ${ts}, ${ts}
     FROM ${j.from}
     WHERE true -- SQLite: without a WHERE, "ON CONFLICT" would parse as a join constraint
     ON CONFLICT ("shop", "campaignKey", "customerId", "referenceKey", "step") DO NOTHING
     RETURNING "id", "customerId", "referenceKey", "step"`,
    shop,
    campaignKey,
    jsonRowsParam(
      dialect,
      MAIL_SEND_COLUMNS,
      rows.map((r) => ({ ...r, status: r.group === "holdout" ? "held" : "scheduled" })),
    ),
  );
  const key = (customerId: number, referenceKey: string, step: number) => `${customerId}|${referenceKey}|${step}`;
  const ids = new Map(inserted.map((r) => [key(Number(r.customerId), r.referenceKey, Number(r.step)), Number(r.id)]));
  return rows.flatMap((r) => {
    const id = ids.get(key(r.customerId, r.referenceKey, r.step));
    return id === undefined ? [] : [{ ...r, id }];
  });
}

/**
 * How the shop's follow-ups reach customers: its SMTP settings when saved and switched on (a
 * pause keeps the channel: rows wait until the settings are fixed), else Shopify Flow when a
 * workflow starts with "Customer follow up due" and a queue can fire it, else none.
 */
async function deliveryChannel(client: Tx, shop: string, canFireFlow: boolean): Promise<{ channel: DeliveryChannel | null; flowActive: boolean }> {
  const [mail, flow] = await Promise.all([
    client.mailSettings.findUnique({ where: { shop }, select: { enabled: true } }),
    client.flowTriggerState.findUnique({ where: { shop_handle: { shop, handle: FOLLOW_UP_DUE_TRIGGER } }, select: { enabled: true } }),
  ]);
  const flowActive = canFireFlow && flow?.enabled === true;
  return { channel: mail?.enabled ? "mail" : flowActive ? "flow" : null, flowActive };
}

/**
 * Plans every enabled journey and the replenishment reminders of one shop at `now`. Treated
 * journey steps also fire Shopify Flow's "Customer follow up due" when the shop has an active
 * workflow on it (in the transaction that records them, so exactly once). A Flow-only shop
 * (no SMTP settings switched on) gets its treated journey steps recorded as sent through Flow
 * and its holdout rows held, both at `now`; its replenishment reminders are not planned (there
 * is no Flow trigger for them).
 */
export async function planFollowUps(prisma: PrismaClient, shop: string, now: Date, options: PlanOptions = {}): Promise<PlanResult> {
  const result: PlanResult = { shop, scheduled: {}, held: {}, viaFlow: {} };
  const context = await shopContext(prisma, shop);
  if (!context) return { ...result, skippedShop: "uninstalled" };
  const campaigns = await prisma.campaign.findMany({ where: { shop, enabled: true, kind: { in: ["journey", "replenishment"] } } });
  if (campaigns.length === 0) return { ...result, skippedShop: "no-campaign" };
  const { channel, flowActive } = await deliveryChannel(prisma, shop, options.queue !== undefined);
  if (channel === null) return { ...result, skippedShop: "no-channel" };
  const batchSize = options.batchSize ?? INSERT_BATCH;

  for (const campaign of campaigns) {
    let due: Omit<PlannedRow, "group" | "scheduledFor">[];
    let definition: JourneyDefinition | null = null;
    if (campaign.key === REPLENISHMENT_KEY) {
      if (channel === "flow") continue;
      const reminders = parseReplenishmentDefinition(campaign.definition);
      if (!reminders) continue;
      due = await dueReminders(prisma, shop, reminders.leadDays, now);
    } else {
      definition = parseJourneyDefinition(campaign.definition);
      if (!definition) continue;
      due = await dueJourneySteps(prisma, shop, campaign.key, definition, context, now);
    }
    // A mail found due at night goes at the start of the next sending hours, never at once.
    // Flow fires now (the workflow has its own waits), so treated and held rows alike are "now".
    const scheduledFor = channel === "flow" ? now : nextSendTime(now, context.timeZone, context.hours);
    const planned: PlannedRow[] = due.map((row) => ({
      ...row,
      group: isInHoldout(campaign.key, row.customerGid, campaign.holdoutPercent) ? "holdout" : "treated",
      scheduledFor,
    }));
    for (let start = 0; start < planned.length; start += batchSize) {
      const batch = planned.slice(start, start + batchSize);
      await prisma.$transaction(async (tx) => {
        const inserted = await insertPlanned(tx, shop, campaign.key, batch, now);
        const deliveredByFlow: number[] = [];
        for (const row of inserted) {
          let fired = false;
          if (flowActive && definition && row.group === "treated") {
            fired = await fireFollowUpDue(tx, options.queue!, {
              shop,
              customerId: row.customerId,
              journeyKey: campaign.key,
              phase: definition.phase,
              stepNumber: row.step,
              lastOrderAt: row.lastOrderAt,
              now,
            });
          }
          // Flow-only: queueing the trigger is the delivery (exposure from sentAt). Should the
          // workflow have been switched off meanwhile, the row stays scheduled and is never counted.
          if (channel === "flow" && fired) deliveredByFlow.push(row.id);
          const bucket = row.group === "holdout" ? result.held : channel === "flow" && fired ? result.viaFlow : result.scheduled;
          bucket[campaign.key] = (bucket[campaign.key] ?? 0) + 1;
        }
        if (deliveredByFlow.length > 0) {
          await tx.mailSend.updateMany({
            where: { shop, id: { in: deliveredByFlow } },
            data: { status: "sent", sentAt: now, messageId: FLOW_MESSAGE_ID, error: null },
          });
        }
      });
    }
  }
  return result;
}
