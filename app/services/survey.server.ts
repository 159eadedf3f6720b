import { z } from "zod";
import type { PrismaClient, Tx } from "../db.server";
import {
  checkSurveyAnswer,
  sameAnswer,
  surveyForEditing,
  surveyFromJson,
  surveyOffer,
  surveyToJson,
  validateSurvey,
  type SurveyForm,
  type SurveyLocale,
  type SurveyOffer,
  type SurveySettings,
  type SurveyValidation,
} from "../domain/survey";
import { ensureShop, isUniqueViolation } from "../models/shop.server";
import { GUEST_TOKEN_ORDER_WINDOW_MS } from "./post-purchase.server";

// ---- Settings (the merchant's /app/survey page) ----

export async function loadSurveySettings(prisma: Tx, shop: string): Promise<SurveySettings | null> {
  const row = await prisma.shop.findUnique({ where: { shop }, select: { survey: true } });
  return surveyFromJson(row?.survey);
}

/** For the page: the stored settings or the defaults, and whether anything is stored yet. */
export async function surveySettingsForEditing(prisma: PrismaClient, shop: string): Promise<{ settings: SurveySettings; stored: boolean }> {
  await ensureShop(prisma, shop);
  const stored = await loadSurveySettings(prisma, shop);
  return { settings: surveyForEditing(stored), stored: stored !== null };
}

export async function saveSurveySettings(prisma: PrismaClient, shop: string, form: SurveyForm): Promise<SurveyValidation> {
  await ensureShop(prisma, shop);
  const saved = await prisma.$transaction(async (tx) => {
    // Read and write in one transaction: keys handed to new choices must not collide with a save in between.
    const result = validateSurvey(form, await loadSurveySettings(tx, shop));
    if (result.ok) await tx.shop.update({ where: { shop }, data: { survey: surveyToJson(result.settings) } });
    return result;
  });
  // This instance shows the change at once; others within SETTINGS_TTL_MS.
  forgetSurveySettings(shop);
  return saved;
}

/**
 * Every thank-you page reads the settings, which change rarely: each shop's are kept for a few
 * seconds (like the post-purchase route's shop context); a saved change shows within that.
 */
const SETTINGS_TTL_MS = 5_000;
const cache = new Map<string, { at: number; settings: Promise<SurveySettings | null> }>();

export function forgetSurveySettings(shop: string): void {
  cache.delete(shop);
}

function cachedSurveySettings(prisma: PrismaClient, shop: string, now: Date): Promise<SurveySettings | null> {
  const hit = cache.get(shop);
  if (hit && now.getTime() - hit.at < SETTINGS_TTL_MS) return hit.settings;
  const settings = loadSurveySettings(prisma, shop);
  cache.set(shop, { at: now.getTime(), settings });
  settings.catch(() => cache.delete(shop));
  return settings;
}

/**
 * The survey for the thank-you page of one order (already found to be the token's): null when
 * the shop has none switched on, or this order was answered already. Costs nothing but a cached
 * read while the survey is off.
 */
export async function surveyOfferForOrder(prisma: PrismaClient, shop: string, orderGid: string, locale: SurveyLocale, now = new Date()): Promise<SurveyOffer | null> {
  const offer = surveyOffer(await cachedSurveySettings(prisma, shop, now), locale);
  if (offer === null) return null;
  const answered = await prisma.surveyResponse.findUnique({ where: { shop_orderGid: { shop, orderGid } }, select: { id: true } });
  return answered ? null : offer;
}

// ---- Answers (POST /api/survey-answer) ----

/** What the thank-you extension sends (extensions/shared/survey.ts). Only the thank-you page asks. */
export const surveyAnswerRequest = z.object({
  orderId: z.string().regex(/^gid:\/\/shopify\/OrderIdentity\/\d+$/, "expected an OrderIdentity GID"),
  choiceKey: z.string().max(32).nullish(),
  // Longer than the limit so that the limit is checked (and reported) in one place, after trimming.
  freeText: z.string().max(4_000).nullish(),
});
export type SurveyAnswerRequest = z.infer<typeof surveyAnswerRequest>;

export type SurveyAnswerOutcome =
  | { status: 200; saved: "new" | "same answer again" }
  | { status: 400; reason: string }
  | { status: 404; reason: string }
  | { status: 409; reason: string };

export interface SurveyAnswerInput {
  shop: string;
  orderGid: string;
  /** The session token's customer; null for a checkout without one. */
  customerGid: string | null;
  choiceKey?: string | null;
  freeText?: string | null;
}

/**
 * Store the answer for one order, once. The order must be the token's (as for the post-purchase
 * view); a token without a customer may answer only for an order placed within the last hour —
 * the thank-you page is shown right after checkout, and an order id alone must not let anyone
 * answer for someone else's order later. A second answer for the order is 409, unless it is the
 * same answer again (a retried request): 200.
 */
export async function answerSurvey(prisma: PrismaClient, input: SurveyAnswerInput, now: Date = new Date()): Promise<SurveyAnswerOutcome> {
  const { shop, orderGid } = input;
  const order = await prisma.order.findUnique({
    where: { shop_gid: { shop, gid: orderGid } },
    select: { processedAt: true, customerId: true, customer: { select: { gid: true } } },
  });
  // The thank-you page's view has stored the order before the survey was offered.
  if (!order) return { status: 404, reason: "no such order in this shop" };
  const owner = order.customer?.gid ?? null;
  if (input.customerGid !== null && owner !== input.customerGid) return { status: 404, reason: "the order belongs to another customer" };
  if (input.customerGid === null && now.getTime() - order.processedAt.getTime() > GUEST_TOKEN_ORDER_WINDOW_MS) {
    return { status: 404, reason: "a token without a customer can answer only for a just-placed order" };
  }

  const settings = await loadSurveySettings(prisma, shop);
  const check = checkSurveyAnswer(settings, input);
  if (!check.ok) return { status: 400, reason: check.reason };
  const answer = check.answer;

  try {
    await prisma.surveyResponse.create({
      data: { shop, orderGid, customerId: order.customerId, questionKey: settings!.questionKey, choiceKey: answer.choiceKey, freeText: answer.freeText, createdAt: now },
    });
    return { status: 200, saved: "new" };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  const existing = await prisma.surveyResponse.findUnique({ where: { shop_orderGid: { shop, orderGid } }, select: { choiceKey: true, freeText: true } });
  if (existing && sameAnswer(existing, answer)) return { status: 200, saved: "same answer again" };
  return { status: 409, reason: "this order was answered already" };
}
