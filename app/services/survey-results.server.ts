import type { PrismaClient } from "../db.server";
import { localizedText, tallySurvey, type SurveyLocale, type SurveyTallyRow } from "../domain/survey";
import { customerName } from "./customers/labels";
import { loadSurveySettings } from "./survey.server";

/** Free-text answers listed on the dashboard (newest first). */
export const LATEST_FREE_TEXT_LIMIT = 10;

export interface SurveyFreeTextAnswer {
  id: number;
  text: string;
  /** The choice picked with it, in the admin's language; null for text only. */
  choice: string | null;
  /** ISO instant. */
  at: string;
  /** Numeric Shopify id for /app/customers/<id>; null for an answer without a customer. */
  customerId: string | null;
  customerName: string | null;
}

export type SurveyResults =
  | { status: "notSetUp" }
  | {
      status: "ready";
      enabled: boolean;
      question: string;
      total: number;
      rows: SurveyTallyRow[];
      latestFreeText: SurveyFreeTextAnswer[];
    };

/**
 * The dashboard's survey card: answers to the current question received in [from, to) — counts
 * per choice and the latest free-text answers. Answers to an earlier question (another
 * questionKey) are not mixed in.
 */
export async function surveyResults(
  prisma: PrismaClient,
  query: { shop: string; from: Date; to: Date; locale: SurveyLocale; freeTextOnlyLabel: string },
): Promise<SurveyResults> {
  const settings = await loadSurveySettings(prisma, query.shop);
  if (settings === null) return { status: "notSetUp" };
  const where = { shop: query.shop, questionKey: settings.questionKey, createdAt: { gte: query.from, lt: query.to } };
  const [groups, texts] = await Promise.all([
    prisma.surveyResponse.groupBy({ by: ["choiceKey"], where, _count: { _all: true } }),
    prisma.surveyResponse.findMany({
      where: { ...where, freeText: { not: null } },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: LATEST_FREE_TEXT_LIMIT,
      select: { id: true, freeText: true, choiceKey: true, createdAt: true, customer: { select: { gid: true, firstName: true, lastName: true } } },
    }),
  ]);
  const tally = tallySurvey(
    settings,
    groups.map((g) => ({ choiceKey: g.choiceKey, count: g._count._all })),
    query.locale,
    query.freeTextOnlyLabel,
  );
  const labelOf = (key: string | null) => {
    if (key === null) return null;
    const choice = settings.choices.find((c) => c.key === key);
    return choice ? localizedText(choice.label, query.locale) || key : key;
  };
  return {
    status: "ready",
    enabled: settings.enabled,
    question: localizedText(settings.question, query.locale),
    total: tally.total,
    rows: tally.rows,
    latestFreeText: texts.map((r) => ({
      id: r.id,
      text: r.freeText ?? "",
      choice: labelOf(r.choiceKey),
      at: r.createdAt.toISOString(),
      customerId: r.customer ? r.customer.gid.slice(r.customer.gid.lastIndexOf("/") + 1) : null,
      customerName: r.customer ? customerName(query.locale, r.customer) || null : null,
    })),
  };
}
