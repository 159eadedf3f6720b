/**
 * Survey answers as personal data: what customers/data_request reports and customers/redact
 * erases. Kept apart from survey.server.ts so that app/models can use it without import cycles.
 */
import type { Tx } from "../db.server";
import { surveyFromJson, type SurveyAnswer } from "../domain/survey";
import type { Localized } from "../domain/messages";

export interface StoredSurveyAnswer extends SurveyAnswer {
  id: number;
  orderGid: string;
  questionKey: string;
  /** The question and the picked choice as the shop words them now (null when no longer known). */
  question: Localized | null;
  choice: Localized | null;
  createdAt: Date;
}

/** A customer's answers, oldest first (customers/data_request, the customer page), with today's wording. */
export async function surveyAnswersOfCustomer(prisma: Tx, shop: string, customerId: number): Promise<StoredSurveyAnswer[]> {
  const [rows, shopRow] = await Promise.all([
    prisma.surveyResponse.findMany({
      where: { shop, customerId },
      orderBy: { id: "asc" },
      select: { id: true, orderGid: true, questionKey: true, choiceKey: true, freeText: true, createdAt: true },
    }),
    prisma.shop.findUnique({ where: { shop }, select: { survey: true } }),
  ]);
  const settings = surveyFromJson(shopRow?.survey);
  return rows.map((r) => {
    const current = settings?.questionKey === r.questionKey ? settings : null;
    return {
      ...r,
      question: current?.question ?? null,
      choice: current?.choices.find((c) => c.key === r.choiceKey)?.label ?? null,
    };
  });
}

/**
 * customers/redact: the customer's answers, and answers on the orders Shopify names (a checkout
 * without a customer account leaves answers with no customer; the order still ties them to them).
 */
export async function deleteSurveyAnswers(tx: Tx, shop: string, who: { customerGid: string; orderGids?: string[] }): Promise<number> {
  const customer = await tx.customer.findUnique({ where: { shop_gid: { shop, gid: who.customerGid } }, select: { id: true } });
  const or = [
    ...(customer ? [{ customerId: customer.id }] : []),
    ...(who.orderGids && who.orderGids.length > 0 ? [{ orderGid: { in: who.orderGids } }] : []),
  ];
  if (or.length === 0) return 0;
  const { count } = await tx.surveyResponse.deleteMany({ where: { shop, OR: or } });
  return count;
}
