/**
 * The Follow-up mail page: the four phase journeys and the replenishment reminders (Campaign
 * rows), and per-product repurchase intervals (ProductInterval: learned by the engine,
 * overridden here). ADR 0023.
 */
import type { PrismaClient } from "../../db.server";
import type { FieldErrors } from "../../domain/form-input";
import { FOLLOW_UP_DUE_TRIGGER } from "../../domain/flow-payloads";
import { PHASE_LABELS } from "../../domain/journeys";
import type { Localized } from "../../domain/messages";
import { rankProgress } from "../../domain/rank";
import { DEFAULT_MIN_CUSTOMERS, DEFAULT_MIN_PAIRS, parseIntervalOverride } from "../../domain/replenishment";
import { MAIL_LOCALES, MAIL_VARIABLES, mailVariables, type MailLocale, type MailVariables } from "../../mail/render";
import { ensureShop, loadShopContext, shopDisplayName } from "../../models/shop.server";
import type { JobQueue } from "../../queue/types";
import { queueFollowUpPlan } from "../followup/jobs.server";
import {
  journeyDefinitionJson,
  journeysFromRows,
  journeyToForm,
  parseJourneysForm,
  replenishmentDefinitionJson,
  replenishmentFromRows,
  replenishmentToForm,
  type JourneyForm,
  type ReplenishmentForm,
} from "./definition";

/** Products shown on the page (most often bought first). */
export const MAX_PRODUCTS = 200;

export interface IntervalRow {
  productGid: string;
  title: string;
  /** Order lines of the product in the shop (how much it is bought). */
  lines: number;
  learnedDaysPerUnit: number | null;
  samplePairs: number;
  sampleCustomers: number;
  learnedAt: string | null;
  /** As the form shows it: "" = use the learned value. */
  override: string;
}

export interface JourneysPage {
  journeys: (JourneyForm & { label: Localized })[];
  replenishment: ReplenishmentForm;
  intervals: IntervalRow[];
  minPairs: number;
  minCustomers: number;
  variables: readonly string[];
  /** Sample values per mail locale for the live preview (rendered in the browser). */
  samples: Record<MailLocale, MailVariables>;
  /** Sending is configured and on (else the page says mail will not go out yet). */
  sendingEnabled: boolean;
  /** No SMTP sending on, but a Flow workflow on "Customer follow up due": follow-ups go through Flow (ADR 0022). */
  deliveredByFlow: boolean;
}

async function intervalRows(prisma: PrismaClient, shop: string): Promise<IntervalRow[]> {
  const [bought, stored] = await Promise.all([
    prisma.orderLine.groupBy({
      by: ["productGid"],
      where: { shop, productGid: { not: null } },
      _count: { _all: true },
      _max: { title: true },
      orderBy: { _count: { productGid: "desc" } },
      take: MAX_PRODUCTS,
    }),
    prisma.productInterval.findMany({ where: { shop } }),
  ]);
  const byGid = new Map(stored.map((r) => [r.productGid, r]));
  const rows: IntervalRow[] = bought.map((b) => {
    const s = byGid.get(b.productGid!);
    byGid.delete(b.productGid!);
    return {
      productGid: b.productGid!,
      title: s?.title ?? b._max.title ?? b.productGid!,
      lines: b._count._all,
      learnedDaysPerUnit: s?.learnedDaysPerUnit ?? null,
      samplePairs: s?.samplePairs ?? 0,
      sampleCustomers: s?.sampleCustomers ?? 0,
      learnedAt: s?.learnedAt?.toISOString() ?? null,
      override: s?.overrideDaysPerUnit === null || s?.overrideDaysPerUnit === undefined ? "" : String(s.overrideDaysPerUnit),
    };
  });
  // Intervals of products no longer among the most bought (an override set earlier) stay visible.
  for (const s of byGid.values()) {
    if (s.overrideDaysPerUnit === null && s.learnedDaysPerUnit === null) continue;
    rows.push({
      productGid: s.productGid,
      title: s.title ?? s.productGid,
      lines: 0,
      learnedDaysPerUnit: s.learnedDaysPerUnit,
      samplePairs: s.samplePairs,
      sampleCustomers: s.sampleCustomers,
      learnedAt: s.learnedAt?.toISOString() ?? null,
      override: s.overrideDaysPerUnit === null ? "" : String(s.overrideDaysPerUnit),
    });
  }
  return rows;
}

export async function loadJourneysPage(prisma: PrismaClient, shop: string): Promise<JourneysPage> {
  await ensureShop(prisma, shop);
  const [ctx, campaigns, intervals, mail] = await Promise.all([
    loadShopContext(prisma, shop),
    prisma.campaign.findMany({ where: { shop } }),
    intervalRows(prisma, shop),
    prisma.mailSettings.findUnique({ where: { shop }, select: { enabled: true, fromName: true, pausedAt: true } }),
  ]);
  const shopName = await shopDisplayName(prisma, shop, mail?.fromName);
  // A first-time customer one order short of the next rank: every variable has a value.
  const progress = rankProgress({ orderCount: 1, windowSpent: 0n }, ctx.tiers);
  const samples = Object.fromEntries(
    MAIL_LOCALES.map((locale) => [
      locale,
      mailVariables({
        customer: locale === "ja" ? { firstName: "花子", lastName: "山田" } : { firstName: "Hanako", lastName: "Yamada" },
        rank: progress,
        currency: ctx.currency,
        shopName,
        locale,
      }),
    ]),
  ) as Record<MailLocale, MailVariables>;
  return {
    journeys: journeysFromRows(campaigns).map((c) => ({ ...journeyToForm(c), label: PHASE_LABELS[c.definition.phase] })),
    replenishment: replenishmentToForm(replenishmentFromRows(campaigns)),
    intervals,
    minPairs: DEFAULT_MIN_PAIRS,
    minCustomers: DEFAULT_MIN_CUSTOMERS,
    variables: MAIL_VARIABLES,
    samples,
    sendingEnabled: Boolean(mail?.enabled && !mail.pausedAt),
    deliveredByFlow: !mail?.enabled && ctx.flowTriggers.includes(FOLLOW_UP_DUE_TRIGGER),
  };
}

export interface JourneysInput {
  journeys: JourneyForm[];
  replenishment: ReplenishmentForm;
  intervals: { productGid: string; title: string; override: string }[];
}

export type SaveJourneysResult = { ok: true } | { ok: false; errors: FieldErrors };

/**
 * All or nothing: any error and nothing is written. With a queue, an enabled campaign is planned
 * at once (the engine's followup-plan job) instead of at the next tick.
 */
export async function saveJourneysPage(prisma: PrismaClient, shop: string, input: JourneysInput, queue?: JobQueue): Promise<SaveJourneysResult> {
  await ensureShop(prisma, shop);
  const parsed = parseJourneysForm(input);
  const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
  const overrides: { productGid: string; title: string; days: number | null }[] = [];
  input.intervals.forEach((row, i) => {
    if (!/^gid:\/\/shopify\/Product\/\d+$/.test(row.productGid)) {
      errors[`intervals[${i}].override`] = { en: "Unknown product.", ja: "商品が見つかりません。" };
      return;
    }
    const days = parseIntervalOverride(row.override);
    if (!days.ok) errors[`intervals[${i}].override`] = days.message;
    else overrides.push({ productGid: row.productGid, title: row.title, days: days.value });
  });
  if (!parsed.ok || Object.keys(errors).length > 0) return { ok: false, errors };

  const campaigns = [
    ...parsed.journeys.map((j) => ({ ...j, kind: "journey", json: journeyDefinitionJson(j.definition) })),
    { ...parsed.replenishment, kind: "replenishment", json: replenishmentDefinitionJson(parsed.replenishment.definition) },
  ];
  await prisma.$transaction(async (tx) => {
    for (const c of campaigns) {
      const data = { enabled: c.enabled, holdoutPercent: c.holdoutPercent, attributionDays: c.attributionDays, definition: c.json };
      await tx.campaign.upsert({ where: { shop_key: { shop, key: c.key } }, create: { shop, key: c.key, kind: c.kind, ...data }, update: data });
    }
    for (const o of overrides) {
      const existing = await tx.productInterval.findUnique({ where: { shop_productGid: { shop, productGid: o.productGid } }, select: { id: true } });
      if (existing) await tx.productInterval.update({ where: { id: existing.id }, data: { overrideDaysPerUnit: o.days } });
      else if (o.days !== null) {
        await tx.productInterval.create({ data: { shop, productGid: o.productGid, title: o.title.slice(0, 255) || null, overrideDaysPerUnit: o.days } });
      }
    }
    if (queue && campaigns.some((c) => c.enabled)) await queueFollowUpPlan(tx, queue, shop);
  });
  queue?.kick();
  return { ok: true };
}
